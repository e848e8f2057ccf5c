"""Approval chains in the Studio: an admin changes who approves a step of the expense claim's chain in the editor,
saves it to the draft and publishes it; a claim submitted afterwards goes to the new approver while one submitted
before keeps the steps it started with. A chain naming an unknown role is refused at that step's control (400,
nothing stored); steps are added, moved and removed; a new chain is drafted; only admins reach the editor, and only
with CSRF."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
import yaml
from werkzeug.datastructures import MultiDict
from werkzeug.test import Client

from conftest import Platform, control_errors, csrf_token, login
from formwork.studio.drafts import draft_of
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.customizations import stored_sources
from formwork.tenancy.registry import find_tenant
from formwork.workflow.engine import Approvals
from workflow_org import company, employee_id, new_record, open_task

SLUG = "studio-chains"
CLAIM = "oa.expense_claim"
LEAVE = "oa.leave_request"
PURCHASE = "oa.purchase_request"
ENTITY = f"/t/{SLUG}/studio/{CLAIM}/"
EDITOR = f"{ENTITY}chains/expense_approval/"
LEAVE_EDITOR = f"/t/{SLUG}/studio/{LEAVE}/chains/leave_approval/"
NEW_CHAIN = f"{ENTITY}new-chain/"


@pytest.fixture(scope="module")
def runtime(platform: Platform) -> Any:
    """core + oa with the approval tests' company: erin's manager is mike, fiona and fred are finance, carl the CFO."""
    return company(platform, platform.catalog, SLUG, ["core", "oa"])


def signed_in(platform: Platform, user: str = "admin") -> Client:
    client = platform.client()
    assert login(client, SLUG, user).status_code == 302
    return client


class _FormReader(HTMLParser):
    """What a browser posts for the chain editor's form: every named control's value (selected options, checked
    radios), buttons left out (the test says which it presses)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        name = found.get("name")
        if tag == "form":
            self._inside = "fw-chain-editor" in found.get("class", "")
        if not self._inside:
            return
        if tag == "input" and name and found.get("type") not in ("radio", "checkbox", "submit"):
            self.fields.append((name, found.get("value", "")))
        elif tag == "input" and name and "checked" in found:
            self.fields.append((name, found.get("value", "on")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def posted_page(page: Any, changes: Mapping[str, str | list[str]], action: str = "save") -> MultiDict[str, str]:
    """The editor's form as the page shows it, with `changes` (a list: several values) and the pressed button."""
    reader = _FormReader()
    reader.feed(page.text)
    fields = [(name, value) for name, value in reader.fields if name not in changes]
    for name, value in changes.items():
        fields += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return MultiDict([*fields, ("action", action)])


def post(client: Client, url: str, changes: Mapping[str, str | list[str]], action: str = "save") -> Any:
    return client.post(url, data=posted_page(client.get(url), changes, action))


def step_names(page: Any) -> list[str]:
    return re.findall(r'<li class="panel panel-default fw-step[^"]*" data-step="\d+" data-name="([^"]*)"', page.text)


def the_draft(runtime: Any, entity: str) -> str | None:
    session = runtime.session()
    try:
        return draft_of(session, entity)
    finally:
        runtime.session.remove()


def claim(runtime: Any) -> int:
    record = new_record(runtime, CLAIM, employee_id=employee_id(runtime, "erin"), title="fair")
    new_record(runtime, "oa.expense_line", claim_id=record, spent_on=date(2030, 1, 2), category="travel", amount="900")
    return record


def waiting(approvals: Approvals, record: int) -> tuple[str, list[str]]:
    """The request's status and who it waits for."""
    status = approvals.status(CLAIM, record)
    assert status is not None
    return status.status, status.waiting_for


def served_approvals(platform: Platform) -> Approvals:
    """The engine of the tenant as it is served now (after a publish: with the published chain)."""
    tenant = find_tenant(platform.settings.database_url, SLUG)
    assert tenant is not None
    return Approvals(build_tenant_app(platform.settings, tenant, platform.catalog).extensions["formwork"])


def test_the_entity_page_lists_its_chains_and_the_editor_draws_their_steps(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    page = admin.get(ENTITY)
    assert 'data-chain="expense_approval"' in page.text and "Expense claim approval" in page.text
    assert f'href="{NEW_CHAIN}"' in page.text

    editor = admin.get(EDITOR)
    assert editor.status_code == 200
    assert step_names(editor) == ["manager", "finance", "cfo"]
    finance = re.search(r'name="steps\.1\.approvers\.0\.role".*?</select>', editor.text, re.S)
    assert finance and re.search(r'<option value="finance" selected>', finance.group(0))
    modes = re.search(r'name="steps\.0\.mode".*?</select>', editor.text, re.S)
    assert modes and re.findall(r'<option value="(\w+)"', modes.group(0)) == ["any", "all", "quorum", "sequential"]
    manager = re.search(r'name="steps\.0\.approvers\.0\.manager"[^>]*value="(\d+)"', editor.text)
    assert manager and manager.group(1) == "1"
    assert "total != null &amp;&amp; total &gt; 20000.0" in editor.text  # the CFO step's condition


def test_a_new_approver_routes_new_claims_and_running_ones_keep_their_steps(platform: Platform, runtime: Any) -> None:
    before = Approvals(runtime)
    earlier = claim(runtime)
    running = before.submit(CLAIM, earlier, "erin")

    admin = signed_in(platform)
    saved = post(admin, EDITOR, {"steps.1.approvers.0.role": "cfo"})
    assert saved.status_code == 302, control_errors(saved, "")
    assert "role: cfo" in (the_draft(runtime, CLAIM) or "")
    assert ("ApprovalChain", f"{CLAIM}/expense_approval") not in stored_sources(platform.settings, SLUG)
    page = admin.get(ENTITY)
    assert "In the draft" in page.text
    published = admin.post(f"{ENTITY}publish", data={"csrf_token": csrf_token(page.text)})
    assert published.status_code == 302
    assert "role: cfo" in stored_sources(platform.settings, SLUG)[("ApprovalChain", f"{CLAIM}/expense_approval")]
    assert ("EntityExtension", CLAIM) not in stored_sources(platform.settings, SLUG)  # a chain-only draft adds no field

    after = served_approvals(platform)
    later = claim(runtime)
    fresh = after.submit(CLAIM, later, "erin")
    after.approve(open_task(after, fresh, "mike"), "mike")
    assert waiting(after, later) == ("pending", ["carl"])  # the finance step now asks the CFO

    after.approve(open_task(after, running, "mike"), "mike")
    assert waiting(after, earlier) == ("pending", ["fiona", "fred"])  # started before: the old finance step
    after.approve(open_task(after, running, "fiona"), "fiona")
    assert waiting(after, earlier)[0] == "approved"

    editor = admin.get(EDITOR)  # the editor opens on the published chain
    finance = re.search(r'name="steps\.1\.approvers\.0\.role".*?</select>', editor.text, re.S)
    assert finance and '<option value="cfo" selected>' in finance.group(0)


def test_an_unknown_role_is_refused_at_its_step_and_nothing_is_stored(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    draft = the_draft(runtime, CLAIM)
    refused = post(admin, EDITOR, {"steps.1.approvers.0.role": "treasurer"})
    assert refused.status_code == 400
    messages = control_errors(refused, "steps.1.approvers.0.role")
    assert messages and "unknown role 'treasurer'" in messages[0]
    assert "Nothing was saved" in html.unescape(refused.text)
    assert the_draft(runtime, CLAIM) == draft


def test_a_wrong_timeout_and_condition_are_shown_at_their_controls(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    late = post(admin, EDITOR, {"steps.0.timeout.after": "soon", "steps.0.timeout.action": "escalate"})
    assert late.status_code == 400
    assert control_errors(late, "steps.0.timeout.after")
    typo = post(admin, EDITOR, {"cond.steps.2.when.mode": "text", "cond.steps.2.when.text": "totl > 1"})
    assert typo.status_code == 400
    builder = re.search(r'data-condition="cond\.steps\.2\.when">(.*?)</span>', typo.text, re.S)
    assert builder and "totl" in html.unescape(builder.group(1))
    assert the_draft(runtime, CLAIM) is None  # published before: no draft since


def test_an_outcome_sets_a_choice_of_the_record_and_a_wrong_one_is_refused_there(
    platform: Platform, runtime: Any
) -> None:
    admin = signed_in(platform)
    purchase = f"/t/{SLUG}/studio/{PURCHASE}/chains/purchase_approval/"
    page = admin.get(purchase)
    assert re.search(r'name="on_approve\.set\.0\.value"[^>]*value="approved"', page.text)
    wrong = admin.post(purchase, data=posted_page(page, {"on_approve.set.0.value": "paid"}))
    assert wrong.status_code == 400
    messages = control_errors(wrong, "on_approve.set.status")
    assert messages and "'paid' is not one of the choices of status" in messages[0]
    assert the_draft(runtime, PURCHASE) is None

    changes = {
        "on_reject.set.0.value": "draft",
        "on_reject.notify.1.kind": "role",
        "on_reject.notify.1.role": "purchasing",
    }
    assert admin.post(purchase, data=posted_page(page, changes)).status_code == 302
    chain = next(
        doc for doc in yaml.safe_load_all(the_draft(runtime, PURCHASE) or "") if doc["kind"] == "ApprovalChain"
    )
    assert chain["on_reject"] == {
        "set": {"status": "draft"},
        "notify": [{"field": "requester"}, {"role": "purchasing"}],
    }
    assert chain["on_approve"]["set"] == {"status": "approved"}


def test_steps_are_added_moved_and_removed(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    added = post(admin, LEAVE_EDITOR, {}, action="add_step")
    assert added.status_code == 200
    assert step_names(added) == ["manager", "department_head", "step_3"]
    assert the_draft(runtime, LEAVE) is None  # a button shows the change; only Save stores

    unassigned = admin.post(LEAVE_EDITOR, data=posted_page(added, {}))
    assert unassigned.status_code == 400
    assert control_errors(unassigned, "steps.2.approvers")  # a step needs someone to approve it

    chosen = {"steps.2.approvers.0.kind": "role", "steps.2.approvers.0.role": "employee", "steps.2.name": "hr"}
    moved = admin.post(LEAVE_EDITOR, data=posted_page(added, chosen, action="up:2"))
    assert step_names(moved) == ["manager", "hr", "department_head"]
    saved = admin.post(LEAVE_EDITOR, data=posted_page(moved, {}))
    assert saved.status_code == 302
    draft = the_draft(runtime, LEAVE) or ""
    assert draft.index("name: hr") < draft.index("name: department_head")
    assert step_names(admin.get(LEAVE_EDITOR)) == ["manager", "hr", "department_head"]

    editor = admin.get(LEAVE_EDITOR)
    removed = admin.post(LEAVE_EDITOR, data=posted_page(editor, {}, action="remove_step:1"))
    assert step_names(removed) == ["manager", "department_head"]
    assert admin.post(LEAVE_EDITOR, data=posted_page(removed, {})).status_code == 302
    assert "name: hr" not in (the_draft(runtime, LEAVE) or "")


def test_a_new_chain_is_drafted_and_listed(platform: Platform, runtime: Any) -> None:
    admin = signed_in(platform)
    taken = post(
        admin,
        NEW_CHAIN,
        {"name": "expense_approval", "steps.0.approvers.0.kind": "role", "steps.0.approvers.0.role": "cfo"},
    )
    assert taken.status_code == 400 and control_errors(taken, "name")

    big = {
        "name": "big_claims",
        "label_en": "Big claims",
        "label_zh": "大额报销",
        "steps.0.approvers.0.kind": "role",
        "steps.0.approvers.0.role": "cfo",
        "steps.0.mode": "all",
    }
    saved = post(admin, NEW_CHAIN, big)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"{ENTITY}chains/big_claims/")
    page = admin.get(ENTITY)
    assert 'data-chain="big_claims"' in page.text and "Big claims" in page.text
    assert step_names(admin.get(f"{ENTITY}chains/big_claims/")) == ["step_1"]


def test_only_admins_reach_the_chain_editor_and_only_with_csrf(platform: Platform, runtime: Any) -> None:
    erin = platform.client()
    token = csrf_token(erin.get(f"/t/{SLUG}/login/").text)  # the session's token, kept through signing in
    assert login(erin, SLUG, "erin").status_code == 302
    assert erin.get(EDITOR).status_code == 403
    assert erin.get(NEW_CHAIN).status_code == 403
    for url in (EDITOR, NEW_CHAIN):
        assert erin.post(url, data={"csrf_token": token, "action": "save", "step": "0"}).status_code == 403
    admin = signed_in(platform)
    draft = the_draft(runtime, CLAIM)
    form = posted_page(admin.get(EDITOR), {"steps.1.approvers.0.role": "finance"})
    form.pop("csrf_token")
    assert admin.post(EDITOR, data=form).status_code == 400
    assert the_draft(runtime, CLAIM) == draft
