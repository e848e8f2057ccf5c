"""The add-field form takes a reference's and a rollup's filter as rows of field, operator and value: "Refresh
fields" shows the rows with the fields of the chosen target (or of the records a rollup sums up); the rows land in
the draft as the structured filter YAML would hold; after publishing, the reference offers only the records the
filter keeps and the rollup adds up only the matching rows; a row with an operator its field's type has not, or a
value of the wrong type, is refused at that row with a 400 and nothing drafted; a filter the rows cannot show is
written in the expert's box."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session
from werkzeug.test import Client

from conftest import PASSWORD, Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.studio.drafts import draft_of
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-field-filters"
#: a tenant of its own for the rollup: on SQLite a second publish after one that added a reference fails (ValueError
#: "Constraint must have a name" from Alembic's batch mode), whatever the filter
ROLLUP_SLUG = "studio-field-filters-rollup"
PARTNER = {"name": "partner", "type": "reference", "label_en": "Partner", "target": "core.employee"}
WON_TOTAL = {
    "name": "won_total",
    "type": "rollup",
    "label_en": "Won total",
    "source": "crm.opportunity.account",
    "aggregate": "sum",
    "field": "amount",
}


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa with an active and an inactive employee, and rita, a sales rep (no admin)."""
    app = build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("rita", "Rita", "Test", "rita@example.com", [sm.find_role("sales_rep")], password=PASSWORD)
    client = platform.client()
    headers = jwt(client, SLUG)
    post_record(client, headers, SLUG, "core_employee", name="Ann Active", active=True)
    post_record(client, headers, SLUG, "core_employee", name="Ivan Inactive", active=False)
    return platform


def account(slug: str = SLUG) -> str:
    return f"/t/{slug}/studio/crm.account"


def signed_in(platform: Platform, user: str = "admin", slug: str = SLUG) -> Client:
    client = platform.client()
    assert login(client, slug, user).status_code == 302
    return client


def post_field(client: Client, form: dict[str, Any], slug: str = SLUG) -> Any:
    token = csrf_token(client.get(f"{account(slug)}/").text)
    return client.post(f"{account(slug)}/fields", data={**form, "csrf_token": token})


def rows(*conditions: tuple[str, str, str], match: str = "all") -> dict[str, str]:
    """The filter rows as the form posts them."""
    posted = {"filter.mode": "rows", "filter.match": match}
    for i, (field, op, value) in enumerate(conditions):
        posted |= {f"filter.{i}.field": field, f"filter.{i}.op": op, f"filter.{i}.value": value}
    return posted


def draft_text(platform: Platform, slug: str = SLUG) -> str | None:
    tenant = find_tenant(platform.settings.database_url, slug)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        return draft_of(session, "crm.account")


def drafted_field(platform: Platform, name: str, slug: str = SLUG) -> dict[str, Any]:
    documents = yaml.safe_load_all(draft_text(platform, slug) or "")
    extension = next(d for d in documents if d.get("kind") == "EntityExtension")
    return next(f for f in extension["fields"] if f["name"] == name)


def publish(client: Client, slug: str = SLUG) -> None:
    page = client.get(f"{account(slug)}/")
    assert client.post(f"{account(slug)}/publish", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    assert "Published." in page_text(client.get(f"{account(slug)}/"))


def offered_fields(page: Any, row: int = 0) -> list[str]:
    """The fields the filter's row `row` offers (its select's option values, the blank one left out)."""
    select = re.search(rf'<select[^>]*name="filter\.{row}\.field"[^>]*>(.*?)</select>', page.text, re.S)
    assert select, page_text(page)
    return [value for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value]


def test_refresh_fields_offers_the_target_or_the_sources_fields_and_stores_nothing(company: Platform) -> None:
    admin = signed_in(company)
    first = admin.get(f"{account()}/")
    assert "Choose the entity it refers to" in page_text(first) and offered_fields(first) == []
    for form, entity, expected, absent in (
        (PARTNER, "Employee (core.employee)", {"active", "department", "hire_date"}, "stage"),
        (WON_TOTAL, "Opportunity (crm.opportunity)", {"stage", "amount", "close_date"}, "active"),
    ):
        shown = post_field(admin, {**form, "refresh": "1"})
        assert shown.status_code == 200
        assert f"The conditions compare fields of {entity}." in page_text(shown)
        assert expected <= set(offered_fields(shown)) and absent not in offered_fields(shown)
        assert f'value="{form["label_en"]}"' in shown.text  # the form as posted
    assert draft_text(company) is None
    rita = signed_in(company, "rita")
    token = csrf_token(rita.get(f"/t/{SLUG}/notifications/preferences").text)
    refused = rita.post(f"{account()}/fields", data={**PARTNER, "refresh": "1", "csrf_token": token})
    assert refused.status_code == 403
    assert admin.post(f"{account()}/fields", data={**PARTNER, "refresh": "1"}).status_code == 400  # no CSRF token


def test_a_reference_filtered_by_rows_offers_only_matching_records(company: Platform) -> None:
    admin = signed_in(company)
    answer = post_field(admin, {**PARTNER, **rows(("active", "=", "true"))})
    assert answer.status_code == 302, page_text(answer)
    assert drafted_field(company, "x_partner")["filter"] == [{"field": "active", "op": "=", "value": True}]
    publish(admin)

    found = admin.get(f"/t/{SLUG}/crm_account/choices/x_partner", query_string={"q": ""}).json["results"]
    texts = " | ".join(result["text"] for result in found)
    assert "Ann Active" in texts and "Ivan Inactive" not in texts
    api = company.client()
    headers = jwt(api, SLUG)
    employees = api.get(f"/t/{SLUG}/api/v1/core_employee/", headers=headers).json
    ivan = next(row["id"] for row in employees["result"] if row["name"] == "Ivan Inactive")
    refused = api.post(
        f"/t/{SLUG}/api/v1/crm_account/", json={"name": "Partnered Co", "x_partner": ivan}, headers=headers
    )
    assert refused.status_code in (400, 422) and "x_partner" in refused.text


def test_a_rollup_filtered_by_rows_adds_up_only_matching_rows(company: Platform) -> None:
    build_tenant_app(company.settings, company.tenant(ROLLUP_SLUG), company.catalog)
    admin = signed_in(company, slug=ROLLUP_SLUG)
    form = {**WON_TOTAL, **rows(("stage", "=", "won"), ("amount", ">=", "300"))}
    answer = post_field(admin, form, ROLLUP_SLUG)
    assert answer.status_code == 302, page_text(answer)
    assert drafted_field(company, "x_won_total", ROLLUP_SLUG)["filter"] == [
        {"field": "stage", "op": "=", "value": "won"},
        {"field": "amount", "op": ">=", "value": 300},
    ]
    publish(admin, ROLLUP_SLUG)

    api = company.client()
    headers = jwt(api, ROLLUP_SLUG)
    made = post_record(api, headers, ROLLUP_SLUG, "crm_account", name="Rollup Trading")
    for name, stage, amount in (("Big win", "won", "900"), ("Win", "won", "340"), ("Small win", "won", "50")) + (
        ("Big loss", "lost", "5000"),
    ):
        post_record(api, headers, ROLLUP_SLUG, "crm_opportunity", name=name, account=made, stage=stage, amount=amount)
    record = api.get(f"/t/{ROLLUP_SLUG}/api/v1/crm_account/{made}", headers=headers).json["result"]
    assert float(record["x_won_total"]) == 1240


@pytest.mark.parametrize(
    ("form", "bad", "control", "words"),
    [
        (PARTNER, ("active", "contains", "yes"), "filter.1.op", "'contains' does not apply"),
        (WON_TOTAL, ("amount", ">=", "lots"), "filter.1.value", "lots"),
        (WON_TOTAL, ("close_date", ">", "someday"), "filter.1.value", "someday"),
    ],
)
def test_a_bad_row_is_refused_at_its_control_and_nothing_is_drafted(
    company: Platform, form: dict[str, str], bad: tuple[str, str, str], control: str, words: str
) -> None:
    admin = signed_in(company)
    before = draft_text(company)
    good = ("name", "is_not_empty", "")
    answer = post_field(admin, {**form, "name": "refused", **rows(good, bad)})
    assert answer.status_code == 400
    assert any(words in message for message in control_errors(answer, control)), page_text(answer)
    assert control_errors(answer, "filter.0.op") == control_errors(answer, "filter.0.value") == []
    assert f'name="{control.rpartition(".")[0]}.value" value="{bad[2]}"' in answer.text  # the rows as posted
    assert draft_text(company) == before


def test_a_filter_the_rows_cannot_show_is_written_in_the_expert_box(company: Platform) -> None:
    admin = signed_in(company)
    nested = (
        '{"any": [{"field": "active", "op": "=", "value": true}, {"not": {"field": "hire_date", "op": "is_empty"}}]}'
    )
    typed = {**PARTNER, "name": "mentor", **rows(), "filter.mode": "text", "filter": nested}
    refused = post_field(admin, {**typed, "name": "mentor!"})
    assert refused.status_code == 400
    assert "groups conditions inside each other" in page_text(refused)
    assert 'name="filter.0.field"' not in refused.text and "&#34;not&#34;" in refused.text
    answer = post_field(admin, {**typed, "filter.mode": ["rows", "text"]})  # the box ticked over the rows
    assert answer.status_code == 302, page_text(answer)
    assert drafted_field(company, "x_mentor")["filter"] == yaml.safe_load(nested)
