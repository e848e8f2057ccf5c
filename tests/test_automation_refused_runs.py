"""A field update folded into the save, which the record's rule then refuses because of the value it set: the save
answers 400 with the rule's message at its field and changes nothing, and the automation's run is logged once, as
failed, with the rule's message (on an update, on a new record, and from a screen's edit form). A save the person's own
values break logs no run, though the automation's condition held; one that passes logs its run as succeeded."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login, post_record
from formwork import create_app
from formwork.automation.record_runs import RECORD_RUNS
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant

SLUG = "refused-runs"
API = f"/t/{SLUG}/api/v1/desk_task/"
NEEDS_BUDGET = "A finished task needs a budget."
NOT_NEGATIVE = "The budget cannot be negative."
PACK = f"""kind: Pack
name: desk
version: 1.0.0
requires: {{core: ">=0.1.0"}}
---
kind: Entity
name: task
title_field: name
fields:
  - {{name: name, type: string, required: true}}
  - {{name: status, type: choice, choices: [{{value: open}}, {{value: done}}], default: open}}
  - {{name: note, type: string}}
  - {{name: budget, type: integer}}
rules:
  - {{name: done_needs_budget, check: "status != 'done' || budget != null", message: "{NEEDS_BUDGET}", field: budget}}
  - {{name: budget_not_negative, check: "budget == null || budget >= 0", message: "{NOT_NEGATIVE}", field: budget}}
---
kind: Automation
name: finish_on_note
entity: task
trigger: {{type: updated}}
condition: note == 'finished'
steps:
  - set: {{status: done}}
---
kind: Automation
name: finish_new
entity: task
trigger: {{type: created}}
condition: note == 'finished at once'
steps:
  - set: {{status: done}}
"""


@pytest.fixture(scope="module")
def desk(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Client, dict[str, str]]:
    """The desk tenant's runtime, a client of the platform serving the desk pack, and an admin's API token."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("desk") / "desk", PACK)
    create_tenant(platform.settings, catalog, SLUG, "Desk", ["core", "desk"], "admin", PASSWORD)
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), catalog)
    client = Client(create_app(platform.settings, catalog))
    return app.extensions["formwork"], client, jwt(client, SLUG)


def _task(desk: Any, name: str, **values: Any) -> int:
    _, client, token = desk
    return post_record(client, token, SLUG, "desk_task", name=name, **values)


def _stored(desk: Any, task: int) -> dict[str, Any]:
    _, client, token = desk
    answer = client.get(f"{API}{task}", headers=token)
    assert answer.status_code == 200, answer.text
    return dict(answer.json["result"])


def _runs(desk: Any, automation: str) -> list[Any]:
    """The logged runs of `automation` (as the table holds them), oldest first."""
    runtime = desk[0]
    with runtime.session() as session:
        query = sa.select(RECORD_RUNS).where(RECORD_RUNS.c.automation == automation)
        found = list(session.execute(query.order_by(RECORD_RUNS.c.id)))
    runtime.session.remove()
    return found


def test_a_rule_the_folded_value_breaks_refuses_the_save_and_logs_the_run_once(desk: Any) -> None:
    _, client, token = desk
    task = _task(desk, "Paint the hall", note="started")
    refused = client.put(f"{API}{task}", json={"note": "finished"}, headers=token)
    assert refused.status_code == 400, refused.text
    assert refused.json["message"] == {"budget": [NEEDS_BUDGET]}
    stored = _stored(desk, task)
    assert (stored["note"], stored["status"], stored["version"]) == ("started", "open", 1)
    runs = _runs(desk, "desk.finish_on_note")
    assert [(r.record_id, r.trigger, r.status, r.steps_done, r.error, r.actor) for r in runs] == [
        (task, "updated", "failed", 0, NEEDS_BUDGET, "admin")
    ]


def test_a_new_record_refused_for_its_folded_value_logs_the_run_without_a_record(desk: Any) -> None:
    _, client, token = desk
    refused = client.post(API, json={"name": "Fix the roof", "note": "finished at once"}, headers=token)
    assert refused.status_code == 400, refused.text
    assert refused.json["message"] == {"budget": [NEEDS_BUDGET]}
    runs = _runs(desk, "desk.finish_new")
    assert [(r.record_id, r.status, r.error) for r in runs] == [(None, "failed", NEEDS_BUDGET)]
    listed = client.get(API, headers=token).json["result"]
    assert "Fix the roof" not in [row["name"] for row in listed]


def test_a_save_the_persons_own_values_break_logs_no_run(desk: Any) -> None:
    _, client, token = desk
    task = _task(desk, "Clean the yard")
    before = len(_runs(desk, "desk.finish_on_note"))
    refused = client.put(f"{API}{task}", json={"note": "finished", "budget": -5}, headers=token)
    assert refused.status_code == 400, refused.text
    assert refused.json["message"] == {"budget": [NOT_NEGATIVE]}
    assert len(_runs(desk, "desk.finish_on_note")) == before
    assert _stored(desk, task)["budget"] is None


def test_a_save_the_folded_value_passes_logs_the_run_as_succeeded(desk: Any) -> None:
    _, client, token = desk
    task = _task(desk, "Order paint", budget=300)
    saved = client.put(f"{API}{task}", json={"note": "finished"}, headers=token)
    assert saved.status_code == 200, saved.text
    assert saved.json["result"]["status"] == "done"
    runs = [r for r in _runs(desk, "desk.finish_on_note") if r.record_id == task]
    assert [(r.status, r.steps_done, r.error) for r in runs] == [("succeeded", 1, None)]


def test_a_screen_save_refused_for_the_folded_value_logs_the_run_once(desk: Any) -> None:
    _, client, _ = desk
    task = _task(desk, "Sweep the stairs", note="started")
    browser = Client(client.application)
    assert login(browser, SLUG).status_code == 302
    url = f"/t/{SLUG}/desk_task/edit/{task}"
    form = browser.get(url)
    posted = {
        "csrf_token": csrf_token(form.text),
        "record_version": "1",
        "name": "Sweep the stairs",
        "status": "open",
        "note": "finished",
    }
    refused = browser.post(url, data=posted, follow_redirects=True)
    assert 'class="alert alert-danger"' in refused.text  # the edit was not saved
    assert _stored(desk, task)["note"] == "started"
    runs = [r for r in _runs(desk, "desk.finish_on_note") if r.record_id == task]
    assert [(r.status, r.error) for r in runs] == [("failed", NEEDS_BUDGET)]
