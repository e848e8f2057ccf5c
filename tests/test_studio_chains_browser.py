"""In a real browser, issue 16's scenario "edit an approval step's approver": the admin opens the expense claim's
approval chain from the entity's Studio page, changes the finance step to be approved by the submitter's manager
two levels up (the source's value control follows the chosen source; the quorum and the escalation list show when
their mode and action are chosen), adds a step, saves, and the draft holds it.

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from conftest import Platform
from formwork.studio.drafts import draft_of
from test_browser import expect, served, signed_in_page

SLUG = "studio-chains-browser"
ENTITY = f"/t/{SLUG}/studio/oa.expense_claim/"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG, ["core", "oa"])
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1400, "height": 1000})


def _draft(platform: Platform) -> dict[str, Any]:
    """The expense claim's drafted chain, as stored."""
    from formwork.tenancy.apps import build_tenant_app
    from formwork.tenancy.registry import find_tenant

    tenant = find_tenant(platform.settings.database_url, SLUG)
    assert tenant is not None
    runtime = build_tenant_app(platform.settings, tenant, platform.catalog).extensions["formwork"]
    try:
        source = draft_of(runtime.session(), "oa.expense_claim")
    finally:
        runtime.session.remove()
    assert source is not None, "nothing was saved to the draft"
    return next(doc for doc in yaml.safe_load_all(source) if doc["kind"] == "ApprovalChain")


def test_the_admin_edits_a_steps_approver_and_saves_it_to_the_draft(platform: Platform, server: str, page: Any) -> None:
    page.goto(f"{server}{ENTITY}")
    page.click('.fw-studio-chains li[data-chain="expense_approval"] a')
    finance = page.locator('.fw-step[data-name="finance"]')
    expect(finance).to_be_visible()
    source = finance.locator('.fw-source[data-row="0"]')
    expect(source.locator('select[name="steps.1.approvers.0.role"]')).to_be_visible()
    expect(source.locator('input[name="steps.1.approvers.0.manager"]')).to_be_hidden()

    source.locator('select[name="steps.1.approvers.0.kind"]').select_option("manager")
    levels = source.locator('input[name="steps.1.approvers.0.manager"]')
    expect(levels).to_be_visible()  # the value control follows the chosen source
    expect(source.locator('select[name="steps.1.approvers.0.role"]')).to_be_hidden()
    levels.fill("2")
    quorum = finance.locator('input[name="steps.1.quorum"]')
    expect(quorum).to_be_hidden()
    finance.locator('select[name="steps.1.mode"]').select_option("quorum")
    expect(quorum).to_be_visible()  # asked for only with mode quorum
    finance.locator('select[name="steps.1.mode"]').select_option("all")
    escalation = finance.locator(".fw-escalate")
    expect(escalation).to_be_hidden()
    finance.locator('select[name="steps.1.timeout.action"]').select_option("escalate")
    expect(escalation).to_be_visible()
    finance.locator('select[name="steps.1.timeout.action"]').select_option("")

    page.click(".fw-add-step")
    added = page.locator('.fw-step[data-name="step_4"]')
    expect(added).to_be_visible()
    expect(levels).to_have_value("2")  # the page came back with what was typed
    added.locator('select[name="steps.3.approvers.0.kind"]').select_option("role")
    added.locator('select[name="steps.3.approvers.0.role"]').select_option("cfo")
    page.click(".fw-chain-save")
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("The approval chain is in the draft")

    chain = _draft(platform)
    assert chain["steps"][1]["approvers"] == [{"manager": 2}] and chain["steps"][1]["mode"] == "all"
    assert [step["name"] for step in chain["steps"]] == ["manager", "finance", "cfo", "step_4"]
    assert chain["steps"][3]["approvers"] == [{"role": "cfo"}]
    page.goto(f"{server}{ENTITY}")
    expect(page.locator('.fw-studio-chains li[data-chain="expense_approval"] .label-warning')).to_be_visible()
