"""Actions (issue 14): buttons on a record's page and a list's selection, and the same as REST endpoints, run by the
roles they name on the records the person may see, while their `visible_when` holds; inputs are checked; a step
that breaks a rule refuses the whole action with the rule's message and changes nothing."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant

SLUG = "deals"
API = f"/t/{SLUG}/api/v1/crm_opportunity"
#: a pack of actions the crm pack does not have: one whose step breaks the opportunity's rule, a list action with
#: inputs of several types, and a role that may edit opportunities but is named by no action
PACK = """kind: Pack
name: acttest
version: 0.1.0
requires: {crm: ">=0.1.0"}
---
kind: Role
name: opportunity_editor
rights:
  crm.opportunity: [read, edit]
  crm.account: [read]
---
kind: Action
name: break_rule
entity: crm.opportunity
label: {en: Win at half odds, zh: 半数赢单}
steps:
  - set: {stage: won, probability: 50}
---
kind: Action
name: add_note
entity: crm.opportunity
label: {en: Add a note, zh: 添加备注}
show_on: [record, list]
roles: [sales_rep]
visible_when: stage != 'lost'
success: {en: Noted., zh: 已备注。}
inputs:
  - {name: note, type: string, required: true, label: {en: Note, zh: 备注}}
  - {name: odds, type: integer}
  - {name: urgent, type: boolean}
steps:
  - set:
      notes: {expr: "input.note + (input.urgent == true ? ' (urgent)' : '')"}
      probability: {expr: "input.odds == null ? probability : input.odds"}
"""
PEOPLE = {"sam": ["sales_rep"], "rita": ["sales_rep"], "eddie": ["opportunity_editor"], "lena": ["legal"]}
NAMES = itertools.count(1)


@pytest.fixture(scope="module")
def runtime(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A tenant of core, crm and the test pack with PEOPLE as users and employees."""
    catalog = catalog_with_pack(tmp_path_factory.mktemp("packs") / "acttest", PACK)
    tenant = create_tenant(platform.settings, catalog, SLUG, "Deals Inc", ["core", "crm", "acttest"], "admin", PASSWORD)
    app = build_tenant_app(platform.settings, tenant, catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        for name, roles in PEOPLE.items():
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(r) for r in roles], PASSWORD)
    found = app.extensions["formwork"]
    employee = found.compiled.model("core.employee")
    session = found.session()
    session.add_all(employee(name=name.title(), login=name) for name in PEOPLE)
    session.commit()
    found.session.remove()
    return found


def opportunity(runtime: Any, owner: str = "sam", **values: Any) -> int:
    """An open opportunity of `owner`'s, on an account of theirs."""
    session = runtime.session()
    try:
        employee = runtime.compiled.model("core.employee")
        owner_id = session.query(employee).filter_by(login=owner).one().id
        account = runtime.compiled.model("crm.account")(name=f"Globex {next(NAMES)}", owner_id=owner_id)
        session.add(account)
        session.flush()
        fields = {"name": "Fleet renewal", "stage": "qualification", "probability": 40, **values}
        record = runtime.compiled.model("crm.opportunity")(account_id=account.id, owner_id=owner_id, **fields)
        session.add(record)
        session.commit()
        record_id: int = record.id
        return record_id
    finally:
        runtime.session.remove()


def stored(runtime: Any, record_id: int) -> Any:
    session = runtime.session()
    try:
        return session.get(runtime.compiled.model("crm.opportunity"), record_id)
    finally:
        runtime.session.remove()


@pytest.fixture(scope="module")
def tokens(platform: Platform, runtime: Any) -> dict[str, dict[str, str]]:
    client = platform.client()
    return {name: jwt(client, SLUG, name) for name in [*PEOPLE, "admin"]}


def signed_in(platform: Platform, user: str) -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


# -- the API -----------------------------------------------------------------------------
def test_a_rep_marks_their_opportunity_won_through_the_api(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime)
    client = platform.client()
    before = client.get(f"{API}/{pk}", headers=tokens["sam"]).json["result"]["version"]
    ran = client.post(f"{API}/{pk}/actions/mark_won", headers=tokens["sam"])
    assert ran.status_code == 200, ran.text
    assert ran.json["message"] == "The opportunity is won."
    assert ran.json["id"] == pk
    result = ran.json["result"]
    assert (result["stage"], result["probability"], result["version"]) == ("won", 100, before + 1)
    assert ran.headers["ETag"]
    assert client.get(f"{API}/{pk}", headers=tokens["sam"]).json["result"] == result
    history = client.get(f"/t/{SLUG}/api/v1/records/crm_opportunity/{pk}/history", headers=tokens["sam"]).json
    changes = history["result"][0]["changes"]
    assert changes["stage"] == {"old": "qualification", "new": "won"}
    assert changes["probability"] == {"old": 40, "new": 100}


def test_the_answer_speaks_the_callers_language(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime)
    headers = {**tokens["sam"], "Accept-Language": "zh"}
    ran = platform.client().post(f"{API}/{pk}/actions/mark_won", headers=headers)
    assert ran.status_code == 200, ran.text
    assert ran.json["message"] == "商机已标记为赢单。"


def test_mark_lost_needs_a_reason_from_its_choices(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime)
    client = platform.client()
    missing = client.post(f"{API}/{pk}/actions/mark_lost", headers=tokens["sam"], json={})
    assert missing.status_code == 400
    assert list(missing.json["message"]) == ["reason"]
    unknown = client.post(f"{API}/{pk}/actions/mark_lost", headers=tokens["sam"], json={"reason": "weather"})
    assert unknown.status_code == 400
    assert "reason" in unknown.json["message"]
    extra = client.post(f"{API}/{pk}/actions/mark_lost", headers=tokens["sam"], json={"reason": "price", "x": 1})
    assert extra.status_code == 400
    assert stored(runtime, pk).stage == "qualification"
    lost = client.post(f"{API}/{pk}/actions/mark_lost", headers=tokens["sam"], json={"reason": "price"})
    assert lost.status_code == 200, lost.text
    assert (lost.json["result"]["stage"], lost.json["result"]["lost_reason"]) == ("lost", "price")
    assert lost.json["message"] == "The opportunity is lost."


def test_rights_and_roles_decide_who_may_run_an_action(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime)
    client = platform.client()
    no_role = client.post(f"{API}/{pk}/actions/mark_won", headers=tokens["eddie"])
    assert no_role.status_code == 403
    assert "Mark won" in no_role.json["message"]
    assert client.post(f"{API}/{pk}/actions/mark_won", headers=tokens["lena"]).status_code == 403  # may not edit
    assert client.post(f"{API}/{pk}/actions/mark_won").status_code == 401
    assert client.post(f"{API}/{pk}/actions/no_such_action", headers=tokens["sam"]).status_code == 404
    assert stored(runtime, pk).stage == "qualification"
    # an action naming no roles is for whoever may edit the record (the rule refuses it: see below)
    assert client.post(f"{API}/{pk}/actions/break_rule", headers=tokens["eddie"]).status_code == 400


def test_a_record_the_caller_may_not_see_is_not_found(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime, owner="sam")
    client = platform.client()
    assert client.post(f"{API}/{pk}/actions/mark_won", headers=tokens["rita"]).status_code == 404
    assert client.post(f"{API}/2000000000/actions/mark_won", headers=tokens["sam"]).status_code == 404
    assert stored(runtime, pk).stage == "qualification"


def test_the_admin_may_run_any_action(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime)
    ran = platform.client().post(f"{API}/{pk}/actions/mark_won", headers=tokens["admin"])
    assert ran.status_code == 200, ran.text


def test_a_won_opportunity_refuses_mark_won(platform: Platform, runtime: Any, tokens: Any) -> None:
    pk = opportunity(runtime, stage="won", probability=100)
    refused = platform.client().post(f"{API}/{pk}/actions/mark_won", headers=tokens["sam"])
    assert refused.status_code == 409
    assert "stage != 'won'" in refused.json["message"]
    assert stored(runtime, pk).version == 1


def test_a_step_that_breaks_a_rule_answers_its_message_and_changes_nothing(
    platform: Platform, runtime: Any, tokens: Any
) -> None:
    pk = opportunity(runtime)
    refused = platform.client().post(f"{API}/{pk}/actions/break_rule", headers=tokens["sam"])
    assert refused.status_code == 400
    (message,) = refused.json["message"]["_record"]
    assert "A won opportunity has a probability of 100%." in message
    assert "Win at half odds" in message
    record = stored(runtime, pk)
    assert (record.stage, record.probability, record.version) == ("qualification", 40, 1)


def test_a_list_action_runs_on_every_selected_record_or_on_none(platform: Platform, runtime: Any, tokens: Any) -> None:
    first, second = opportunity(runtime), opportunity(runtime)
    lost = opportunity(runtime, stage="lost")
    others = opportunity(runtime, owner="rita")
    client = platform.client()
    url = f"{API}/actions/add_note"
    body = {"ids": [first, second], "input": {"note": "Call back", "odds": 70, "urgent": True}}
    assert (
        client.post(url, headers=tokens["sam"], json={"ids": [first, others], "input": {"note": "x"}}).status_code
        == 404
    )
    refused = client.post(url, headers=tokens["sam"], json={"ids": [first, lost], "input": {"note": "x"}})
    assert refused.status_code == 409
    assert client.post(url, headers=tokens["sam"], json={"ids": [first]}).status_code == 400  # the note is required
    assert stored(runtime, first).version == 1
    ran = client.post(url, headers=tokens["sam"], json=body)
    assert ran.status_code == 200, ran.text
    assert (ran.json["ids"], ran.json["message"]) == ([first, second], "Noted.")
    for pk in (first, second):
        record = stored(runtime, pk)
        assert (record.notes, record.probability, record.version) == ("Call back (urgent)", 70, 2)
    assert client.post(f"{API}/actions/mark_won", headers=tokens["sam"], json={"ids": [first]}).status_code == 404


def test_every_action_is_an_operation_of_the_openapi(platform: Platform, runtime: Any, tokens: Any) -> None:
    spec = platform.client().get(f"/t/{SLUG}/api/v1/_openapi", headers=tokens["admin"]).json
    paths = spec["paths"]
    lost = paths["/api/v1/crm_opportunity/{pk}/actions/mark_lost"]["post"]
    body = lost["requestBody"]
    assert body["required"] is True
    name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][name]
    assert schema["properties"]["reason"]["enum"] == ["price", "competitor", "timing", "no_decision"]
    assert schema["required"] == ["reason"]
    assert {"200", "400", "403", "404", "409"} <= set(lost["responses"])
    assert paths["/api/v1/crm_opportunity/{pk}/actions/mark_won"]["post"]["requestBody"]["required"] is False
    assert "/api/v1/crm_opportunity/actions/add_note" in paths
    assert "/api/v1/crm_opportunity/actions/mark_won" not in paths
    assert not [path for path in paths if "/actions/{name}" in path]


# -- the screens -----------------------------------------------------------------------
def test_a_reps_record_page_shows_the_buttons_and_another_role_sees_none(platform: Platform, runtime: Any) -> None:
    pk = opportunity(runtime)
    page = signed_in(platform, "sam").get(f"/t/{SLUG}/crm_opportunity/show/{pk}")
    assert page.status_code == 200
    assert "Mark won" in page.text and "Mark lost" in page.text and "Add a note" in page.text
    assert "fa-trophy" in page.text
    editor = signed_in(platform, "eddie").get(f"/t/{SLUG}/crm_opportunity/show/{pk}")
    assert editor.status_code == 200
    assert "Mark won" not in editor.text and "Mark lost" not in editor.text
    assert "Win at half odds" in editor.text  # it names no roles


def test_a_closed_opportunitys_page_has_no_buttons_that_do_not_apply(platform: Platform, runtime: Any) -> None:
    pk = opportunity(runtime, stage="won", probability=100)
    page = signed_in(platform, "sam").get(f"/t/{SLUG}/crm_opportunity/show/{pk}")
    assert "Mark won" not in page.text and "Add a note" in page.text


def test_the_confirmation_page_runs_the_action_with_its_csrf_token(platform: Platform, runtime: Any) -> None:
    pk = opportunity(runtime)
    client = signed_in(platform, "sam")
    url = f"/t/{SLUG}/crm_opportunity/actions/{pk}/mark_won"
    page = client.get(url)
    assert page.status_code == 200
    assert "Mark this opportunity as won?" in page.text
    assert client.post(url).status_code == 400  # no CSRF token
    assert stored(runtime, pk).stage == "qualification"
    ran = client.post(url, data={"csrf_token": csrf_token(page.text)})
    assert ran.status_code == 302
    assert ran.headers["Location"].endswith(f"/crm_opportunity/show/{pk}")
    shown = client.get(f"/t/{SLUG}/crm_opportunity/show/{pk}")
    assert "The opportunity is won." in shown.text
    assert stored(runtime, pk).stage == "won"


def test_the_form_page_checks_the_inputs_and_escapes_them(platform: Platform, runtime: Any) -> None:
    pk = opportunity(runtime)
    client = signed_in(platform, "sam")
    url = f"/t/{SLUG}/crm_opportunity/actions/{pk}/mark_lost"
    page = client.get(url)
    assert "Lost reason" in page.text and "Chose a competitor" in page.text
    refused = client.post(url, data={"csrf_token": csrf_token(page.text), "reason": "<script>x</script>"})
    assert refused.status_code == 200
    assert "<script>x</script>" not in refused.text
    assert "Must be one of" in refused.text
    ran = client.post(url, data={"csrf_token": csrf_token(page.text), "reason": "timing"})
    assert ran.status_code == 302
    assert (stored(runtime, pk).stage, stored(runtime, pk).lost_reason) == ("lost", "timing")


def test_a_refused_step_is_flashed_on_the_record_page(platform: Platform, runtime: Any) -> None:
    pk = opportunity(runtime)
    client = signed_in(platform, "sam")
    show = client.get(f"/t/{SLUG}/crm_opportunity/show/{pk}")
    ran = client.post(f"/t/{SLUG}/crm_opportunity/actions/{pk}/break_rule", data={"csrf_token": csrf_token(show.text)})
    assert ran.status_code == 302
    assert "A won opportunity has a probability of 100%." in client.get(f"/t/{SLUG}/crm_opportunity/show/{pk}").text
    assert stored(runtime, pk).version == 1


def test_screens_refuse_who_may_not_run_it(platform: Platform, runtime: Any) -> None:
    pk = opportunity(runtime)
    assert signed_in(platform, "eddie").get(f"/t/{SLUG}/crm_opportunity/actions/{pk}/mark_won").status_code == 403
    assert signed_in(platform, "rita").get(f"/t/{SLUG}/crm_opportunity/actions/{pk}/mark_won").status_code == 404


def test_the_list_offers_its_actions_on_the_selected_records(platform: Platform, runtime: Any) -> None:
    first, second = opportunity(runtime), opportunity(runtime)
    client = signed_in(platform, "sam")
    listing = client.get(f"/t/{SLUG}/crm_opportunity/list/")
    assert "Add a note" in listing.text and 'name="rowid"' in listing.text
    chosen = client.post(
        f"/t/{SLUG}/crm_opportunity/action_post",
        data={"csrf_token": csrf_token(listing.text), "action": "fw_action_add_note", "rowid": [first, second]},
    )
    assert chosen.status_code == 302
    form = client.get(chosen.headers["Location"])
    assert "2 records selected." in form.text
    ran = client.post(
        chosen.headers["Location"],
        data={"csrf_token": csrf_token(form.text), "ids": [first, second], "note": "Met them", "odds": "60"},
    )
    assert ran.status_code == 302
    assert [(stored(runtime, pk).notes, stored(runtime, pk).probability) for pk in (first, second)] == [
        ("Met them", 60),
        ("Met them", 60),
    ]
    assert "Add a note" not in signed_in(platform, "eddie").get(f"/t/{SLUG}/crm_opportunity/list/").text
