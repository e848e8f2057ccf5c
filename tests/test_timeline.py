"""Timelines (the TimelineView kind): bars in lanes in order (choices' order, referenced records by title), record
rules and hidden fields, another tenant, a reschedule through the record lifecycle (both dates saved; a rule refuses
it with its message and nothing changes; a stale version is 409), datetimes in the tenant's time zone, a fixed
number of SQL statements whatever the number of bars, and `validate` pointing at a wrong field's line."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, TEST_PACKS, Platform, catalog_with_pack, counting, csrf_token, jwt, login, post_record
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.meta.catalog import Catalog
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "gantt"
CONTRACTS = f"/t/{SLUG}/crm_contract/timeline/crm.contract_timeline/"
SHIFTS = f"/t/{SLUG}/gantt_shift/timeline/gantt.shifts/"
#: a pack of the tests: a role that sees only the contracts it owns, one from whom the end dates are hidden, and a
#: small entity with datetimes, lanes of a choice, and bars coloured by another choice
GANTT_PACK = """\
kind: Pack
name: gantt
version: 0.1.0
requires: {core: ">=0.1.0", crm: ">=0.1.0"}
---
kind: Role
name: gantt_rep
rights:
  crm.contract: [read, edit]
  crm.account: [read]
  core.employee: [read]
records:
  crm.contract: [{user_field: owner}]
---
kind: Role
name: gantt_peek
rights:
  crm.contract: [read]
  crm.account: [read]
fields:
  crm.contract: {hidden: [end_date]}
---
kind: Entity
name: shift
title_field: title
fields:
  - {name: title, type: string, required: true}
  - {name: starts, type: datetime, required: true}
  - {name: ends, type: datetime}
  - name: team
    type: choice
    choices:
      - {value: night, label: {en: Night team, zh: 夜班}}
      - {value: day, label: {en: Day team, zh: 白班}}
  - name: kind
    type: choice
    choices:
      - {value: duty, color: teal, label: Duty}
---
kind: TimelineView
name: shifts
entity: shift
label: {en: Shifts, zh: 排班}
start: starts
end: ends
group_by: team
color_by: kind
zoom: day
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return catalog_with_pack(tmp_path_factory.mktemp("packs") / "gantt", GANTT_PACK, TEST_PACKS)


def _post(client: Client, headers: dict[str, str], table: str, slug: str = SLUG, **values: Any) -> int:
    return post_record(client, headers, slug, table, **values)


def _contract(client: Client, auth: dict[str, str], slug: str = SLUG, **values: Any) -> int:
    return _post(client, auth, "crm_contract", slug=slug, **{"amount": "100", **values})


@pytest.fixture(scope="module")
def tenant(platform: Platform) -> dict[str, int]:
    """Two accounts (Beta created first, Alpha second: lanes go by title); Rita owns one of three contracts; one
    has no end."""
    platform.tenant(SLUG, packs=["core", "crm", "gantt"])
    client = platform.client()
    auth = jwt(client, SLUG)
    beta = _post(client, auth, "crm_account", name="Beta Ltd")
    alpha = _post(client, auth, "crm_account", name="Alpha Inc")
    rita = _post(client, auth, "core_employee", name="Rita Rep", login="rita")
    olga = _post(client, auth, "core_employee", name="Olga Owner")
    ids = {
        "alpha": alpha,
        "beta": beta,
        "support": _contract(
            client,
            auth,
            title="Support <b>2030</b>",
            account=beta,
            owner=rita,
            status="signed",
            start_date="2030-01-01",
            end_date="2030-06-30",
        ),
        "licence": _contract(
            client, auth, title="Licence", account=alpha, owner=olga, start_date="2030-02-01", end_date="2030-12-31"
        ),
        "open": _contract(client, auth, title="Open ended", account=alpha, owner=olga, start_date="2030-03-01"),
    }
    app = platform.app.tenant_apps.get(find_tenant(platform.settings.database_url, SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        assert sm.add_user("rita", "Rita", "Rep", "rita@example.com", sm.find_role("gantt_rep"), password=PASSWORD)
        assert sm.add_user("peek", "Pia", "Peek", "peek@example.com", sm.find_role("gantt_peek"), password=PASSWORD)
    return ids


def _signed_in(platform: Platform, user: str = "admin", slug: str = SLUG) -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


def _chart(html: str) -> dict[str, Any]:
    """The lanes and bars the page gives timeline.js."""
    found = re.search(r"data-chart='([^']*)'", html)
    assert found, "the page carries no chart"
    return dict(json.loads(unescape(found.group(1))))


def _lanes(html: str) -> list[tuple[str, list[str]]]:
    return [(lane["label"], [bar["title"] for bar in lane["bars"]]) for lane in _chart(html)["lanes"]]


def _send(client: Client, url: str, body: dict[str, Any]) -> Any:
    token = re.search(r'data-csrf="([^"]+)"', client.get(url).text)
    assert token, "the timeline carries no CSRF token"
    return client.post(f"{url}reschedule", json=body, headers={"X-CSRFToken": token.group(1)})


def _read(platform: Platform, pk: int, table: str = "crm_contract") -> dict[str, Any]:
    client = platform.client()
    return client.get(f"/t/{SLUG}/api/v1/{table}/{pk}", headers=jwt(client, SLUG)).json["result"]


def test_the_timeline_shows_a_lane_per_account_by_title_with_its_bars(
    platform: Platform, tenant: dict[str, int]
) -> None:
    page = _signed_in(platform).get(CONTRACTS)
    assert page.status_code == 200
    assert _lanes(page.text) == [("Alpha Inc", ["Licence", "Open ended"]), ("Beta Ltd", ["Support <b>2030</b>"])]
    chart = _chart(page.text)
    assert chart["zoom"] == "month" and chart["editable"] is True and chart["with_time"] is False
    support = chart["lanes"][1]["bars"][0]
    assert (support["start"], support["end"], support["color"]) == ("2030-01-01", "2030-06-30", "purple")
    assert support["url"] == f"/t/{SLUG}/crm_contract/show/{tenant['support']}"
    assert chart["lanes"][0]["bars"][1]["end"] is None  # an open end stays open
    # the list below the chart: lanes in the same order, each record a link, the dates a keyboard form
    assert re.findall(r'<th scope="rowgroup" colspan="3">([^<]*)</th>', page.text) == ["Alpha Inc", "Beta Ltd"]
    assert f'href="/t/{SLUG}/crm_contract/show/{tenant["licence"]}">Licence</a>' in page.text
    assert 'type="date" name="start"' in page.text and 'value="2030-06-30"' in page.text
    assert "Support &lt;b&gt;2030&lt;/b&gt;" in page.text and "<b>2030</b>" not in page.text
    assert "None" not in page.text
    assert f'href="{CONTRACTS}"' in _signed_in(platform).get(f"/t/{SLUG}/").text


def test_choice_lanes_follow_the_choices_order_and_datetimes_the_tenants_clock(
    platform: Platform, tenant: dict[str, int]
) -> None:
    client = _signed_in(platform)
    auth = jwt(platform.client(), SLUG)
    _post(client, auth, "gantt_shift", title="Early", starts="2030-05-01T06:00:00+00:00", team="day", kind="duty")
    _post(client, auth, "gantt_shift", title="Late", starts="2030-05-01T22:00:00+00:00", team="night")
    _post(client, auth, "gantt_shift", title="Spare", starts="2030-05-02T08:00:00+00:00")
    page = client.get(SHIFTS).text
    assert _lanes(page) == [("Night team", ["Late"]), ("Day team", ["Early"]), ("(no value)", ["Spare"])]
    early = _chart(page)["lanes"][1]["bars"][0]
    assert early["color"] == "teal" and early["start"].startswith("2030-05-01 ")
    assert 'type="datetime-local" name="start"' in page
    assert "夜班" in client.get(f"{SHIFTS}?_l_=zh").text


def test_the_timeline_speaks_chinese(platform: Platform, tenant: dict[str, int]) -> None:
    page = _signed_in(platform).get(f"{CONTRACTS}?_l_=zh").text
    assert "合同时间线" in page and "重新安排" in page and "月" in page
    assert "Reschedule" not in page and "Open the list" not in page


def test_a_user_sees_only_their_records_and_hidden_dates_close_the_timeline(
    platform: Platform, tenant: dict[str, int]
) -> None:
    page = _signed_in(platform, "rita").get(CONTRACTS)
    assert page.status_code == 200
    assert _lanes(page.text) == [("Beta Ltd", ["Support <b>2030</b>"])]
    assert "Licence" not in page.text and "Alpha Inc" not in page.text
    assert _signed_in(platform, "peek").get(CONTRACTS).status_code == 403  # bars would tell the hidden end dates


def test_another_tenant_sees_nothing_of_this_one(platform: Platform, tenant: dict[str, int]) -> None:
    other = "gantt-other"
    platform.tenant(other, packs=["core", "crm"])
    page = _signed_in(platform, slug=other).get(f"/t/{other}/crm_contract/timeline/crm.contract_timeline/")
    assert page.status_code == 200
    assert "Licence" not in page.text and "Alpha Inc" not in page.text and "fw-gantt-empty" in page.text
    ours = _signed_in(platform)
    assert ours.get(f"/t/{other}/crm_contract/timeline/crm.contract_timeline/").status_code == 302


def test_a_reschedule_saves_both_dates_and_a_stale_one_is_409(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    pk = tenant["licence"]
    version = _read(platform, pk)["version"]
    body = {"id": pk, "start": "2030-02-11", "end": "2031-01-10", "version": version}
    moved = _send(client, CONTRACTS, body)
    assert moved.status_code == 200, moved.text
    assert (moved.json["start"], moved.json["end"], moved.json["version"]) == ("2030-02-11", "2031-01-10", version + 1)
    saved = _read(platform, pk)
    assert (saved["start_date"], saved["end_date"]) == ("2030-02-11", "2031-01-10")
    stale = _send(client, CONTRACTS, {**body, "start": "2030-03-01"})
    assert stale.status_code == 409 and "changed by someone else" in stale.json["message"]
    assert _read(platform, pk)["start_date"] == "2030-02-11"


def test_moving_an_open_ended_bar_keeps_its_end_open(platform: Platform, tenant: dict[str, int]) -> None:
    pk = tenant["open"]
    version = _read(platform, pk)["version"]
    moved = _send(_signed_in(platform), CONTRACTS, {"id": pk, "start": "2030-03-05", "end": None, "version": version})
    assert moved.status_code == 200, moved.text
    saved = _read(platform, pk)
    assert (saved["start_date"], saved["end_date"]) == ("2030-03-05", None)


def test_a_reschedule_a_rule_refuses_is_400_with_its_message_and_changes_nothing(
    platform: Platform, tenant: dict[str, int]
) -> None:
    client = _signed_in(platform)
    pk = tenant["support"]
    before = _read(platform, pk)
    body = {"id": pk, "start": "2030-08-01", "end": "2030-07-01", "version": before["version"]}
    refused = _send(client, CONTRACTS, body)
    assert refused.status_code == 400
    assert refused.json["message"] == "Ends on: The contract cannot end before it starts."
    after = _read(platform, pk)
    assert (after["start_date"], after["end_date"], after["version"]) == ("2030-01-01", "2030-06-30", before["version"])
    wrong = _send(client, CONTRACTS, {**body, "start": "next week"})
    assert wrong.status_code == 400 and "YYYY-MM-DD" in wrong.json["message"]
    assert _send(client, CONTRACTS, {**body, "id": 10**6}).status_code == 404
    token = re.search(r'data-csrf="([^"]+)"', client.get(CONTRACTS).text)
    assert token
    assert client.post(f"{CONTRACTS}reschedule", json={**body, "end": "2030-09-01"}).status_code == 400  # no CSRF
    assert _read(platform, pk)["version"] == before["version"]


def test_a_user_cannot_reschedule_outside_their_rules_or_rights(platform: Platform, tenant: dict[str, int]) -> None:
    body = {"id": tenant["licence"], "start": "2030-01-01", "end": "2030-01-02", "version": 1}
    assert _send(_signed_in(platform, "rita"), CONTRACTS, body).status_code == 404
    assert _read(platform, tenant["licence"])["start_date"] != "2030-01-01"
    peek = _signed_in(platform, "peek")  # may read contracts, but the end dates are hidden from her
    token = csrf_token(peek.get(f"/t/{SLUG}/crm_contract/list/").text)
    assert peek.post(f"{CONTRACTS}reschedule", json=body, headers={"X-CSRFToken": token}).status_code == 403


def test_datetimes_are_typed_and_shown_in_the_tenants_time_zone(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    auth = jwt(platform.client(), SLUG)
    pk = _post(client, auth, "gantt_shift", title="Moved", starts="2030-06-01T08:00:00+00:00", team="day")
    shown = next(b for lane in _chart(client.get(SHIFTS).text)["lanes"] for b in lane["bars"] if b["id"] == pk)
    body = {"id": pk, "start": "2030-06-03T" + shown["start"][11:], "end": "", "version": shown["version"]}
    moved = _send(client, SHIFTS, body)
    assert moved.status_code == 200, moved.text
    assert moved.json["start"] == "2030-06-03 " + shown["start"][11:]
    assert _read(platform, pk, "gantt_shift")["starts"].startswith("2030-06-03T08:00:00")


def test_the_timeline_answers_in_the_same_statements_for_1_and_30_bars(platform: Platform) -> None:
    slug = "gantt-count"
    platform.tenant(slug, packs=["core", "crm", "gantt"])
    client = platform.client()
    auth = jwt(client, slug)
    owner = _post(client, auth, "core_employee", slug=slug, name="Owner")
    url = f"/t/{slug}/crm_contract/timeline/crm.contract_timeline/"

    def add(n: int) -> None:
        account = _post(client, auth, "crm_account", slug=slug, name=f"Account {n}")
        _contract(client, auth, slug, title=f"Deal {n}", account=account, owner=owner, start_date=f"2030-01-{n + 1:02}")

    add(0)
    signed_in = _signed_in(platform, slug=slug)
    signed_in.get(url)
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, slug))
    with counting(engine) as one:
        assert signed_in.get(url).status_code == 200
    for n in range(1, 30):
        add(n)
    with counting(engine) as thirty:
        page = signed_in.get(url)
    assert sum(len(lane["bars"]) for lane in _chart(page.text)["lanes"]) == 30
    assert len(thirty) == len(one), "\n".join(thirty)


def test_validate_names_each_wrong_field_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "wrong"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "kind: Pack\nname: wrong\nversion: 0.1.0\nrequires: {crm: '>=0.1.0'}\n---\n"
        "kind: TimelineView\nname: bad\nentity: crm.contract\n"
        "start: title\nend: end_date\ngroup_by: amount\ncolor_by: account\ntitle: nothing\n"
    )
    _catalog, errors = load_catalog([builtin_definitions(), folder])
    found = {(e.line, e.path, e.message) for e in errors if e.file.endswith("wrong/pack.yaml")}
    assert found == {
        (9, "start", "'title' is not a date or datetime field of crm.contract"),
        (11, "group_by", "cannot make lanes of 'amount', a money field; group by a choice field or a reference field"),
        (12, "color_by", "'account' is not a choice field of crm.contract"),
        (13, "title", "'nothing' is not a field of crm.contract"),
    }


def test_frappe_gantt_is_served_from_the_package(platform: Platform, tenant: dict[str, int]) -> None:
    client = _signed_in(platform)
    page = client.get(CONTRACTS).text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    gantt = next(s for s in scripts if "frappe-gantt" in s)
    assert client.get(gantt).status_code == 200
    assert all(s.startswith("/") for s in scripts)
    styles = re.findall(r'<link href="([^"]+frappe-gantt[^"]+)"', page)
    assert styles and client.get(styles[0]).status_code == 200
