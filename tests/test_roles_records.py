"""The roles screen's editor of record rules and field rights: a tenant's admin limits what a pack role's holders
see of an entity (rules of a kind each, a filter as rows) and which fields are hidden or read-only; what they draft
applies on screens and API once published, is refused at its control when the Role kind's checks refuse it, and is
undone by "Reset to the pack's"."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, post_record, publish_draft
from formwork.tenancy.apps import build_tenant_app

SLUG = "roles-records"
GRID = f"/t/{SLUG}/access/roles/"
ACCOUNTS = f"/t/{SLUG}/api/v1/crm_account/"


@pytest.fixture(scope="module")
def company(platform: Platform) -> dict[str, Any]:
    """core + crm + oa; rita and ross are sales reps, each with an account of their own; the admin made two more."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        for name in ("rita", "ross"):
            sm.add_user(
                name, name.title(), "Rep", f"{name}@example.com", [sm.find_role("sales_rep")], password=PASSWORD
            )
    client = platform.client()
    made = {
        "rita": post_record(
            client, jwt(client, SLUG, "rita"), SLUG, "crm_account", name="Rita Shop", industry="technology"
        ),
        "ross": post_record(client, jwt(client, SLUG, "ross"), SLUG, "crm_account", name="Ross Works"),
        "retail": post_record(client, jwt(client, SLUG), SLUG, "crm_account", name="Corner Store", industry="retail"),
        "bank": post_record(client, jwt(client, SLUG), SLUG, "crm_account", name="Big Bank", industry="finance"),
    }
    return {"platform": platform, "role": "sales_rep", "accounts": made}


def browser(company: dict, user: str = "admin") -> Client:
    client = company["platform"].client()
    assert login(client, SLUG, user).status_code == 302
    return client


def editor_url(company: dict, entity: str = "crm.account") -> str:
    return f"{GRID}{company['role']}/limits/{entity}"


def editor(company: dict, client: Client) -> str:
    page = client.get(editor_url(company))
    assert page.status_code == 200, page.text
    return page.text


def save(company: dict, client: Client, **fields: Any) -> Any:
    """Post the editor as a browser would (the given controls and the page's CSRF token) and, once drafted, publish
    the role's draft; the editor's answer."""
    token = csrf_token(editor(company, client))
    answer = client.post(editor_url(company), data={**fields, "csrf_token": token})
    if answer.status_code == 302:
        publish(company, client)
    return answer


def publish(company: dict, client: Client) -> None:
    role = f"{GRID}{company['role']}"
    assert publish_draft(client, role, f"{role}/publish").status_code == 302


def rita_sees(company: dict) -> set[str]:
    """The accounts rita's API list answers."""
    client = company["platform"].client()
    listed = client.get(ACCOUNTS, headers=jwt(client, SLUG, "rita"))
    assert listed.status_code == 200, listed.text
    return {row["name"] for row in listed.json["result"]}


def words_now(page: str) -> str:
    found = re.search(r'<div class="fw-limits-now">(.*?)</div>\s*(?:<p|<div class="alert|<form)', page, re.S)
    assert found
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def errors_at(page: str, control: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(rf'data-control="{re.escape(control)}">([^<]*)</span>', page)]


@pytest.fixture
def admin(company: dict) -> Any:
    """The admin's browser; the pack's rules are back after each test."""
    client = browser(company)
    yield client
    page = client.get(editor_url(company)).text
    if "Reset to the pack" in page:
        client.post(f"{editor_url(company)}/reset", data={"csrf_token": csrf_token(page)})
        publish(company, client)


def test_the_grid_links_each_entity_the_role_has_rights_on_to_its_editor(company, admin) -> None:
    grid = admin.get(f"{GRID}{company['role']}").text
    assert f'href="{editor_url(company)}"' in grid
    assert f'href="{editor_url(company, "oa.leave_request")}"' not in grid  # no rights there
    page = editor(company, admin)
    assert "Sees only: records they created, or records naming them in Owner" in words_now(page)
    assert 'name="rule.0.kind"' in page and re.search(r'<option value="own" selected>', page)
    assert re.search(r'name="rule.1.field".*?<option value="owner" selected>', page, re.S)
    assert admin.get(editor_url(company, "oa.leave_request")).status_code == 404


def test_own_records_only_limits_the_list_the_api_and_the_record_pages(company, admin) -> None:
    assert save(company, admin, **{"rule.0.kind": "all"}).status_code == 302
    assert rita_sees(company) == {"Rita Shop", "Ross Works", "Corner Store", "Big Bank"}

    saved = save(company, admin, **{"rule.0.kind": "own"})
    assert saved.status_code == 302
    page = admin.get(saved.headers["Location"]).text
    assert "Sees only: records they created" in words_now(page)
    assert "Changed by this company" in page
    assert rita_sees(company) == {"Rita Shop"}
    rita = browser(company, "rita")
    listing = rita.get(f"/t/{SLUG}/crm_account/list/").text
    assert "Rita Shop" in listing and "Ross Works" not in listing
    api = company["platform"].client()
    ross_account = company["accounts"]["ross"]
    assert api.get(f"{ACCOUNTS}{ross_account}", headers=jwt(api, SLUG, "rita")).status_code == 404
    assert rita.get(f"/t/{SLUG}/crm_account/show/{ross_account}").status_code == 404


def test_a_filter_rule_built_as_rows_applies_and_is_said_in_words(company, admin) -> None:
    rows = {
        "rule.0.kind": "own",
        "rule.1.kind": "filter",
        "rule.1.match": "all",
        "rule.1.cond.0.field": "industry",
        "rule.1.cond.0.op": "=",
        "rule.1.cond.0.value": "retail",
        "rule.1.cond.1.field": "",  # a blank row is left out
        "rule.1.cond.1.op": "=",
    }
    saved = save(company, admin, **rows)
    assert saved.status_code == 302
    assert "records they created, or records where Industry is Retail" in words_now(
        admin.get(saved.headers["Location"]).text
    )
    assert rita_sees(company) == {"Rita Shop", "Corner Store"}
    grid = admin.get(f"{GRID}{company['role']}").text
    assert "records where Industry is Retail" in html.unescape(grid)

    any_of = {
        "rule.0.kind": "filter",
        "rule.0.match": "any",
        "rule.0.cond.0.field": "industry",
        "rule.0.cond.0.op": "in",
        "rule.0.cond.0.value": "retail, finance",
        "rule.0.cond.1.field": "name",
        "rule.0.cond.1.op": "starts_with",
        "rule.0.cond.1.value": "Ross",
    }
    assert save(company, admin, **any_of).status_code == 302
    assert rita_sees(company) == {"Corner Store", "Big Bank", "Ross Works"}

    nested = {"any": [{"not": {"field": "industry", "op": "is_empty"}}, {"field": "name", "op": "=", "value": "X"}]}
    kept = save(company, admin, **{"rule.0.kind": "kept", "rule.0.kept": json.dumps(nested)})
    assert kept.status_code == 302  # a rule the rows cannot show is kept as written, and said in words
    page = admin.get(kept.headers["Location"]).text
    assert "As the pack writes it: any of (not (Industry is empty), or Account name is X)" in (html.unescape(page))
    assert rita_sees(company) == {"Rita Shop", "Corner Store", "Big Bank"}


def test_a_hidden_field_leaves_the_reps_list_form_and_api(company, admin) -> None:
    assert save(company, admin, **{"rule.0.kind": "own", "hidden": "phone"}).status_code == 302
    api = company["platform"].client()
    rita_token = jwt(api, SLUG, "rita")
    account = company["accounts"]["rita"]
    answer = api.get(f"{ACCOUNTS}{account}", headers=rita_token)
    assert answer.status_code == 200 and "phone" not in answer.json["result"]
    assert "website" in answer.json["result"]
    rita = browser(company, "rita")
    assert 'name="phone"' not in rita.get(f"/t/{SLUG}/crm_account/edit/{account}").text
    assert 'name="website"' in rita.get(f"/t/{SLUG}/crm_account/edit/{account}").text
    refused = api.put(f"{ACCOUNTS}{account}", json={"phone": "123"}, headers=rita_token)
    assert refused.status_code == 400
    # the admin still sees it
    assert "phone" in api.get(f"{ACCOUNTS}{account}", headers=jwt(api, SLUG)).json["result"]


def test_a_read_only_field_is_shown_but_a_change_is_refused(company, admin) -> None:
    assert save(company, admin, **{"rule.0.kind": "own", "read_only": "city"}).status_code == 302
    api = company["platform"].client()
    rita_token = jwt(api, SLUG, "rita")
    account = company["accounts"]["rita"]
    assert api.put(f"{ACCOUNTS}{account}", json={"city": "Xi'an"}, headers=jwt(api, SLUG)).status_code == 200
    answer = api.get(f"{ACCOUNTS}{account}", headers=rita_token)
    assert answer.json["result"]["city"] == "Xi'an"
    refused = api.put(f"{ACCOUNTS}{account}", json={"city": "Wuhan"}, headers=rita_token)
    assert refused.status_code == 400
    assert refused.json["message"] == {"city": ["Your role may not change this field."]}
    assert (
        api.put(f"{ACCOUNTS}{account}", json={"website": "https://rita.example"}, headers=rita_token).status_code == 200
    )
    assert "Xi&#39;an" in browser(company, "rita").get(f"/t/{SLUG}/crm_account/show/{account}").text


def test_reset_brings_the_packs_rules_and_fields_back(company, admin) -> None:
    assert save(company, admin, **{"rule.0.kind": "all", "hidden": "phone"}).status_code == 302
    assert "Corner Store" in rita_sees(company)
    page = editor(company, admin)
    assert "Reset to the pack" in page
    reset = admin.post(f"{editor_url(company)}/reset", data={"csrf_token": csrf_token(page)})
    assert reset.status_code == 302
    assert "Corner Store" in rita_sees(company)  # a draft changes nothing yet
    publish(company, admin)
    again = admin.get(reset.headers["Location"]).text
    assert "Sees only: records they created, or records naming them in Owner" in words_now(again)
    assert "Reset to the pack" not in again
    assert rita_sees(company) == {"Rita Shop"}
    api = company["platform"].client()
    answer = api.get(f"{ACCOUNTS}{company['accounts']['rita']}", headers=jwt(api, SLUG, "rita"))
    assert "phone" in answer.json["result"]


def test_a_rule_the_checks_refuse_is_shown_at_its_control_and_nothing_is_stored(company, admin) -> None:
    bad = save(company, admin, **{"rule.0.kind": "own", "rule.1.kind": "user_field", "rule.1.field": "name"})
    assert bad.status_code == 400
    assert errors_at(bad.text, "rule.1.field") == [
        "'name' is a string field; user_field takes a user field or a reference (or link) to core.employee"
    ]
    assert re.search(r'name="rule.1.kind".*?<option value="user_field" selected>', bad.text, re.S)  # kept as posted

    wrong_value = {
        "rule.0.kind": "filter",
        "rule.0.cond.0.field": "industry",
        "rule.0.cond.0.op": "=",
        "rule.0.cond.0.value": "shops",
    }
    refused = save(company, admin, **wrong_value)
    assert refused.status_code == 400
    assert any("'shops' is not a choice of industry" in e for e in errors_at(refused.text, "rule.0.cond.0.value"))
    empty_filter = save(company, admin, **{"rule.0.kind": "filter"})
    assert errors_at(empty_filter.text, "rule.0.kind") == ["A filter needs at least one condition."]
    required_hidden = save(company, admin, **{"rule.0.kind": "own", "hidden": "name"})
    assert required_hidden.status_code == 400
    assert errors_at(required_hidden.text, "hidden") == [
        "'name' is required, so a role that creates crm.account records cannot have it hidden"
    ]
    assert save(company, admin, **{"rule.0.kind": "fly"}).status_code == 400

    assert "Reset to the pack" not in editor(company, admin)  # nothing was stored
    assert rita_sees(company) == {"Rita Shop"}


def test_only_admins_open_and_save_the_editor_and_every_post_carries_the_token(company, admin) -> None:
    rita = browser(company, "rita")
    assert rita.get(editor_url(company)).status_code == 403
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    assert rita.post(editor_url(company), data={"csrf_token": token, "rule.0.kind": "all"}).status_code == 403
    assert rita.post(f"{editor_url(company)}/reset", data={"csrf_token": token}).status_code == 403
    assert admin.post(editor_url(company), data={"rule.0.kind": "all"}).status_code == 400
    assert rita_sees(company) == {"Rita Shop"}
