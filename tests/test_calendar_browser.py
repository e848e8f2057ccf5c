"""In a real browser: a meeting dragged to another day on the meeting calendar is saved; a locked leave request
dragged on the leave calendar goes back to its day with the lock's message shown. FullCalendar's injected styles
raise no Content Security Policy violation.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from conftest import Platform, jwt, post_record
from test_browser import csp_violations, expect, served, signed_in_page

SLUG = "calendar-browser"
MEETINGS = f"/t/{SLUG}/oa_meeting/calendar/oa.meeting_calendar/"
LEAVES = f"/t/{SLUG}/oa_leave_request/calendar/oa.leave_calendar/"
TODAY = date.today()  # the tenant's zone is UTC, as the calendar's today
SYNC_DAY, MOVED_DAY = TODAY.replace(day=10), TODAY.replace(day=12)
#: a leave that started long ago: its entity locks it (locked_when: it started over 30 days ago)
OLD_DAY = TODAY - timedelta(days=45)


def _post(platform: Platform, auth: dict[str, str], table: str, **values: Any) -> int:
    return post_record(platform.client(), auth, SLUG, table, **values)


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, packs=["core", "oa"])
    auth = jwt(platform.client(), SLUG)
    _post(platform, auth, "oa_meeting", subject="Team sync", starts_at=f"{SYNC_DAY}T09:00:00Z", room="lotus")
    anna = _post(platform, auth, "core_employee", name="Anna Old")
    _post(
        platform,
        auth,
        "oa_leave_request",
        employee=anna,
        start_date=OLD_DAY.isoformat(),
        end_date=OLD_DAY.isoformat(),
        reason="Long ago",
    )
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1400, "height": 1000})


def _day(page: Any, day: date) -> Any:
    return page.locator(f'td.fc-daygrid-day[data-date="{day.isoformat()}"]')


def _drag(page: Any, event: Any, target: Any) -> None:
    """FullCalendar follows the pointer (not HTML drag and drop): press, move in steps, release."""
    box, to = event.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(to["x"] + to["width"] / 2, to["y"] + to["height"] / 2, steps=12)
    page.mouse.up()


def _meeting(platform: Platform, subject: str) -> dict[str, Any]:
    auth = jwt(platform.client(), SLUG)
    rows = platform.client().get(f"/t/{SLUG}/api/v1/oa_meeting/", headers=auth).json["result"]
    return next(row for row in rows if row["subject"] == subject)


def test_a_dragged_meeting_is_saved_on_its_new_day(server: str, page: Any, platform: Platform) -> None:
    violations = csp_violations(page)
    page.goto(f"{server}{MEETINGS}")
    event = _day(page, SYNC_DAY).locator(".fc-event", has_text="Team sync")
    event.wait_for()
    assert "fw-calendar-green" in (event.get_attribute("class") or "")  # the Lotus room's colour
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _drag(page, event, _day(page, MOVED_DAY))
    assert answer.value.status == 200
    _day(page, MOVED_DAY).locator(".fc-event", has_text="Team sync").wait_for()
    assert _meeting(platform, "Team sync")["starts_at"].startswith(f"{MOVED_DAY}T09:00:00")
    assert violations == []


def test_a_refused_move_goes_back_with_the_message(server: str, page: Any, platform: Platform) -> None:
    page.goto(f"{server}{LEAVES}")
    months_back = (TODAY.year - OLD_DAY.year) * 12 + TODAY.month - OLD_DAY.month
    for _ in range(months_back):
        page.click(".fc-prev-button")
    event = _day(page, OLD_DAY).locator(".fc-event", has_text="Anna Old")
    event.wait_for()
    target = OLD_DAY + timedelta(days=1 if OLD_DAY.day < 20 else -1)
    with page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        _drag(page, event, _day(page, target))
    assert answer.value.status == 400
    expect(page.locator(".fw-calendar-message")).to_have_text("This Leave request is locked and cannot be changed.")
    _day(page, OLD_DAY).locator(".fc-event", has_text="Anna Old").wait_for()
    assert _day(page, target).locator(".fc-event", has_text="Anna Old").count() == 0
