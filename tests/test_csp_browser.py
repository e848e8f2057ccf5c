"""In a real browser: the screens work under the Content-Security-Policy (tenancy/headers.py) without one violation.

Skipped like tests/test_browser.py where chromium or playwright is missing (unless FORMWORK_REQUIRE_BROWSER is set).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import PASSWORD, Platform, jwt
from formwork.console import add_operator
from test_browser import csp_violations, launch, served, sign_in, sync_playwright

SLUG = "csp-web"
#: every kind of screen: home with its charts, list, add form (select2, date picker), show with tabs, search,
#: FAB's user screen, the roles screen, the API's Swagger UI
SCREENS = [
    "/",
    "/crm_account/list/",
    "/crm_account/add",
    "/crm_opportunity/add",
    "/crm_account/show/1",
    "/users/list/",
    "/access/roles/",
    "/access/roles/employee",
    "/access/people/",
    "/swagger/v1",
]


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, packs=["core", "crm"])
    client = platform.client()
    account = client.post(
        f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Tech", "industry": "technology"}, headers=jwt(client, SLUG)
    ).json
    assert account["id"] == 1
    add_operator(platform.app.console, "csp-op", PASSWORD)
    yield from served(platform)


def test_no_screen_breaks_the_content_security_policy(server: str) -> None:
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        violations = csp_violations(page)
        tenant = f"{server}/t/{SLUG}"
        sign_in(page, tenant, "admin")
        for screen in SCREENS:
            page.goto(f"{tenant}{screen}")
            page.wait_for_load_state("networkidle")
            page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => resolve()))")
        page.goto(f"{tenant}/swagger/v1")
        page.wait_for_selector(".swagger-ui .opblock", timeout=15000)  # Swagger UI ran and drew the API
        page.goto(f"{tenant}/crm_opportunity/add")
        page.click('.fw-field[data-field="account"] .select2-selection')
        page.fill(".select2-search__field", "Te")
        page.locator(".select2-results__option", has_text="Tech").first.wait_for()  # searched through the API
        sign_in(page, server, "csp-op")
        page.goto(f"{server}/tenants/list/")
        page.wait_for_load_state("networkidle")
        browser.close()
    assert violations == []
