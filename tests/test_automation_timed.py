"""Scheduled and date-relative automations: the worker runs each due slot exactly once (also with two workers at
the same time), at the tenant's local time, catches up what downtime missed within the window and no further, and
logs every run for the admin, who may retry a failed one. The clock is moved, never slept on."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.automation.timed import RUNS, TIMED_AUTOMATIONS
from formwork.automation.timed.runs import LEASE, NewRun, claim_new
from formwork.notify.tables import NOTIFICATIONS
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.worker import run_tenant

SLUG = "estates"
API = f"/t/{SLUG}/api/v1"
ZONE = "Asia/Shanghai"  # UTC+8, no daylight saving: 09:00 there is 01:00 UTC
PACK = """kind: Pack
name: estate
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: unit
fields:
  - {name: name, type: string, required: true}
  - {name: status, type: choice, default: vacant, choices: [{value: vacant}, {value: occupied}]}
  - {name: rent, type: integer}
  - {name: lease_end, type: date, indexed: true}
---
kind: Entity
name: bill
fields:
  - {name: unit, type: reference, target: unit}
  - {name: note, type: string}
  - {name: amount, type: integer}
---
kind: Entity
name: meter
fields:
  - {name: name, type: string}
  - {name: value, type: integer}
---
kind: Entity
name: reading
fields:
  - {name: meter, type: reference, target: meter}
  - {name: value, type: integer}
rules:
  - {name: not_negative, check: "value >= 0", message: "A reading cannot be negative.", field: value}
---
kind: Automation
name: monthly_rent
entity: unit
trigger: {type: schedule, cron: "0 8 1 * *", filter: [{field: status, op: "=", value: occupied}]}
steps:
  - create: {entity: bill, values: {unit: {expr: id}, note: rent, amount: {expr: rent}}}
---
kind: Automation
name: lease_ending
entity: unit
trigger: {type: date, field: lease_end, days: -30, at: "09:00", filter: [{field: status, op: "=", value: occupied}]}
steps:
  - create: {entity: bill, values: {unit: {expr: id}, note: ending, amount: 0}}
---
kind: Automation
name: hourly_probe
entity: unit
trigger: {type: schedule, cron: "0 * * * *", filter: [{field: name, op: "=", value: probe}]}
steps:
  - create: {entity: bill, values: {unit: {expr: id}, note: hourly}}
---
kind: Automation
name: daily_reading
entity: meter
trigger: {type: schedule, cron: "0 12 * * *"}
steps:
  - create: {entity: reading, values: {meter: {expr: id}, value: {expr: value}}}
"""


@pytest.fixture(scope="module")
def site(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Client]:
    """A core + crm + estate tenant in Shanghai's time zone, with hank (hr, not an admin) and sam (sales_rep, an
    employee who owns contracts)."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("estate") / "estate", PACK)
    create_tenant(platform.settings, catalog, SLUG, "Estates", ["core", "crm", "estate"], "admin", PASSWORD)
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("hank", "Hank", "Test", "hank@example.com", [sm.find_role("hr")], password=PASSWORD)
        sm.add_user("sam", "Sam", "Sales", "sam@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    runtime = app.extensions["formwork"]
    runtime.timezone = ZONE
    with runtime.session() as session:
        session.add(runtime.compiled.model("core.employee")(name="Sam", login="sam"))
        session.commit()
    runtime.session.remove()
    return runtime, Client(create_app(platform.settings, catalog))


@pytest.fixture(autouse=True)
def fresh_log(site: Any) -> None:
    """Each test starts with an empty run log, so every schedule's first tick looks back the whole window."""
    runtime = site[0]
    runtime.in_transaction(lambda s: s.execute(RUNS.delete()))
    runtime.session.remove()


def tick(site: Any, at: datetime) -> dict[str, int]:
    return dict(run_tenant(site[0], at, jobs=[TIMED_AUTOMATIONS]).done)


def post(site: Any, table: str, **values: Any) -> int:
    _, client = site
    answer = client.post(f"{API}/{table}/", json=values, headers=jwt(client, SLUG))
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


def put(site: Any, table: str, record: int, **values: Any) -> None:
    _, client = site
    answer = client.put(f"{API}/{table}/{record}", json=values, headers=jwt(client, SLUG))
    assert answer.status_code == 200, answer.text


def rows(site: Any, entity: str, **where: Any) -> list[dict[str, Any]]:
    runtime = site[0]
    with runtime.session() as session:
        model = runtime.compiled.model(entity)
        query = sa.select(model).where(*(getattr(model, k) == v for k, v in where.items())).order_by(model.id)
        found = [dict(vars(row)) for row in session.scalars(query)]
    runtime.session.remove()
    return found


def bills(site: Any, unit: int, note: str) -> int:
    return len(rows(site, "estate.bill", unit_id=unit, note=note))


def runs(site: Any, automation: str) -> list[Any]:
    runtime = site[0]
    with runtime.session() as session:
        found = session.execute(sa.select(RUNS).where(RUNS.c.automation == automation).order_by(RUNS.c.slot)).all()
    runtime.session.remove()
    return list(found)


def browser(site: Any, user: str) -> Client:
    _, client = site
    signed_in = Client(client.application)
    assert login(signed_in, SLUG, user).status_code == 302
    return signed_in


def test_a_date_run_happens_at_nine_tenant_time_on_its_day_and_once_per_date(site: Any) -> None:
    # 30 days before 2027-05-31 is 2027-05-01; 09:00 in Shanghai is 01:00 UTC
    unit = post(site, "estate_unit", name="A-1", status="occupied", lease_end="2027-05-31")
    vacant = post(site, "estate_unit", name="A-2", status="vacant", lease_end="2027-05-31")
    tick(site, datetime(2027, 5, 1, 0, 59))
    assert bills(site, unit, "ending") == 0  # 08:59 in Shanghai: not yet

    assert tick(site, datetime(2027, 5, 1, 1, 0))["automation_runs"] >= 1
    assert (bills(site, unit, "ending"), bills(site, vacant, "ending")) == (1, 0)  # the filter keeps the vacant out
    [run] = [r for r in runs(site, "estate.lease_ending") if r.record_id == unit]
    assert (run.status, run.records_done, run.steps_done, run.slot) == ("succeeded", 1, 1, datetime(2027, 5, 1, 1))

    tick(site, datetime(2027, 5, 1, 1, 30))
    assert bills(site, unit, "ending") == 1  # not twice

    put(site, "estate_unit", unit, lease_end="2027-06-30")  # a new date gets its own run
    tick(site, datetime(2027, 5, 31, 1, 0))
    assert bills(site, unit, "ending") == 2


def test_a_schedule_creates_one_record_per_matching_record_on_its_slot(site: Any) -> None:
    first = post(site, "estate_unit", name="B-1", status="occupied", rent=1000)
    second = post(site, "estate_unit", name="B-2", status="occupied", rent=1200)
    vacant = post(site, "estate_unit", name="B-3", status="vacant", rent=900)
    # the 1st of the month at 08:00 in Shanghai is midnight UTC
    tick(site, datetime(2027, 7, 31, 23, 59))
    assert bills(site, first, "rent") == 0

    tick(site, datetime(2027, 8, 1, 0, 0))
    made = {
        r["unit_id"]: r["amount"]
        for r in rows(site, "estate.bill", note="rent")
        if r["unit_id"] in (first, second, vacant)
    }
    assert made == {first: 1000, second: 1200}
    [run] = runs(site, "estate.monthly_rent")
    assert (run.status, run.trigger, run.slot) == ("succeeded", "schedule", datetime(2027, 8, 1))
    assert run.records_done >= 2 and run.steps_done == run.records_done

    tick(site, datetime(2027, 8, 1, 0, 5))
    assert (bills(site, first, "rent"), bills(site, second, "rent")) == (1, 1)


def test_two_workers_ticking_at_once_run_each_slot_once(site: Any) -> None:
    units = [post(site, "estate_unit", name=f"C-{n}", status="occupied", rent=n) for n in range(5)]
    at = datetime(2027, 9, 1, 0, 0)
    workers = [threading.Thread(target=tick, args=(site, at)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [bills(site, unit, "rent") for unit in units] == [1] * 5
    assert [r.slot for r in runs(site, "estate.monthly_rent")] == [at]
    hourly = [r.slot for r in runs(site, "estate.hourly_probe")]
    assert hourly == [at]  # a schedule never run before runs its latest slot, not a window's worth of them


def test_after_downtime_the_missed_runs_within_the_window_are_caught_up_and_older_ones_are_not(site: Any) -> None:
    probe = post(site, "estate_unit", name="probe", status="vacant")
    # moments 2027-10-10 01:00 UTC (beyond the window when the worker is back) and 2027-10-11 01:00 UTC (within)
    missed = post(site, "estate_unit", name="D-1", status="occupied", lease_end="2027-11-09")
    caught = post(site, "estate_unit", name="D-2", status="occupied", lease_end="2027-11-10")
    tick(site, datetime(2027, 10, 9, 20, 0))
    before = len(runs(site, "estate.hourly_probe"))
    assert runs(site, "estate.hourly_probe")[-1].slot == datetime(2027, 10, 9, 20, 0)

    tick(site, datetime(2027, 10, 11, 2, 0))  # 30 hours later; the window is 24 hours
    slots = [r.slot for r in runs(site, "estate.hourly_probe")]
    assert datetime(2027, 10, 10, 1, 0) not in slots and datetime(2027, 10, 9, 21, 0) not in slots
    assert slots[before:] == [datetime(2027, 10, 10, 2 + h) for h in range(22)] + [
        datetime(2027, 10, 11, h) for h in range(3)
    ]
    assert bills(site, probe, "hourly") == 1 + 25
    assert (bills(site, missed, "ending"), bills(site, caught, "ending")) == (0, 1)


def test_a_failed_run_is_logged_with_its_error_and_retry_runs_it_again(site: Any) -> None:
    tick(site, datetime(2027, 12, 1, 3, 0))  # the day before's reading ran (on no meters)
    meters = [post(site, "estate_meter", name=name, value=value) for name, value in (("m1", 1), ("m2", -1), ("m3", 2))]
    at = datetime(2027, 12, 1, 4, 0)  # noon in Shanghai: the daily reading, and the hourly probe
    assert tick(site, at) == {"automation_runs": 2, "automation_runs_failed": 1}
    run = runs(site, "estate.daily_reading")[-1]
    assert (run.status, run.records_done, run.failed_record_id) == ("failed", 0, meters[1])
    assert "A reading cannot be negative." in run.error
    assert rows(site, "estate.reading") == []  # the failing record's chunk was rolled back

    admin = browser(site, "admin")
    page = admin.get(f"/t/{SLUG}/automation-runs/")
    assert page.status_code == 200
    assert f'data-run="{run.id}" data-status="failed"' in page.text and "A reading cannot be negative." in page.text
    assert admin.post(f"/t/{SLUG}/automation-runs/{run.id}/retry").status_code == 400  # no CSRF token
    retried = admin.post(f"/t/{SLUG}/automation-runs/{run.id}/retry", data={"csrf_token": csrf_token(page.text)})
    assert retried.status_code == 302
    assert runs(site, "estate.daily_reading")[-1].status == "pending"

    put(site, "estate_meter", meters[1], value=3)
    assert tick(site, datetime(2027, 12, 1, 4, 5)) == {"automation_runs": 1}
    run = runs(site, "estate.daily_reading")[-1]
    assert (run.status, run.records_done, run.attempts, run.error) == ("succeeded", 3, 2, None)
    assert sorted(r["value"] for r in rows(site, "estate.reading")) == [1, 2, 3]


def test_a_run_left_running_by_a_dead_worker_is_resumed_from_its_progress_once_its_lease_ends(site: Any) -> None:
    runtime = site[0]
    meters = [post(site, "estate_meter", name=f"n{n}", value=n) for n in range(3)]
    slot = datetime(2028, 1, 5, 4, 0)
    [run_id] = runtime.in_transaction(
        lambda s: claim_new(s, [NewRun("estate.daily_reading", "schedule", slot.isoformat(), slot)], slot)
    )
    # the worker committed the chunk up to the first new meter, then died
    runtime.in_transaction(
        lambda s: s.execute(RUNS.update().where(RUNS.c.id == run_id).values(after_id=meters[0], records_done=1))
    )
    runtime.session.remove()
    tick(site, slot + timedelta(minutes=5))
    assert runs(site, "estate.daily_reading")[-1].status == "running"  # its lease holds: nobody else takes it

    tick(site, slot + LEASE + timedelta(minutes=1))
    run = runs(site, "estate.daily_reading")[-1]
    assert (run.id, run.status, run.records_done, run.attempts) == (run_id, "succeeded", 3, 2)
    assert [len(rows(site, "estate.reading", meter_id=meter)) for meter in meters] == [0, 1, 1]


def test_only_admins_see_the_run_log(site: Any) -> None:
    assert 'href="/t/estates/automation-runs/"' in browser(site, "admin").get(f"/t/{SLUG}/").text
    hank = browser(site, "hank")
    assert hank.get(f"/t/{SLUG}/automation-runs/").status_code == 403
    assert "/automation-runs/" not in hank.get(f"/t/{SLUG}/").text
    token = csrf_token(hank.get(f"/t/{SLUG}/notifications/preferences").text)
    assert hank.post(f"/t/{SLUG}/automation-runs/1/retry", data={"csrf_token": token}).status_code == 403


def test_the_crm_contract_ending_reminder_notifies_the_owner_thirty_days_before(site: Any) -> None:
    runtime = site[0]
    sam = rows(site, "core.employee", login="sam")[0]["id"]
    account = post(site, "crm_account", name="Globex", owner=sam)
    contract = post(
        site,
        "crm_contract",
        title="Support",
        account=account,
        amount=1000,
        start_date="2027-01-01",
        end_date="2028-03-31",
        owner=sam,
        status="signed",
    )
    tick(site, datetime(2028, 3, 1, 0, 59))  # 08:59 in Shanghai on the 1st of March
    tick(site, datetime(2028, 3, 1, 1, 0))
    with runtime.session() as session:
        told = session.execute(
            sa.select(NOTIFICATIONS.c.recipient, NOTIFICATIONS.c.event).where(
                NOTIFICATIONS.c.entity == "crm.contract", NOTIFICATIONS.c.record_id == contract
            )
        ).all()
    runtime.session.remove()
    assert [tuple(row) for row in told] == [("sam", "automated")]
    assert date(2028, 3, 31).isoformat() in str(runs(site, "crm.contract_ending_reminder")[0].run_key)
