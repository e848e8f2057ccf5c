"""The Studio's form designer: an admin moves fields between sections, adds a tab, builds conditions with rows or as
text, tries them in the preview and saves all of it into the entity's draft; once published, the tenant's add form
has the layout and the API enforces the conditions. Bad conditions and empty sections are refused at their place
with nothing stored; only admins reach the designer, and only with CSRF."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import PASSWORD, Platform, csrf_token, jwt, login, page_text
from formwork.studio.drafts import STUDIO_DRAFTS
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-forms"
STUDIO = f"/t/{SLUG}/studio"
ACCOUNT = f"{STUDIO}/crm.account"
DESIGNER = f"{ACCOUNT}/forms/default/"
WECHAT = {"name": "wechat_id", "type": "string", "label_en": "WeChat ID", "label_zh": "微信号"}
REQUIRED_WHEN = "cond.x_wechat_id.required_when"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa with the custom field x_wechat_id published; rita (a sales rep) is no admin."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    admin = signed_in(platform)
    page = admin.get(f"{ACCOUNT}/")
    assert admin.post(f"{ACCOUNT}/fields", data={**WECHAT, "csrf_token": csrf_token(page.text)}).status_code == 302
    publish(admin)
    return platform


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def publish(admin: Client) -> None:
    page = admin.get(f"{ACCOUNT}/")
    assert admin.post(f"{ACCOUNT}/publish", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    assert "fw-studio-plan" not in admin.get(f"{ACCOUNT}/").text


class _FormReader(HTMLParser):
    """The controls of the designer's form as a browser would post them (buttons left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self.select: tuple[str, bool, list[str], str | None] | None = None  # name, multiple, chosen, first option
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "fw-designer":
            self.inside = True
        if not self.inside or a.get("disabled") is not None and "disabled" in a:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio", "submit"):
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a and a.get("name"):
            self.values.append((a["name"], a.get("value", "on")))
        elif tag == "select" and a.get("name"):
            self.select = (a["name"], "multiple" in a, [], None)
        elif tag == "option" and self.select is not None:
            name, multiple, chosen, first = self.select
            value = a.get("value", "")
            if "selected" in a:
                chosen.append(value)
            self.select = (name, multiple, chosen, value if first is None else first)
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.values.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, value = self.values[-1]
            self.values[-1] = (name, value + html.unescape(data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, multiple, chosen, first = self.select
            for value in chosen or ([] if multiple or first is None else [first]):
                self.values.append((name, value))
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_of(page: Any) -> MultiDict[str, str]:
    reader = _FormReader()
    reader.feed(page.text)
    return MultiDict(reader.values)


def posted(client: Client, page: Any, step: str, **changes: str | list[str]) -> Any:
    """The designer's form as the page holds it, with `changes` (a list replaces every value of its name), and the
    button `step` pressed."""
    data = form_of(page)
    for name, value in changes.items():
        data.setlist(name.replace("__", "."), value if isinstance(value, list) else [value])
    data["step"] = step
    return client.post(DESIGNER, data=data)


def with_row(prefix: str, field: str, op: str, value: str | list[str] = "", match: str = "all") -> dict[str, Any]:
    """The changes that fill builder `prefix` with one row (its first), in rows mode."""
    key = prefix.replace(".", "__")
    return {
        f"{key}__mode": "rows",
        f"{key}__match": match,
        f"{key}__row": ["0"],
        f"{key}__0__field": field,
        f"{key}__0__op": op,
        f"{key}__0__value": value,
    }


def draft_documents(platform: Platform) -> list[dict[str, Any]]:
    """The account's draft documents as stored ([] when it has none)."""
    tenant = find_tenant(platform.settings.database_url, SLUG)
    assert tenant is not None
    with tenant_engine(platform.settings, tenant).connect() as conn:
        source = conn.execute(sa.select(STUDIO_DRAFTS.c.source).where(STUDIO_DRAFTS.c.entity == "crm.account")).scalar()
    return list(yaml.safe_load_all(source)) if source else []


def section_keys(page: Any) -> list[str]:
    return re.findall(r'<input type="hidden" name="section" value="([^"]+)">', page.text)


def test_moving_a_field_and_adding_a_tab_land_in_the_draft_and_on_the_add_form(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(DESIGNER)
    assert page.status_code == 200, page.text
    assert 'data-field="x_wechat_id"' in page.text and "Contact details" in page_text(page)
    assert 'href="/t/studio-forms/studio/crm.account/forms/default/"' in admin.get(f"{ACCOUNT}/").text

    with_tab = posted(admin, page, "add_tab")
    assert with_tab.status_code == 200 and "New tab" in with_tab.text
    (new_section,) = set(section_keys(with_tab)) - set(section_keys(page))
    moved = posted(admin, with_tab, "move:phone", **{"move__phone": new_section})
    assert moved.status_code == 200
    assert re.search(rf'data-section="{new_section}">\s*<li class="fw-designer-field" data-field="phone"', moved.text)
    raised = posted(admin, moved, "up:level")
    tab = re.search(r'name="(tab\.[^."]+)\.en"', raised.text)
    assert tab
    saved = posted(
        admin,
        raised,
        "save",
        **{f"{tab.group(1)}.en".replace(".", "__"): "More", f"{tab.group(1)}.zh".replace(".", "__"): "更多"},
    )
    assert saved.status_code == 302, page_text(saved)
    form = next(doc for doc in draft_documents(company) if doc["kind"] == "Form")
    assert form["sections"][0]["fields"][:3] == ["name", "level", "industry"]
    assert {"tab": {"en": "More", "zh": "更多"}, "fields": ["phone"]} in form["sections"]
    assert "phone" not in form["sections"][1]["fields"]

    publish(admin)
    add = admin.get(f"/t/{SLUG}/crm_account/add")
    tabs = re.search(r'<div class="tab-content".*', add.text, re.S)
    assert tabs and 'name="phone"' in tabs.group(0) and "More" in page_text(add)
    assert 'name="phone"' not in add.text[: tabs.start()]


def test_a_condition_built_as_rows_is_written_as_cel_and_enforced_after_publishing(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(DESIGNER)
    saved = posted(
        admin,
        page,
        "save",
        **with_row(REQUIRED_WHEN, "level", "eq", "vip"),
        **with_row("cond.website.visible_when", "level", "in", ["key", "vip"]),
    )
    assert saved.status_code == 302, page_text(saved)
    extension = next(doc for doc in draft_documents(company) if doc["kind"] == "EntityExtension")
    wechat = next(f for f in extension["fields"] if f["name"] == "x_wechat_id")
    assert wechat["required_when"] == "level == 'vip'"
    assert extension["changes"]["website"] == {"visible_when": "level in ['key', 'vip']"}

    reopened = admin.get(DESIGNER)  # the builder reads its own CEL back as rows
    row = re.search(rf'name="{re.escape(REQUIRED_WHEN)}\.0\.field".*?</select>', reopened.text, re.S)
    assert row and '<option value="level" selected>' in row.group(0)

    publish(admin)
    api = company.client()
    headers = jwt(api, SLUG)
    refused = api.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Big Co", "level": "vip"}, headers=headers)
    assert refused.status_code == 400, refused.text
    assert "x_wechat_id" in str(refused.json["message"]) and "required" in str(refused.json["message"])
    for values in ({"name": "Small Co", "level": "standard"}, {"name": "Big Co", "level": "vip", "x_wechat_id": "b"}):
        assert api.post(f"/t/{SLUG}/api/v1/crm_account/", json=values, headers=headers).status_code == 201


def test_a_bad_condition_in_text_mode_is_refused_at_the_condition(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(DESIGNER)
    before = draft_documents(company)
    answer = posted(
        admin,
        page,
        "save",
        **{"cond__x_wechat_id__visible_when__mode": "text", "cond__x_wechat_id__visible_when__text": "levl == 'vip'"},
    )
    assert answer.status_code == 400
    error = re.search(r'data-condition="cond\.x_wechat_id\.visible_when">([^<]*)<', answer.text)
    assert error and "levl" in html.unescape(error.group(1)) and "level" in html.unescape(error.group(1))
    assert "levl == &#39;vip&#39;" in answer.text  # the text is shown again as typed
    assert draft_documents(company) == before


def test_a_row_whose_value_does_not_fit_and_an_empty_section_are_refused_in_place(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(DESIGNER)
    answer = posted(admin, page, "save", **with_row("cond.x_wechat_id.visible_when", "employees", "gt", "many"))
    assert answer.status_code == 400
    assert 'data-condition="cond.x_wechat_id.visible_when">Enter a whole number.<' in answer.text

    with_section = posted(admin, page, "add_section:")
    (empty,) = set(section_keys(with_section)) - set(section_keys(page))
    refused = posted(admin, with_section, "save")
    assert refused.status_code == 400
    assert re.search(rf'class="help-block fw-section-error" data-section="{empty}">A section needs', refused.text)


def test_the_preview_answers_the_states_of_the_drafts_conditions(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(DESIGNER)
    data = form_of(page)
    for key, value in with_row("cond.x_wechat_id.visible_when", "level", "ne", "standard").items():
        data.setlist(key.replace("__", "."), value if isinstance(value, list) else [value])
    data["cond.x_wechat_id.required_when.mode"] = "text"
    data["cond.x_wechat_id.required_when.text"] = "level == 'vip' && employees > 100"
    states = {}
    for level, employees in (("vip", "500"), ("vip", "5"), ("standard", "500")):
        data["value.level"], data["value.employees"] = level, employees
        answer = admin.post(f"{DESIGNER}preview", data=data)
        assert answer.status_code == 200, answer.text
        states[level, employees] = answer.json["x_wechat_id"]
    assert states["vip", "500"] == {"visible": True, "required": True, "read_only": False}
    assert states["vip", "5"]["required"] is False
    assert states["standard", "500"] == {"visible": False, "required": False, "read_only": False}
    assert answer.json["name"]["required"] is True  # a field without conditions: as declared


def test_the_builder_switches_between_rows_and_text_on_the_server(company: Platform) -> None:
    admin = signed_in(company)
    token = csrf_token(admin.get(DESIGNER).text)
    rows = {
        f"p.{k.split('__', 1)[1].replace('__', '.')}": v
        for k, v in with_row("p", "level", "in", ["key", "vip"]).items()
    }
    as_text = admin.post(
        f"{ACCOUNT}/condition",
        data=MultiDict(
            [
                ("csrf_token", token),
                ("prefix", "p"),
                ("to", "text"),
                *[(k, x) for k, v in rows.items() for x in (v if isinstance(v, list) else [v])],
            ]
        ),
    )
    assert as_text.status_code == 200 and as_text.json == {"text": "level in ['key', 'vip']"}
    as_rows = admin.post(
        f"{ACCOUNT}/condition",
        data={"csrf_token": token, "prefix": "p", "to": "rows", "p.text": "level == 'vip' || x_wechat_id == null"},
    )
    assert as_rows.json == {
        "match": "any",
        "rows": [
            {"field": "level", "op": "eq", "value": "vip"},
            {"field": "x_wechat_id", "op": "empty", "value": None},
        ],
    }
    other = admin.post(
        f"{ACCOUNT}/condition", data={"csrf_token": token, "prefix": "p", "to": "rows", "p.text": "size(name) > 3"}
    )
    assert other.status_code == 400 and "edit it as text" in other.json["error"]


def test_only_admins_reach_the_designer_and_only_with_csrf(company: Platform) -> None:
    rita = signed_in(company, "rita")
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    assert rita.get(DESIGNER).status_code == 403
    for url in (DESIGNER, f"{DESIGNER}preview", f"{ACCOUNT}/condition"):
        assert rita.post(url, data={"csrf_token": token, "step": "save"}).status_code == 403
    admin = signed_in(company)
    page = admin.get(DESIGNER)
    before = draft_documents(company)
    data = form_of(page)
    del data["csrf_token"]
    data["step"] = "save"
    data.setlist("section.s0.en", ["No token"])
    assert admin.post(DESIGNER, data=data).status_code == 400
    assert draft_documents(company) == before
