"""Changing a pack's own fields in the Studio: labels and help in two languages, required, choices renamed with the
stored values following, retired choices kept by old records and refused for new ones; a field other definitions
depend on is locked and says why; only admins, only with CSRF."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.fields import FIELD_TYPES
from formwork.studio.field_changes import change_entry, posted_change
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-changes"
OTHER = "studio-changes-other"
STUDIO = f"/t/{SLUG}/studio"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """Two tenants of core + crm + oa; rita (a sales rep) is no admin of the first."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    platform.tenant(OTHER)
    return platform


def signed_in(platform: Platform, user: str = "admin", slug: str = SLUG) -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


class ChangeForm(HTMLParser):
    """What a browser posts for the field page's form left as it is (checked boxes as "on")."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.posted: list[tuple[str, str]] = []
        self.select: tuple[str, list[str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = "fw-field-change" in (found.get("class") or "")
        if not self.inside or not found.get("name") and tag != "option":
            return
        if tag == "input" and found.get("type") == "checkbox":
            if "checked" in found:
                self.posted.append((found["name"] or "", "on"))
        elif tag == "input":
            self.posted.append((found["name"] or "", found.get("value") or ""))
        elif tag == "select":
            self.select = (found["name"] or "", [], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append(found.get("value") or "")
            if "selected" in found:
                self.select[2].append(found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select" and self.select is not None:
            name, options, selected = self.select
            self.posted.append((name, (selected or options)[0]))
            self.select = None


def field_page(client: Client, entity: str, field: str) -> str:
    return f"{STUDIO}/{entity}/fields/{field}/"


def posted(page: str) -> list[tuple[str, str]]:
    reader = ChangeForm()
    reader.feed(page)
    return reader.posted


def change(client: Client, entity: str, field: str, **changes: Any) -> Any:
    """Open the field's page, post its form with `changes` (a name: value, or a list for each row's column)."""
    url = field_page(client, entity, field)
    page = client.get(url)
    assert page.status_code == 200, page.text
    data = [(k, v) for k, v in posted(page.text) if k not in changes]
    for name, value in changes.items():
        data += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return client.post(url, data=MultiDict(data))


def rows(page: str, column: str) -> list[str]:
    return [v for k, v in posted(page) if k == f"choice_{column}"]


def publish(client: Client, entity: str) -> str:
    page = client.get(f"{STUDIO}/{entity}/")
    answer = client.post(f"{STUDIO}/{entity}/publish", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302
    after = client.get(f"{STUDIO}/{entity}/")
    assert "Published." in page_text(after), page_text(after)
    return page.text


def levels(platform: Platform, slug: str) -> dict[str, str | None]:
    tenant = find_tenant(platform.settings.database_url, slug)
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return dict(conn.execute(sa.text("SELECT name, level FROM crm_account")).all())


def test_the_entity_page_links_each_pack_field_to_its_page(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(f"{STUDIO}/crm.account/")
    assert f'href="{field_page(admin, "crm.account", "level")}"' in page.text
    level = admin.get(field_page(admin, "crm.account", "level"))
    assert level.status_code == 200
    assert rows(level.text, "value") == ["standard", "key", "vip", ""]  # the last row adds one
    assert rows(level.text, "label_zh")[:3] == ["普通", "重点客户", "VIP"]
    assert "fw-field-lock" not in level.text
    assert admin.get(field_page(admin, "crm.account", "no_such_field")).status_code == 404


def test_labels_and_help_in_two_languages_reach_the_form(company: Platform) -> None:
    admin = signed_in(company)
    drafted = change(
        admin, "crm.account", "website", label_en="Homepage", label_zh="主页", help_en="Their own site", help_zh="官网"
    )
    assert drafted.status_code == 302, page_text(drafted)
    assert 'name="label_en" class="form-control" value="Homepage"' in admin.get(drafted.location).text
    assert "Homepage" not in admin.get(f"/t/{SLUG}/crm_account/add").text  # a draft is not applied
    publish(admin, "crm.account")

    form = admin.get(f"/t/{SLUG}/crm_account/add")
    assert "Homepage" in page_text(form) and "Their own site" in page_text(form)
    chinese = admin.get(f"/t/{SLUG}/crm_account/add", query_string={"_l_": "zh"})
    assert "主页" in page_text(chinese) and "官网" in page_text(chinese)
    assert "Homepage" not in signed_in(company, slug=OTHER).get(f"/t/{OTHER}/crm_account/add").text


def test_a_field_made_required_is_refused_empty_by_the_api(company: Platform) -> None:
    admin = signed_in(company)
    assert change(admin, "crm.account", "city", required="on").status_code == 302
    publish(admin, "crm.account")
    api = company.client()
    refused = api.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "No City Co"}, headers=jwt(api, SLUG))
    assert refused.status_code == 400 and "city" in refused.json["message"], refused.text
    made = api.post(
        f"/t/{SLUG}/api/v1/crm_account/", json={"name": "City Co", "city": "Hangzhou"}, headers=jwt(api, SLUG)
    )
    assert made.status_code == 201, made.text


def test_a_renamed_choice_rewrites_the_stored_records(company: Platform) -> None:
    api = company.client()
    headers = jwt(api, SLUG)
    ids = {
        name: post_record(api, headers, SLUG, "crm_account", name=name, city="Shanghai", level=level)
        for name, level in (("Vip One", "vip"), ("Vip Two", "vip"), ("Key One", "key"), ("Plain One", "standard"))
    }
    admin = signed_in(company)
    drafted = change(
        admin,
        "crm.account",
        "level",
        choice_value=["standard", "key", "platinum", ""],
        choice_label_en=["Standard", "Key account", "Platinum", ""],
        choice_label_zh=["普通", "重点客户", "白金", ""],
    )
    assert drafted.status_code == 302, page_text(drafted)
    plan = publish(admin, "crm.account")
    assert "vip → platinum (2 records)" in html.unescape(plan), plan

    stored = levels(company, SLUG)
    assert stored["Vip One"] == stored["Vip Two"] == "platinum"
    assert stored["Key One"] == "key" and stored["Plain One"] == "standard"
    assert None not in [stored[name] for name in ids]
    read = api.get(f"/t/{SLUG}/api/v1/crm_account/{ids['Vip One']}", headers=headers)
    assert read.json["result"]["level"] == "platinum"
    listed = page_text(admin.get(f"/t/{SLUG}/crm_account/list/"))
    assert listed.count("Platinum") == 2 and "VIP" not in listed
    assert post_record(api, headers, SLUG, "crm_account", name="New Platinum", city="Wuhan", level="platinum")
    other = signed_in(company, slug=OTHER).get(f"/t/{OTHER}/studio/crm.account/fields/level/")
    assert rows(other.text, "value") == ["standard", "key", "vip", ""]
    page = admin.get(field_page(admin, "crm.account", "level")).text
    assert rows(page, "value") == ["standard", "key", "platinum", ""]


def test_a_retired_choice_stays_on_old_records_and_is_not_offered(company: Platform) -> None:
    api = company.client()
    headers = jwt(api, SLUG)
    kept = post_record(api, headers, SLUG, "crm_account", name="Kept Key", city="Nanjing", level="key")
    admin = signed_in(company)
    page = admin.get(field_page(admin, "crm.account", "level")).text
    states = rows(page, "state")
    states[1] = "retired"
    assert change(admin, "crm.account", "level", choice_state=states).status_code == 302
    publish(admin, "crm.account")

    assert api.get(f"/t/{SLUG}/api/v1/crm_account/{kept}", headers=headers).json["result"]["level"] == "key"
    assert levels(company, SLUG)["Kept Key"] == "key"
    assert 'value="key"' not in admin.get(f"/t/{SLUG}/crm_account/add").text
    refused = api.post(
        f"/t/{SLUG}/api/v1/crm_account/", json={"name": "New Key", "city": "Xi'an", "level": "key"}, headers=headers
    )
    assert refused.status_code == 400 and "retired" in refused.text, refused.text


def test_a_stored_value_is_never_blanked(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(field_page(admin, "crm.account", "level")).text
    values = rows(page, "value")
    values[0] = ""
    answer = change(admin, "crm.account", "level", choice_value=values)
    assert answer.status_code == 400
    assert any("cannot be blanked" in message for message in control_errors(answer, "choices")), page_text(answer)
    assert "fw-studio-plan" not in admin.get(f"{STUDIO}/crm.account/").text  # nothing stored


def test_a_locked_field_says_why_and_refuses_what_would_break_its_dependents(company: Platform) -> None:
    admin = signed_in(company)
    status = field_page(admin, "oa.purchase_request", "status")
    page = admin.get(status)
    assert "fw-field-lock" in page.text
    assert "The approval chain Purchase request approval sets it when a request is decided" in page_text(page)

    values = rows(page.text, "value")
    renamed = change(admin, "oa.purchase_request", "status", choice_value=[*values[:1], "approved_ok", *values[2:]])
    assert renamed.status_code == 400
    assert any("locked" in message for message in control_errors(renamed, "choices.approved")), page_text(renamed)
    states = rows(page.text, "state")
    states[2] = "retired"
    assert change(admin, "oa.purchase_request", "status", choice_state=states).status_code == 400
    assert "fw-studio-plan" not in admin.get(f"{STUDIO}/oa.purchase_request/").text

    employee = admin.get(field_page(admin, "oa.leave_request", "employee"))
    assert "The approval chain Leave approval finds people in it" in page_text(employee)
    data = [(k, v) for k, v in posted(employee.text) if k != "required"]
    unrequired = admin.post(field_page(admin, "oa.leave_request", "employee"), data=MultiDict(data))
    assert unrequired.status_code == 400
    assert any("must stay required" in message for message in control_errors(unrequired, "required"))

    relabelled = change(admin, "oa.purchase_request", "status", label_en="Approval status")
    assert relabelled.status_code == 302, page_text(relabelled)  # what no dependent relies on may change


BADGE = """\
kind: EntityExtension
entity: crm.contact
fields:
  - {name: x_badge, type: string, label: Badge}
rules:
  - {name: badge_allowed, check: "x_badge != 'banned'", field: x_badge, message: Not this badge.}
"""


def test_a_locked_custom_field_is_not_retired(company: Platform) -> None:
    tenant = find_tenant(company.settings.database_url, SLUG)
    assert tenant is not None
    store_overlays(company.settings, company.catalog, tenant, read_overlays(BADGE, "badge.yaml"))
    admin = signed_in(company)
    page = admin.get(f"{STUDIO}/crm.contact/")
    refused = admin.post(f"{STUDIO}/crm.contact/fields/x_badge/retire", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400
    assert "x_badge is locked" in page_text(refused) and "The validation rule Badge allowed checks it" in page_text(
        refused
    )
    assert "fw-studio-plan" not in admin.get(f"{STUDIO}/crm.contact/").text


def test_the_studio_says_the_lock_in_chinese(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(field_page(admin, "oa.purchase_request", "status"), query_string={"_l_": "zh"})
    assert "采购申请审批" in page.text


def test_only_admins_change_fields_and_only_with_csrf(company: Platform) -> None:
    rita = signed_in(company, "rita")
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    url = field_page(rita, "crm.account", "industry")
    assert rita.get(url).status_code == 403
    assert rita.post(url, data={"label_en": "Sector", "csrf_token": token}).status_code == 403
    admin = signed_in(company)
    data = [(k, v) for k, v in posted(admin.get(url).text) if k not in ("csrf_token", "label_en")]
    assert admin.post(url, data=MultiDict([*data, ("label_en", "Sector")])).status_code == 400
    assert "Sector" not in admin.get(url).text


def test_a_rename_maps_the_old_value_and_the_default_follows_it() -> None:
    current = {
        "name": "level",
        "type": "choice",
        "default": "standard",
        "choices": [{"value": "standard"}, {"value": "vip", "label": "VIP"}],
        "map_choices": {"gold": "vip"},
    }
    form = MultiDict(
        [
            ("label_en", "Level"),
            *[("choice_original", v) for v in ("standard", "vip", "")],
            *[("choice_value", v) for v in ("basic", "platinum", "")],
            *[("choice_label_en", v) for v in ("Basic", "Platinum", "")],
            *[("choice_state", "offered") for _ in range(3)],
            ("default", "standard"),
        ]
    )
    changed = posted_change(current, FIELD_TYPES["choice"], form)
    assert not changed.errors
    assert changed.renamed == {"standard": "basic", "vip": "platinum"}
    assert changed.spec["default"] == "basic"
    assert changed.spec["map_choices"] == {"gold": "platinum", "standard": "basic", "vip": "platinum"}
    assert change_entry(changed.spec, current)["choices"] == [
        {"value": "basic", "label": "Basic"},
        {"value": "platinum", "label": "Platinum"},
    ]
    before = {"visible_when": "industry == 'tech'", "label": "Old"}
    assert change_entry(changed.spec, current, before)["visible_when"] == "industry == 'tech'"  # not this page's
    back = posted_change(
        changed.spec,
        FIELD_TYPES["choice"],
        MultiDict(
            [
                ("label_en", "Level"),
                ("choice_original", "basic"),
                ("choice_value", "standard"),
                ("choice_original", "platinum"),
                ("choice_value", "platinum"),
            ]
        ),
    )
    assert back.spec["map_choices"] == {"gold": "platinum", "basic": "standard", "vip": "platinum"}


def test_placeholder_hidden_and_read_only_reach_the_form(company: Platform) -> None:
    admin = signed_in(company)
    assert change(admin, "crm.account", "phone", placeholder_en="+86 …", placeholder_zh="+86 手机号").status_code == 302
    drafted = change(admin, "crm.account", "email", hidden="on")
    assert drafted.status_code == 302, page_text(drafted)
    assert ("hidden", "on") in posted(admin.get(drafted.location).text)
    assert ("read_only", "on") not in posted(admin.get(drafted.location).text)
    assert 'name="email"' in admin.get(f"/t/{SLUG}/crm_account/add").text  # a draft is not applied
    publish(admin, "crm.account")

    form = admin.get(f"/t/{SLUG}/crm_account/add")
    assert 'placeholder="+86 …"' in form.text and 'name="email"' not in form.text
    assert 'placeholder="+86 手机号"' in admin.get(f"/t/{SLUG}/crm_account/add", query_string={"_l_": "zh"}).text
    api = company.client()
    kept = api.post(
        f"/t/{SLUG}/api/v1/crm_account/",
        json={"name": "Hidden Mail Co", "city": "Ningbo", "email": "hi@example.com"},
        headers=jwt(api, SLUG),
    )
    assert kept.status_code == 201, kept.text  # hidden on screens, still taken by the API
