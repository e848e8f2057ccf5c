"""In a real browser: choosing a reference's target (or a rollup's source) in the add-field form refreshes the filter's
rows with that entity's fields, and a field saved with a row lands in the draft with its filter; choosing a rollup's
source fills the "Field summed up" select with its number fields, and the field picked lands in the draft.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session

from conftest import Platform
from formwork.studio.drafts import draft_of
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine
from test_browser import csp_violations, expect, served, signed_in_page

SLUG = "studio-field-filters-browser"
ACCOUNT = f"/t/{SLUG}/studio/crm.account/"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG)
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1280, "height": 900})


def drafted_fields(platform: Platform) -> list[dict[str, Any]]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        documents = yaml.safe_load_all(draft_of(session, "crm.account") or "")
    return next((d["fields"] for d in documents if d.get("kind") == "EntityExtension"), [])


def test_choosing_the_target_or_source_offers_its_fields_in_the_filter_rows(
    server: str, page: Any, platform: Platform
) -> None:
    violations = csp_violations(page)
    page.goto(f"{server}{ACCOUNT}")
    first_field = page.locator('select[name="filter.0.field"]')
    page.select_option("#fw-studio-type", "rollup")
    page.select_option("#fw-studio-source", "crm.opportunity.account")
    expect(page.locator(".fw-studio-filter-entity")).to_contain_text("Opportunity (crm.opportunity)")
    expect(first_field.locator('option[value="stage"]')).to_have_count(1)
    expect(page.locator("#fw-studio-type")).to_have_value("rollup")  # the form as it was

    page.select_option("#fw-studio-type", "reference")
    page.select_option("#fw-studio-target", "core.employee")
    expect(page.locator(".fw-studio-filter-entity")).to_contain_text("Employee (core.employee)")
    expect(first_field.locator('option[value="active"]')).to_have_count(1)
    expect(first_field.locator('option[value="stage"]')).to_have_count(0)

    page.fill("#fw-studio-name", "partner")
    page.fill("#fw-studio-label-en", "Partner")
    first_field.select_option("active")
    page.select_option('select[name="filter.0.op"]', "=")
    page.fill('input[name="filter.0.value"]', "true")
    page.click("#fw-studio-add-field button.btn-primary[type=submit]")
    expect(page.locator(".fw-drafted[data-field=x_partner]")).to_have_count(1)
    partner = next(f for f in drafted_fields(platform) if f["name"] == "x_partner")
    assert partner["filter"] == [{"field": "active", "op": "=", "value": True}]
    assert violations == []


def test_choosing_the_source_fills_the_field_summed_up(server: str, page: Any, platform: Platform) -> None:
    violations = csp_violations(page)
    page.goto(f"{server}{ACCOUNT}")
    summed = page.locator("#fw-studio-field")
    page.select_option("#fw-studio-type", "rollup")
    expect(summed).to_be_visible()
    expect(summed.locator("option")).to_have_count(1)  # nothing to sum up before the records are chosen

    page.select_option("#fw-studio-source", "crm.opportunity.account")
    expect(summed.locator('option[value="amount"]')).to_have_count(1)
    expect(summed.locator('option[value="notes"]')).to_have_count(0)
    expect(page.locator(".fw-studio-summed-entity")).to_contain_text("Opportunity (crm.opportunity)")
    expect(page.locator("#fw-studio-type")).to_have_value("rollup")  # the form as it was

    page.fill("#fw-studio-name", "pipeline_total")
    page.fill("#fw-studio-label-en", "Pipeline total")
    page.select_option("#fw-studio-aggregate", "sum")
    summed.select_option("amount")
    page.click("#fw-studio-add-field button.btn-primary[type=submit]")
    expect(page.locator(".fw-drafted[data-field=x_pipeline_total]")).to_have_count(1)
    drafted = next(f for f in drafted_fields(platform) if f["name"] == "x_pipeline_total")
    assert (drafted["source"], drafted["aggregate"], drafted["field"]) == ("crm.opportunity.account", "sum", "amount")
    assert violations == []
