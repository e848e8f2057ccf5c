"""Customizing beyond fields and forms: a tenant's overlays of the features' kinds (a kanban board, an approval
chain, an automation) replace the pack's of the same entity and name, and `changes:` of an extension change what a
tenant may change of the packs' own fields; a wrong one is refused at its line and stores nothing."""

from __future__ import annotations

import textwrap

import pytest
from werkzeug.test import Client

from conftest import Platform, jwt, login
from formwork.meta.errors import DefinitionsInvalid
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import list_customizations, overlay_kinds, read_overlays
from formwork.tenancy.customize import store_overlays
from formwork.tenancy.registry import find_tenant

SLUG = "custom-features"
BOARD = textwrap.dedent("""\
    kind: KanbanView
    entity: crm.opportunity
    name: pipeline
    label: {en: Deals by stage, zh: 按阶段的商机}
    group_by: stage
    card: [name, amount]
    """)
CHAIN_STEP = textwrap.dedent("""\
    kind: ApprovalChain
    entity: oa.expense_claim
    name: expense_approval
    label: {en: Expense claim approval (two steps), zh: 费用报销审批（两步）}
    steps:
      - name: manager
        approvers: [{manager: 1}]
      - name: finance
        approvers: [{role: finance}]
    """)
WEBSITE_REQUIRED = textwrap.dedent("""\
    kind: EntityExtension
    entity: crm.account
    changes:
      website: {required: true, help: {en: The company's site, zh: 公司网站}}
      level:
        choices:
          - {value: standard, label: Standard}
          - {value: vip, label: VIP, color: red}
    """)


@pytest.fixture(scope="module")
def tenant(platform: Platform):
    return platform.tenant(SLUG)


def store(platform: Platform, text: str, file: str = "custom.yaml") -> list[str]:
    tenant = find_tenant(platform.settings.database_url, SLUG)
    return store_overlays(platform.settings, platform.catalog, tenant, read_overlays(text, file))


def signed_in(platform: Platform) -> Client:
    client = platform.client()
    assert login(client, SLUG).status_code == 302
    return client


def test_the_features_kinds_are_customizable() -> None:
    assert set(overlay_kinds()) >= {"KanbanView", "CalendarView", "PivotView", "ApprovalChain", "Automation"}


def test_a_board_overlay_replaces_the_pack_board(platform: Platform, tenant) -> None:
    assert store(platform, BOARD) == ["customization added: KanbanView crm.opportunity/pipeline"]
    page = signed_in(platform).get(f"/t/{SLUG}/crm_opportunity/kanban/crm.pipeline/")
    assert page.status_code == 200
    assert "Deals by stage" in page.text
    assert "Pipeline board" not in page.text


def test_a_chain_overlay_replaces_the_pack_chain_for_new_requests(platform: Platform, tenant) -> None:
    assert store(platform, CHAIN_STEP) == ["customization added: ApprovalChain oa.expense_claim/expense_approval"]
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog)
    catalog = app.extensions["formwork"].catalog
    chain = catalog.chains["oa.expense_approval"]
    assert [step.name for step in chain.steps] == ["manager", "finance"]
    assert chain.label.localized() == "Expense claim approval (two steps)"


def test_a_board_naming_an_unknown_field_is_refused_at_its_line(platform: Platform, tenant) -> None:
    before = list_customizations(platform.settings, SLUG)
    with pytest.raises(DefinitionsInvalid) as refused:
        store(platform, BOARD.replace("card: [name, amount]", "card: [name, x_nothing]"), "board.yaml")
    assert "board.yaml:6" in str(refused.value) and "x_nothing" in str(refused.value)
    assert [(c.kind, c.target, c.source) for c in list_customizations(platform.settings, SLUG)] == [
        (c.kind, c.target, c.source) for c in before
    ]


def test_changes_make_a_pack_field_required_and_recolour_a_choice(platform: Platform, tenant) -> None:
    assert store(platform, WEBSITE_REQUIRED)[0] == "customization added: EntityExtension crm.account"
    client = platform.client()
    headers = jwt(client, SLUG)
    refused = client.post(f"/t/{SLUG}/api/v1/crm_account/", json={"name": "No site"}, headers=headers)
    assert refused.status_code == 400
    assert "website" in refused.json["message"]
    form = signed_in(platform).get(f"/t/{SLUG}/crm_account/add")
    assert "The company&#39;s site" in form.text or "The company's site" in form.text
    assert 'value="key"' not in form.text  # the choices as the change lists them


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("nothing: {help: x}", "changes.yaml:4 at changes.nothing: 'nothing' is not a field of crm.account"),
        ("employees: {required: yes-please}", "changes.yaml:4 at changes.employees.required: 'yes-please' is not"),
        ("level: {default: gold}", "changes.yaml:4 at changes.level.default: default 'gold' is not one of"),
    ],
)
def test_a_wrong_change_is_refused_at_the_change(platform: Platform, tenant, change: str, expected: str) -> None:
    bad = f"kind: EntityExtension\nentity: crm.account\nchanges:\n  {change}\n"
    with pytest.raises(DefinitionsInvalid) as refused:
        store(platform, bad, "changes.yaml")
    messages = [str(e) for e in refused.value.errors]
    assert any(m.startswith(expected) for m in messages), messages
