"""Filters as rows in the Studio: a filter of conditions joined by all or any is shown as rows of field, operator
and value and made again exactly from them (a nested one is left to the expert's JSON); the view editor saves a
list view's filter posted as rows, which after publishing shows only the matching records; a bad value or an unknown
field is refused at its row with a 400 and stores nothing; the dashboard editor takes its card filter from the same
rows, joined by any too."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import Platform, control_errors, csrf_token, jwt, login, page_text, post_record
from formwork.meta.catalog import Catalog
from formwork.meta.model import EntityDef
from formwork.studio.drafts import draft_of
from formwork.studio.filter_rows import FilterRow, filter_of, posted_rows, row_control, rows_of
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine

SLUG = "studio-filter-rows"
STUDIO = f"/t/{SLUG}/studio"
OPPORTUNITY = f"{STUDIO}/crm.opportunity"
PIPELINE_EDITOR = f"{OPPORTUNITY}/views/ListView/edit/pipeline"
TEAM = f"{STUDIO}/dashboards/x.team"
PIPELINE_COLUMNS = {"label_en": "Pipeline", "p.columns": ["name", "stage", "amount"], "p.sort": "close_date"}


@pytest.fixture(scope="module")
def opportunity(catalog: Catalog) -> EntityDef:
    return catalog.entities["crm.opportunity"]


def test_conditions_joined_by_all_are_rows_and_the_rows_make_them_again(opportunity: EntityDef) -> None:
    data = [
        {"field": "stage", "op": "not_in", "value": ["won", "lost"]},
        {"field": "amount", "op": ">=", "value": 1000},
        {"field": "owner", "op": "=", "value": "$employee"},
    ]
    shown = rows_of(data, opportunity)
    assert shown.fits and shown.match == "all"
    assert shown.rows == (
        FilterRow("stage", "not_in", "won, lost"),
        FilterRow("amount", ">=", "1000"),
        FilterRow("owner", "=", "$employee"),
    )
    assert filter_of(shown, opportunity) == data
    assert rows_of({"all": data}, opportunity).rows == shown.rows  # `all:` and a plain list are the same rows


def test_conditions_joined_by_any_with_an_operator_without_value_round_trip(opportunity: EntityDef) -> None:
    data = {
        "any": [{"field": "close_date", "op": "this_month"}, {"field": "probability", "op": "in", "value": [50, 90]}]
    }
    shown = rows_of(data, opportunity)
    assert shown.fits and shown.match == "any"
    assert shown.rows == (FilterRow("close_date", "this_month", ""), FilterRow("probability", "in", "50, 90"))
    assert filter_of(shown, opportunity) == data


def test_a_filter_the_rows_cannot_show_is_left_to_json(opportunity: EntityDef) -> None:
    nested = {"all": [{"field": "stage", "op": "=", "value": "won"}, {"any": [{"field": "amount", "op": "is_empty"}]}]}
    assert not rows_of(nested, opportunity).fits
    assert not rows_of({"not": {"field": "stage", "op": "=", "value": "won"}}, opportunity).fits
    # a number typed as text in a number field: rows would make it a number, so they cannot show it
    assert not rows_of([{"field": "amount", "op": ">", "value": "1000"}], opportunity).fits
    assert not rows_of({"field": "stage"}, opportunity).fits  # no operator: the checks say so at the JSON
    assert rows_of(None, opportunity).fits and rows_of(None, opportunity).rows == ()


def test_posted_rows_leave_blank_ones_out_and_errors_find_their_row(opportunity: EntityDef) -> None:
    form = MultiDict(
        [
            ("p.filter.match", "any"),
            ("p.filter.0.field", ""),
            ("p.filter.1.field", "stage"),
            ("p.filter.1.op", "="),
            ("p.filter.1.value", " won "),
            ("p.filter.2.field", "amount"),
            ("p.filter.2.op", "<"),
            ("p.filter.2.value", "12.5"),
        ]
    )
    rows = posted_rows(form, "p.filter")
    assert filter_of(rows, opportunity) == {
        "any": [{"field": "stage", "op": "=", "value": "won"}, {"field": "amount", "op": "<", "value": 12.5}]
    }
    assert filter_of(posted_rows(MultiDict([("p.filter.0.field", "")]), "p.filter"), opportunity) is None
    assert row_control("[1].value", "p.filter") == "p.filter.1.value"
    assert row_control(".any[0].op", "p.filter") == "p.filter.0.op"
    assert row_control(".all[2].value[1]", "p.filter") == "p.filter.2.value"
    assert row_control("", "p.filter") == "p.filter"


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    """A tenant of core + crm + oa with deals of every stage."""
    build_tenant_app(platform.settings, platform.tenant(SLUG), platform.catalog)
    client = platform.client()
    headers = jwt(client, SLUG)
    account = post_record(client, headers, SLUG, "crm_account", name="Rows Trading")
    for name, stage, amount in (
        ("Alpha won", "won", "900"),
        ("Beta won", "won", "340"),
        ("Gamma lost", "lost", "5000"),
        ("Delta proposal", "proposal", "1200"),
    ):
        post_record(
            client, headers, SLUG, "crm_opportunity", name=name, account=account, stage=stage, amount=amount,
            close_date="2026-06-30",
        )  # fmt: skip
    return platform


def signed_in(platform: Platform) -> Client:
    client = platform.client()
    assert login(client, SLUG, "admin").status_code == 302
    return client


def post_form(client: Client, url: str, data: dict[str, Any], page_url: str = "") -> Any:
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(page_url or url).text)})


def draft_text(platform: Platform, key: str) -> str | None:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        return draft_of(session, key)


def drafted_view(platform: Platform, name: str) -> dict[str, Any]:
    documents = yaml.safe_load_all(draft_text(platform, "crm.opportunity") or "")
    return next(d for d in documents if d.get("kind") == "ListView" and d.get("name") == name)


def selected(page: Any, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page.text, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else ""


def test_the_view_editor_shows_a_flat_filter_as_rows_and_a_nested_one_as_json(company: Platform) -> None:
    admin = signed_in(company)
    mine = admin.get(f"{OPPORTUNITY}/views/ListView/edit/my_open")
    assert mine.status_code == 200
    assert selected(mine, "p.filter.match") == "all"
    assert [selected(mine, f"p.filter.{i}.field") for i in range(3)] == ["owner", "stage", ""]
    assert selected(mine, "p.filter.1.op") == "not_in"
    assert 'name="p.filter.1.value" value="won, lost"' in mine.text
    assert "fw-filter-note" not in mine.text

    nested = '{"any": [{"field": "stage", "op": "=", "value": "won"}, {"not": {"field": "amount", "op": "is_empty"}}]}'
    saved = post_form(
        admin, f"{OPPORTUNITY}/views/ListView/new", {**PIPELINE_COLUMNS, "name": "odd", "p.filter": nested}
    )
    assert saved.status_code == 302, page_text(saved)
    odd = admin.get(f"{OPPORTUNITY}/views/ListView/edit/odd")
    assert "groups conditions inside each other" in page_text(odd) and 'name="p.filter.0.field"' not in odd.text
    assert "&#34;not&#34;" in odd.text or "&quot;not&quot;" in odd.text  # the JSON, to edit as an expert


def test_a_list_view_filter_posted_as_rows_shows_only_matching_records_after_publish(company: Platform) -> None:
    admin = signed_in(company)
    saved = post_form(
        admin,
        PIPELINE_EDITOR,
        {
            **PIPELINE_COLUMNS,
            "p.filter.mode": "rows",
            "p.filter.match": "all",
            "p.filter.0.field": "stage",
            "p.filter.0.op": "in",
            "p.filter.0.value": "won, proposal",
            "p.filter.1.field": "",
            "p.filter.2.field": "amount",
            "p.filter.2.op": ">=",
            "p.filter.2.value": "500",
        },
    )
    assert saved.status_code == 302, page_text(saved)
    assert drafted_view(company, "pipeline")["filter"] == [
        {"field": "stage", "op": "in", "value": ["won", "proposal"]},
        {"field": "amount", "op": ">=", "value": 500},
    ]
    page = admin.get(f"{OPPORTUNITY}/")
    published = admin.post(f"{OPPORTUNITY}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302, page_text(published)
    listed = page_text(admin.get(f"/t/{SLUG}/crm_opportunity/view/pipeline/"))
    assert "Alpha won" in listed and "Delta proposal" in listed
    assert "Beta won" not in listed and "Gamma lost" not in listed

    shown = admin.get(PIPELINE_EDITOR)  # the published filter, as rows again
    assert [selected(shown, f"p.filter.{i}.field") for i in range(2)] == ["stage", "amount"]


def test_a_bad_value_or_unknown_field_is_refused_at_its_row(company: Platform) -> None:
    admin = signed_in(company)
    before = draft_text(company, "crm.opportunity")
    refused = post_form(
        admin,
        PIPELINE_EDITOR,
        {
            **PIPELINE_COLUMNS,
            "p.filter.mode": "rows",
            "p.filter.match": "any",
            "p.filter.0.field": "stage",
            "p.filter.0.op": "=",
            "p.filter.0.value": "won",
            "p.filter.1.field": "close_date",
            "p.filter.1.op": ">",
            "p.filter.1.value": "someday",
            "p.filter.2.field": "x_nothing",
            "p.filter.2.op": "=",
            "p.filter.2.value": "1",
        },
    )
    assert refused.status_code == 400
    assert any("someday" in message for message in control_errors(refused, "p.filter.1.value")), page_text(refused)
    assert any("x_nothing" in message for message in control_errors(refused, "p.filter.2.field")), page_text(refused)
    assert control_errors(refused, "p.filter.0.value") == []
    assert selected(refused, "p.filter.match") == "any"  # the rows as posted, to correct
    assert 'name="p.filter.1.value" value="someday"' in refused.text
    assert draft_text(company, "crm.opportunity") == before


def test_the_dashboard_editor_takes_card_filters_from_the_same_rows(company: Platform) -> None:
    admin = signed_in(company)
    editor = admin.get(f"{TEAM}/?entity=crm.opportunity")
    assert editor.status_code == 200 and selected(editor, "card.filter.match") == "all"
    card = {
        "card.entity": "crm.opportunity",
        "card.type": "number",
        "card.label_en": "Closed deals",
        "card.row": "new",
        "card.filter.match": "any",
        "card.filter.0.field": "stage",
        "card.filter.0.op": "=",
        "card.filter.0.value": "won",
        "card.filter.1.field": "stage",
        "card.filter.1.op": "=",
        "card.filter.1.value": "lost",
    }
    wrong = post_form(admin, f"{TEAM}/cards", {**card, "card.filter.1.op": "<"}, f"{TEAM}/")
    assert wrong.status_code == 400
    assert any("'<' does not apply" in m for m in control_errors(wrong, "card.filter.1.op")), page_text(wrong)
    assert draft_text(company, "Dashboard x.team") is None
    added = post_form(admin, f"{TEAM}/cards", card, f"{TEAM}/")
    assert added.status_code == 302, page_text(added)
    dashboard = yaml.safe_load(draft_text(company, "Dashboard x.team") or "")
    assert dashboard["rows"][0]["widgets"][0]["filter"] == {
        "any": [{"field": "stage", "op": "=", "value": "won"}, {"field": "stage", "op": "=", "value": "lost"}]
    }
