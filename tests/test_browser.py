"""In a real browser: live form rules react as the user types.

Needs Debian's chromium and the `playwright` package; skipped where they are
missing, except when FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can
never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import PASSWORD, Platform, jwt

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.environ.get("FORMWORK_REQUIRE_BROWSER"):
    pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed", allow_module_level=True)

from playwright.sync_api import expect as expect  # noqa: E402 - only once we know it is there (other tests take it)
from playwright.sync_api import sync_playwright  # noqa: E402


def served(platform: Platform) -> Iterator[str]:
    """The platform on a loopback port with waitress (as `formwork serve`), for a module's browser tests.

    Port 0: the system picks a free port as it binds, so test processes running side by side never race for one."""
    from waitress.server import create_server

    wsgi = create_server(platform.app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=wsgi.run, daemon=True).start()
    yield f"http://127.0.0.1:{wsgi.effective_port}"
    wsgi.close()


def launch(p: Any) -> Any:
    """Debian's Chromium, headless, as CI has it (never `playwright install`)."""
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )


def csp_violations(page: Any) -> list[str]:
    """The Content Security Policy violations the page reports on its console from now on (filled as they come)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def signed_in_page(url: str, viewport: dict[str, int], username: str = "admin") -> Iterator[Any]:
    """A module's browser page, signed in at `url` (a tenant's or the console's), closed after the module."""
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport=viewport)
        sign_in(page, url, username)
        yield page
        browser.close()


def sign_in(page: Any, url: str, username: str) -> None:
    """Sign in through the login form at `url` (a tenant's or the console's)."""
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant("acme")
    auth = jwt(platform.client(), "acme")
    platform.client().post("/t/acme/api/v1/core_employee/", json={"name": "Browser Wu"}, headers=auth)
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str):
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        sign_in(page, f"{server}/t/acme", "admin")
        yield page
        browser.close()


def pick_record(page, field: str, typed: str) -> None:
    """Open a reference's search box, type, and take the first match, as a user does."""
    page.click(f'.fw-field[data-field="{field}"] .select2-selection')
    page.fill(".select2-search__field", typed)
    page.locator(".select2-results__option", has_text=typed).first.click()


def choose(page, select: str, value: str) -> None:
    """Pick a value the way select2 does, firing the events the page listens to."""
    page.evaluate(
        "([s, v]) => { const e = document.querySelector(s); e.value = v; window.jQuery(e).trigger('change'); }",
        [select, value],
    )


def test_a_field_appears_and_becomes_required_as_the_user_types(server: str, page) -> None:
    page.goto(f"{server}/t/acme/oa_leave_request/add")
    certificate = page.locator('.fw-field[data-field="certificate"]')
    certificate.wait_for(state="hidden")
    choose(page, "select[name=leave_type]", "sick")
    certificate.wait_for(state="visible")
    star = certificate.locator(".fw-required")
    assert not star.is_visible()
    page.fill("input[name=days]", "3")
    star.wait_for(state="visible")
    choose(page, "select[name=leave_type]", "annual")
    certificate.wait_for(state="hidden")


def test_tabs_and_columns_render(server: str, page) -> None:
    page.goto(f"{server}/t/acme/crm_opportunity/add")
    assert page.locator(".fw-tabs a").all_inner_texts() == ["Details", "Notes"]
    page.click(".fw-tabs a:has-text('Notes')")
    page.locator('.fw-field[data-field="notes"]').wait_for(state="visible")


def test_rows_are_added_and_removed_in_the_browser(server: str, page, platform: Platform) -> None:
    page.goto(f"{server}/t/acme/oa_expense_claim/add")
    page.fill("input[name=title]", "Browser trip")
    pick_record(page, "employee", "Browser")
    for number in range(3):
        page.click(".fw-add-row")
        page.fill(f"input[name='lines-{number}-spent_on']", "2026-11-05")
        page.select_option(f"select[name='lines-{number}-category']", "meals")
        page.fill(f"input[name='lines-{number}-amount']", str(10 * (number + 1)))
    page.locator(".fw-row .fw-remove-row").nth(1).click()  # drop the 20
    with page.expect_navigation():
        page.click("button[type=submit]")
    auth = jwt(platform.client(), "acme")
    claims = platform.client().get("/t/acme/api/v1/oa_expense_claim/", headers=auth).json["result"]
    claim = next(c for c in claims if c["title"] == "Browser trip")
    assert claim["total"] == "40.00" and sorted(line["amount"] for line in claim["lines"]) == ["10.00", "30.00"]


def test_approve_on_the_record_s_approval_panel(server: str, page, platform: Platform) -> None:
    from datetime import date

    from formwork.workflow.engine import Approvals
    from workflow_org import new_record

    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant("acme"))
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("walker", "Walker", "Wu", "walker@example.com", [sm.find_role("Public")], password=PASSWORD)
    boss = new_record(runtime, "core.employee", name="Boss Admin", login="admin")
    walker = new_record(runtime, "core.employee", name="Walker Wu", login="walker", manager_id=boss)
    record = new_record(
        runtime,
        "oa.leave_request",
        employee_id=walker,
        leave_type="annual",
        start_date=date(2030, 5, 1),
        end_date=date(2030, 5, 2),
        days=1,
        reason="holiday",
    )
    Approvals(runtime).submit("oa.leave_request", record, "walker")
    page.goto(f"{server}/t/acme/oa_leave_request/show/{record}")
    page.fill("#fw-decide-comment", "have fun")
    with page.expect_navigation():
        page.click("#fw-approval button[data-action=approve]")
    assert " ".join(page.locator(".fw-approval-status").inner_text().split()) == "Approved"
    assert "have fun" in page.locator(".fw-approval-timeline").inner_text()
