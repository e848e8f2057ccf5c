"""Automations triggered by saves and deletes: their steps run inside the save, through the record lifecycle, and a
failing step refuses the whole save with its message; the loop guard stops automations that trigger each other."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.automation.webhooks.tables import DELIVERIES
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.history.tables import CHANGES
from formwork.notify.tables import NOTIFICATIONS, OUTBOX
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant
from formwork.workflow.engine import Approvals
from formwork.workflow.tables import INSTANCES, TASKS

SLUG = "leases"
API = f"/t/{SLUG}/api/v1"
PACK = """kind: Pack
name: lease
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Entity
name: unit
title_field: name
fields:
  - {name: name, type: string, required: true}
  - {name: status, type: choice, default: vacant, choices: [{value: vacant}, {value: occupied}]}
  - {name: rent, type: integer}
  - {name: owner, type: user}
rules:
  - {name: rent_not_negative, check: "rent == null || rent >= 0", message: "Rent cannot be negative.", field: rent}
---
kind: Entity
name: lease
title_field: tenant_name
fields:
  - {name: unit, type: reference, target: unit, required: true}
  - {name: tenant_name, type: string, required: true}
  - {name: contact_email, type: email}
  - {name: deposit, type: integer}
  - {name: note, type: string}
  - {name: lines, type: child_table, target: lease_line}
---
kind: Entity
name: lease_line
fields:
  - {name: lease, type: reference, target: lease, required: true, on_delete: cascade}
  - {name: item, type: string}
  - {name: amount, type: integer}
---
kind: Entity
name: bill
fields:
  - {name: lease, type: reference, target: lease, on_delete: cascade}
  - {name: item, type: string}
  - {name: amount, type: integer}
---
kind: Entity
name: counter
fields:
  - {name: label, type: string}
  - {name: value, type: integer}
---
kind: Entity
name: permit
title_field: title
fields:
  - {name: title, type: string, required: true}
  - {name: state, type: choice, default: draft, choices: [{value: draft}, {value: approved}]}
  - {name: auto_submit, type: boolean}
---
kind: ApprovalChain
name: permit_approval
entity: permit
steps:
  - {name: check, approvers: [users: [olga]]}
---
kind: Automation
name: submit_on_create
entity: permit
trigger: {type: created}
condition: auto_submit == true
steps:
  - start_approval: {}
---
kind: Automation
name: permit_approved
entity: permit
trigger: {type: approval, events: [approved]}
steps:
  - set: {state: approved}
  - create: {entity: counter, values: {label: {expr: "'approved ' + title"}}}
---
kind: Automation
name: occupy
entity: lease
trigger: {type: created}
steps:
  - update: {record: unit, values: {status: occupied}}
  - set: {note: {expr: "'for ' + tenant_name"}}
  - create:
      entity: bill
      for_each: {rows: lines}
      values: {lease: {expr: id}, item: {expr: row.item}, amount: {expr: row.amount}}
  - webhook: {url: "https://example.com/hooks", event: lease.created, payload: {unit: {expr: unit.name}}}
  - email:
      to: {fields: [contact_email]}
      subject: {en: "Welcome, {tenant_name}", zh: "欢迎，{tenant_name}"}
      body: {en: "Your lease of {unit} is recorded.", zh: "您租用 {unit} 的租约已登记。"}
---
kind: Automation
name: deposit_changed
entity: lease
trigger: {type: changed, fields: [deposit]}
condition: old.deposit != null && deposit != old.deposit
steps:
  - create: {entity: counter, values: {label: {expr: "'deposit ' + string(old.deposit) + ' to ' + string(deposit)"}}}
---
kind: Automation
name: bad_rent
entity: lease
trigger: {type: updated}
condition: note == 'break the rent'
steps:
  - update: {record: unit, values: {rent: -1}}
---
kind: Automation
name: vacate
entity: lease
trigger: {type: deleted}
steps:
  - update: {record: unit, values: {status: vacant}}
---
kind: Automation
name: tell_owner
entity: unit
trigger: {type: changed, fields: [status]}
condition: status == 'occupied'
steps:
  - notify:
      to: {fields: [owner]}
      subject: {en: "{name} is let", zh: "{name} 已出租"}
      body: {en: "{name} is now {status}.", zh: "{name} 现在是 {status}。"}
---
kind: Automation
name: price_unit
entity: unit
trigger: {type: changed, fields: [name]}
condition: name.startsWith('Penthouse')
steps:
  - set: {rent: {expr: "size(name) * 100"}}
  - set: {status: {expr: "rent > 1000 ? 'occupied' : status"}}
---
kind: Automation
name: month_end
entity: counter
trigger: {type: created}
condition: label == 'month end'
steps:
  - create:
      entity: bill
      for_each: {entity: unit, filter: [{field: name, op: starts_with, value: "Block "}, {field: status, op: "=", value: occupied}]}
      values: {item: {expr: "'rent ' + row.name"}, amount: {expr: "row.rent"}}
  - update:
      entity: unit
      filter: [{field: name, op: starts_with, value: "Block "}, {field: status, op: "=", value: vacant}]
      values: {rent: {expr: "target.rent - 10"}}
---
kind: Automation
name: chain
entity: counter
trigger: {type: created}
condition: label == 'chain'
steps:
  - create: {entity: counter, values: {label: chain}}
---
kind: Automation
name: count_up
entity: counter
trigger: {type: changed, fields: [value]}
condition: value != null
steps:
  - create: {entity: bill, values: {item: tick}}
  - set: {value: {expr: value + 1}}
"""


@pytest.fixture(scope="module")
def site(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Client, dict[str, str], int]:
    catalog = catalog_with_pack(tmp_path_factory.mktemp("lease") / "lease", PACK)
    create_tenant(platform.settings, catalog, SLUG, "Leases", ["core", "lease"], "admin", PASSWORD)
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        olga = sm.add_user("olga", "Olga", "Owner", "olga@example.com", sm.find_role("Admin"), PASSWORD)
    runtime = app.extensions["formwork"]
    runtime.session.remove()
    client = Client(create_app(platform.settings, catalog))
    return runtime, client, jwt(client, SLUG), olga.id


def _unit(site: Any, name: str, **values: Any) -> int:
    _, client, token, _ = site
    answer = client.post(f"{API}/lease_unit/", json={"name": name, **values}, headers=token)
    assert answer.status_code == 201, answer.text
    return int(answer.json["id"])


def _rows(site: Any, table: str, **where: Any) -> list[Any]:
    runtime = site[0]
    with runtime.session() as session:
        model = runtime.compiled.model(table)
        query = sa.select(model).where(*(getattr(model, k) == v for k, v in where.items())).order_by(model.id)
        found = [dict(vars(row)) for row in session.scalars(query)]
    runtime.session.remove()
    return found


def test_a_created_lease_runs_its_steps_in_the_same_save(site: Any) -> None:
    runtime, client, token, _ = site
    unit = _unit(site, "A-101")
    lines = [{"item": "rent", "amount": 1000}, {"item": "parking", "amount": 80}]
    answer = client.post(
        f"{API}/lease_lease/",
        json={"unit": unit, "tenant_name": "Ann", "contact_email": "ann@example.com", "lines": lines},
        headers=token,
    )
    assert answer.status_code == 201, answer.text
    lease = int(answer.json["id"])
    assert answer.json["result"]["note"] == "for Ann"  # the save's answer already shows what `set` wrote
    assert _rows(site, "lease.unit", id=unit)[0]["status"] == "occupied"
    bills = _rows(site, "lease.bill", lease_id=lease)
    assert [(b["item"], b["amount"]) for b in bills] == [("rent", 1000), ("parking", 80)]
    with runtime.session() as session:
        hook = session.execute(sa.select(DELIVERIES).order_by(DELIVERIES.c.id.desc())).first()
        mail = session.execute(
            sa.select(OUTBOX, NOTIFICATIONS.c.data).join(NOTIFICATIONS).where(OUTBOX.c.address == "ann@example.com")
        ).one()
    runtime.session.remove()
    assert hook.url == "https://example.com/hooks" and hook.event_type == "lease.created"
    assert hook.payload["data"]["unit"] == "A-101" and hook.payload["data"]["id"] == lease
    assert mail.data["subject"] == {"en": "Welcome, Ann", "zh": "欢迎，Ann"}
    assert mail.data["message"]["en"] == "Your lease of A-101 is recorded."


def test_a_failing_step_refuses_the_save_with_the_rules_message_and_keeps_nothing(site: Any) -> None:
    runtime, client, token, _ = site
    unit = _unit(site, "B-201", rent=500)
    lease = client.post(f"{API}/lease_lease/", json={"unit": unit, "tenant_name": "Bob"}, headers=token).json["id"]
    refused = client.put(f"{API}/lease_lease/{lease}", json={"note": "break the rent"}, headers=token)
    assert refused.status_code == 400, refused.text
    message = " ".join(refused.json["message"]["_record"])
    assert "bad_rent" in message or "Bad rent" in message
    assert "Rent cannot be negative." in message
    assert _rows(site, "lease.lease", id=lease)[0]["note"] == "for Bob"  # the update itself was rolled back too
    assert _rows(site, "lease.unit", id=unit)[0]["rent"] == 500


def test_changed_sees_the_old_value_and_runs_only_when_the_field_changes(site: Any) -> None:
    _, client, token, _ = site
    unit = _unit(site, "C-301")
    lease = client.post(f"{API}/lease_lease/", json={"unit": unit, "tenant_name": "Cy", "deposit": 100}, headers=token)
    lease_id = lease.json["id"]
    client.put(f"{API}/lease_lease/{lease_id}", json={"note": "unrelated"}, headers=token)
    assert not _rows(site, "lease.counter", label="deposit 100 to 150")
    changed = client.put(f"{API}/lease_lease/{lease_id}", json={"deposit": 150}, headers=token)
    assert changed.status_code == 200, changed.text
    assert len(_rows(site, "lease.counter", label="deposit 100 to 150")) == 1


def test_a_delete_runs_its_automation_before_the_record_goes(site: Any) -> None:
    _, client, token, _ = site
    unit = _unit(site, "D-401")
    lease = client.post(f"{API}/lease_lease/", json={"unit": unit, "tenant_name": "Di"}, headers=token).json["id"]
    assert _rows(site, "lease.unit", id=unit)[0]["status"] == "occupied"
    assert client.delete(f"{API}/lease_lease/{lease}", headers=token).status_code == 200
    assert _rows(site, "lease.unit", id=unit)[0]["status"] == "vacant"


def test_a_step_that_changes_another_record_triggers_its_automations(site: Any) -> None:
    runtime, client, token, _ = site
    unit = _unit(site, "E-501", owner=site[3])
    client.post(f"{API}/lease_lease/", json={"unit": unit, "tenant_name": "Eve"}, headers=token)
    with runtime.session() as session:
        told = session.execute(
            sa.select(NOTIFICATIONS).where(NOTIFICATIONS.c.event == "automated", NOTIFICATIONS.c.record_id == unit)
        ).one()
    runtime.session.remove()
    assert told.recipient == "olga" and told.actor == "admin"
    assert told.data["subject"] == {"en": "E-501 is let", "zh": "E-501 已出租"}


def test_automations_that_trigger_each_other_stop_at_the_guard_and_save_nothing(site: Any) -> None:
    _, client, token, _ = site
    answer = client.post(f"{API}/lease_counter/", json={"label": "chain"}, headers=token)
    assert answer.status_code == 400, answer.text
    message = " ".join(answer.json["message"]["_record"])
    assert "more than 5 levels deep" in message and "lease.chain → lease.chain" in message
    assert not _rows(site, "lease.counter", label="chain")


def test_a_steps_write_to_its_own_record_does_not_run_its_automation_again(site: Any) -> None:
    _, client, token, _ = site
    answer = client.post(f"{API}/lease_counter/", json={"label": "once", "value": 1}, headers=token)
    assert answer.status_code == 201, answer.text
    assert _rows(site, "lease.counter", label="once")[0]["value"] == 2
    assert len(_rows(site, "lease.bill", item="tick")) >= 1


def test_a_step_submits_for_approval_and_the_approval_triggers_another(site: Any) -> None:
    runtime, client, token, _ = site
    created = client.post(f"{API}/lease_permit/", json={"title": "Roof", "auto_submit": True}, headers=token)
    assert created.status_code == 201, created.text
    permit = created.json["id"]
    with runtime.session() as session:
        task = session.execute(
            sa.select(TASKS.c.id, TASKS.c.assignee)
            .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
            .where(INSTANCES.c.entity == "lease.permit", INSTANCES.c.record_id == permit)
        ).one()
    runtime.session.remove()
    assert task.assignee == "olga"
    Approvals(runtime).approve(task.id, "olga")
    assert _rows(site, "lease.permit", id=permit)[0]["state"] == "approved"
    assert len(_rows(site, "lease.counter", label="approved Roof")) == 1


def test_leading_field_updates_are_written_with_the_save_and_checked_by_its_rules(site: Any) -> None:
    runtime, client, token, _ = site
    made = client.post(f"{API}/lease_unit/", json={"name": "Penthouse 1"}, headers=token)
    assert made.status_code == 201, made.text
    assert made.json["result"]["rent"] == 1100 and made.json["result"]["status"] == "occupied"
    with runtime.session() as session:
        changes = session.execute(
            sa.select(CHANGES.c.action, CHANGES.c.changes).where(
                CHANGES.c.entity == "lease.unit", CHANGES.c.record_id == made.json["id"]
            )
        ).all()
    runtime.session.remove()
    assert [c.action for c in changes] == ["create"]  # one write: the updates were folded into the save
    assert changes[0].changes["rent"] == {"old": None, "new": 1100}


def test_a_screen_edit_runs_the_automations_it_triggers(site: Any) -> None:
    runtime, _, _, _ = site
    unit = _unit(site, "Loft")
    browser = Client(site[1].application)
    login(browser, SLUG)
    page = browser.get(f"/t/{SLUG}/lease_unit/edit/{unit}")
    saved = browser.post(
        f"/t/{SLUG}/lease_unit/edit/{unit}",
        data={"csrf_token": csrf_token(page.text), "record_version": "1", "name": "Penthouse 22", "status": "vacant"},
    )
    assert saved.status_code == 302, saved.text[:2000]
    stored = _rows(site, "lease.unit", id=unit)[0]
    assert stored["rent"] == 1200 and stored["status"] == "occupied"


def test_steps_run_over_the_records_a_filter_matches(site: Any) -> None:
    _, client, token, _ = site
    let, empty = _unit(site, "Block 1", rent=700, status="occupied"), _unit(site, "Block 2", rent=500)
    _unit(site, "Other", rent=900, status="occupied")
    made = client.post(f"{API}/lease_counter/", json={"label": "month end"}, headers=token)
    assert made.status_code == 201, made.text
    assert [(b["item"], b["amount"]) for b in _rows(site, "lease.bill", item="rent Block 1")] == [("rent Block 1", 700)]
    assert not _rows(site, "lease.bill", item="rent Other")
    assert _rows(site, "lease.unit", id=empty)[0]["rent"] == 490 and _rows(site, "lease.unit", id=let)[0]["rent"] == 700


def test_validate_reports_bad_automations_at_their_line(tmp_path: Any) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        PACK.split("---\nkind: Automation")[0]
        + """---
kind: Automation
name: broken
entity: lease
trigger: {type: schedule, cron: "every monday"}
condition: "deposit > 'x'"
steps:
  - set: {nothere: 1}
  - update: {record: tenant_name, values: {status: occupied}}
  - notify: {to: {fields: [note]}, subject: "Hi {nobody}", body: "x"}
  - run: no.such_action
"""
    )
    _, errors = load_catalog([builtin_definitions(), folder])
    text = "\n".join(map(str, errors))
    assert "is not a cron expression" in text
    assert "condition" in text
    assert "has no field 'nothere'" in text
    assert "'tenant_name' is not a reference to a record" in text
    assert "'note' is not a user field or an employee reference" in text
    assert "unknown placeholder {nobody}" in text
    assert "no server action 'no.such_action'" in text
    assert "pack.yaml:" in text
