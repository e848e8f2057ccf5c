"""In a real browser: a related list's Add opens the related form with the reference chosen, saving it lands on the
new record and the tab's count goes up; on a 390 px phone the record page never scrolls sideways and the approval
buttons come before the fields.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Platform, jwt, post_record
from test_browser import expect, launch, served, sign_in, sync_playwright

SLUG = "recpage-browser"
PHONE = {"width": 390, "height": 844}


def _post(platform: Platform, auth: dict[str, str], table: str, **values: Any) -> int:
    return post_record(platform.client(), auth, SLUG, table, **values)


@pytest.fixture(scope="module")
def records(platform: Platform) -> dict[str, int]:
    platform.tenant(SLUG, packs=["core", "crm", "oa"])
    auth = jwt(platform.client(), SLUG)
    first = _post(platform, auth, "crm_account", name="First Account", city="Hangzhou")
    _post(platform, auth, "crm_account", name="Second Account")
    _post(platform, auth, "crm_contact", name="Old Contact", account=first)
    employee = _post(platform, auth, "core_employee", name="Phone Wu")
    leave = _post(
        platform,
        auth,
        "oa_leave_request",
        employee=employee,
        leave_type="annual",
        start_date="2030-05-01",
        end_date="2030-05-02",
        days=2,
        reason="A long trip to see the family in the mountains, far from any office",
    )
    return {"first": first, "leave": leave}


@pytest.fixture(scope="module")
def server(platform: Platform, records: dict[str, int]) -> Iterator[str]:
    yield from served(platform)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


def _signed_in(browser: Any, server: str, **options: Any) -> Any:
    page = browser.new_page(**options)
    sign_in(page, f"{server}/t/{SLUG}", "admin")
    return page


def test_add_in_a_related_list_saves_a_record_of_that_account(server: str, browser: Any, records) -> None:
    page = _signed_in(browser, server, viewport={"width": 1400, "height": 900})
    account = f"{server}/t/{SLUG}/crm_account/show/{records['first']}"
    page.goto(account)
    tab = page.locator('.fw-record-tabs a[data-related="crm_contact-account"]')
    expect(tab.locator(".fw-related-count")).to_have_text("1")
    tab.click()
    page.locator('.fw-related[data-related="crm_contact-account"] .fw-related-add').click()
    expect(page.locator('select[name="account"] option[selected]')).to_have_text("First Account")
    page.fill("input[name=name]", "New Contact")
    page.click("#model_form [type=submit]")
    page.wait_for_url("**/crm_contact/show/**")
    expect(page.locator(".fw-record-title")).to_have_text("New Contact")
    expect(page.locator('.fw-record-field[data-field="account"] dd')).to_have_text("First Account")
    page.goto(account)
    expect(tab.locator(".fw-related-count")).to_have_text("2")
    page.close()


@pytest.mark.parametrize("path", ["oa_leave_request/show/{leave}", "crm_account/show/{first}"])
def test_a_record_page_fits_a_phone(server: str, browser: Any, records, path: str) -> None:
    page = _signed_in(browser, server, viewport=PHONE)
    page.goto(f"{server}/t/{SLUG}/{path.format(**records)}")
    expect(page.locator(".fw-record-title")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    page.close()


def test_on_a_phone_the_approval_buttons_come_before_the_fields(server: str, browser: Any, records) -> None:
    page = _signed_in(browser, server, viewport=PHONE)
    page.goto(f"{server}/t/{SLUG}/oa_leave_request/show/{records['leave']}")
    submit = page.locator('.fw-record-header [data-header-action="submit"]')
    expect(submit).to_be_visible()
    details = page.locator(".fw-record-details")
    assert submit.bounding_box()["y"] + submit.bounding_box()["height"] <= details.bounding_box()["y"]
    submit.click()
    expect(page.locator(".fw-record-header .fw-record-approval")).to_have_attribute("data-status", "pending")
    page.close()
