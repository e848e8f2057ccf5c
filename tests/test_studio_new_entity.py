"""A new entity of the tenant's own made in the Studio: from the blank form (name, labels, title field) or from a
spreadsheet (fields guessed from the columns, reviewed, the file kept for the import); drafted, published into a
table with screens and an API, the spreadsheet's rows then imported through the entity's own import screens."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text
from formwork.studio.spreadsheet_fields import field_document, field_name, infer_fields, infer_type
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-new-entity"
STUDIO = f"/t/{SLUG}/studio"
NEW = f"{STUDIO}/new-entity/"
UPLOAD = f"{STUDIO}/new-entity/spreadsheet"
CONTACTS = (
    "Name,Email,Visits,Score,Since,Active,Level,客户编号\n"
    "Ann,ann@example.com,3,4.5,2024-01-02,yes,gold,A1\n"
    "Bob,bob@example.com,5,3.25,2024-02-03,no,silver,A2\n"
    "Cai,cai@example.com,1,2,2024-03-04,yes,gold,A3\n"
    "Dee,,2,1.75,2024-04-05,no,gold,A4\n"
)


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa; rita (a sales rep) is no admin."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    return platform


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def new_entity(client: Client, **form: str) -> Any:
    token = csrf_token(client.get(NEW).text)
    values = {"field_name": "title", "field_type": "string", "field_label_en": "Title", "required": "on"}
    return client.post(NEW, data={**values, **form, "csrf_token": token})


def upload(client: Client, name: str, content: str, filename: str = "contacts.csv") -> Any:
    token = csrf_token(client.get(UPLOAD).text)
    data = {"csrf_token": token, "name": name, "file": (io.BytesIO(content.encode()), filename)}
    return client.post(UPLOAD, data=data, content_type="multipart/form-data")


def table_columns(platform: Platform, table: str) -> set[str]:
    engine = tenant_engine(platform.settings, find_tenant(platform.settings.database_url, SLUG))
    inspector = sa.inspect(engine)
    return {c["name"] for c in inspector.get_columns(table)} if inspector.has_table(table) else set()


def publish(client: Client, entity: str) -> Any:
    page = client.get(f"{STUDIO}/{entity}/")
    edits = re.search(r'name="edits" value="(\d+)"', page.text)
    assert edits, page_text(page)
    data = {"csrf_token": csrf_token(page.text), "edits": edits.group(1)}
    return client.post(f"{STUDIO}/{entity}/publish", data=data)


# -- the fields a spreadsheet's columns give -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["yes", "no", "是"], "boolean"),
        ([True, False], "boolean"),
        (["3", "-12", "1,200"], "integer"),
        ([4.0, 7], "integer"),
        (["4.5", "3.25", "2"], "decimal"),
        (["2024-01-02", "2024/3/4", "2024年5月6日"], "date"),
        ([datetime(2024, 1, 2)], "date"),
        (["2024-01-02 10:30", "2024-01-03"], "datetime"),
        ([datetime(2024, 1, 2, 9, 15)], "datetime"),
        (["ann@example.com", "bob@example.org"], "email"),
        (["https://example.com/a", "http://example.org"], "url"),
        (["+86 21 1234 5678", "021-12345678", "13800000000"], "phone"),
        (["gold", "silver", "gold", "gold"], "choice"),
        (["A long note " * 30], "text"),
        (["Ann", "Bob"], "string"),
        (["0123", "0456"], "string"),
        ([], "string"),
    ],
)
def test_a_column_is_typed_by_the_narrowest_type_its_values_fit(values: list[Any], expected: str) -> None:
    assert infer_type(values)[0] == expected


def test_a_decimal_keeps_the_most_decimals_its_values_have() -> None:
    assert infer_type(["1.5", "2.125", "3"]) == ("decimal", 3)


def test_headers_give_unique_names_and_chinese_ones_a_column_name_and_label() -> None:
    fields = infer_fields(
        ["客户名称", "Name", "name", "ID", "Café Owner", "2024 Sales", ""],
        [["甲", "Ann", "a", "1", "x", "1", "ignored"], ["乙", "", "b", "2", "y", "2", ""]],
    )
    assert [f.name for f in fields] == ["column_1", "name", "name_2", "id_2", "cafe_owner", "column_2024_sales"]
    chinese = fields[0]
    assert (chinese.label_en, chinese.label_zh, chinese.required) == ("客户名称", "客户名称", True)
    assert fields[1].required is False and fields[1].label_zh == ""
    assert field_name("项目", 4) == "column_5"


def test_a_choice_lists_its_values_once_and_a_required_column_says_so() -> None:
    [level] = infer_fields(["Level"], [["gold"], ["Silver"], ["GOLD"], ["silver"]])
    assert field_document(level) == {
        "name": "level",
        "type": "choice",
        "label": {"en": "Level"},
        "required": True,
        "choices": [{"value": "gold"}, {"value": "Silver"}],
    }


# -- the screens -----------------------------------------------------------------------------------------------------
def test_only_admins_reach_the_new_entity_screens(company: Platform) -> None:
    rita = signed_in(company, "rita")
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    for path in (NEW, UPLOAD, f"{UPLOAD}/project/"):
        assert rita.get(path).status_code == 403, path
        assert rita.post(path, data={"csrf_token": token, "name": "sneaky"}).status_code == 403, path
    assert "fw-studio-new-entity" in signed_in(company).get(f"{STUDIO}/").text


@pytest.mark.parametrize("name", ["Project", "2projects", "my-project", ""])
def test_a_bad_name_is_refused_at_its_control_and_drafts_nothing(company: Platform, name: str) -> None:
    admin = signed_in(company)
    answer = new_entity(admin, name=name, label_en="Project")
    assert answer.status_code == 400
    assert control_errors(answer, "name") == [
        "Use lower-case letters, digits and underscores, starting with a letter (at most 40)."
    ]
    assert 'data-entity="x.' not in admin.get(f"{STUDIO}/").text


def test_a_bad_title_field_is_refused_at_its_control(company: Platform) -> None:
    admin = signed_in(company)
    answer = new_entity(admin, name="gadget", field_name="created_at")
    assert answer.status_code == 400
    assert any("standard column" in m for m in control_errors(answer, "field_name")), page_text(answer)
    assert admin.get(f"{STUDIO}/x.gadget/").status_code == 404


def test_a_new_entity_is_drafted_published_and_takes_records(company: Platform) -> None:
    admin = signed_in(company)
    drafted = new_entity(
        admin, name="project", label_en="Project", label_zh="项目", plural_en="Projects", icon="fa-folder"
    )
    assert drafted.status_code == 302 and drafted.headers["Location"].endswith("/studio/x.project/")
    assert 'data-entity="x.project"' in admin.get(f"{STUDIO}/").text
    page = admin.get(f"{STUDIO}/x.project/")
    assert page.status_code == 200 and page.text.count('data-field="title"') == 1 and "fw-studio-plan" in page.text
    taken = new_entity(admin, name="project")
    assert taken.status_code == 400
    assert control_errors(taken, "name") == ["An entity of yours is already called project; choose another name."]

    added = admin.post(
        f"{STUDIO}/x.project/fields",
        data={"csrf_token": csrf_token(page.text), "name": "budget", "type": "decimal", "label_en": "Budget"},
    )
    assert added.status_code == 302, page_text(added)
    assert table_columns(company, "x_project") == set()  # a draft creates no table
    assert publish(admin, "x.project").status_code == 302
    assert {"title", "budget"} <= table_columns(company, "x_project")

    listed = admin.get(f"/t/{SLUG}/x_project/list/")
    assert listed.status_code == 200 and "Projects" in page_text(listed)
    headers = jwt(admin, SLUG)
    refused = admin.post(f"/t/{SLUG}/api/v1/x_project/", json={"budget": 10}, headers=headers)
    assert refused.status_code == 400 and "title" in refused.get_json()["message"]
    made = admin.post(f"/t/{SLUG}/api/v1/x_project/", json={"title": "Rollout", "budget": 1200}, headers=headers)
    assert made.status_code == 201, made.text
    assert "Rollout" in page_text(admin.get(f"/t/{SLUG}/x_project/list/"))
    assert new_entity(admin, name="project").status_code == 400  # published: still taken


def test_an_unreadable_file_is_refused_at_the_file(company: Platform) -> None:
    admin = signed_in(company)
    answer = upload(admin, "notes", "not a sheet", "notes.pdf")
    assert answer.status_code == 400
    assert control_errors(answer, "file") == ["Send a .csv or .xlsx file."]


def test_a_review_error_is_shown_at_its_row_and_drafts_nothing(company: Platform) -> None:
    admin = signed_in(company)
    assert upload(admin, "lead", CONTACTS).status_code == 302
    review = admin.get(f"{UPLOAD}/lead/")
    form = review_form(review.text)
    answer = admin.post(f"{UPLOAD}/lead/", data={**form, "name-1": "Email Address"})
    assert answer.status_code == 400
    assert control_errors(answer, "name-1"), page_text(answer)
    assert admin.get(f"{STUDIO}/x.lead/").status_code == 404


def review_form(page: str) -> dict[str, str]:
    """The review form as the page shows it: its inputs' values, ticked boxes and selected options."""
    form = {"csrf_token": csrf_token(page)}
    for name, value in re.findall(r'<input type="text" name="([^"]+)" class="[^"]*" value="([^"]*)"', page):
        form[name] = html.unescape(value)
    for name in re.findall(r'<input type="checkbox" name="([^"]+)"[^>]* checked>', page):
        form[name] = "on"
    for name, options in re.findall(r'<select (?:id="[^"]*" )?name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', options)
        if selected:
            form[name] = selected.group(1)
    for name in ("label_en", "label_zh", "plural_en", "plural_zh", "icon"):
        found = re.search(rf'name="{name}" class="form-control" value="([^"]*)"', page)
        form[name] = html.unescape(found.group(1)) if found else ""
    return form


def test_a_spreadsheet_becomes_an_entity_whose_rows_are_imported(company: Platform) -> None:
    admin = signed_in(company)
    uploaded = upload(admin, "contact", CONTACTS)
    assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith("/new-entity/spreadsheet/contact/")
    review = admin.get(f"{UPLOAD}/contact/")
    assert review.status_code == 200 and "4 rows" in page_text(review)
    form = review_form(review.text)
    guessed = {form[f"name-{c}"]: form[f"type-{c}"] for c in range(8)}
    assert guessed == {
        "name": "string",
        "email": "email",
        "visits": "integer",
        "score": "decimal",
        "since": "date",
        "active": "boolean",
        "level": "choice",
        "column_8": "string",
    }
    assert form.get("required-0") == "on" and "required-1" not in form
    assert form["label-7_zh"] == "客户编号" and form["title"] == "0"
    form.pop("include-4")  # leave out "Since"
    drafted = admin.post(f"{UPLOAD}/contact/", data={**form, "label_en": "Contact", "plural_en": "Contacts"})
    assert drafted.status_code == 302, page_text(drafted)
    page = admin.get(f"{STUDIO}/x.contact/")
    assert "Publish it, then import the 4 rows of contacts.csv" in page_text(page)
    assert 'data-field="level"' in page.text and 'data-field="since"' not in page.text
    assert "fw-studio-import" not in page.text  # not published: nothing to import into yet

    assert publish(admin, "x.contact").status_code == 302
    assert {"name", "email", "visits", "score", "active", "level", "column_8"} <= table_columns(company, "x_contact")
    page = admin.get(f"{STUDIO}/x.contact/")
    link = re.search(r'<p class="fw-studio-import"><a class="[^"]*" href="([^"]+)"', page.text)
    assert link and "Import the rows of contacts.csv" in page_text(page), page_text(page)
    preview = admin.get(html.unescape(link.group(1)))
    assert preview.status_code == 200 and "contacts.csv" not in preview.headers.get("Location", "")
    mapping = {"csrf_token": csrf_token(preview.text), "match_on": ""}
    for column, options in re.findall(r'<select name="(column-\d+)"[^>]*>(.*?)</select>', preview.text, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', options)
        mapping[column] = selected.group(1) if selected else ""
    assert mapping["column-7"] == "column_8" and mapping["column-4"] == ""
    checked = admin.post(link.group(1), data=mapping)
    assert "Ready: 4 record(s) will be created and 0 updated." in page_text(checked), page_text(checked)
    done = admin.post(link.group(1), data={**mapping, "apply": "1"})
    assert done.status_code == 302
    listed = page_text(admin.get(f"/t/{SLUG}/x_contact/list/"))
    assert all(name in listed for name in ("Ann", "Bob", "Cai", "Dee"))
    engine = tenant_engine(company.settings, find_tenant(company.settings.database_url, SLUG))
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select name, level, active from x_contact order by name")).all()
    assert [tuple(r) for r in rows][:2] == [("Ann", "gold", True), ("Bob", "silver", False)]


def test_a_discarded_new_entity_is_gone_and_the_retired_title_refused(company: Platform) -> None:
    admin = signed_in(company)
    assert new_entity(admin, name="trial", label_en="Trial").status_code == 302
    page = admin.get(f"{STUDIO}/x.trial/")
    refused = admin.post(f"{STUDIO}/x.trial/fields/title/retire", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400 and "title" in page_text(refused)  # an entity keeps its title field
    assert "fields: [] should be non-empty" in page_text(refused)
    chinese = admin.post(
        f"{STUDIO}/x.trial/fields/title/retire", data={"csrf_token": csrf_token(page.text)}, query_string={"_l_": "zh"}
    )
    assert chinese.status_code == 400 and "fields: [] 不能为空" in page_text(chinese)  # the checks' words in Chinese
    discarded = admin.post(f"{STUDIO}/x.trial/discard", data={"csrf_token": csrf_token(page.text)})
    assert discarded.status_code == 302 and discarded.headers["Location"].endswith("/studio/")
    assert admin.get(f"{STUDIO}/x.trial/").status_code == 404
    assert 'data-entity="x.trial"' not in admin.get(f"{STUDIO}/").text
