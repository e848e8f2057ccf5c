"""In a real browser: an action with an input form, from the record's page to its success message, under the
Content-Security-Policy without one violation.

Skipped like tests/test_browser.py where chromium or playwright is missing (unless FORMWORK_REQUIRE_BROWSER is set).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import Platform, jwt
from test_browser import csp_violations, launch, served, sign_in, sync_playwright

SLUG = "actions-web"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, packs=["core", "crm"])
    client = platform.client()
    auth = jwt(client, SLUG)
    account = client.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Initech"}, headers=auth).json
    made = client.post(
        f"/t/{SLUG}/api/v1/crm_opportunity/",
        json={"name": "Printers for Initech", "account": account["id"], "stage": "qualification"},
        headers=auth,
    )
    assert made.json["id"] == 1, made.text
    yield from served(platform)


def test_marking_an_opportunity_lost_with_a_reason(server: str) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        violations = csp_violations(page)
        tenant = f"{server}/t/{SLUG}"
        sign_in(page, tenant, "admin")
        page.goto(f"{tenant}/crm_opportunity/show/1")
        page.click("a.fw-action-open[data-action=mark_lost]")
        page.wait_for_selector("form.fw-action-form")
        page.select_option("select[name=reason]", "competitor")
        page.click("button.fw-action-submit")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/crm_opportunity/show/1")
        text = page.inner_text("body")
        assert "The opportunity is lost." in text
        assert "Closed lost" in text
        assert "Chose a competitor" in text
        assert page.locator("[data-action=mark_lost]").count() == 0  # it no longer applies
        assert not violations, violations
        browser.close()
