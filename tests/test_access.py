"""Roles: rights per entity, record rules and field rights, on the screens and the REST API.

A small sales company: Sales (headed by dana, the sales director) with Sales
East (rita, rob) and Sales West (wes) below it, and Support (sue, a director
of another department). Each rule kind is checked where a user would notice
a leak: lists, show/edit/delete (404), the API (404), counts, totals, group
counts, export, quick search and reference choices.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login
from formwork.access.definition import RecordRule
from formwork.access.grants import ensure_pack_roles
from formwork.access.records import rule_condition
from formwork.filters import FilterContext
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.provision import create_tenant

SLUG = "access-co"
#: a screen without the right: FAB's "access denied" (a redirect to the login page, or 403 for a signed-in user)
REFUSED = (302, 403)
#: user -> (roles, department code)
PEOPLE = {
    "dana": (["sales_director"], "S"),
    "rita": (["sales_rep"], "SE"),
    "rob": (["sales_rep"], "SE"),
    "wes": (["sales_rep"], "SW"),
    "sue": (["sales_director"], "SU"),
    "eve": (["employee"], "SE"),
    "ed": (["employee"], "SE"),
    "hank": (["hr"], "SU"),
    "fin": (["finance"], "SU"),
    "max": (["sales_rep", "legal"], "SE"),
    "newbie": ([], "SU"),
}


@pytest.fixture(scope="module")
def company(platform: Platform) -> dict[str, Any]:
    """The tenant, its app, and the ids of the records the tests look for."""
    tenant = create_tenant(
        platform.settings, platform.catalog, SLUG, "Access Co", ["core", "crm", "oa"], "admin", PASSWORD
    )
    app = build_tenant_app(platform.settings, tenant, platform.catalog)
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        for name, (roles, _) in PEOPLE.items():
            found = [sm.find_role(r) for r in roles] or [sm.find_role("Public")]
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", found, password=PASSWORD)
        users = {u.username: u.id for u in sm.get_all_users()}
    model = runtime.compiled.model
    session = runtime.session()
    department, employee = model("core.department"), model("core.employee")
    sales = department(name="Sales", code="S")
    east, west = (
        department(name="Sales East", code="SE", parent=sales),
        department(name="Sales West", code="SW", parent=sales),
    )
    support = department(name="Support", code="SU")
    by_code = {"S": sales, "SE": east, "SW": west, "SU": support}
    session.add_all(by_code.values())
    staff = {
        name: employee(name=name.title(), login=name, department=by_code[code], phone=f"+86 555 {i:04d}")
        for i, (name, (_, code)) in enumerate(PEOPLE.items())
    }
    session.add_all(staff.values())
    account, opportunity = model("crm.account"), model("crm.opportunity")
    accounts = {
        name: account(name=name, owner=staff[owner], created_by=users["admin"])
        for name, owner in (
            ("Alpha Foods", "rita"),
            ("Bravo Steel", "rob"),
            ("West Wind", "wes"),
            ("Support Co", "sue"),
        )
    }
    session.add_all(accounts.values())
    deals = {
        name: opportunity(
            name=name,
            account=accounts[acct],
            owner=staff[owner],
            stage=stage,
            amount=amount,
            discount_percent=5,
            created_by=users["admin"],
        )
        for name, acct, owner, stage, amount in (
            ("Alpha deal", "Alpha Foods", "rita", "proposal", 100),
            ("Bravo deal", "Bravo Steel", "rob", "proposal", 2000),
            ("West deal", "West Wind", "wes", "won", 30000),
        )
    }
    session.add_all(deals.values())
    leave = model("oa.leave_request")
    leaves = {
        who: leave(
            employee=staff[who],
            leave_type="annual",
            start_date=date(2030, 5, 1),
            end_date=date(2030, 5, 3),
            days=2,
            reason=f"{who} holiday",
            created_by=users[who],
        )
        for who in ("eve", "ed")
    }
    session.add_all(leaves.values())
    session.commit()
    ids = {
        "users": users,
        "accounts": {k: v.id for k, v in accounts.items()},
        "deals": {k: v.id for k, v in deals.items()},
        "leaves": {k: v.id for k, v in leaves.items()},
        "staff": {k: v.id for k, v in staff.items()},
        "app": app,
    }
    runtime.session.remove()
    return ids


def browser(platform: Platform, user: str) -> Client:
    client = platform.client()
    login(client, SLUG, user)
    return client


def api(platform: Platform, user: str) -> tuple[Client, dict[str, str]]:
    client = platform.client()
    return client, jwt(client, SLUG, user)


# -- rights --------------------------------------------------------------------------------
def test_read_right_opens_the_list_and_the_api_without_it_nothing(platform: Platform, company: dict) -> None:
    rita = browser(platform, "rita")
    assert rita.get(f"/t/{SLUG}/crm_account/list/").status_code == 200
    assert rita.get(f"/t/{SLUG}/oa_announcement/list/").status_code in REFUSED
    client, headers = api(platform, "rita")
    assert client.get(f"/t/{SLUG}/api/v1/crm_account/", headers=headers).status_code == 200
    assert client.get(f"/t/{SLUG}/api/v1/oa_announcement/", headers=headers).status_code == 403


def test_create_and_edit_rights_without_delete(platform: Platform, company: dict) -> None:
    client, headers = api(platform, "rita")
    created = client.post(f"/t/{SLUG}/api/v1/crm_account/", headers=headers, json={"name": "Rita New"})
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    assert client.put(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=headers, json={"city": "Xi'an"}).status_code == 200
    assert client.delete(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=headers).status_code == 403
    page = browser(platform, "rita")
    assert page.get(f"/t/{SLUG}/crm_account/delete/{pk}").status_code in REFUSED
    assert "Rita New" in page.get(f"/t/{SLUG}/crm_account/list/").text  # created by her: `own`


def test_export_right(platform: Platform, company: dict) -> None:
    assert browser(platform, "rita").get(f"/t/{SLUG}/crm_account/view/default/export/csv").status_code in REFUSED
    assert browser(platform, "dana").get(f"/t/{SLUG}/crm_account/view/default/export/csv").status_code == 200


def test_menu_shows_only_entities_with_rights(platform: Platform, company: dict) -> None:
    page = browser(platform, "rita").get(f"/t/{SLUG}/crm_account/list/").text
    assert "Opportunities" in page and "Announcements" not in page


# -- record rules: own records and user fields -----------------------------------------------
def test_rep_lists_only_their_accounts(platform: Platform, company: dict) -> None:
    page = browser(platform, "rita").get(f"/t/{SLUG}/crm_account/list/").text
    assert "Alpha Foods" in page and "Bravo Steel" not in page and "West Wind" not in page


@pytest.mark.parametrize("screen", ["show", "edit", "delete"])
def test_a_record_outside_the_rules_is_not_found_on_screens(platform: Platform, company: dict, screen: str) -> None:
    pk = company["accounts"]["Bravo Steel"]
    rob = browser(platform, "rob")
    assert rob.get(f"/t/{SLUG}/crm_account/{'show' if screen == 'delete' else screen}/{pk}").status_code == 200
    if screen == "delete":  # eve may delete leave requests, but not ed's
        eve = browser(platform, "eve")
        page = eve.get(f"/t/{SLUG}/oa_leave_request/list/")
        theirs = company["leaves"]["ed"]
        assert (
            eve.post(
                f"/t/{SLUG}/oa_leave_request/delete/{theirs}", data={"csrf_token": csrf_token(page.text)}
            ).status_code
            == 404
        )
        assert browser(platform, "ed").get(f"/t/{SLUG}/oa_leave_request/show/{theirs}").status_code == 200
        return
    assert browser(platform, "rita").get(f"/t/{SLUG}/crm_account/{screen}/{pk}").status_code == 404


def test_a_record_outside_the_rules_is_not_found_in_the_api(platform: Platform, company: dict) -> None:
    client, headers = api(platform, "rita")
    pk = company["accounts"]["Bravo Steel"]
    assert client.get(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=headers).status_code == 404
    assert client.put(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=headers, json={"city": "X"}).status_code == 404
    listed = client.get(f"/t/{SLUG}/api/v1/crm_account/", headers=headers).json
    names = {row["name"] for row in listed["result"]}
    assert "Alpha Foods" in names and "Bravo Steel" not in names and listed["count"] == len(names)
    eve, eve_headers = api(platform, "eve")
    assert (
        eve.delete(f"/t/{SLUG}/api/v1/oa_leave_request/{company['leaves']['ed']}", headers=eve_headers).status_code
        == 404
    )


def test_the_token_not_the_browsers_cookie_decides_whose_rules_apply(platform: Platform, company: dict) -> None:
    """An API call carries rita's token from a browser signed in as admin: rita's rules apply, not the admin's."""
    client = browser(platform, "admin")
    headers = jwt(client, SLUG, "rita")
    pk = company["accounts"]["Bravo Steel"]
    assert client.get(f"/t/{SLUG}/api/v1/crm_account/{pk}", headers=headers).status_code == 404
    names = {row["name"] for row in client.get(f"/t/{SLUG}/api/v1/crm_account/", headers=headers).json["result"]}
    assert "Alpha Foods" in names and "Bravo Steel" not in names


def test_quick_search_and_counts_keep_to_the_rules(platform: Platform, company: dict) -> None:
    rita = browser(platform, "rita")
    page = rita.get(f"/t/{SLUG}/crm_opportunity/view/pipeline/", query_string={"q": "deal"}).text
    assert "Alpha deal" in page and "Bravo deal" not in page
    assert "2,000" not in page and "30,000" not in page  # totals and group counts are over her records only
    assert '<span class="fw-group" style="margin-right: 12px">Won' not in page


def test_reference_choices_follow_the_targets_rules(platform: Platform, company: dict) -> None:
    rita = browser(platform, "rita")
    found = rita.get(f"/t/{SLUG}/crm_opportunity/choices/account", query_string={"q": ""}).json
    names = {row["text"] for row in found["results"]}
    assert "Alpha Foods" in names and "Bravo Steel" not in names


def test_user_field_rule_on_a_link_to_employees(platform: Platform, company: dict) -> None:
    runtime = company["app"].extensions["formwork"]
    session = runtime.session()
    meeting, employee = runtime.compiled.model("oa.meeting"), runtime.compiled.model("core.employee")
    session.add(
        meeting(
            subject="Planning",
            starts_at=datetime(2030, 1, 1, 9),
            attendees=[session.get(employee, company["staff"]["eve"])],
        )
    )
    session.add(meeting(subject="Board only", starts_at=datetime(2030, 1, 2, 9)))
    session.commit()
    runtime.session.remove()
    page = browser(platform, "eve").get(f"/t/{SLUG}/oa_meeting/list/").text
    assert "Planning" in page and "Board only" not in page


# -- department rules ---------------------------------------------------------------------
def test_director_sees_their_department_tree(platform: Platform, company: dict) -> None:
    page = browser(platform, "dana").get(f"/t/{SLUG}/crm_account/list/").text
    assert all(name in page for name in ("Alpha Foods", "Bravo Steel", "West Wind")) and "Support Co" not in page
    export = browser(platform, "dana").get(f"/t/{SLUG}/crm_account/view/default/export/csv").text
    assert "West Wind" in export and "Support Co" not in export
    sue = browser(platform, "sue").get(f"/t/{SLUG}/crm_account/list/").text
    assert "Support Co" in sue and "Alpha Foods" not in sue


def test_director_totals_cover_the_tree_only(platform: Platform, company: dict) -> None:
    page = browser(platform, "dana").get(f"/t/{SLUG}/crm_opportunity/view/pipeline/").text
    assert "32,100" in page  # 100 + 2,000 + 30,000
    assert "32,100" not in browser(platform, "sue").get(f"/t/{SLUG}/crm_opportunity/view/pipeline/").text


# -- several roles, Admin ---------------------------------------------------------------------
def test_roles_add_up(platform: Platform, company: dict) -> None:
    """max is a sales rep (own accounts) and legal (reads every account): he sees them all."""
    page = browser(platform, "max").get(f"/t/{SLUG}/crm_account/list/").text
    assert "Bravo Steel" in page and "Support Co" in page


def test_admin_sees_everything(platform: Platform, company: dict) -> None:
    page = browser(platform, "admin").get(f"/t/{SLUG}/crm_account/list/").text
    assert all(name in page for name in ("Alpha Foods", "Bravo Steel", "West Wind", "Support Co"))


# -- field rights -------------------------------------------------------------------------
def test_hidden_field_is_not_shown_or_read(platform: Platform, company: dict) -> None:
    pk = company["staff"]["rob"]
    eve = browser(platform, "eve")
    assert "+86 555" not in eve.get(f"/t/{SLUG}/core_employee/show/{pk}").text
    assert "+86 555" not in eve.get(f"/t/{SLUG}/core_employee/list/").text
    client, headers = api(platform, "eve")
    row = client.get(f"/t/{SLUG}/api/v1/core_employee/{pk}", headers=headers).json["result"]
    assert "phone" not in row and row["name"] == "Rob"
    assert all("phone" not in r for r in client.get(f"/t/{SLUG}/api/v1/core_employee/", headers=headers).json["result"])
    assert "+86 555" in browser(platform, "hank").get(f"/t/{SLUG}/core_employee/show/{pk}").text
    probe = client.get(
        f"/t/{SLUG}/api/v1/core_employee/",
        headers=headers,
        query_string={"q": "(filters:!((col:phone,opr:eq,value:nobody)))"},
    ).json
    assert probe["count"] == len(PEOPLE)  # a filter on a hidden field is ignored: it tells nothing about the value
    ordered = client.get(
        f"/t/{SLUG}/api/v1/core_employee/", headers=headers, query_string={"q": "(order_column:phone)"}
    )
    assert ordered.status_code == 400 and "order_column" in ordered.json["message"]


def test_read_only_field_is_refused_in_the_api_and_kept_by_forms(platform: Platform, company: dict) -> None:
    pk = company["deals"]["Alpha deal"]
    client, headers = api(platform, "rita")
    refused = client.put(f"/t/{SLUG}/api/v1/crm_opportunity/{pk}", headers=headers, json={"discount_percent": 30})
    assert refused.status_code == 400 and "discount_percent" in refused.json["message"]
    assert (
        client.get(f"/t/{SLUG}/api/v1/crm_opportunity/{pk}", headers=headers).json["result"]["discount_percent"]
        == "5.00"
    )
    rita = browser(platform, "rita")
    assert 'name="discount_percent"' not in rita.get(f"/t/{SLUG}/crm_opportunity/add").text
    page = rita.get(f"/t/{SLUG}/crm_opportunity/edit/{pk}")
    assert re.search(r'<input[^>]*name="discount_percent"[^>]*readonly', page.text)
    form = {
        "csrf_token": csrf_token(page.text),
        "name": "Alpha deal 2",
        "account": company["accounts"]["Alpha Foods"],
        "stage": "proposal",
        "amount": "100",
        "discount_percent": "40",
        "owner": company["staff"]["rita"],
        "close_date": "2030-06-01",
        "probability": "50",
        "record_version": re.search(r'name="record_version"[^>]*value="(\d+)"', page.text).group(1),
    }
    saved = rita.post(f"/t/{SLUG}/crm_opportunity/edit/{pk}", data=form)
    assert saved.status_code == 302, re.findall(r'class="[^"]*(?:error|alert)[^"]*"[^>]*>([^<]*)', saved.text)
    row = client.get(f"/t/{SLUG}/api/v1/crm_opportunity/{pk}", headers=headers).json["result"]
    assert row["name"] == "Alpha deal 2" and row["discount_percent"] == "5.00"


# -- approvals ----------------------------------------------------------------------------
def test_approvals_api_hides_records_outside_the_rules(platform: Platform, company: dict) -> None:
    client, headers = api(platform, "eve")
    mine, theirs = company["leaves"]["eve"], company["leaves"]["ed"]
    assert client.get(f"/t/{SLUG}/api/v1/approvals/records/oa.leave_request/{mine}", headers=headers).status_code == 200
    assert (
        client.get(f"/t/{SLUG}/api/v1/approvals/records/oa.leave_request/{theirs}", headers=headers).status_code == 404
    )


# -- pack roles in FAB --------------------------------------------------------------------
def test_admin_assigns_a_pack_role_in_the_user_screen(platform: Platform, company: dict) -> None:
    newbie = browser(platform, "newbie")
    assert newbie.get(f"/t/{SLUG}/crm_account/list/").status_code in REFUSED
    admin = browser(platform, "admin")
    uid = company["users"]["newbie"]
    page = admin.get(f"/t/{SLUG}/users/edit/{uid}")
    assert "sales_rep" in page.text
    app = company["app"]
    with app.app_context():
        role_id = app.appbuilder.sm.find_role("sales_rep").id
    form = {
        "csrf_token": csrf_token(page.text),
        "first_name": "Newbie",
        "last_name": "Test",
        "username": "newbie",
        "email": "newbie@example.com",
        "active": "y",
        "roles": str(role_id),
    }
    assert admin.post(f"/t/{SLUG}/users/edit/{uid}", data=form).status_code == 302
    assert browser(platform, "newbie").get(f"/t/{SLUG}/crm_account/list/").status_code == 200


def test_pack_roles_get_exactly_their_rights_again(platform: Platform, company: dict) -> None:
    app = company["app"]
    with app.app_context():
        sm = app.appbuilder.sm
        rep = sm.find_role("sales_rep")
        rights = {(pv.permission.name, pv.view_menu.name) for pv in rep.permissions}
        assert {
            ("can_list", "CrmAccountView"),
            ("can_get", "CrmAccountApi"),
            ("can_post", "CrmAccountApi"),
            ("menu_access", "Accounts"),
        } <= rights
        assert ("can_delete", "CrmAccountView") not in rights and ("can_export", "CrmAccountView") not in rights
        director = {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role("sales_director").permissions}
        assert {
            ("can_import", "CrmAccountView"),
            ("can_import", "CrmAccountApi"),
            ("can_export", "CrmAccountView"),
            ("can_delete", "CrmAccountApi"),
            ("can_use", "Approvals"),
        } <= director
        extra = sm.find_permission_view_menu("can_delete", "CrmAccountView")
        sm.add_permission_role(rep, extra)
        sm.del_permission_role(rep, sm.find_permission_view_menu("can_list", "CrmAccountView"))
    ensure_pack_roles(app)  # what a pack upgrade or permission sync does
    with app.app_context():
        again = {(pv.permission.name, pv.view_menu.name) for pv in app.appbuilder.sm.find_role("sales_rep").permissions}
    assert again == rights


# -- rule kinds no pack role uses on these records -------------------------------------------------
def test_department_rules_through_a_reference_and_on_departments(company: dict) -> None:
    runtime = company["app"].extensions["formwork"]
    employee, department = runtime.compiled.model("core.employee"), runtime.compiled.model("core.department")
    session = runtime.session()
    east = session.query(department).filter_by(code="SE").one()
    sales = session.query(department).filter_by(code="S").one()

    def names(model: type, rule: RecordRule, department_id: int | None) -> set[str]:
        context = FilterContext.now(department_id=department_id)
        condition = rule_condition(rule, model, model.__entity__, context)
        return {row.name for row in session.query(model).filter(condition)}

    try:
        assert names(employee, RecordRule("department"), east.id) == {"Rita", "Rob", "Eve", "Ed", "Max"}
        assert names(employee, RecordRule("department_tree"), sales.id) == {
            "Dana",
            "Rita",
            "Rob",
            "Wes",
            "Eve",
            "Ed",
            "Max",
        }
        assert names(employee, RecordRule("department"), None) == set()  # no employee record: nothing, not everything
        assert names(department, RecordRule("department_tree"), sales.id) == {"Sales", "Sales East", "Sales West"}
        assert names(
            employee, RecordRule("filter", filter={"field": "department.code", "op": "=", "value": "SU"}), None
        ) == {"Sue", "Hank", "Fin", "Newbie"}
    finally:
        runtime.session.remove()


# -- child-table rows, references, sorting: field and record rights on every path ----------
LINES_SLUG = "access-lines"


@pytest.fixture(scope="module")
def claim(platform: Platform) -> dict[str, Any]:
    """A tenant with the test pack `audit`: lina is a line_auditor (expense lines: description hidden, amount
    read-only); one claim with one line."""
    tenant = create_tenant(
        platform.settings, platform.catalog, LINES_SLUG, "Lines Co", ["core", "oa", "audit"], "admin", PASSWORD
    )
    app = build_tenant_app(platform.settings, tenant, platform.catalog)
    runtime = app.extensions["formwork"]
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("lina", "Lina", "Test", "lina@example.com", [sm.find_role("line_auditor")], password=PASSWORD)
    session = runtime.session()
    employee = runtime.compiled.model("core.employee")(name="Lina", login="lina")
    claim = runtime.compiled.model("oa.expense_claim")(employee=employee, title="Trip", submitted_on=date(2030, 1, 2))
    line = runtime.compiled.model("oa.expense_line")(
        claim=claim, spent_on=date(2030, 1, 1), category="travel", description="SECRET-DESC", amount=12
    )
    session.add_all([employee, claim, line])
    session.commit()
    ids = {"claim": claim.id, "line": line.id, "employee": employee.id}
    runtime.session.remove()
    return ids


def _stored_line(platform: Platform, claim: dict) -> dict[str, Any]:
    client = platform.client()
    return client.get(f"/t/{LINES_SLUG}/api/v1/oa_expense_line/{claim['line']}", headers=jwt(client, LINES_SLUG)).json[
        "result"
    ]


def test_child_rows_keep_the_child_entitys_field_rights_in_the_api(platform: Platform, claim: dict) -> None:
    client = platform.client()
    headers = jwt(client, LINES_SLUG, "lina")
    url = f"/t/{LINES_SLUG}/api/v1/oa_expense_claim/{claim['claim']}"
    rows = client.get(url, headers=headers).json["result"]["lines"]
    assert rows and all("description" not in row for row in rows) and rows[0]["amount"] == "12.00"
    listed = client.get(f"/t/{LINES_SLUG}/api/v1/oa_expense_claim/", headers=headers).json["result"]
    assert "SECRET-DESC" not in str(listed)
    for sent in ({"amount": "999"}, {"description": "changed"}):
        refused = client.put(url, headers=headers, json={"lines": [{"id": claim["line"], **sent}]})
        assert (
            refused.status_code == 400 and "Your role may not change this field." in refused.json["message"]["lines"][0]
        )
    stored = _stored_line(platform, claim)
    assert (stored["amount"], stored["description"]) == ("12.00", "SECRET-DESC")
    saved = client.put(url, headers=headers, json={"lines": [{"id": claim["line"], "category": "meals"}]})
    assert saved.status_code == 200, saved.text
    assert "SECRET-DESC" not in saved.text
    stored = _stored_line(platform, claim)
    assert (stored["category"], stored["amount"], stored["description"]) == ("meals", "12.00", "SECRET-DESC")


def test_child_rows_form_hides_and_keeps_the_child_entitys_fields(platform: Platform, claim: dict) -> None:
    lina = platform.client()
    login(lina, LINES_SLUG, "lina")
    page = lina.get(f"/t/{LINES_SLUG}/oa_expense_claim/edit/{claim['claim']}")
    assert page.status_code == 200
    assert "SECRET-DESC" not in page.text and 'name="lines-0-description"' not in page.text
    assert re.search(r'<input[^>]*name="lines-0-amount"[^>]*readonly', page.text)
    form = {
        "csrf_token": csrf_token(page.text),
        "employee": claim["employee"],
        "title": "Trip 2",
        "submitted_on": "2030-01-02",
        "lines-0-id": claim["line"],
        "lines-0-spent_on": "2030-01-01",
        "lines-0-category": "lodging",
        "lines-0-amount": "999",
        "lines-0-description": "forged",
        "record_version": re.search(r'name="record_version"[^>]*value="(\d+)"', page.text).group(1),
    }
    saved = lina.post(f"/t/{LINES_SLUG}/oa_expense_claim/edit/{claim['claim']}", data=form)
    assert saved.status_code == 302, re.findall(r'class="[^"]*(?:error|danger)[^"]*"[^>]*>([^<]*)', saved.text)
    stored = _stored_line(platform, claim)
    assert (stored["category"], stored["amount"], stored["description"]) == ("lodging", "12.00", "SECRET-DESC")


def test_a_reference_to_a_record_outside_the_rules_is_answered_as_missing(platform: Platform, company: dict) -> None:
    client, headers = api(platform, "rita")
    hidden, missing = company["accounts"]["Bravo Steel"], 987654
    answers = {
        pk: client.post(f"/t/{SLUG}/api/v1/crm_contact/", headers=headers, json={"name": "Probe", "account": pk})
        for pk in (hidden, missing)
    }
    assert answers[hidden].status_code == answers[missing].status_code == 400
    assert answers[hidden].json["message"]["account"] == [f"No crm.account with id {hidden}."]
    assert answers[missing].json["message"]["account"] == [f"No crm.account with id {missing}."]
    assert "Bravo" not in answers[hidden].text
    mine = client.post(
        f"/t/{SLUG}/api/v1/crm_contact/",
        headers=headers,
        json={"name": "Probe", "account": company["accounts"]["Alpha Foods"]},
    )
    assert mine.status_code == 201 and mine.json["result"]["account"]["name"] == "Alpha Foods"


def test_a_list_cannot_be_sorted_by_a_hidden_field(platform: Platform, company: dict) -> None:
    eve = browser(platform, "eve")
    names = [name.title() for name in PEOPLE]  # phones were given in this order: "+86 555 0000", "+86 555 0001"…

    def shown(page: str) -> list[str]:
        return [n for n in re.findall(r"<td[^>]*>\s*([A-Z][a-z]+)\s*</td>", page) if n in names]

    default = shown(eve.get(f"/t/{SLUG}/core_employee/list/").text)
    for direction in ("asc", "desc"):
        page = eve.get(f"/t/{SLUG}/core_employee/list/?_oc_CoreEmployeeView=phone&_od_CoreEmployeeView={direction}")
        assert page.status_code == 200
        assert shown(page.text) == default and sorted(default) == default  # still by name, not by phone
        assert "_oc_CoreEmployeeView=phone" not in page.text  # no sort link on the phone column
    hank = browser(platform, "hank").get(
        f"/t/{SLUG}/core_employee/list/?_oc_CoreEmployeeView=phone&_od_CoreEmployeeView=desc"
    )
    assert shown(hank.text) == names[::-1]  # HR sees phones and may sort by them
