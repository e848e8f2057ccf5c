"""The Studio adds a field of any type with its properties: a reference with a filter, a formula, a rollup, a choice
with colours and Chinese labels, a unique field, a money field with a minimum each land in the draft as YAML would
write them, publish, and the tenant's form and API have them; a formula with a type error is refused at its control;
the formula editor's check route answers the type or the checker's message, for admins only and only with CSRF."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.features import load_features
from formwork.fields import FIELD_TYPES
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import stored_sources

SLUG = "studio-fields"
OTHER = "studio-fields-other"
ACCOUNT = f"/t/{SLUG}/studio/crm.account"
CHECK = f"{ACCOUNT}/check-expression"

#: the posted forms, and the field each becomes in the EntityExtension
REFERENCE = {
    "name": "partner",
    "type": "reference",
    "label_en": "Partner",
    "target": "core.employee",
    "filter": '[{field: active, op: "=", value: true}]',
}
FORMULA = {
    "name": "double_revenue",
    "type": "formula",
    "label_en": "Double revenue",
    "label_zh": "双倍收入",
    "result": "money",
    "expression": "annual_revenue * 2.0",
}
ROLLUP = {
    "name": "won_total",
    "type": "rollup",
    "label_en": "Won total",
    "source": "crm.opportunity.account",
    "aggregate": "sum",
    "field": "amount",
    "filter": "[{field: stage, op: '=', value: won}]",
}
CHOICE = [
    ("name", "tier"),
    ("type", "choice"),
    ("label_en", "Tier"),
    ("label_zh", "等级"),
    ("help_en", "How much they buy"),
    ("help_zh", "采购量"),
    ("choice_value", "gold"),
    ("choice_label_en", "Gold"),
    ("choice_label_zh", "金牌"),
    ("choice_color", "yellow"),
    ("choice_value", "silver"),
    ("choice_label_en", "Silver"),
    ("choice_label_zh", "银牌"),
    ("choice_color", "gray"),
    ("choice_value", ""),
    ("choice_label_en", ""),
    ("choice_label_zh", ""),
    ("choice_color", ""),
    ("default_choice", "silver"),
]
UNIQUE = {"name": "tax_id", "type": "string", "label_en": "Tax ID", "unique": "on", "max_length": "20"}
MONEY = {"name": "deposit", "type": "money", "label_en": "Deposit", "min": "0", "default_number": "100"}
EXPECTED = [
    {
        "name": "x_partner",
        "type": "reference",
        "label": "Partner",
        "target": "core.employee",
        "filter": [{"field": "active", "op": "=", "value": True}],
    },
    {
        "name": "x_double_revenue",
        "type": "formula",
        "label": {"en": "Double revenue", "zh": "双倍收入"},
        "expression": "annual_revenue * 2.0",
        "result": "money",
    },
    {
        "name": "x_won_total",
        "type": "rollup",
        "label": "Won total",
        "source": "crm.opportunity.account",
        "aggregate": "sum",
        "field": "amount",
        "filter": [{"field": "stage", "op": "=", "value": "won"}],
    },
    {
        "name": "x_tier",
        "type": "choice",
        "label": {"en": "Tier", "zh": "等级"},
        "help": {"en": "How much they buy", "zh": "采购量"},
        "choices": [
            {"value": "gold", "label": {"en": "Gold", "zh": "金牌"}, "color": "yellow"},
            {"value": "silver", "label": {"en": "Silver", "zh": "银牌"}, "color": "gray"},
        ],
        "default": "silver",
    },
    {"name": "x_tax_id", "type": "string", "label": "Tax ID", "unique": True, "max_length": 20},
    {"name": "x_deposit", "type": "money", "label": "Deposit", "min": 0, "default": 100},
]


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa whose rita (a sales rep) is no admin, and another tenant."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    platform.tenant(OTHER)
    return platform


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


def add_field(client: Client, form: dict[str, str] | list[tuple[str, str]]) -> Any:
    token = csrf_token(client.get(f"{ACCOUNT}/").text)
    items = list(form.items()) if isinstance(form, dict) else form
    return client.post(f"{ACCOUNT}/fields", data=MultiDict([*items, ("csrf_token", token)]))


def drafted_fields(client: Client) -> list[dict[str, Any]]:
    """The tenant's own fields of crm.account as the page lists them (published and drafted)."""
    return re.findall(r'data-field="(x_[a-z_]+)"', client.get(f"{ACCOUNT}/").text)


def check(client: Client, control: str, form: dict[str, str], token: str | None = None) -> Any:
    token = token or csrf_token(client.get(f"{ACCOUNT}/").text)
    return client.post(CHECK, data={**form, "control": control, "csrf_token": token})


def test_every_type_a_tenant_may_add_is_offered(company: Platform) -> None:
    load_features()
    page = signed_in(company).get(f"{ACCOUNT}/")
    select = re.search(r'<select id="fw-studio-type" name="type".*?</select>', page.text, re.S)
    assert select
    offered = set(re.findall(r'<option value="([a-z_]+)"', select.group(0)))
    assert offered == {name for name, kind in FIELD_TYPES.items() if kind.added_in_studio}
    assert {"reference", "formula", "rollup", "money", "file", "many_to_many"} <= offered
    assert "child_table" not in offered
    assert re.search(r'data-control="expression" data-types="formula"', page.text)
    assert '<script type="application/json" id="fw-studio-names">' in page.text
    names = re.search(r'id="fw-studio-names">(.*?)</script>', page.text, re.S)
    assert names and '"annual_revenue"' in names.group(1) and '"owner.name"' in names.group(1)


def test_fields_of_every_kind_land_in_the_draft_publish_and_reach_form_and_api(company: Platform) -> None:
    admin = signed_in(company)
    for form in (REFERENCE, FORMULA, ROLLUP, CHOICE, UNIQUE, MONEY):
        answer = add_field(admin, form)
        assert answer.status_code == 302, page_text(answer)
    page = admin.get(f"{ACCOUNT}/")
    assert drafted_fields(admin) == [f["name"] for f in EXPECTED]
    published = admin.post(f"{ACCOUNT}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302
    assert "Published." in page_text(admin.get(f"{ACCOUNT}/"))
    extension = yaml.safe_load(stored_sources(company.settings, SLUG)[("EntityExtension", "crm.account")])
    assert extension["fields"] == EXPECTED

    form = admin.get(f"/t/{SLUG}/crm_account/add")
    for field in EXPECTED:
        if not FIELD_TYPES[field["type"]].generated:  # computed: shown on a record, never typed in
            assert f'name="{field["name"]}"' in form.text, field["name"]
    assert "Gold" in page_text(form) and "How much they buy" in page_text(form)
    admin.get(f"/t/{SLUG}/lang/zh")
    assert "金牌" in page_text(admin.get(f"/t/{SLUG}/crm_account/add"))

    api = company.client()
    headers = jwt(api, SLUG)
    made = post_record(api, headers, SLUG, "crm_account", name="Studio Fields Co", annual_revenue=150, x_tax_id="T-1")
    record = api.get(f"/t/{SLUG}/api/v1/crm_account/{made}", headers=headers).json["result"]
    assert float(record["x_double_revenue"]) == 300
    assert float(record["x_won_total"]) == 0
    assert record["x_tier"] == "silver" and float(record["x_deposit"]) == 100
    shown = page_text(admin.get(f"/t/{SLUG}/crm_account/show/{made}"))
    assert "双倍收入" in shown and "300" in shown

    def refused(**values: Any) -> Any:
        answer = api.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Refused Co", **values}, headers=headers)
        assert answer.status_code in (400, 422), answer.text
        return answer.text

    assert "x_tier" in refused(x_tier="bronze")
    assert "x_deposit" in refused(x_deposit=-5)
    assert "x_tax_id" in refused(x_tax_id="T-1")

    other = company.client()
    answer = other.post(
        f"/t/{OTHER}/api/v1/crm_account/", json={"name": "Other Co", "x_tier": "gold"}, headers=jwt(other, OTHER)
    )
    assert answer.status_code == 400 and "x_tier" in answer.json["message"]


def test_a_formula_with_a_type_error_is_refused_at_the_formula(company: Platform) -> None:
    admin = signed_in(company)
    before = drafted_fields(admin)
    answer = add_field(admin, {**FORMULA, "name": "broken", "expression": "name * 2"})
    assert answer.status_code == 400
    messages = control_errors(answer, "expression")
    assert messages and "text" in messages[0], page_text(answer)
    assert 'name="expression"' in answer.text and "name * 2" in answer.text  # the form comes back as posted
    assert drafted_fields(admin) == before


@pytest.mark.parametrize(
    ("form", "control"),
    [
        ({"name": "no_choices", "type": "choice", "label_en": "No choices"}, "choices"),
        ({**REFERENCE, "name": "bad_filter", "filter": "[{field: nothing, op: '=', value: 1}]"}, "filter"),
        ({**ROLLUP, "name": "bad_rollup", "field": "name"}, "field"),
        ({**MONEY, "name": "bad_minimum", "min": "none"}, "min"),
        ({**UNIQUE, "name": "bad_default", "type": "integer", "default_number": "1.5"}, "default"),
    ],
)
def test_a_wrong_property_is_refused_at_its_control(company: Platform, form: dict[str, str], control: str) -> None:
    admin = signed_in(company)
    before = drafted_fields(admin)
    answer = add_field(admin, form)
    assert answer.status_code == 400
    assert control_errors(answer, control), page_text(answer)
    assert drafted_fields(admin) == before


def test_the_check_route_answers_the_type_and_the_checkers_message(company: Platform) -> None:
    admin = signed_in(company)
    good = check(admin, "expression", FORMULA)
    assert good.status_code == 200 and good.json == {"ok": True, "type": "a decimal number", "errors": []}
    bad = check(admin, "expression", {**FORMULA, "expression": "name * 2"})
    assert bad.status_code == 200 and bad.json["ok"] is False and bad.json["type"] is None
    assert bad.json["errors"] and "text" in bad.json["errors"][0]
    unknown = check(admin, "expression", {**FORMULA, "expression": "anual_revenue * 2.0"})
    assert "annual_revenue" in unknown.json["errors"][0]  # the closest name is suggested
    condition = check(admin, "visible_when", {"type": "string", "visible_when": "annual_revenue > 10"})
    assert condition.json == {"ok": True, "type": "true/false", "errors": []}
    not_condition = check(admin, "visible_when", {"type": "string", "visible_when": "annual_revenue"})
    assert not_condition.json["ok"] is False and "true or false" in not_condition.json["errors"][0]
    default = check(admin, "default_expr", {"type": "date", "default_expr": "today()"})
    assert default.json["ok"] is True
    assert check(admin, "label", {"type": "string", "label": "x"}).status_code == 400


def test_the_check_route_knows_the_drafts_fields(company: Platform) -> None:
    admin = signed_in(company)
    assert add_field(admin, {"name": "budget", "type": "money", "label_en": "Budget"}).status_code == 302
    answer = check(admin, "expression", {**FORMULA, "expression": "x_budget + annual_revenue"})
    assert answer.json["ok"] is True, answer.json
    names = re.search(r'id="fw-studio-names">(.*?)</script>', admin.get(f"{ACCOUNT}/").text, re.S)
    assert names and '"x_budget"' in names.group(1)
    page = admin.get(f"{ACCOUNT}/")
    assert admin.post(f"{ACCOUNT}/discard", data={"csrf_token": csrf_token(page.text)}).status_code == 302


def test_the_check_route_is_for_admins_and_needs_csrf(company: Platform) -> None:
    rita = signed_in(company, "rita")
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    assert check(rita, "expression", FORMULA, token).status_code == 403
    admin = signed_in(company)
    answer = admin.post(CHECK, data={**FORMULA, "control": "expression"})
    assert answer.status_code == 400
