"""Issue 16's scenario in one real browser, as a business admin does it: add the custom field "WeChat ID" to the
customer, find it in the form's first section, make it required when the customer level is VIP with the condition
builder, publish with a comment, create a customer and see the rule enforced live and by the server, show the field
as a list column and on the cards of a new board, rename a choice (of the industry: the level is locked by the rule that names its values) and see the
stored values follow, change an approval
step's approver, roll back to before the field existed and see its data kept, and restore it again.

(An operator creating a tenant whose admin signs in through the invitation is tests/test_console_browser.py.)

Needs Debian's chromium and the `playwright` package; skipped where they are missing, except when
FORMWORK_REQUIRE_BROWSER is set (CI sets it), so CI can never pass by skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Platform
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.storage import tenant_engine
from test_browser import csp_violations, expect, served, signed_in_page

SLUG = "studio-scenario"
STUDIO = f"/t/{SLUG}/studio"
ACCOUNT = f"{STUDIO}/crm.account/"
REQUIRED = "cond.x_wechat_id.required_when"


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    platform.tenant(SLUG)
    yield from served(platform)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    yield from signed_in_page(f"{server}/t/{SLUG}", {"width": 1600, "height": 1000})


def publish(page: Any, server: str, entity: str, comment: str) -> None:
    page.goto(f"{server}{STUDIO}/{entity}/")
    page.fill("#fw-publish-comment", comment)
    page.click(".fw-studio-publish button.btn-primary")
    expect(page.locator(".alert-success")).to_contain_text("Published.")


def revision_with(page: Any, server: str, comment: str) -> int:
    page.goto(f"{server}{STUDIO}/versions/")
    row = page.locator("tr[data-revision]", has=page.locator(".fw-revision-comment", has_text=comment))
    return int(row.get_attribute("data-revision"))


def add_wechat_id(page: Any, server: str) -> None:
    page.goto(f"{server}{ACCOUNT}")
    page.fill("#fw-studio-name", "wechat_id")
    page.select_option("#fw-studio-type", "string")
    page.fill("#fw-studio-label-en", "WeChat ID")
    page.fill("#fw-studio-label-zh", "微信号")
    page.click("#fw-studio-add-field button.btn-primary[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("x_wechat_id")


def require_it_for_vips(page: Any, server: str) -> None:
    page.goto(f"{server}{ACCOUNT}forms/default/")
    first = page.locator(".fw-section-fields").nth(0)
    expect(first.locator('.fw-designer-field[data-field="x_wechat_id"]')).to_have_count(1)
    page.click('.fw-designer-field[data-field="x_wechat_id"] .fw-designer-field-label')
    builder = page.locator(f'.fw-condition-builder[data-prefix="{REQUIRED}"]')
    builder.locator(f'select[name="{REQUIRED}.0.field"]').select_option("level")
    builder.locator(f'select[name="{REQUIRED}.0.value"]').select_option("vip")
    page.click(".fw-designer-save")
    expect(page.locator(".alert-success")).to_contain_text("in the draft")


def create_vip_customer(page: Any, server: str) -> None:
    page.goto(f"{server}/t/{SLUG}/crm_account/add")
    wechat = page.locator('.fw-field[data-field="x_wechat_id"]')
    page.fill("input[name=name]", "Scenario VIP Co")
    page.select_option("select[name=industry]", "retail")
    page.select_option("select[name=level]", "standard")
    expect(wechat.locator(".fw-required")).to_be_hidden()
    page.select_option("select[name=level]", "vip")
    expect(wechat.locator(".fw-required")).to_be_visible()  # live, as the admin chose the level
    page.locator("#model_form button[type=submit], #model_form input[type=submit]").first.click()
    expect(wechat.locator(".alert-danger")).to_contain_text("required")  # and by the server
    page.fill("input[name=x_wechat_id]", "scenario-vip")
    page.locator("#model_form button[type=submit], #model_form input[type=submit]").first.click()
    expect(page.locator(".alert-success").first).to_be_visible()


def add_to_list_and_board(page: Any, server: str) -> None:
    page.goto(f"{server}{ACCOUNT}views/ListView/edit/default")
    columns = page.locator('.fw-view-control[data-control="p.columns"]')
    columns.locator("select.fw-add-choice").select_option("x_wechat_id")
    columns.locator(".fw-add").click()
    page.click(".fw-save-view")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{server}{ACCOUNT}views/KanbanView/new")
    page.fill("#fw-view-name", "by_level")
    page.fill("#fw-view-label-en", "Customers by level")
    page.fill("#fw-view-label-zh", "按等级的客户")
    page.select_option('select[name="p.group_by"]', "level")
    card = page.locator('.fw-view-control[data-control="p.card"]')
    for name in ("name", "x_wechat_id"):
        card.locator("select.fw-add-choice").select_option(name)
        card.locator(".fw-add").click()
    page.click(".fw-save-view")
    expect(page.locator(".alert-success")).to_be_visible()


def rename_retail(page: Any, server: str) -> None:
    """The level is locked now (the WeChat ID's condition names its values); the industry is not."""
    page.goto(f"{server}{ACCOUNT}fields/level/")
    expect(page.locator(".fw-field-lock")).to_contain_text("WeChat ID")
    page.goto(f"{server}{ACCOUNT}fields/industry/")
    row = page.locator('tr[data-choice="retail"]')
    row.locator('input[name="choice_value"]').fill("consumer")
    row.locator('input[name="choice_label_en"]').fill("Consumer goods")
    row.locator('input[name="choice_label_zh"]').fill("消费品")
    row.locator('input[name="choice_label_zh"]').press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("in the draft")
    page.goto(f"{server}{ACCOUNT}")
    expect(page.locator(".fw-plan-changes")).to_contain_text("retail → consumer (1 record)")


def change_finance_approver(page: Any, server: str) -> None:
    page.goto(f"{server}{STUDIO}/oa.expense_claim/")
    page.click('.fw-studio-chains li[data-chain="expense_approval"] a')
    finance = page.locator('.fw-step[data-name="finance"]')
    finance.locator('select[name="steps.1.approvers.0.role"]').select_option("cfo")
    page.click(".fw-chain-save")
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("The approval chain is in the draft")


def stored_wechat_id(platform: Platform) -> str | None:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    with tenant_engine(platform.settings, tenant).connect() as conn:
        return conn.execute(sa.text("SELECT x_wechat_id FROM crm_account WHERE name = 'Scenario VIP Co'")).scalar()


def test_a_business_admin_customizes_the_customer_and_rolls_back_without_losing_data(
    platform: Platform, server: str, page: Any
) -> None:
    violations = csp_violations(page)
    add_wechat_id(page, server)
    require_it_for_vips(page, server)
    publish(page, server, "crm.account", "WeChat ID for VIPs")
    create_vip_customer(page, server)

    add_to_list_and_board(page, server)
    publish(page, server, "crm.account", "WeChat ID on the list and a board")
    page.goto(f"{server}/t/{SLUG}/crm_account/list/")
    expect(page.locator("thead")).to_contain_text("WeChat ID")
    expect(page.locator("tr", has_text="Scenario VIP Co")).to_contain_text("scenario-vip")
    page.goto(f"{server}/t/{SLUG}/crm_account/kanban/crm.by_level/")
    expect(page.locator('ul.fw-kanban-cards[data-column="vip"]')).to_contain_text("scenario-vip")

    rename_retail(page, server)
    publish(page, server, "crm.account", "Retail is now consumer goods")
    page.goto(f"{server}/t/{SLUG}/crm_account/list/")
    expect(page.locator("tr", has_text="Scenario VIP Co")).to_contain_text("Consumer goods")

    change_finance_approver(page, server)
    publish(page, server, "oa.expense_claim", "Finance approvals go to the CFO")
    page.goto(f"{server}{STUDIO}/oa.expense_claim/chains/expense_approval/")
    expect(page.locator('select[name="steps.1.approvers.0.role"]')).to_have_value("cfo")

    # roll back to before the field existed: it leaves the form, its data stays
    with_field = revision_with(page, server, "WeChat ID for VIPs")
    before = with_field - 1
    page.goto(f"{server}{STUDIO}/versions/{before}/restore")
    expect(page.locator(".fw-plan-changes")).to_contain_text("x_wechat_id")
    page.fill("#fw-restore-comment", "back to the packs")
    page.click("form[action$='/restore'] button.btn-primary")
    expect(page.locator(".alert-success")).to_contain_text(f"Version {before} was restored.")
    page.goto(f"{server}/t/{SLUG}/crm_account/add")
    expect(page.locator('.fw-field[data-field="x_wechat_id"]')).to_have_count(0)
    assert stored_wechat_id(platform) == "scenario-vip"

    # and forward again: the field is back with the value it had
    latest = revision_with(page, server, "Finance approvals go to the CFO")
    page.goto(f"{server}{STUDIO}/versions/{latest}/restore")
    page.click("form[action$='/restore'] button.btn-primary")
    expect(page.locator(".alert-success")).to_contain_text(f"Version {latest} was restored.")
    page.goto(f"{server}/t/{SLUG}/crm_account/list/")
    expect(page.locator("tr", has_text="Scenario VIP Co")).to_contain_text("scenario-vip")
    assert violations == []
