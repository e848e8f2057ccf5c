"""In a real browser: a pivot opens with its counts, a click on a cell opens the entity's list holding exactly the
cell's records.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Platform, jwt, post_record
from test_browser import expect, served, signed_in_page

SLUG = "pivot-browser"
PIVOT = f"/t/{SLUG}/crm_opportunity/pivot/crm.sales_analysis/"


def _post(platform: Platform, auth: dict[str, str], table: str, **values: Any) -> int:
    return post_record(platform.client(), auth, SLUG, table, **values)


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    """Three prospecting deals of Ada (one more of hers in negotiation) and one of nobody's."""
    platform.tenant(SLUG, packs=["core", "crm"])
    auth = jwt(platform.client(), SLUG)
    account = _post(platform, auth, "crm_account", name="Browser Co")
    ada = _post(platform, auth, "core_employee", name="Ada Owner")
    for n in range(3):
        _post(platform, auth, "crm_opportunity", name=f"Ada deal {n}", account=account, owner=ada, amount="10")
    _post(platform, auth, "crm_opportunity", name="Ada other", account=account, owner=ada, stage="qualification")
    _post(platform, auth, "crm_opportunity", name="Nobody's deal", account=account, amount="5")
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1400, "height": 900})


def test_a_click_on_a_cell_opens_the_list_of_its_records(server: str, page: Any) -> None:
    page.goto(f"{server}{PIVOT}")
    prospecting = page.locator("table.fw-pivot tbody tr", has_text="Prospecting")
    ada_count = prospecting.locator("td.fw-pivot-value").nth(0)  # Ada's column comes first: by title
    expect(ada_count).to_have_text("3")
    expect(page.locator("table.fw-pivot thead")).to_contain_text("Ada Owner")
    ada_count.locator("a").click()
    page.wait_for_url("**/crm_opportunity/view/**")
    rows = page.locator("table tbody tr", has_text="Ada deal")
    expect(rows).to_have_count(3)
    expect(page.locator("body")).not_to_contain_text("Ada other")
    expect(page.locator("body")).not_to_contain_text("Nobody's deal")
