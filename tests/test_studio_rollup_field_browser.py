"""In a real browser: choosing the records a rollup sums up in the add-field form fills the "Field summed up" select
with their number fields, and the field picked lands in the draft.

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

SLUG = "studio-rollup-field-browser"
ACCOUNT = f"/t/{SLUG}/studio/crm.account/"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, ["core", "crm"])
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1280, "height": 900})


def drafted_fields(platform: Platform) -> list[dict[str, Any]]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with Session(tenant_engine(platform.settings, tenant)) as session:
        documents = yaml.safe_load_all(draft_of(session, "crm.account") or "")
    return next((d["fields"] for d in documents if d.get("kind") == "EntityExtension"), [])


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
    drafted = drafted_fields(platform)[0]
    assert (drafted["source"], drafted["aggregate"], drafted["field"]) == ("crm.opportunity.account", "sum", "amount")
    assert violations == []
