"""In a real browser, the automation editor: choosing a trigger's type shows the controls that type uses (a
schedule's cron, a date's field and days) and hides the others; a step added with its button shows as a card.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conftest import Platform
from test_browser import expect, served, signed_in_page

SLUG = "studio-automations-browser"
NEW_AUTOMATION = f"/t/{SLUG}/studio/crm.account/new-automation/"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, ["core", "crm"])
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1400, "height": 1000})


def test_the_trigger_type_shows_its_controls_and_a_step_is_added(server: str, page: Any) -> None:
    page.goto(f"{server}{NEW_AUTOMATION}")
    expect(page.locator("[name='trigger.cron']")).to_be_hidden()
    page.select_option("[name='trigger.type']", "schedule")
    expect(page.locator("[name='trigger.cron']")).to_be_visible()
    expect(page.locator("[name='trigger.field']")).to_be_hidden()
    page.select_option("[name='trigger.type']", "date")
    expect(page.locator("[name='trigger.field']")).to_be_visible()
    expect(page.locator("[name='trigger.days']")).to_be_visible()
    expect(page.locator("[name='trigger.cron']")).to_be_hidden()

    page.click("button[value='add_step:notify']")
    expect(page.locator(".fw-step[data-kind='notify']")).to_have_count(1)
    expect(page.locator("[name='steps.0.notify.subject.zh']")).to_be_visible()
    expect(page.locator("[name='trigger.type']")).to_have_value("date")  # the page came back as it was
    expect(page.locator("[name='trigger.cron']")).to_be_hidden()
