"""Defaults that know the user (`user.employee`) and reference pickers that tell people apart (`describe:`).

A small office: two employees called Anna Zhao (one in Sales, one in Support), anna signs in as the first; nobody
signs in with no employee at all; sam schedules shifts with a role that hides employees' job titles. The OA pack's
leave requests, expense claims and purchase requests default their employee to the signed-in one; the core pack's
employees are described by department and job title wherever they are picked.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, counting, csrf_token, jwt, login
from formwork.definitions.loader import builtin_definitions, load_catalog
from formwork.expr import USER, compile_expression
from formwork.meta.catalog import Catalog
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "pickers-co"
#: a pack of this module: shifts described by a choice (its label in the reader's language) and a department, and a
#: role whose holders may not see employees' job titles
ROSTER = """\
kind: Pack
name: roster
version: 1.0.0
label: {en: Roster, zh: 排班}
requires: {core: ">=0.1.0"}
---
kind: Entity
name: shift
label: {en: Shift, zh: 班次}
title_field: name
describe: [period, site]
fields:
  - {name: name, type: string, required: true, label: {en: Name, zh: 名称}}
  - name: period
    type: choice
    label: {en: Period, zh: 时段}
    choices:
      - {value: day, label: {en: Day, zh: 白班}}
      - {value: night, label: {en: Night, zh: 夜班}}
  - {name: site, type: reference, target: core.department, label: {en: Site, zh: 地点}}
---
kind: Entity
name: assignment
label: {en: Assignment, zh: 排班安排}
fields:
  - {name: shift, type: reference, target: shift, required: true, label: {en: Shift, zh: 班次}}
  - name: employee
    type: reference
    target: core.employee
    required: true
    default: {expr: user.employee}
    label: {en: Employee, zh: 员工}
---
kind: Entity
name: rota
label: {en: Rota, zh: 值班表}
title_field: name
fields:
  - {name: name, type: string, required: true, label: {en: Name, zh: 名称}}
  - {name: slots, type: child_table, target: slot, label: {en: Slots, zh: 时段}}
---
kind: Entity
name: slot
label: {en: Slot, zh: 时段}
fields:
  - {name: rota, type: reference, target: rota, required: true, on_delete: cascade, label: {en: Rota, zh: 值班表}}
  - {name: employee, type: reference, target: core.employee, label: {en: Employee, zh: 员工}}
---
kind: Role
name: scheduler
label: {en: Scheduler, zh: 排班员}
rights:
  assignment: [read, create]
  shift: [read]
  core.employee: [read]
  core.department: [read]
fields:
  core.employee: {hidden: [job_title]}
"""
#: user -> roles
PEOPLE = {"anna": ["employee"], "nobody": ["employee"], "ben": ["employee"], "sam": ["scheduler"]}
#: where the OA pack defaults the employee: (table, field)
DEFAULTED = (("oa_leave_request", "employee"), ("oa_expense_claim", "employee"), ("oa_purchase_request", "requester"))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The built-in packs and the roster pack (this module's platform is built from it)."""
    return catalog_with_pack(tmp_path_factory.mktemp("packs") / "roster", ROSTER)


@pytest.fixture(scope="module")
def office(platform: Platform) -> dict[str, Any]:
    """The tenant, its people and records; the ids the tests look for."""
    platform.tenant(SLUG, packs=["core", "oa", "roster"])
    apps = platform.app.tenant_apps
    app = apps.get(apps.tenant(SLUG))
    with app.app_context():
        sm = app.appbuilder.sm
        for name, roles in PEOPLE.items():
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(r) for r in roles], PASSWORD)
    runtime = app.extensions["formwork"]
    model, session = runtime.compiled.model, runtime.session()
    department, employee, shift = model("core.department"), model("core.employee"), model("roster.shift")
    sales, support = department(name="Sales"), department(name="Support")
    staff = {
        "anna": employee(name="Anna Zhao", login="anna", department=sales, job_title="Sales rep"),
        "other anna": employee(name="Anna Zhao", department=support, job_title="Engineer"),
        "ben": employee(name="Ben Bold", login="ben", department=sales, job_title="<b>Lead</b>"),
        "sam": employee(name="Sam Lee", login="sam", department=support, job_title="Scheduler"),
    }
    shifts = {
        "night": shift(name="Front desk", period="night", site=sales),
        "day": shift(name="Front desk", period="day", site=support),
    }
    slot = model("roster.slot")
    rota = model("roster.rota")(name="Week 12", slots=[slot(employee=person) for person in staff.values()])
    session.add_all([*staff.values(), *shifts.values(), rota])
    session.commit()
    ids = {
        "rota": rota.id,
        "staff": {name: record.id for name, record in staff.items()},
        "shifts": {name: record.id for name, record in shifts.items()},
        "department": sales.id,
        "engine": tenant_engine(platform.settings, find_tenant(platform.settings.database_url, SLUG)),
    }
    runtime.session.remove()
    return ids


def signed_in(platform: Platform, user: str) -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def api(platform: Platform, user: str) -> tuple[Client, dict[str, str]]:
    client = platform.client()
    return client, jwt(client, SLUG, user)


def selected(page: str, field: str) -> str | None:
    """The option a reference select of the page shows as chosen (its HTML text), or None."""
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select, f"the page has no select named {field}"
    chosen = re.search(r'<option value="(\d+)" selected>(.*?)</option>', select.group(1))
    return None if chosen is None else f"{chosen.group(1)}: {chosen.group(2)}"


def texts(client: Client, table: str, field: str, typed: str) -> list[str]:
    answer = client.get(f"/t/{SLUG}/{table}/choices/{field}", query_string={"q": typed})
    assert answer.status_code == 200, answer.text
    return [row["text"] for row in answer.json["results"]]


# -- defaults that know the user -----------------------------------------------------------------------------------
def test_a_new_request_shows_the_signed_in_employee_chosen(platform: Platform, office: dict) -> None:
    anna = signed_in(platform, "anna")
    for table, field in DEFAULTED:
        page = anna.get(f"/t/{SLUG}/{table}/add")
        assert page.status_code == 200, table
        assert selected(page.text, field) == f"{office['staff']['anna']}: Anna Zhao — Sales · Sales rep", table


def test_the_api_stores_the_callers_employee_when_the_field_is_left_out(platform: Platform, office: dict) -> None:
    client, auth = api(platform, "anna")
    leave = {"leave_type": "annual", "start_date": "2031-03-02", "end_date": "2031-03-03", "reason": "Family"}
    saved = client.post(f"/t/{SLUG}/api/v1/oa_leave_request/", json=leave, headers=auth)
    assert saved.status_code == 201, saved.text
    assert saved.json["result"]["employee"]["id"] == office["staff"]["anna"]
    purchase = {"department": office["department"], "item": "Chair", "quantity": 2, "unit_price": 80, "reason": "Desk"}
    bought = client.post(f"/t/{SLUG}/api/v1/oa_purchase_request/", json=purchase, headers=auth)
    assert bought.status_code == 201, bought.text
    assert bought.json["result"]["requester"]["id"] == office["staff"]["anna"]
    for_another = client.post(
        f"/t/{SLUG}/api/v1/oa_leave_request/", json={**leave, "employee": office["staff"]["sam"]}, headers=auth
    )
    assert for_another.status_code == 201, for_another.text
    assert for_another.json["result"]["employee"]["id"] == office["staff"]["sam"]  # what is sent wins


def test_a_user_without_an_employee_gets_an_empty_field_and_the_usual_refusal(platform: Platform, office: dict) -> None:
    nobody = signed_in(platform, "nobody")
    page = nobody.get(f"/t/{SLUG}/oa_leave_request/add")
    assert page.status_code == 200
    assert selected(page.text, "employee") is None
    form = {
        "csrf_token": csrf_token(page.text),
        "leave_type": "annual",
        "start_date": "2031-04-01",
        "end_date": "2031-04-01",
        "reason": "Nobody's leave",
    }
    refused = nobody.post(f"/t/{SLUG}/oa_leave_request/add", data=form, follow_redirects=True)
    assert "This field is required." in refused.text
    client, auth = api(platform, "nobody")
    del form["csrf_token"]
    answer = client.post(f"/t/{SLUG}/api/v1/oa_leave_request/", json=form, headers=auth)
    assert answer.status_code == 400
    assert answer.json["message"] == {"employee": ["This field is required."]}
    chinese = client.post(
        f"/t/{SLUG}/api/v1/oa_leave_request/", json=form, headers={**auth, "Accept-Language": "zh"}
    ).json
    assert chinese["message"]["employee"] != ["This field is required."]  # the usual message, in Chinese
    admin, admin_auth = api(platform, "admin")
    stored = admin.get(f"/t/{SLUG}/api/v1/oa_leave_request/", headers=admin_auth).json["result"]
    assert "Nobody's leave" not in {row["reason"] for row in stored}


# -- pickers that tell people apart ---------------------------------------------------------------------------------
def test_two_employees_of_one_name_are_told_apart(platform: Platform, office: dict) -> None:
    admin = signed_in(platform, "admin")
    assert texts(admin, "oa_leave_request", "employee", "anna") == [
        "Anna Zhao — Sales · Sales rep",
        "Anna Zhao — Support · Engineer",
    ]
    assert texts(admin, "oa_expense_claim", "employee", "sam") == ["Sam Lee — Support · Scheduler"]


def test_a_described_reference_costs_one_query_for_all_options(platform: Platform, office: dict) -> None:
    """The departments of all offered employees are read in one query, not one per employee."""
    admin = signed_in(platform, "admin")
    engine = office["engine"]
    with counting(engine) as one:
        assert len(texts(admin, "oa_leave_request", "employee", "sam")) == 1
    with counting(engine) as all_of_them:
        assert len(texts(admin, "oa_leave_request", "employee", "")) == len(office["staff"])
    assert len(all_of_them) == len(one)
    departments = [s for s in all_of_them if "core_department" in s and "core_employee" not in s]
    assert len(departments) == 1


def test_a_child_tables_rows_name_their_chosen_records_together(platform: Platform, office: dict) -> None:
    """An edit form with a row per employee reads the departments they show once, not once per row."""
    admin = signed_in(platform, "admin")
    with counting(office["engine"]) as statements:
        page = admin.get(f"/t/{SLUG}/roster_rota/edit/{office['rota']}")
    assert page.status_code == 200
    assert page.text.count("Anna Zhao — Sales · Sales rep") == 1
    assert page.text.count("Anna Zhao — Support · Engineer") == 1
    assert len([s for s in statements if "core_department" in s and "core_employee" not in s]) == 1


def test_option_texts_are_escaped_on_the_page(platform: Platform, office: dict) -> None:
    ben = signed_in(platform, "ben")
    page = ben.get(f"/t/{SLUG}/oa_leave_request/add").text
    assert selected(page, "employee") == f"{office['staff']['ben']}: Ben Bold — Sales · &lt;b&gt;Lead&lt;/b&gt;"
    assert "<b>Lead</b>" not in page
    admin = signed_in(platform, "admin")
    assert texts(admin, "oa_leave_request", "employee", "ben") == ["Ben Bold — Sales · <b>Lead</b>"]  # JSON: text


def test_a_field_hidden_from_the_user_is_not_described(platform: Platform, office: dict) -> None:
    sam = signed_in(platform, "sam")
    assert texts(sam, "roster_assignment", "employee", "anna") == ["Anna Zhao — Sales", "Anna Zhao — Support"]
    page = sam.get(f"/t/{SLUG}/roster_assignment/add").text
    assert selected(page, "employee") == f"{office['staff']['sam']}: Sam Lee — Support"  # defaulted, not described


def test_described_choices_read_in_the_readers_language(platform: Platform, office: dict) -> None:
    sam = signed_in(platform, "sam")
    assert texts(sam, "roster_assignment", "shift", "front") == [
        "Front desk — Night · Sales",
        "Front desk — Day · Support",
    ]
    sam.get(f"/t/{SLUG}/lang/zh")
    assert texts(sam, "roster_assignment", "shift", "front") == [
        "Front desk（夜班 · Sales）",
        "Front desk（白班 · Support）",
    ]


# -- definitions ----------------------------------------------------------------------------------------------------
SHOP = """\
kind: Pack
name: shop
version: 1.0.0
label: {en: Shop, zh: 商店}
requires: {core: ">=0.1.0"}
---
kind: Entity
name: product
label: {en: Product, zh: 产品}
title_field: name
describe: [code, colour, notes, secret, active, code]
fields:
  - {name: name, type: string}
  - {name: code, type: string}
  - {name: notes, type: text}
  - {name: secret, type: string, hidden: true}
  - {name: active, type: boolean}
  - name: buyer
    type: reference
    target: core.employee
    default: {expr: user.employe}
"""


def shop_errors(tmp_path: Path) -> list[str]:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "pack.yaml").write_text(textwrap.dedent(SHOP), encoding="utf-8")
    _, errors = load_catalog([builtin_definitions(), folder])
    return [str(error) for error in errors]


def test_a_bad_describe_field_is_a_definition_error_naming_file_and_line(tmp_path: Path) -> None:
    where = f"{tmp_path / 'shop' / 'pack.yaml'}:11 at describe"
    errors = shop_errors(tmp_path)
    for message in (
        f"{where}[1]: describe: 'colour' is not a field of shop.product",
        f"{where}[2]: describe: a text field cannot describe a record where it is picked",
        f"{where}[3]: describe: 'secret' is hidden, so pickers may not show it",
        f"{where}[4]: describe: a boolean field cannot describe a record where it is picked",
        f"{where}[5]: describe: 'code' is named twice",
    ):
        assert message in errors
    assert not any("describe[0]" in error for error in errors)


def test_a_misspelt_user_name_in_a_default_is_a_definition_error(tmp_path: Path) -> None:
    found = f"{tmp_path / 'shop' / 'pack.yaml'}:21 at fields[5].default.expr: user has no field 'employe'"
    assert f"{found} (did you mean 'employee'?)" in shop_errors(tmp_path)


def test_the_core_employee_is_described_and_the_oa_requests_default_to_the_user() -> None:
    catalog, errors = load_catalog([builtin_definitions()])
    assert errors == []
    assert catalog.entities["core.employee"].describe == ("department", "job_title")
    for table, field in DEFAULTED:
        entity = next(e for e in catalog.entities.values() if e.table == table)
        assert entity.declared_field(field).default == {"expr": "user.employee"}


def test_the_expression_user_carries_the_employee_id() -> None:
    found = compile_expression("user.employee", {"user": USER}, expect="integer")
    assert found.evaluate({}, user={"employee": 7}) == 7
    assert found.evaluate({}, user=None) is None  # a background job: no user, no employee
