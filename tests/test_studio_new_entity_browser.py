"""In a real browser: an admin uploads a small CSV in the Studio, reviews the fields its columns give, creates the
entity's draft, publishes it, imports the file's rows through the entity's import screens and finds them listed.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Platform
from test_browser import csp_violations, expect, served, signed_in_page

SLUG = "studio-new-entity-browser"
CSV = b"Name,Price,In stock\nTea,3.5,yes\nCoffee,4.25,no\nCocoa,2,yes\n"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG)
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1280, "height": 900})


def test_a_spreadsheet_becomes_an_entity_with_its_rows(server: str, page: Any) -> None:
    violations = csp_violations(page)
    page.goto(f"{server}/t/{SLUG}/studio/")
    page.click(".fw-studio-new-entity >> text=From a spreadsheet")
    page.fill("#fw-new-name", "drink")
    page.set_input_files("#fw-new-file", files=[{"name": "drinks.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.click(".fw-new-entity-upload [type=submit]")

    price = page.locator('tr[data-column="1"]')
    expect(price.locator("select[name=type-1]")).to_have_value("decimal")
    expect(page.locator("select[name=type-2]")).to_have_value("boolean")
    page.fill("#fw-new-label_en", "Drink")
    page.fill("#fw-new-plural_en", "Drinks")
    page.fill("input[name=label-1_zh]", "价格")
    page.click(".fw-new-entity-review [type=submit]")

    expect(page.locator(".alert-success")).to_contain_text("import the 3 rows of drinks.csv")
    expect(page.locator('tr[data-field="price"]')).to_have_count(1)
    page.click(".fw-studio-publish [type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Published.")

    page.click(".fw-studio-import a")
    page.click(".fw-import-check")
    expect(page.locator(".fw-import-ready")).to_contain_text("3 record(s) will be created")
    page.click(".fw-import-apply")
    expect(page.locator(".alert-success")).to_contain_text("3 record(s) created")
    for name in ("Tea", "Coffee", "Cocoa"):
        expect(page.locator("table", has_text=name).first).to_be_visible()
    assert violations == []
