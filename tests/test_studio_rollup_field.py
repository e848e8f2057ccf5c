"""A rollup's field summed up is picked in the add-field form from the number fields of the records it sums up: the
select offers the chosen source's numbers (refreshed as the filter rows' fields are) and none of its texts; a field
that holds no number is refused at the select with a 400, nothing drafted or published; a count needs no field."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from werkzeug.test import Client

from conftest import Platform, control_errors, csrf_token, login, page_text
from formwork.tenancy.customizations import stored_sources

SLUG = "studio-rollup-field"
ACCOUNT = f"/t/{SLUG}/studio/crm.account"
ROLLUP = {
    "name": "open_total",
    "type": "rollup",
    "label_en": "Open total",
    "source": "crm.opportunity.account",
    "aggregate": "sum",
}


@pytest.fixture(scope="module")
def company(platform: Platform) -> Platform:
    platform.tenant(SLUG, ["core", "crm"])
    return platform


def signed_in(platform: Platform) -> Client:
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    return client


def post(client: Client, form: dict[str, str]) -> Any:
    token = csrf_token(client.get(f"{ACCOUNT}/").text)
    return client.post(f"{ACCOUNT}/fields", data={**form, "csrf_token": token})


def summed_options(page: Any) -> dict[str, str]:
    """The options of the "Field summed up" select: value -> what it reads."""
    select = re.search(r'<select id="fw-studio-field" name="field".*?</select>', page.text, re.S)
    assert select, "the form has no select of the field summed up"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0)))


def drafted_fields(client: Client) -> list[str]:
    return re.findall(r'data-field="(x_[a-z_]+)"', client.get(f"{ACCOUNT}/").text)


def test_the_select_offers_the_number_fields_of_the_chosen_source(company: Platform) -> None:
    admin = signed_in(company)
    page = admin.get(f"{ACCOUNT}/")
    assert summed_options(page) == {"": "—"}  # no source chosen yet
    assert "Choose the records it sums up" in page_text(page)

    refreshed = post(admin, {**ROLLUP, "refresh": "1"})
    assert refreshed.status_code == 200
    offered = summed_options(refreshed)
    assert {"amount", "probability", "discount_percent", "weighted_amount"} <= set(offered)
    assert offered["amount"] == "Amount (amount)"
    assert not {"name", "notes", "stage", "close_date", "owner"} & set(offered)
    assert "The number fields of Opportunity (crm.opportunity)" in page_text(refreshed)


def test_a_field_holding_no_number_is_refused_at_the_select_and_nothing_is_drafted(company: Platform) -> None:
    admin = signed_in(company)
    before = drafted_fields(admin)
    answer = post(admin, {**ROLLUP, "field": "notes"})
    assert answer.status_code == 400
    messages = control_errors(answer, "field")
    assert messages and "crm.opportunity" in messages[0], page_text(answer)
    assert re.search(r'<option value="notes" selected>notes</option>', answer.text)  # shown as posted
    assert drafted_fields(admin) == before
    assert ("EntityExtension", "crm.account") not in stored_sources(company.settings, SLUG)


def test_a_count_needs_no_field_and_a_sum_takes_the_one_picked(company: Platform) -> None:
    admin = signed_in(company)
    counted = post(admin, {**ROLLUP, "name": "deals", "label_en": "Deals", "aggregate": "count"})
    assert counted.status_code == 302, page_text(counted)
    summed = post(admin, {**ROLLUP, "field": "amount"})
    assert summed.status_code == 302, page_text(summed)
    page = admin.get(f"{ACCOUNT}/")
    assert drafted_fields(admin) == ["x_deals", "x_open_total"]
    published = admin.post(f"{ACCOUNT}/publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302
    fields = yaml.safe_load(stored_sources(company.settings, SLUG)[("EntityExtension", "crm.account")])["fields"]
    assert [(f["name"], f["aggregate"], f.get("field")) for f in fields] == [
        ("x_deals", "count", None),
        ("x_open_total", "sum", "amount"),
    ]
