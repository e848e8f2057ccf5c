"""Automations and actions in the Studio: an admin adds a field to a pack action's `set` step, publishes it, and the
button writes it too; a new automation on accounts sets a field on every new account once
published; a step naming an unknown field is refused at its control (400, nothing stored); a scheduled automation's
runs are listed beside its editor after a tick; steps are added, moved and removed; only admins reach the editor,
and only with CSRF."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, post_record
from formwork.automation.timed import TIMED_AUTOMATIONS
from formwork.studio.drafts import draft_of
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import stored_sources
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.worker import run_tenant

SLUG = "studio-automations"
ACCOUNT, OPPORTUNITY = "crm.account", "crm.opportunity"
STUDIO = f"/t/{SLUG}/studio"
MARK_WON = f"{STUDIO}/{OPPORTUNITY}/actions/mark_won/"
NEW_AUTOMATION = f"{STUDIO}/{ACCOUNT}/new-automation/"
API = f"/t/{SLUG}/api/v1"


@pytest.fixture(scope="module")
def runtime(platform: Platform) -> Any:
    """A core + crm tenant with sam, a sales rep (no admin)."""
    tenant = platform.tenant(SLUG, ["core", "crm"])
    app = build_tenant_app(platform.settings, tenant, platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("sam", "Sam", "Sales", "sam@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    return app.extensions["formwork"]


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


class _FormReader(HTMLParser):
    """What a browser posts for the editor's form: every named control's value (selected options), buttons left out
    (the test says which it presses)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        name = found.get("name")
        if tag == "form":
            self._inside = "fw-automation-editor" in found.get("class", "")
        if not self._inside:
            return
        if tag == "input" and name and found.get("type") not in ("radio", "checkbox", "submit"):
            self.fields.append((name, found.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def posted_page(page: Any, changes: Mapping[str, str | list[str]], action: str = "save") -> MultiDict[str, str]:
    """The editor's form as the page shows it, with `changes` (a list: several values) and the pressed button."""
    reader = _FormReader()
    reader.feed(page.text)
    fields = [(name, value) for name, value in reader.fields if name not in changes]
    for name, value in changes.items():
        fields += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return MultiDict([*fields, ("action", action)])


def step_kinds(page: Any) -> list[str]:
    return re.findall(r'<li class="panel panel-default fw-step[^"]*" data-step="\d+" data-kind="([^"]*)"', page.text)


def the_draft(runtime: Any, entity: str) -> str | None:
    session = runtime.session()
    try:
        return draft_of(session, entity)
    finally:
        runtime.session.remove()


def publish(client: Client, entity: str) -> None:
    page = client.get(f"{STUDIO}/{entity}/")
    published = client.post(f"{STUDIO}/{entity}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302, published.text


def served_runtime(platform: Platform) -> Any:
    """The tenant's runtime as it is served now (after a publish: with the published overlays)."""
    tenant = find_tenant(platform.settings.database_url, SLUG)
    assert tenant is not None
    return build_tenant_app(platform.settings, tenant, platform.catalog).extensions["formwork"]


def test_the_entity_page_lists_the_actions_and_the_editor_shows_their_steps(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    page = admin.get(f"{STUDIO}/{OPPORTUNITY}/")
    assert "Automations and actions" in page.text
    assert 'data-action="mark_won"' in page.text and 'data-action="mark_lost"' in page.text
    assert f'href="{STUDIO}/{OPPORTUNITY}/new-automation/"' in page.text

    editor = admin.get(MARK_WON)
    assert editor.status_code == 200
    assert step_kinds(editor) == ["set"]
    assert re.search(r'name="steps\.0\.set\.0\.field"[^>]*value="stage"', editor.text)
    assert re.search(r'name="steps\.0\.set\.1\.value"[^>]*value="100"', editor.text)
    roles = re.search(r'name="roles"[^>]*value="([^"]*)"', editor.text)
    assert roles and roles.group(1) == "sales_rep, sales_director"
    assert "stage != &#39;won&#39;" in editor.text  # the condition, in the builder
    assert "its runs are not logged" in editor.text
    mark_lost = admin.get(f"{STUDIO}/{OPPORTUNITY}/actions/mark_lost/")
    assert re.search(r'name="steps\.0\.set\.2\.value"[^>]*value="\{expr: input.reason\}"', mark_lost.text)


def test_a_changed_set_step_writes_its_new_value_once_published(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    changes = {"steps.0.set.2.field": "notes", "steps.0.set.2.value": "{expr: \"'won by ' + name\"}"}
    saved = admin.post(MARK_WON, data=posted_page(admin.get(MARK_WON), changes))
    assert saved.status_code == 302, control_errors(saved, "")
    action = next(doc for doc in yaml.safe_load_all(the_draft(runtime, OPPORTUNITY) or "") if doc["kind"] == "Action")
    assert action["steps"] == [{"set": {"stage": "won", "probability": 100, "notes": {"expr": "'won by ' + name"}}}]
    assert ("Action", f"{OPPORTUNITY}/mark_won") not in stored_sources(platform.settings, SLUG)
    assert "In the draft" in admin.get(f"{STUDIO}/{OPPORTUNITY}/").text
    publish(admin, OPPORTUNITY)

    client = platform.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="Acme")
    deal = post_record(client, headers, SLUG, "crm_opportunity", name="Big deal", account=account)
    ran = client.post(f"{API}/crm_opportunity/{deal}/actions/mark_won", headers=headers)
    assert ran.status_code == 200, ran.text
    assert (ran.json["result"]["stage"], ran.json["result"]["notes"]) == ("won", "won by Big deal")


def test_a_new_automation_sets_a_field_of_every_new_account(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    added = admin.post(NEW_AUTOMATION, data=posted_page(admin.get(NEW_AUTOMATION), {}, action="add_step:set"))
    assert added.status_code == 200 and step_kinds(added) == ["set"]
    assert the_draft(runtime, ACCOUNT) is None  # a button shows the change; only Save stores
    changes = {
        "name": "key_by_default",
        "label.en": "Key by default",
        "label.zh": "默认重点客户",
        "trigger.type": "created",
        "trigger.cron": "0 1 * * *",  # typed before choosing the type: a created trigger has none
        "steps.0.set.0.field": "level",
        "steps.0.set.0.value": "key",
    }
    saved = admin.post(NEW_AUTOMATION, data=posted_page(added, changes))
    assert saved.status_code == 302, control_errors(saved, "")
    assert saved.headers["Location"].endswith(f"{STUDIO}/{ACCOUNT}/automations/key_by_default/")
    automation = next(
        doc for doc in yaml.safe_load_all(the_draft(runtime, ACCOUNT) or "") if doc["kind"] == "Automation"
    )
    assert automation["trigger"] == {"type": "created"}
    assert "condition" not in automation  # an empty builder: no condition
    assert automation["label"] == {"en": "Key by default", "zh": "默认重点客户"}
    assert 'data-automation="key_by_default"' in admin.get(f"{STUDIO}/{ACCOUNT}/").text
    publish(admin, ACCOUNT)

    client = platform.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="Globex")
    assert client.get(f"{API}/crm_account/{account}", headers=headers).json["result"]["level"] == "key"
    editor = admin.get(f"{STUDIO}/{ACCOUNT}/automations/key_by_default/")
    runs = re.findall(r'<tr class="fw-run">(.*?)</tr>', editor.text, re.S)  # its run in Globex's save
    assert len(runs) == 1 and "Succeeded" in runs[0] and f"/show/{account}" in runs[0]


def test_an_unknown_field_in_a_step_is_refused_at_its_control(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    draft = the_draft(runtime, OPPORTUNITY)
    refused = admin.post(MARK_WON, data=posted_page(admin.get(MARK_WON), {"steps.0.set.1.field": "chance"}))
    assert refused.status_code == 400
    messages = control_errors(refused, "steps.0.set.chance")
    assert messages and "has no field 'chance'" in messages[0]
    assert "Nothing was saved" in html.unescape(refused.text)
    assert the_draft(runtime, OPPORTUNITY) == draft


def test_steps_are_added_moved_and_removed(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    page = admin.get(MARK_WON)
    added = admin.post(MARK_WON, data=posted_page(page, {}, action="add_step:notify"))
    assert step_kinds(added) == ["set", "notify"]
    assert 'name="steps.1.notify.subject.zh"' in added.text  # a label: English and Chinese
    moved = admin.post(MARK_WON, data=posted_page(added, {}, action="up:1"))
    assert step_kinds(moved) == ["notify", "set"]
    removed = admin.post(MARK_WON, data=posted_page(moved, {}, action="remove_step:0"))
    assert step_kinds(removed) == ["set"]
    incomplete = admin.post(MARK_WON, data=posted_page(moved, {}))
    assert incomplete.status_code == 400 and control_errors(incomplete, "steps.0.notify")


def test_a_scheduled_automation_lists_its_runs_beside_its_editor(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    page = admin.get(NEW_AUTOMATION)
    changes = {
        "name": "nightly_vip",
        "trigger.type": "schedule",
        "trigger.cron": "0 12 * * *",
        "steps.0.kind": "set",
        "step": "0",
        "steps.0.set.row": "0",
        "steps.0.set.0.field": "level",
        "steps.0.set.0.value": "vip",
    }
    assert admin.post(NEW_AUTOMATION, data=posted_page(page, changes)).status_code == 302
    publish(admin, ACCOUNT)
    editor = f"{STUDIO}/{ACCOUNT}/automations/nightly_vip/"
    assert "It has not run yet." in admin.get(editor).text

    done = run_tenant(served_runtime(platform), datetime(2027, 8, 1, 12, 0), jobs=[TIMED_AUTOMATIONS]).done
    assert done["automation_runs"] == 1
    shown = admin.get(editor)
    runs = re.findall(r'<tr class="fw-run">(.*?)</tr>', shown.text, re.S)
    assert len(runs) == 1 and "Succeeded" in runs[0]


def test_only_admins_reach_the_editor_and_only_with_csrf(platform: Platform, runtime: Any) -> None:
    sam = platform.client()
    token = csrf_token(sam.get(f"/t/{SLUG}/login/").text)  # the session's token, kept through signing in
    assert login(sam, SLUG, "sam").status_code == 302
    for url in (MARK_WON, NEW_AUTOMATION, f"{STUDIO}/{OPPORTUNITY}/new-action/"):
        assert sam.get(url).status_code == 403
        assert sam.post(url, data={"csrf_token": token, "action": "save"}).status_code == 403
    admin = signed_in(platform)
    draft = the_draft(runtime, OPPORTUNITY)
    form = posted_page(admin.get(MARK_WON), {"steps.0.set.1.value": "80"})
    form.pop("csrf_token")
    assert admin.post(MARK_WON, data=form).status_code == 400
    assert the_draft(runtime, OPPORTUNITY) == draft
