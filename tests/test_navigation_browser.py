"""In a real browser: the top bar is one row at 1366 px; on a 390 px phone neither a list nor the home page scrolls
sideways, and the menu opens from its button; the sidebar's collapsed state is remembered.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import PASSWORD, Platform, jwt
from test_browser import csp_violations, expect, launch, served, sign_in, sync_playwright

SLUG = "nav-browser"
LIST = f"/t/{SLUG}/crm_account/list/"
#: the top of every part of the top bar, in CSS pixels, and the bar's height
TOP_BAR = """() => {
    const bar = document.querySelector('.fw-topbar');
    const shown = [...bar.children].filter(c => c.getClientRects().length > 0);
    return {tops: shown.map(c => c.getBoundingClientRect().top), height: bar.getBoundingClientRect().height};
}"""
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG)
    auth = jwt(platform.client(), SLUG)
    for number in range(3):
        answer = platform.client().post(
            f"/t/{SLUG}/api/v1/crm_account/",
            json={"name": f"Wide Account Name Number {number}", "city": "Shenzhen", "email": f"a{number}@example.com"},
            headers=auth,
        )
        assert answer.status_code == 201, answer.text
    yield from served(platform)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


def signed_in_page(browser: Any, server: str, width: int, height: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    sign_in(page, f"{server}/t/{SLUG}", "admin")
    return page


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_top_bar_is_one_row_at_1366_px(browser: Any, server: str, language: str) -> None:
    page = signed_in_page(browser, server, 1366, 768)
    violations = csp_violations(page)
    page.goto(f"{server}/t/{SLUG}/lang/{language}")
    page.goto(f"{server}{LIST}")
    bar = page.evaluate(TOP_BAR)
    assert len(bar["tops"]) >= 6  # menu, tenant, search, notifications, language, user, sign out
    assert max(bar["tops"]) - min(bar["tops"]) <= 3, bar
    assert bar["height"] < 70, bar
    assert page.evaluate(SCROLL_WIDTH) <= 1366
    assert violations == []
    page.close()


def test_the_sidebar_collapses_and_stays_collapsed(browser: Any, server: str) -> None:
    page = signed_in_page(browser, server, 1366, 768)
    page.goto(f"{server}{LIST}")
    sidebar = page.locator("#fw-sidebar")
    wide = sidebar.bounding_box()["width"]
    page.get_by_role("button", name="Collapse or expand the menu").click()
    page.wait_for_function("() => document.getElementById('fw-sidebar').getBoundingClientRect().width < 80")
    page.goto(f"{server}/t/{SLUG}/")
    assert page.locator("#fw-sidebar").bounding_box()["width"] < wide / 2  # remembered in this browser
    assert page.locator(".fw-menu-button").get_attribute("aria-expanded") == "false"
    page.locator(".fw-menu-button").click()
    page.wait_for_function("() => document.getElementById('fw-sidebar').getBoundingClientRect().width > 150")
    page.close()


def test_on_a_phone_nothing_scrolls_sideways_and_the_menu_opens(browser: Any, server: str) -> None:
    page = signed_in_page(browser, server, 390, 844)
    for path in (LIST, f"/t/{SLUG}/"):
        page.goto(f"{server}{path}")
        assert page.evaluate(SCROLL_WIDTH) <= 390, path
        bar = page.evaluate(TOP_BAR)
        assert max(bar["tops"]) - min(bar["tops"]) <= 3 and bar["height"] < 70, bar
    entry = page.locator("#fw-sidebar").get_by_role("link", name="Accounts", exact=True)
    assert not entry.is_visible() or entry.bounding_box()["x"] < 0  # off the canvas until asked for
    page.get_by_role("button", name="Open the menu").click()
    expect(page.get_by_role("button", name="Close the menu")).to_have_attribute("aria-expanded", "true")
    page.wait_for_function("() => document.getElementById('fw-sidebar').getBoundingClientRect().left >= 0")
    entry.click()
    expect(page).to_have_url(f"{server}{LIST}")
    page.close()


def test_the_signed_out_home_fits_a_phone_and_signs_in(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/t/{SLUG}/")
    assert page.evaluate(SCROLL_WIDTH) <= 390
    page.fill(".fw-sign-in-form input[name=username]", "admin")
    page.fill(".fw-sign-in-form input[name=password]", PASSWORD)
    page.click(".fw-sign-in-form [type=submit]")
    expect(page.locator(".fw-menu-button")).to_be_visible()
    page.close()
