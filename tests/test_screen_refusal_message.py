"""A screen's add or edit that the record lifecycle refuses after the form validated (an automation's field update,
folded into the save, breaks a rule): the form is shown again with the user's input, the rule's message at its field
(escaped, in the user's language) and no "Database Error"; nothing is saved, and the corrected form then saves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login, post_record
from formwork import create_app
from formwork.tenancy.provision import create_tenant

SLUG = "screen-refusal"
API = f"/t/{SLUG}/api/v1/desk_task/"
NEEDS_PLAN = "A finished task needs a budget & a <b>plan</b>."
NEEDS_PLAN_SHOWN = "A finished task needs a budget &amp; a &lt;b&gt;plan&lt;/b&gt;."
NEEDS_PLAN_ZH = "完成的任务需要预算 & <b>计划</b>。"
NEEDS_PLAN_ZH_SHOWN = "完成的任务需要预算 &amp; &lt;b&gt;计划&lt;/b&gt;。"
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
  - name: done_needs_budget
    check: "status != 'done' || budget != null"
    field: budget
    message: {{en: "{NEEDS_PLAN}", zh: "{NEEDS_PLAN_ZH}"}}
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
def desk(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> tuple[Client, dict[str, str]]:
    """A client of the platform serving the desk pack, and an admin's API token."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("desk") / "desk", PACK)
    create_tenant(platform.settings, catalog, SLUG, "Desk", ["core", "desk"], "admin", PASSWORD)
    client = Client(create_app(platform.settings, catalog))
    return client, jwt(client, SLUG)


def _browser(desk: tuple[Client, dict[str, str]], language: str | None = None) -> Client:
    browser = Client(desk[0].application)
    assert login(browser, SLUG).status_code == 302
    if language:
        browser.get(f"/t/{SLUG}/lang/{language}")
    return browser


def _field(page: str, name: str) -> str:
    """The HTML of field `name` on a form page: its label, input and messages."""
    found = re.search(rf'data-field="{name}">(.*?)(?=data-field=|</form>)', page, re.DOTALL)
    assert found, f"the page has no field {name}"
    return found.group(1)


def _input_value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, f"the page has no input {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def _edit(browser: Client, task: int, **values: str) -> Any:
    url = f"/t/{SLUG}/desk_task/edit/{task}"
    form = browser.get(url).text
    posted = {"csrf_token": csrf_token(form), "record_version": _input_value(form, "record_version"), **values}
    return browser.post(url, data=posted)


def test_a_refused_edit_shows_the_rules_message_at_its_field_with_the_input_kept(desk: Any) -> None:
    client, token = desk
    task = post_record(client, token, SLUG, "desk_task", name="Sweep the stairs", note="started")
    browser = _browser(desk)
    refused = _edit(browser, task, name="Sweep all the stairs", status="open", note="finished")
    assert refused.status_code == 200, refused.headers.get("Location")  # the form again, not a redirect
    page = refused.text
    assert NEEDS_PLAN_SHOWN in _field(page, "budget") and "<b>plan</b>" not in page
    assert "Database Error" not in page
    assert (_input_value(page, "name"), _input_value(page, "note")) == ("Sweep all the stairs", "finished")
    stored = client.get(f"{API}{task}", headers=token).json["result"]
    assert (stored["name"], stored["note"], stored["status"], stored["version"]) == (
        "Sweep the stairs",
        "started",
        "open",
        1,
    )

    corrected = {"name": "Sweep all the stairs", "status": "open", "note": "finished", "budget": "40"}
    posted = {"csrf_token": csrf_token(page), "record_version": _input_value(page, "record_version"), **corrected}
    saved = browser.post(f"/t/{SLUG}/desk_task/edit/{task}", data=posted)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/desk_task/show/{task}")
    stored = client.get(f"{API}{task}", headers=token).json["result"]
    assert (stored["name"], stored["status"], stored["budget"], stored["version"]) == (
        "Sweep all the stairs",
        "done",
        40,
        2,
    )


def test_a_refused_add_shows_the_rules_message_with_the_input_kept_and_adds_nothing(desk: Any) -> None:
    client, token = desk
    browser = _browser(desk)
    url = f"/t/{SLUG}/desk_task/add"
    posted = {"csrf_token": csrf_token(browser.get(url).text), "name": "Fix the roof", "note": "finished at once"}
    refused = browser.post(url, data=posted)
    assert refused.status_code == 200, refused.headers.get("Location")
    page = refused.text
    assert NEEDS_PLAN_SHOWN in _field(page, "budget") and "Database Error" not in page
    assert (_input_value(page, "name"), _input_value(page, "note")) == ("Fix the roof", "finished at once")
    listed = client.get(API, headers=token).json["result"]
    assert "Fix the roof" not in [row["name"] for row in listed]


def test_the_refusal_is_shown_in_the_users_language(desk: Any) -> None:
    client, token = desk
    task = post_record(client, token, SLUG, "desk_task", name="Paint the hall", note="started")
    refused = _edit(_browser(desk, "zh"), task, name="Paint the hall", status="open", note="finished")
    assert refused.status_code == 200, refused.headers.get("Location")
    assert NEEDS_PLAN_ZH_SHOWN in _field(refused.text, "budget") and NEEDS_PLAN_SHOWN not in refused.text
    assert client.get(f"{API}{task}", headers=token).json["result"]["note"] == "started"
