"""Calendars (the CalendarView kind): events of a range with titles, colours and times in the tenant's zone (timed
from a datetime field, all-day from a date field), record rules, hidden fields and other tenants, moves and resizes
through the record lifecycle (rules and locks refuse them with their message, a stale version is 409), a fixed
number of SQL statements whatever the number of events, and `validate` pointing at a wrong field's line."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, counting, jwt, login, post_record
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.meta.catalog import Catalog
from formwork.tenancy.registry import Tenant, find_tenant, platform_session
from formwork.tenancy.storage import tenant_engine
from formwork.views.calendar import events as calendar_events

SLUG = "calendar"
ZONE = "Asia/Shanghai"  # UTC+8, no daylight saving: 09:00 there is 01:00 UTC
MEETINGS = f"/t/{SLUG}/oa_meeting/calendar/oa.meeting_calendar/"
LEAVES = f"/t/{SLUG}/oa_leave_request/calendar/oa.leave_calendar/"
SHIFTS = f"/t/{SLUG}/cals_shift/calendar/cals.shifts/"
MARCH = {"start": "2031-03-01T00:00:00", "end": "2031-04-01T00:00:00"}
#: a pack of the tests: a role that sees only the meetings it organizes and not their rooms, one that may not open
#: meetings at all, and an all-day entity with an end field whose title one role may not see
CALENDAR_PACK = """\
kind: Pack
name: cals
version: 0.1.0
requires: {core: ">=0.1.0", oa: ">=0.1.0"}
---
kind: Role
name: cal_rep
rights:
  oa.meeting: [read, edit]
  cals.shift: [read]
records:
  oa.meeting: [{user_field: organizer}]
fields:
  oa.meeting: {hidden: [room]}
  cals.shift: {hidden: [title]}
---
kind: Role
name: shift_only
rights:
  cals.shift: [read]
---
kind: Entity
name: shift
title_field: title
fields:
  - {name: title, type: string, required: true}
  - {name: day, type: date, required: true}
  - {name: last_day, type: date}
  - name: kind
    type: choice
    choices:
      - {value: early, color: yellow, label: {en: Early, zh: 早班}}
      - {value: late, label: Late}
rules:
  - name: ends_after_start
    check: last_day == null || last_day >= day
    field: last_day
    message: {en: A shift cannot end before it starts., zh: 班次不能在开始之前结束。}
---
kind: CalendarView
name: shifts
entity: shift
label: {en: Shifts, zh: 班次}
start: day
end: last_day
title: title
color_by: kind
view: week
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return catalog_with_pack(tmp_path_factory.mktemp("packs") / "cals", CALENDAR_PACK)


def _post(client: Client, headers: dict[str, str], table: str, slug: str = SLUG, **values: Any) -> int:
    return post_record(client, headers, slug, table, **values)


def _in_zone(platform: Platform, slug: str, zone: str) -> None:
    """The tenant's time zone, set in the registry before its app is first built."""
    with platform_session(platform.settings.database_url) as session:
        session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).one().timezone = zone
        session.commit()


def _add_user(platform: Platform, slug: str, login_name: str, role: str) -> int:
    app = platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, slug))
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(
            login_name, login_name.title(), "Test", f"{login_name}@example.com", sm.find_role(role), password=PASSWORD
        )
        assert user
        return int(user.id)


@pytest.fixture(scope="module")
def tenant(platform: Platform) -> dict[str, int]:
    """In Shanghai's zone: three meetings in March 2031 (Rita, role cal_rep, organizes one), one in April; a leave
    request of Anna in March and one starting long ago (locked); two shifts; and, in May, a meeting and a leave the
    move tests change (so that no other test depends on the order tests run in)."""
    platform.tenant(SLUG, packs=["core", "oa", "cals"])
    _in_zone(platform, SLUG, ZONE)
    client = platform.client()
    auth = jwt(client, SLUG)
    rita = _add_user(platform, SLUG, "rita", "cal_rep")
    _add_user(platform, SLUG, "sol", "shift_only")
    anna = _post(client, auth, "core_employee", name="Anna Zhao")
    long_ago = date.today() - timedelta(days=60)
    meeting = "oa_meeting"
    return {
        "rita": rita,
        "kickoff": _post(
            client, auth, meeting, subject="Kick-off <b>", starts_at="2031-03-03T01:00:00Z", duration=90, room="lotus"
        ),
        "review": _post(
            client, auth, meeting, subject="Review", starts_at="2031-03-10T06:30:00Z", room="online", organizer=rita
        ),
        "late": _post(client, auth, meeting, subject="Late call", starts_at="2031-03-31T15:30:00Z", duration=60),
        "april": _post(client, auth, meeting, subject="April talk", starts_at="2031-04-10T02:00:00Z"),
        "leave": _post(
            client,
            auth,
            "oa_leave_request",
            employee=anna,
            leave_type="sick",
            start_date="2031-03-02",
            end_date="2031-03-04",
            reason="Flu",
        ),
        "old_leave": _post(
            client,
            auth,
            "oa_leave_request",
            employee=anna,
            leave_type="annual",
            start_date=long_ago.isoformat(),
            end_date=(long_ago + timedelta(days=1)).isoformat(),
            reason="Holiday",
        ),
        "mover": _post(
            client, auth, meeting, subject="Mover", starts_at="2031-05-05T01:00:00Z", duration=90, room="lotus"
        ),
        "leave_mover": _post(
            client,
            auth,
            "oa_leave_request",
            employee=anna,
            start_date="2031-05-02",
            end_date="2031-05-04",
            reason="Moving house",
        ),
        "early": _post(client, auth, "cals_shift", title="Early one", day="2031-03-05", kind="early"),
        "long": _post(client, auth, "cals_shift", title="Long one", day="2031-03-06", last_day="2031-03-08"),
    }


def _signed_in(platform: Platform, user: str = "admin", slug: str = SLUG) -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


def _events(client: Client, calendar: str, window: dict[str, str] = MARCH) -> Any:
    response = client.get(f"{calendar}events", query_string=window)
    assert response.status_code == 200, response.text
    return response.json


def _by_title(answer: Any) -> dict[str, dict[str, Any]]:
    return {event["title"]: event for event in answer["events"]}


def _send(client: Client, calendar: str, body: dict[str, Any]) -> Any:
    token = re.search(r'data-csrf="([^"]+)"', client.get(calendar).text)
    assert token, "the calendar carries no CSRF token"
    return client.post(f"{calendar}move", json=body, headers={"X-CSRFToken": token.group(1)})


def _record(platform: Platform, table: str, pk: int) -> dict[str, Any]:
    client = platform.client()
    return client.get(f"/t/{SLUG}/api/v1/{table}/{pk}", headers=jwt(client, SLUG)).json["result"]


def test_timed_events_stand_at_the_tenants_wall_clock_time(platform: Platform, tenant: dict[str, int]) -> None:
    answer = _events(_signed_in(platform), MEETINGS)
    events = _by_title(answer)
    assert set(events) == {"Kick-off <b>", "Review", "Late call"}  # April's is outside the range
    assert answer["capped"] is False and answer["message"] == ""
    kickoff = events["Kick-off <b>"]
    assert (kickoff["start"], kickoff["end"], kickoff["allDay"]) == (
        "2031-03-03T09:00:00",
        "2031-03-03T10:30:00",
        False,
    )
    assert kickoff["classNames"] == ["fw-calendar-green"] and kickoff["extendedProps"] == {"version": 1}
    assert kickoff["url"] == f"/t/{SLUG}/oa_meeting/edit/{tenant['kickoff']}"
    review = events["Review"]  # no duration given: the field's default, 60 minutes
    assert (review["start"], review["end"], review["classNames"]) == (
        "2031-03-10T14:30:00",
        "2031-03-10T15:30:00",
        ["fw-calendar-blue"],
    )
    assert events["Late call"]["start"] == "2031-03-31T23:30:00" and "classNames" not in events["Late call"]
    april = _by_title(_events(_signed_in(platform), MEETINGS, {"start": "2031-04-10", "end": "2031-04-11"}))
    assert list(april) == ["April talk"]


def test_all_day_events_end_the_day_after_their_last(platform: Platform, tenant: dict[str, int]) -> None:
    events = _by_title(_events(_signed_in(platform), LEAVES))
    assert list(events) == ["Anna Zhao"]  # the title field is a reference: its record's title
    leave = events["Anna Zhao"]
    assert (leave["start"], leave["end"], leave["allDay"], leave["classNames"]) == (
        "2031-03-02",
        "2031-03-05",
        True,
        ["fw-calendar-red"],
    )
    shifts = _by_title(_events(_signed_in(platform), SHIFTS))
    assert shifts["Early one"]["start"] == "2031-03-05" and "end" not in shifts["Early one"]  # one day
    assert shifts["Long one"]["end"] == "2031-03-09"
    week = _by_title(_events(_signed_in(platform), SHIFTS, {"start": "2031-03-07", "end": "2031-03-14"}))
    assert list(week) == ["Long one"]  # it started before the range and reaches into it


def test_the_page_passes_its_settings_and_speaks_chinese(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    page = client.get(MEETINGS)
    assert page.status_code == 200
    assert 'data-time-zone="Asia/Shanghai"' in page.text and 'data-initial-view="dayGridMonth"' in page.text
    assert 'data-movable="true"' in page.text and 'data-resizable="true"' in page.text
    assert 'data-fill-start="fill.starts_at"' in page.text and 'data-fill-duration="fill.duration"' in page.text
    assert "Lotus room" in page.text and "<script>" not in page.text  # the legend; no inline script
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    for script in [s for s in scripts if "fullcalendar" in s or "calendar.js" in s]:
        assert client.get(script).status_code == 200
    assert len([s for s in scripts if "fullcalendar" in s]) == 2  # the bundle and its zh-cn locale
    zh = client.get(f"{MEETINGS}?_l_=zh").text
    assert "会议日历" in zh and 'data-locale="zh-cn"' in zh and "莲花厅" in zh
    assert "拖动日程可改期" in zh
    shifts = client.get(SHIFTS).text
    assert 'data-initial-view="dayGridWeek"' in shifts and 'data-fill-end="fill.last_day"' in shifts
    menu = client.get(f"/t/{SLUG}/").text
    assert f'href="{MEETINGS}"' in menu and f'href="{LEAVES}"' in menu


def test_a_user_sees_only_their_records_and_not_hidden_fields(platform: Platform, tenant: dict[str, int]) -> None:
    rita = _signed_in(platform, "rita")
    events = _events(rita, MEETINGS)["events"]
    assert [e["title"] for e in events] == ["Review"]
    assert "classNames" not in events[0]  # the room is hidden from her: no colour tells it
    assert "Online" not in rita.get(MEETINGS).text  # nor does the legend
    shifts = _events(rita, SHIFTS)["events"]
    assert sorted(e["title"] for e in shifts) == [f"Shift #{tenant['early']}", f"Shift #{tenant['long']}"]
    assert "Early one" not in str(shifts)


def test_without_the_list_right_the_calendar_is_closed(platform: Platform, tenant: dict[str, int]) -> None:
    sol = _signed_in(platform, "sol")
    assert sol.get(f"{MEETINGS}events", query_string=MARCH).status_code == 403
    assert sol.get(MEETINGS).status_code == 403
    assert "Kick-off" not in sol.get(MEETINGS, follow_redirects=True).text
    assert f'href="{MEETINGS}"' not in sol.get(f"/t/{SLUG}/").text
    assert _signed_in(platform).get(f"/t/{SLUG}/oa_meeting/calendar/oa.leave_calendar/").status_code == 404


def test_another_tenant_sees_nothing(platform: Platform, tenant: dict[str, int]) -> None:
    other = "calendar-other"
    platform.tenant(other, packs=["core", "oa"])
    client = _signed_in(platform, slug=other)
    answer = client.get(f"/t/{other}/oa_meeting/calendar/oa.meeting_calendar/events", query_string=MARCH)
    assert answer.status_code == 200 and answer.json["events"] == []
    ours = _signed_in(platform)
    assert ours.get(f"/t/{other}/oa_meeting/calendar/oa.meeting_calendar/events", query_string=MARCH).status_code == 401


def test_a_move_saves_the_new_time_and_a_resize_the_duration(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    pk = tenant["mover"]
    version = _record(platform, "oa_meeting", pk)["version"]
    body = {"id": pk, "start": "2031-05-06T14:00:00", "end": "2031-05-06T15:30:00", "version": version}
    moved = _send(client, MEETINGS, body)
    assert moved.status_code == 200, moved.text
    assert moved.json == {"id": pk, "version": version + 1}
    saved = _record(platform, "oa_meeting", pk)
    assert saved["starts_at"].startswith("2031-05-06T06:00:00") and saved["duration"] == 90  # 14:00 in Shanghai
    resized = _send(client, MEETINGS, {**body, "end": "2031-05-06T16:00:00", "version": version + 1})
    assert resized.status_code == 200 and _record(platform, "oa_meeting", pk)["duration"] == 120
    stale = _send(client, MEETINGS, {**body, "version": version})
    assert stale.status_code == 409 and "changed by someone else" in stale.json["message"]
    too_long = _send(client, MEETINGS, {**body, "end": "2031-05-07T02:00:00", "version": version + 2})
    assert too_long.status_code == 400 and too_long.json["message"].startswith("Duration (minutes):"), too_long.text
    assert _record(platform, "oa_meeting", pk)["duration"] == 120


def test_a_leave_moved_keeps_its_length_and_a_rule_refuses_a_wrong_end(
    platform: Platform, tenant: dict[str, int]
) -> None:
    client = _signed_in(platform)
    pk = tenant["leave_mover"]
    version = _record(platform, "oa_leave_request", pk)["version"]
    moved = _send(client, LEAVES, {"id": pk, "start": "2031-05-09", "end": "2031-05-12", "version": version})
    assert moved.status_code == 200, moved.text
    saved = _record(platform, "oa_leave_request", pk)
    assert (saved["start_date"], saved["end_date"]) == ("2031-05-09", "2031-05-11")
    refused = _send(client, LEAVES, {"id": pk, "start": "2031-05-20", "end": "2031-05-12", "version": version + 1})
    assert refused.status_code == 400
    assert refused.json["message"] == "To: The leave cannot end before it starts."
    after = _record(platform, "oa_leave_request", pk)
    assert (after["start_date"], after["version"]) == ("2031-05-09", version + 1)
    timed = _send(client, LEAVES, {"id": pk, "start": "2031-05-20T10:00:00", "end": None, "version": version + 1})
    assert timed.status_code == 400  # an all-day calendar takes days
    assert _send(client, LEAVES, {"id": 10**6, "start": "2031-03-20", "version": 1}).status_code == 404


def test_a_locked_leave_cannot_be_moved(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    pk = tenant["old_leave"]
    before = _record(platform, "oa_leave_request", pk)
    refused = _send(
        client, LEAVES, {"id": pk, "start": "2031-05-04", "end": "2031-05-05", "version": before["version"]}
    )
    assert refused.status_code == 400, refused.text
    assert refused.json["message"] == "This Leave request is locked and cannot be changed."
    assert _record(platform, "oa_leave_request", pk)["start_date"] == before["start_date"]


def test_moves_need_the_right_the_rules_and_the_token(platform: Platform, tenant: dict[str, int]) -> None:
    rita = _signed_in(platform, "rita")
    pk = tenant["late"]  # not hers
    assert _send(rita, MEETINGS, {"id": pk, "start": "2031-03-30T10:00:00", "version": 1}).status_code == 404
    sol = _signed_in(platform, "sol")
    token = re.search(r'data-csrf="([^"]+)"', sol.get(SHIFTS).text).group(1)  # type: ignore[union-attr]
    body = {"id": tenant["early"], "start": "2031-03-20", "version": 1}
    assert sol.post(f"{SHIFTS}move", json=body, headers={"X-CSRFToken": token}).status_code == 403
    admin = _signed_in(platform)
    assert admin.post(f"{SHIFTS}move", json=body).status_code == 400  # no CSRF token
    assert _record(platform, "cals_shift", tenant["early"])["day"] == "2031-03-05"


def test_a_range_of_more_events_than_the_cap_says_so(
    platform: Platform, tenant: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar_events, "CAPPED_AT", 2)
    answer = _events(_signed_in(platform), MEETINGS)
    assert [e["title"] for e in answer["events"]][:1] == ["Kick-off <b>"] and len(answer["events"]) == 2
    assert answer["capped"] is True and answer["message"].startswith("Only the first 2 events")
    assert _signed_in(platform).get(f"{MEETINGS}events?start=yesterday&end=2031").status_code == 400


def test_events_take_the_same_statements_for_1_and_30_records(platform: Platform) -> None:
    slug = "calendar-count"
    platform.tenant(slug, packs=["core", "oa"])
    client = platform.client()
    auth = jwt(client, slug)
    calendar = f"/t/{slug}/oa_leave_request/calendar/oa.leave_calendar/events"

    def add(n: int) -> None:
        anna = _post(client, auth, "core_employee", slug=slug, name=f"Employee {n}")
        day = date(2031, 3, 1 + n % 28).isoformat()
        _post(client, auth, "oa_leave_request", slug=slug, employee=anna, start_date=day, end_date=day, reason="-")

    add(0)
    signed_in = _signed_in(platform, slug=slug)
    signed_in.get(calendar, query_string=MARCH)
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug))
    with counting(engine) as one:
        assert len(signed_in.get(calendar, query_string=MARCH).json["events"]) == 1
    for n in range(1, 30):
        add(n)
    with counting(engine) as thirty:
        assert len(signed_in.get(calendar, query_string=MARCH).json["events"]) == 30
    assert len(thirty) == len(one) and len(one) <= 6, "\n".join(thirty)


def test_validate_points_at_a_wrong_start_end_and_colour_field(tmp_path: Path) -> None:
    folder = tmp_path / "wrong"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "kind: Pack\nname: wrong\nversion: 0.1.0\nrequires: {oa: '>=0.1.0'}\n---\n"
        "kind: CalendarView\nname: by_subject\nentity: oa.meeting\n"
        "start: subject\nend: agenda\ntitle: nothing\ncolor_by: duration\n---\n"
        "kind: CalendarView\nname: mixed\nentity: oa.leave_request\n"
        "start: start_date\nduration: {field: reason, unit: hours}\ntitle: number\n---\n"
        "kind: CalendarView\nname: neither\nentity: oa.meeting\n"
        "start: starts_at\nduration: {unit: hours}\ntitle: subject\n"
    )
    _catalog, errors = load_catalog([builtin_definitions(), folder])
    found = {(e.line, e.path, e.message) for e in errors if e.file.endswith("wrong/pack.yaml")}
    assert found == {
        (9, "start", "'subject' is not a date or datetime field of oa.meeting"),
        (10, "end", "'agenda' is not a date or datetime field of oa.meeting"),
        (11, "title", "'nothing' is not a field of oa.meeting"),
        (12, "color_by", "'duration' is not a choice field of oa.meeting"),
        (18, "duration.field", "'reason' is not an integer or decimal field of oa.leave_request"),
        (18, "duration.unit", "'start_date' is a date: an all-day event lasts whole days"),
        (25, "duration", "give the duration a value or a field, one of them"),
    }


def _input_value(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else None


def test_a_selected_range_opens_the_add_form_with_its_dates(platform: Platform, tenant: dict[str, int]) -> None:
    """What calendar.js opens when a time range or days are selected: the add form, its dates filled in."""
    client = _signed_in(platform)
    fill = {"fill.starts_at": "2031-03-04 14:00:00", "fill.duration": "90"}
    meeting = client.get(f"/t/{SLUG}/oa_meeting/add", query_string=fill).text
    assert (_input_value(meeting, "starts_at"), _input_value(meeting, "duration")) == ("2031-03-04 14:00:00", "90")
    fill = {"fill.start_date": "2031-03-02", "fill.end_date": "2031-03-04"}
    leave = client.get(f"/t/{SLUG}/oa_leave_request/add", query_string=fill).text
    assert (_input_value(leave, "start_date"), _input_value(leave, "end_date")) == ("2031-03-02", "2031-03-04")
