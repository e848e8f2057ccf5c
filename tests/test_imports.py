"""Import of CSV/XLSX files into entities (screens, REST API, CLI), the template, export rights, the department tree."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from werkzeug.test import Client

from conftest import PASSWORD, Platform, catalog_with_pack, csrf_token, jwt, login
from formwork import create_app
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.directory import Directory
from formwork.tenancy.provision import create_tenant
from formwork.tenancy.registry import find_tenant

SLUG = "imports"
API = f"/t/{SLUG}/api/v1"
DEPARTMENTS = "name,code,parent\nHead office,HO,\nSales,S,HO\nSales North,SN,Sales\nFinance,F,HO\n"
EMPLOYEES = (
    "Name;Login user;Department;Manager;Job title;Hire date;Active\n"
    "Dora;dora;S;;Head of sales;2020-01-15;yes\n"
    "Mike;mike;Sales North;Dora;Rep;2021/03/01;是\n"
    "Erin;erin;SN;Mike;Rep;2022-06-30;no\n"
)
HEADS = "code,head\nS,Dora\n"


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, table: str, name: str, data: bytes | str, headers: dict[str, str], **query: str):
    body = data.encode() if isinstance(data, str) else data
    url = f"{API}/{table}/import" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, data={"file": (io.BytesIO(body), name)}, headers=headers)


@pytest.fixture(scope="module")
def site(platform: Platform):
    """A core tenant; `clerk` may only list and read employees (no import, no export, no create)."""
    tenant = platform.tenant(SLUG, packs=["core"])
    app = build_tenant_app(
        platform.settings, find_tenant(platform.settings.database_url, tenant.slug), platform.catalog
    )
    with app.app_context():
        sm = app.appbuilder.sm
        reader = sm.add_role("Reader")
        for permission, view in [
            ("can_list", "CoreEmployeeView"),
            ("can_show", "CoreEmployeeView"),
            ("can_get", "CoreEmployeeApi"),
            ("menu_access", "Employees"),
        ]:
            found = sm.find_permission_view_menu(permission, view)
            if found is not None:
                sm.add_permission_role(reader, found)
        sm.add_user("clerk", "Clerk", "Test", "clerk@example.com", [reader], password=PASSWORD)
    return app.extensions["formwork"]


@pytest.fixture(scope="module")
def organization(platform: Platform, site) -> dict[str, Any]:
    """The departments and employees the tests read, imported into the core tenant once, before the first test that
    asks: the departments by code (the seeded head office is updated), then employees naming their department and
    manager by name or by code, then the heads of the departments. The import's answers, by file."""
    client = platform.client()
    headers = jwt(client, SLUG)
    return {
        name: upload(client, table, name, body, headers, **query)
        for table, name, body, query in (
            ("core_department", "departments.csv", DEPARTMENTS, {"match_on": "code"}),
            ("core_employee", "people.csv", EMPLOYEES, {}),
            ("core_department", "heads.csv", HEADS, {"match_on": "code"}),
        )
    }


def count(runtime, entity: str) -> int:
    session = runtime.session()
    try:
        return session.scalar(sa.select(sa.func.count()).select_from(runtime.compiled.model(entity)))
    finally:
        runtime.session.remove()


def one(runtime, entity: str, **where: object):
    session = runtime.session()
    model = runtime.compiled.model(entity)
    found = session.scalars(sa.select(model).filter_by(**where)).one()
    return found


def test_departments_then_employees_by_name_and_code(site, organization) -> None:
    answer = organization["departments.csv"]
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 3 and answer.json["updated"] == 1  # the seeded head office is updated
    answer = organization["people.csv"]
    assert answer.status_code == 200, answer.json
    assert answer.json["created"] == 3
    session = site.session()
    try:
        erin = one(site, "core.employee", login="erin")
        assert erin.department.code == "SN" and erin.manager.login == "mike" and erin.active is False
        assert erin.hire_date == date(2022, 6, 30) and erin.created_by is not None
        directory = Directory(session, site.compiled)
        assert directory.employee_by_id(directory.employee("mike").manager_id).login == "dora"
    finally:
        site.session.remove()
    answer = organization["heads.csv"]
    assert answer.status_code == 200 and answer.json["updated"] == 1, answer.json
    try:
        assert one(site, "core.department", code="S").head.login == "dora"
    finally:
        site.session.remove()


def test_xlsx_with_chinese_headers_and_excel_dates(platform: Platform, site, organization) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    data = xlsx(
        [
            ["姓名", "登录账号", "部门", "入职日期", "在职"],
            ["Fiona", "fiona", "Finance", datetime(2023, 2, 1), "否"],
            ["Fred", "fred", "F", 45000, True],
        ]
    )
    answer = upload(client, "core_employee", "people.xlsx", data, headers)
    assert answer.status_code == 200, answer.json
    try:
        fred = one(site, "core.employee", login="fred")
        assert fred.department.code == "F" and fred.hire_date == date(2023, 3, 15) and fred.active is True
        assert one(site, "core.employee", login="fiona").hire_date == date(2023, 2, 1)
    finally:
        site.session.remove()


def test_wrong_types_and_a_missing_required_column_are_all_reported_and_nothing_is_written(
    platform: Platform, site, organization
) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    before = count(site, "core.employee")
    bad = "Login user,Hire date,Active,Department,Shoe size\nann,31/31/2020,maybe,Nowhere,42\nbob,2020-01-01,yes,S,41\n"
    for dry in ("1", "0"):
        answer = upload(client, "core_employee", "bad.csv", bad, headers, dry_run=dry)
        assert answer.status_code == 400
        errors = {(e["row"], e["column"]) for e in answer.json["errors"]}
        assert errors == {(1, "Name"), (2, "Hire date"), (2, "Active"), (2, "Department")}, answer.json
        assert [c["column"] for c in answer.json["ignored_columns"]] == ["Shoe size"]
    assert count(site, "core.employee") == before


def test_one_bad_row_writes_nothing(platform: Platform, site) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    before = count(site, "core.employee")
    rows = "name,login,email\nGina,gina,gina@example.com\nHal,hal,not-an-address\nIvy,gina,ivy@example.com\n"
    answer = upload(client, "core_employee", "people.csv", rows, headers)
    assert answer.status_code == 400
    found = {(e["row"], e["column"]) for e in answer.json["errors"]}
    assert found == {(3, "email"), (4, "login")}, answer.json  # a login repeated in the file is caught too
    assert count(site, "core.employee") == before


def test_dry_run_reports_counts_and_writes_nothing(platform: Platform, site) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    before = count(site, "core.employee")
    answer = upload(client, "core_employee", "people.csv", "name,login\nJay,jay\n", headers, dry_run="1")
    assert answer.status_code == 200 and answer.json["created"] == 1 and answer.json["applied"] is False
    assert count(site, "core.employee") == before


def test_update_matching_on_a_unique_field(platform: Platform, site, organization) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    before = count(site, "core.employee")
    answer = upload(
        client, "core_employee", "titles.csv", "login,job_title\nmike,Sales lead\nkim,\n", headers, match_on="login"
    )
    assert answer.status_code == 400  # kim matches nobody, and a new employee needs a name
    assert {(e["row"], e["column"]) for e in answer.json["errors"]} == {(3, "Name")}
    answer = upload(
        client, "core_employee", "titles.csv", "login,job_title\nmike,Sales lead\n", headers, match_on="login"
    )
    assert answer.status_code == 200 and answer.json == {
        "created": 0,
        "updated": 1,
        "applied": True,
        "ignored_columns": [],
    }
    try:
        assert one(site, "core.employee", login="mike").job_title == "Sales lead"
    finally:
        site.session.remove()
    assert count(site, "core.employee") == before
    answer = upload(client, "core_employee", "titles.csv", "name,job_title\nMike,x\n", headers, match_on="name")
    assert answer.status_code == 400 and "match_on" in answer.json["message"]


def test_template_download(platform: Platform, site) -> None:
    client = platform.client()
    answer = client.get(f"{API}/core_employee/import/template", headers=jwt(client, SLUG))
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    first, guide = book.worksheets
    assert [c.value for c in first[1]][:3] == ["Name *", "Login user", "E-mail"]
    assert guide["B2"].value == "name" and guide["C2"].value == "yes"
    browser = platform.client()
    login(browser, SLUG)
    browser.get(f"/t/{SLUG}/lang/zh")
    page = browser.get(f"/t/{SLUG}/core_employee/import/template")
    assert page.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(page.data)).worksheets[0][1]][:2] == ["姓名 *", "登录账号"]


def test_import_and_export_without_the_right_are_refused(platform: Platform, site) -> None:
    client = platform.client()
    headers = jwt(client, SLUG, "clerk")
    assert upload(client, "core_employee", "people.csv", "name\nZed\n", headers).status_code == 403
    assert client.get(f"{API}/core_employee/import/template", headers=headers).status_code == 403
    assert client.get(f"{API}/core_employee/export?format=csv", headers=headers).status_code == 403
    browser = platform.client()
    login(browser, SLUG, "clerk")
    page = browser.get(f"/t/{SLUG}/core_employee/list/")
    assert page.status_code == 200 and "fw-import" not in page.text and "fw-export" not in page.text
    assert browser.get(f"/t/{SLUG}/core_employee/import/").status_code == 403
    assert browser.get(f"/t/{SLUG}/core_employee/view/employee/export/csv").status_code == 403


def test_export_through_the_api(platform: Platform, site, organization) -> None:
    client = platform.client()
    answer = client.get(f"{API}/core_employee/export?format=csv", headers=jwt(client, SLUG))
    assert answer.status_code == 200
    lines = answer.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Name,Department") and any(line.startswith("Erin,Sales North") for line in lines)
    assert client.get(f"{API}/core_employee/export?format=pdf", headers=jwt(client, SLUG)).status_code == 400
    spec = client.get(f"{API}/_openapi", headers=jwt(client, SLUG))
    assert spec.status_code == 200 and "/api/v1/core_employee/import" in spec.json["paths"]


def test_the_import_screens_upload_check_and_apply(platform: Platform, site) -> None:
    browser = platform.client()
    login(browser, SLUG)
    page = browser.get(f"/t/{SLUG}/core_employee/list/")
    assert "fw-import" in page.text
    form = browser.get(f"/t/{SLUG}/core_employee/import/")
    assert form.status_code == 200 and "Download template" in form.text
    token = csrf_token(form.text)
    sent = browser.post(
        f"/t/{SLUG}/core_employee/import/",
        data={
            "csrf_token": token,
            "match_on": "",
            "file": (io.BytesIO("Full name,login\nKate,kate\nLeo,<b>leo</b>\n".encode()), "p.csv"),
        },
    )
    assert sent.status_code == 302
    preview = browser.get(sent.headers["Location"])
    assert preview.status_code == 200 and "&lt;b&gt;leo&lt;/b&gt;" in preview.text and "<b>leo" not in preview.text
    assert "Full name" in preview.text  # not matched: chosen by hand below
    mapping = {"csrf_token": csrf_token(preview.text), "column-0": "name", "column-1": "login", "match_on": ""}
    checked = browser.post(f"/t/{SLUG}/core_employee/import/preview/", data={**mapping, "check": ""})
    assert "fw-import-ready" in checked.text and "fw-import-apply" in checked.text
    assert count(site, "core.employee") == count(site, "core.employee")  # the dry run left nothing
    done = browser.post(f"/t/{SLUG}/core_employee/import/preview/", data={**mapping, "apply": "1"})
    assert done.status_code == 302
    try:
        assert one(site, "core.employee", login="kate").name == "Kate"
    finally:
        site.session.remove()
    again = browser.get(f"/t/{SLUG}/core_employee/import/preview/")
    assert again.status_code == 302  # the kept file is gone after the import


def _kept_for_preview(browser, rows: str):
    """Upload `rows` on the import screen; the preview page's CSRF token and mapping form values."""
    form = browser.get(f"/t/{SLUG}/core_employee/import/")
    sent = browser.post(
        f"/t/{SLUG}/core_employee/import/",
        data={"csrf_token": csrf_token(form.text), "match_on": "", "file": (io.BytesIO(rows.encode()), "big.csv")},
    )
    preview = browser.get(sent.headers["Location"])
    return {"csrf_token": csrf_token(preview.text), "column-0": "name", "column-1": "login", "match_on": ""}


def _streamed(browser, data: dict[str, str]) -> list[str]:
    answer = browser.post(f"/t/{SLUG}/core_employee/import/preview/", data=data, buffered=False)
    try:
        assert answer.status_code == 200 and answer.mimetype == "text/html"
        return [chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in answer.response]
    finally:
        answer.close()


def test_a_large_file_streams_progress_on_the_screen(platform: Platform, site) -> None:
    """Above 500 rows the check and the import write a line every 500 rows, then the result; still all-or-nothing."""
    browser = platform.client()
    login(browser, SLUG)
    before = count(site, "core.employee")
    rows = "name,login\n" + "".join(f"Bulk {i},bulk{i}\n" for i in range(1200))
    mapping = _kept_for_preview(browser, rows)
    checked = _streamed(browser, {**mapping, "check": ""})
    page = "".join(checked)
    steps = [chunk for chunk in checked if "fw-import-step" in chunk]
    assert [s.split("</progress> ")[1].strip().removesuffix("</p>") for s in steps] == [
        "500 of 1200 rows checked",
        "1000 of 1200 rows checked",
        "1200 of 1200 rows checked",
    ]  # each its own chunk
    assert page.index("500 of 1200") < page.index("1000 of 1200") < page.index("fw-import-ready")
    assert (
        "fw-import-apply" in page
        and "csrf_token" in page
        and "navbar" in checked[0]
        and "</html>" in checked[-1].lower()
    )
    assert count(site, "core.employee") == before  # the dry run left nothing
    done = "".join(_streamed(browser, {**mapping, "apply": "1"}))
    assert done.index("1000 of 1200") < done.index("Imported: 1200 record(s) created, 0 updated.")
    assert "fw-import-done" in done and "fw-import-apply" not in done
    assert count(site, "core.employee") == before + 1200
    assert browser.get(f"/t/{SLUG}/core_employee/import/preview/").status_code == 302  # the kept file is gone

    bad = "name,login\n" + "".join(f"Late {i},late{i}\n" for i in range(1199)) + "Last,late0\n"  # a repeated login
    mapping = _kept_for_preview(browser, bad)
    refused = "".join(_streamed(browser, {**mapping, "apply": "1"}))
    assert refused.index("1000 of 1200") < refused.index("fw-import-errors") < refused.index("fw-import-error-table")
    assert "<td>1201</td>" in refused and "fw-import-done" not in refused
    assert count(site, "core.employee") == before + 1200  # nothing of the bad file was written
    mapping = _kept_for_preview(browser, "name,login\n" + "".join(f"Gone {i},gone{i}\n" for i in range(1200)))
    left = browser.post(f"/t/{SLUG}/core_employee/import/preview/", data={**mapping, "apply": "1"}, buffered=False)
    chunks = iter(left.response)
    assert "500 of 1200" in "".join(str(next(chunks)) for _ in range(2))
    left.close()  # the browser went away halfway: rolled back
    assert count(site, "core.employee") == before + 1200
    small = _kept_for_preview(browser, "name,login\nNoa,noa\n")
    assert (
        "fw-import-step"
        not in browser.post(f"/t/{SLUG}/core_employee/import/preview/", data={**small, "check": ""}).text
    )


def test_mapping_sent_to_the_api(platform: Platform, site) -> None:
    client = platform.client()
    body = {
        "file": (io.BytesIO(b"Who,Sign-in\nMia,mia\n"), "m.csv"),
        "mapping": json.dumps({"Who": "name", "Sign-in": "login"}),
    }
    answer = client.post(f"{API}/core_employee/import", data=body, headers=jwt(client, SLUG))
    assert answer.status_code == 200 and answer.json["created"] == 1, answer.json


def test_cli_import_with_dry_run(platform: Platform, site, organization, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from formwork.cli import main

    monkeypatch.setenv("FORMWORK_INSTANCE", str(platform.settings.instance))
    monkeypatch.setenv("FORMWORK_DATABASE_URL", platform.settings.database_url)
    monkeypatch.setenv("FORMWORK_SECRET_KEY", platform.settings.secret_key)
    people = tmp_path / "people.csv"
    people.write_text("name,login,department\nNed,ned,Finance\nOla,ola,F\n", encoding="utf-8-sig")
    before = count(site, "core.employee")
    runner = CliRunner()
    result = runner.invoke(main, ["tenant", "import", SLUG, "core.employee", str(people), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run: 2 would be created, 0 updated" in result.output and "2/2 rows checked" in result.output
    assert count(site, "core.employee") == before
    result = runner.invoke(main, ["tenant", "import", SLUG, "employee", str(people)])
    assert result.exit_code == 0 and "2 created, 0 updated" in result.output, result.output
    assert count(site, "core.employee") == before + 2
    result = runner.invoke(main, ["tenant", "import", SLUG, "employee", str(people)])  # the logins are taken now
    assert result.exit_code == 1 and "row 2, login:" in result.output and "nothing was imported" in result.output
    result = runner.invoke(main, ["tenant", "import", SLUG, "employee", str(people), "--user", "clerk"])
    assert result.exit_code == 1 and "may not import" in result.output


def test_department_tree(platform: Platform, site, organization) -> None:
    browser = platform.client()
    login(browser, SLUG)
    page = browser.get(f"/t/{SLUG}/organization/departments/")
    assert page.status_code == 200 and "Department tree" in page.text
    rows = page.text.split('data-department="')[1:]
    depth = {
        row.split("<a", 1)[1].split(">", 1)[1].split("<", 1)[0]: row.split('data-depth="', 1)[1][0] for row in rows
    }
    assert depth["Head office"] == "0" and depth["Sales"] == "1" and depth["Sales North"] == "2"
    sales = next(row for row in rows if ">Sales</a>" in row)
    assert (
        "Dora" in sales
        and '<td class="text-right fw-employees">1</td>' in sales
        and '<td class="text-right fw-total">3</td>' in sales
    )
    clerk = platform.client()
    login(clerk, SLUG, "clerk")
    assert clerk.get(f"/t/{SLUG}/organization/departments/").status_code == 403


def test_every_field_type_converts_like_the_api(platform: Platform, site) -> None:
    from datetime import time
    from decimal import Decimal

    platform.tenant("imports-lab", packs=["core", "lab"])
    client = platform.client()
    headers = jwt(client, "imports-lab")
    url = "/t/imports-lab/api/v1"
    people = client.post(
        f"{url}/core_employee/import", data={"file": (io.BytesIO(b"name\nAnn\nBob\n"), "p.csv")}, headers=headers
    )
    assert people.status_code == 200, people.json
    good = [
        "AB-001",
        3,
        "1.25",
        "¥1,200.50",
        "12.5%",
        "是",
        45000,
        datetime(2024, 3, 31, 14, 30),
        time(9, 15),
        "红",
        "A, b",
        "x@example.com",
        13800000000.0,
        "https://example.com",
        "Ann",
        "Ann, Bob",
        "admin",
        '{"k": 1}',
        4,
        "S-9",
        "P-1",
    ]
    bad = [
        "bad",
        "3.5",
        "abc",
        "1",
        "1",
        "maybe",
        "yesterday",
        "soon",
        "25:00",
        "green",
        "A, z",
        "nope",
        "x",
        "",
        "Carl",
        "Ann, Zoe",
        "nobody",
        "{bad",
        9,
        "",
        "",
    ]
    head = [
        "Code",
        "Count",
        "weight",
        "Price",
        "Share",
        "Active",
        "Day",
        "Moment",
        "At",
        "Colour",
        "Flags",
        "Mail",
        "Phone",
        "Site",
        "Owner",
        "Team",
        "Assignee",
        "Extra",
        "Stars",
        "Serial",
        "Number",
    ]
    sheet = xlsx([head, good, bad])
    answer = client.post(f"{url}/lab_specimen/import", data={"file": (io.BytesIO(sheet), "s.xlsx")}, headers=headers)
    assert answer.status_code == 400
    assert {c["column"] for c in answer.json["ignored_columns"]} == {"Serial", "Number"}
    assert {e["row"] for e in answer.json["errors"]} == {3}, answer.json
    assert {e["column"] for e in answer.json["errors"]} == {
        "Code",
        "Count",
        "weight",
        "Active",
        "Day",
        "Moment",
        "At",
        "Colour",
        "Flags",
        "Mail",
        "Phone",
        "Owner",
        "Team",
        "Assignee",
        "Extra",
        "Stars",
    }, answer.json
    answer = client.post(
        f"{url}/lab_specimen/import", data={"file": (io.BytesIO(xlsx([head, good])), "s.xlsx")}, headers=headers
    )
    assert answer.status_code == 200, answer.json
    stored = client.get(f"{url}/lab_specimen/?q=(filters:!((col:code,opr:eq,value:AB-001)))", headers=headers).json[
        "result"
    ][0]
    assert (
        stored["count"] == 3
        and Decimal(stored["weight"]) == Decimal("1.25")
        and Decimal(stored["price"]) == Decimal("1200.50")
    )
    assert (
        stored["active"] is True and stored["day"] == "2023-03-15" and stored["moment"].startswith("2024-03-31T14:30")
    )
    assert stored["at"].startswith("09:15") and stored["colour"] == "red" and stored["flags"] == ["a", "b"]
    assert stored["phone"] == "13800000000" and stored["owner"]["name"] == "Ann" and len(stored["team"]) == 2
    assert stored["assignee"]["username"] == "admin" and stored["extra"] == {"k": 1} and stored["stars"] == 4
    assert stored["serial"] == "S-0" and stored["number"].startswith(
        "SP-"
    )  # read-only default and auto number as on save
    samples = client.post(
        f"{url}/lab_sample/import",
        headers=headers,
        data={"file": (io.BytesIO("label,specimen\nfirst,AB-001\n".encode()), "s.csv")},
    )
    assert samples.status_code == 200, samples.json
    listed = client.get(f"{url}/lab_sample/", headers=headers).json["result"]
    assert listed[0]["tagline"] == "first of AB-001"  # the formula, computed as on save


def test_unreadable_and_oversized_files_are_refused_with_a_message(platform: Platform, site, monkeypatch) -> None:
    from formwork.imports import reading

    client = platform.client()
    headers = jwt(client, SLUG)
    answer = upload(client, "core_employee", "people.pdf", "%PDF-1.4", headers)
    assert answer.status_code == 400 and "csv" in answer.json["message"]["file"][0]
    answer = upload(client, "core_employee", "people.xlsx", "name\nAnn\n", headers)
    assert answer.status_code == 400 and "file" in answer.json["message"]
    answer = upload(client, "core_employee", "people.csv", "", headers)
    assert answer.status_code == 400 and "header" in answer.json["message"]["file"][0]
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    answer = upload(client, "core_employee", "people.csv", "name\nA\nB\nC\n", headers)
    assert answer.status_code == 400 and "more than 2 rows" in answer.json["message"]["file"][0]
    answer = upload(
        client, "core_employee", "people.csv", "名称;登录账号\n张三;zhangsan\n".encode("gb18030"), headers, dry_run="1"
    )
    assert answer.status_code == 400 and answer.json["ignored_columns"][0]["column"] == "名称"  # read, mapped by label


HR_PACK = """\
kind: Pack
name: hrx
version: 1.0.0
requires: {core: ">=0.1.0"}
---
kind: Role
name: hr_clerk
label: {en: HR clerk, zh: 人事专员}
rights:
  core.employee: [read, create, edit, import, export]
  core.department: [read]
records:
  core.employee: {filter: {field: active, op: "=", value: true}}
fields:
  core.employee: {hidden: [phone]}
"""


def test_record_rules_and_field_rights_apply_to_import_and_export(platform: Platform, tmp_path) -> None:
    catalog = catalog_with_pack(tmp_path / "hrx", HR_PACK)
    tenant = create_tenant(platform.settings, catalog, "imports-hr", "HR", ["core", "hrx"], "admin", PASSWORD)
    app = build_tenant_app(platform.settings, tenant, catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("hanna", "Hanna", "Test", "hanna@example.com", [sm.find_role("hr_clerk")], password=PASSWORD)
    runtime = app.extensions["formwork"]
    session = runtime.session()
    employee = runtime.compiled.model("core.employee")
    session.add_all(
        [
            employee(name="Olga", login="olga", active=False, phone="123"),
            employee(name="Pia", login="pia", active=True, phone="456"),
        ]
    )
    session.commit()
    runtime.session.remove()
    client = Client(create_app(platform.settings, catalog))
    headers = jwt(client, "imports-hr", "hanna")
    url = "/t/imports-hr/api/v1/core_employee"
    exported = client.get(f"{url}/export?format=csv", headers=headers)
    assert exported.status_code == 200
    assert (
        "Pia" in exported.text
        and "Olga" not in exported.text
        and "Phone" not in exported.text
        and "456" not in exported.text
    )
    body = "login,name,job_title,phone\nolga,Olga,Boss,999\npia,Pia,Clerk,999\n"
    answer = client.post(
        f"{url}/import?match_on=login", data={"file": (io.BytesIO(body.encode()), "e.csv")}, headers=headers
    )
    assert answer.status_code == 400  # olga is not visible: the row would create a second olga
    assert [(e["row"], e["column"]) for e in answer.json["errors"]] == [(2, "login")]
    assert [c["column"] for c in answer.json["ignored_columns"]] == ["phone"]
    body = "login,name,job_title,phone\npia,Pia,Clerk,999\n"
    answer = client.post(
        f"{url}/import?match_on=login", data={"file": (io.BytesIO(body.encode()), "e.csv")}, headers=headers
    )
    assert answer.status_code == 200 and answer.json["updated"] == 1, answer.json
    session = runtime.session()
    try:
        pia = session.scalars(sa.select(employee).filter_by(login="pia")).one()
        assert pia.job_title == "Clerk" and pia.phone == "456"  # the hidden field kept its value
        assert session.scalars(sa.select(employee).filter_by(login="olga")).one().job_title is None
    finally:
        runtime.session.remove()


def test_a_file_with_too_many_columns_or_cells_is_refused_and_writes_nothing(
    platform: Platform, site, monkeypatch
) -> None:
    from formwork.imports import reading

    client = platform.client()
    headers = jwt(client, SLUG)
    before = count(site, "core.employee")
    wide = "name," + ",".join(f"c{i}" for i in range(5_000)) + "\nWide,x\n" * 300
    answer = upload(client, "core_employee", "wide.csv", wide, headers)
    assert answer.status_code == 400 and "more than 300 columns" in answer.json["message"]["file"][0], answer.json
    monkeypatch.setattr(reading, "MAX_CELLS", 5)
    answer = upload(client, "core_employee", "cells.csv", "name,login\nA,a\nB,b\nC,c\n", headers)
    assert answer.status_code == 400 and "more than 5 cells" in answer.json["message"]["file"][0], answer.json
    assert count(site, "core.employee") == before
    monkeypatch.undo()
    answer = upload(client, "core_employee", "short.csv", "name,login,job_title\nQuin\n", headers, dry_run="1")
    assert answer.status_code == 200 and answer.json["created"] == 1, answer.json  # a short row reads as blank cells


def zip_bomb_xlsx() -> bytes:
    """A real xlsx whose sheet XML is padded with 4 MB of spaces: a few KB once compressed."""
    import zipfile

    packed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["name"], ["Bomb"]]))) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content += b" " * (4 * 1024 * 1024)
            target.writestr(entry.filename, content)
    return packed.getvalue()


def test_an_xlsx_that_unpacks_far_beyond_its_size_is_refused(platform: Platform, site) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    bomb = zip_bomb_xlsx()
    assert len(bomb) < 200_000
    before = count(site, "core.employee")
    answer = upload(client, "core_employee", "bomb.xlsx", bomb, headers)
    assert answer.status_code == 400 and "packed far tighter" in answer.json["message"]["file"][0], answer.json
    assert count(site, "core.employee") == before
    browser = platform.client()
    login(browser, SLUG)
    form = browser.get(f"/t/{SLUG}/core_employee/import/")
    sent = browser.post(
        f"/t/{SLUG}/core_employee/import/",
        data={"csrf_token": csrf_token(form.text), "match_on": "", "file": (io.BytesIO(bomb), "bomb.xlsx")},
    )
    assert sent.status_code == 200 and "packed far tighter" in sent.text  # the screen says why, and keeps nothing


@pytest.mark.parametrize("bad", ["99999999999999999999", "\u00b2"])
def test_ids_out_of_range_or_not_ascii_are_row_errors(platform: Platform, site, bad: str) -> None:
    client = platform.client()
    headers = jwt(client, SLUG)
    answer = upload(client, "core_employee", "ids.csv", f"id,name\n{bad},X\n", headers, match_on="id", dry_run="1")
    assert answer.status_code == 400, answer.text
    expected = "No record with id" if bad.isascii() else "Not an id"
    assert [(e["row"], e["column"]) for e in answer.json["errors"]] == [(2, "id")]
    assert expected in answer.json["errors"][0]["message"]
    answer = upload(client, "core_employee", "refs.csv", f"name,department\nX,{bad}\n", headers, dry_run="1")
    assert answer.status_code == 400, answer.text
    assert [(e["row"], e["column"]) for e in answer.json["errors"]] == [(2, "department")]
    assert bad in answer.json["errors"][0]["message"]


def test_a_user_cell_out_of_range_is_a_row_error(platform: Platform, site) -> None:
    platform.tenant("imports-users", packs=["core", "lab"])
    client = platform.client()
    headers = jwt(client, "imports-users")
    for bad in ("99999999999999999999", "\u00b2"):
        body = f"Code,Assignee\nAB-001,{bad}\n".encode()
        answer = client.post(
            "/t/imports-users/api/v1/lab_specimen/import?dry_run=1",
            headers=headers,
            data={"file": (io.BytesIO(body), "s.csv")},
        )
        assert answer.status_code == 400, answer.text
        assert [(e["row"], e["column"]) for e in answer.json["errors"]] == [(2, "Assignee")], answer.json


def keep_upload(platform: Platform, body: bytes):
    """A browser of the admin that uploaded `body` on the import screen (the file is kept for the preview)."""
    browser = platform.client()
    login(browser, SLUG)
    form = browser.get(f"/t/{SLUG}/core_employee/import/")
    sent = browser.post(
        f"/t/{SLUG}/core_employee/import/",
        data={"csrf_token": csrf_token(form.text), "match_on": "", "file": (io.BytesIO(body), "left.csv")},
    )
    assert sent.status_code == 302
    return browser


def test_kept_import_files_older_than_an_hour_are_swept(platform: Platform, site) -> None:
    from datetime import timedelta

    from formwork.compile.models import utcnow
    from formwork.imports.kept import MAX_AGE
    from formwork.imports.tables import KEPT_IMPORTS

    store = build_tenant_app(
        platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog
    ).extensions["formwork_files"]

    def kept() -> list[str]:
        try:
            return list(site.session().scalars(sa.select(KEPT_IMPORTS.c.key).order_by(KEPT_IMPORTS.c.saved_at)))
        finally:
            site.session.remove()

    site.in_transaction(lambda s: s.execute(KEPT_IMPORTS.delete()))
    left = keep_upload(platform, b"name\nLeft\n")
    [old] = kept()
    keep_upload(platform, b"name\nFresh\n")  # another import while the first is fresh: both stay
    assert len(kept()) == 2 and store.exists(old)
    site.in_transaction(
        lambda s: s.execute(
            KEPT_IMPORTS.update()
            .where(KEPT_IMPORTS.c.key == old)
            .values(saved_at=utcnow() - MAX_AGE - timedelta(minutes=1))
        )
    )
    keep_upload(platform, b"name\nNext\n")  # anyone starting an import sweeps the stale file
    assert old not in kept() and len(kept()) == 2 and not store.exists(old)
    assert left.get(f"/t/{SLUG}/core_employee/import/preview/").status_code == 302  # "upload it again"
