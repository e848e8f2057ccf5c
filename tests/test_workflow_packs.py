"""The purchase request chain (oa) and the contract and discount chains (crm), walked with real records."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from conftest import PASSWORD, Platform, login
from formwork.compile.models import utcnow
from formwork.tenancy.apps import build_tenant_app
from formwork.tenancy.registry import find_tenant
from formwork.tenancy.worker import run_tenant
from formwork.workflow.engine import Approvals
from formwork.workflow.errors import AlreadyDecided, NotAllowed, WorkflowError
from workflow_org import actions, company, employee_id, new_record, open_task

SLUG = "wfpacks"
PURCHASE, CONTRACT, OPPORTUNITY = "oa.purchase_request", "crm.contract", "crm.opportunity"
#: the people of the new roles, on top of workflow_org's company
ROLE_HOLDERS = {"paula": "purchasing", "pete": "purchasing", "lena": "legal", "stan": "sales_director"}


@pytest.fixture(scope="module")
def runtime(platform: Platform):
    runtime = company(platform, platform.catalog, SLUG, ["core", "oa", "crm"])
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, SLUG), platform.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        for name, role in ROLE_HOLDERS.items():
            sm.add_user(name, name.title(), "Test", f"{name}@example.com", [sm.find_role(role)], password=PASSWORD)
    runtime.session.remove()
    return runtime


@pytest.fixture
def approvals(runtime) -> Approvals:
    return Approvals(runtime)


def record(runtime, entity: str, record_id: int):
    session = runtime.session()
    try:
        found = session.get(runtime.compiled.model(entity), record_id)
        session.expunge(found)
        return found
    finally:
        runtime.session.remove()


def sales_department(runtime) -> int:
    session = runtime.session()
    try:
        return session.query(runtime.compiled.model("core.department")).filter_by(code="S").one().id
    finally:
        runtime.session.remove()


def purchase(runtime, unit_price: str, quantity: int = 1, who: str = "erin") -> int:
    return new_record(
        runtime,
        PURCHASE,
        who,
        requester_id=employee_id(runtime, who),
        department_id=sales_department(runtime),
        item="Laptop",
        quantity=quantity,
        unit_price=unit_price,
        needed_by=date(2030, 6, 1),
        supplier="Lenovo",
        reason="the old one broke",
    )


def account(runtime) -> int:
    return new_record(runtime, "crm.account", name=f"Acme {utcnow().timestamp()}")


def contract(runtime, amount: str, who: str = "erin") -> int:
    return new_record(
        runtime,
        CONTRACT,
        who,
        title="Annual support",
        account_id=account(runtime),
        amount=amount,
        start_date=date(2030, 1, 1),
        end_date=date(2030, 12, 31),
        owner_id=employee_id(runtime, who),
    )


def opportunity(runtime, discount: str | None, who: str = "erin") -> int:
    return new_record(
        runtime,
        OPPORTUNITY,
        who,
        name="Big deal",
        account_id=account(runtime),
        stage="negotiation",
        amount="100000.00",
        close_date=date(2030, 3, 1),
        discount_percent=discount,
        owner_id=employee_id(runtime, who),
    )


def later(**delta: float) -> datetime:
    return utcnow() + timedelta(**delta)


# -- screens -------------------------------------------------------------------------------


def test_the_new_entities_have_screens_in_english_and_chinese(platform: Platform, runtime) -> None:
    rid, cid = purchase(runtime, "99.00"), contract(runtime, "1000.00")
    client = platform.client()
    login(client, SLUG)
    for path, text in (
        (f"oa_purchase_request/show/{rid}", "Unit price"),
        ("oa_purchase_request/list/", "Purchase requests"),
        ("oa_purchase_request/add", "Needed by"),
        (f"crm_contract/show/{cid}", "Starts on"),
        ("crm_contract/list/", "Contracts"),
        ("crm_contract/add", "Opportunity"),
        ("crm_opportunity/add", "Discount (%)"),
    ):
        page = client.get(f"/t/{SLUG}/{path}")
        assert page.status_code == 200 and text in page.text, path
    for path in (f"oa_purchase_request/show/{rid}", f"crm_contract/show/{cid}"):
        assert 'id="fw-approval"' in client.get(f"/t/{SLUG}/{path}").text, path  # the approval panel
    client.get(f"/t/{SLUG}/lang/zh")
    assert "采购申请" in client.get(f"/t/{SLUG}/oa_purchase_request/list/").text


# -- purchase requests (oa) ----------------------------------------------------------------


def test_the_total_is_quantity_times_unit_price_and_the_status_starts_as_draft(runtime) -> None:
    found = record(runtime, PURCHASE, purchase(runtime, "1250.50", quantity=4))
    assert (str(found.total), found.status) == ("5002.00", "draft")
    assert found.number.startswith(f"PR-{date.today().year}-")


def test_a_purchase_over_10000_goes_to_manager_department_head_and_purchasing(approvals, runtime) -> None:
    rid = purchase(runtime, "6000.00", quantity=2)
    instance = approvals.submit(PURCHASE, rid, "erin")
    assert approvals.status(PURCHASE, rid).waiting_for == ["mike"]
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(PURCHASE, rid).waiting_for == ["dora"]  # head of the request's department
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(PURCHASE, rid).waiting_for == ["paula", "pete"]
    approvals.approve(open_task(approvals, instance, "pete"), "pete", comment="ordered")
    assert approvals.status(PURCHASE, rid).status == "approved"
    assert record(runtime, PURCHASE, rid).status == "approved"
    assert {t.assignee: t.status for t in approvals.tasks(instance)}["paula"] == "no_response"
    history = approvals.history(instance)
    assert [e.action for e in history][-3:] == ["approved", "fields_set", "notify"]
    assert history[-1].detail == {"recipients": ["erin"]}


def test_a_purchase_of_10000_or_less_skips_the_department_head(approvals, runtime) -> None:
    rid = purchase(runtime, "2500.00", quantity=4)  # exactly 10,000
    instance = approvals.submit(PURCHASE, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(PURCHASE, rid).waiting_for == ["paula", "pete"]
    assert "step_skipped" in actions(approvals, instance)
    approvals.approve(open_task(approvals, instance, "paula"), "paula")
    assert record(runtime, PURCHASE, rid).status == "approved"


def test_the_manager_rejecting_a_purchase_rejects_it(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    approvals.reject(open_task(approvals, instance, "mike"), "mike", comment="not in the budget")
    assert approvals.status(PURCHASE, rid).status == "rejected"
    assert record(runtime, PURCHASE, rid).status == "rejected"
    with pytest.raises(AlreadyDecided):
        approvals.withdraw(instance, "erin")


def test_purchasing_rejecting_returns_the_request_to_the_requester(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.reject(open_task(approvals, instance, "paula"), "paula", comment="use the framework supplier")
    assert approvals.status(PURCHASE, rid).status == "returned"
    assert record(runtime, PURCHASE, rid).status == "draft"  # not finally rejected
    assert approvals.submit(PURCHASE, rid, "erin") == instance
    assert (approvals.status(PURCHASE, rid).round, approvals.status(PURCHASE, rid).waiting_for) == (2, ["mike"])


def test_purchasing_returns_the_request_to_the_department_head(approvals, runtime) -> None:
    rid = purchase(runtime, "20000.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    approvals.return_to(open_task(approvals, instance, "paula"), "paula", "department_head", comment="really 20,000?")
    status = approvals.status(PURCHASE, rid)
    assert (status.status, status.step, status.waiting_for) == ("pending", "department_head", ["dora"])


def test_the_requester_withdraws_a_purchase(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    with pytest.raises(NotAllowed):
        approvals.withdraw(instance, "mike")
    approvals.withdraw(instance, "erin", comment="found one in the store room")
    assert approvals.status(PURCHASE, rid).status == "withdrawn"
    assert [t.status for t in approvals.tasks(instance)] == ["cancelled"]
    assert record(runtime, PURCHASE, rid).status == "draft"


def test_a_transferred_purchase_task_is_decided_by_the_new_person(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    task = open_task(approvals, instance, "mike")
    approvals.transfer(task, "mike", "sam", comment="sam runs the budget")
    with pytest.raises(AlreadyDecided):
        approvals.approve(task, "mike")
    approvals.approve(open_task(approvals, instance, "sam"), "sam")
    assert approvals.status(PURCHASE, rid).waiting_for == ["paula", "pete"]


def test_add_sign_on_a_purchase_before_and_after(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    task = open_task(approvals, instance, "mike")
    approvals.add_approver(task, "mike", "carl", before=True)  # the cfo checks the price first
    with pytest.raises(AlreadyDecided, match="waits for another approver"):
        approvals.approve(task, "mike")
    approvals.approve(open_task(approvals, instance, "carl"), "carl")
    approvals.approve(task, "mike")
    approvals.add_approver(open_task(approvals, instance, "paula"), "paula", "fiona", before=False)
    assert "fiona" in approvals.status(PURCHASE, rid).waiting_for
    assert record(runtime, PURCHASE, rid).status == "draft"  # paula approved, but fiona must too
    approvals.approve(open_task(approvals, instance, "fiona"), "fiona")
    assert record(runtime, PURCHASE, rid).status == "approved"


def test_a_purchasing_agent_out_of_office_delegates_their_tasks(runtime) -> None:
    today = date(2034, 2, 1)  # a delegation of its own dates, outside the other tests'
    approvals = Approvals(runtime, today=lambda: today)
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.delegate("paula", "fred", today, today + timedelta(days=3))
    task = open_task(approvals, instance, "fred")  # paula's open task moved to fred
    assert next(t for t in approvals.tasks(instance) if t.id == task).delegated_from == "paula"
    approvals.approve(task, "fred")
    assert record(runtime, PURCHASE, rid).status == "approved"


def test_purchasing_is_reminded_daily_and_escalated_to_the_department_head_after_5_days(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    instance = approvals.submit(PURCHASE, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    run_tenant(runtime, later(days=1, minutes=1))
    assert [
        e.detail["recipients"] for e in approvals.history(instance) if e.action == "urge" and e.actor == "system"
    ] == [["paula", "pete"]]
    run_tenant(runtime, later(days=5, minutes=1))
    assert approvals.status(PURCHASE, rid).waiting_for == ["dora"]
    timeout = next(e for e in approvals.history(instance) if e.action == "timeout")
    assert (timeout.actor, timeout.detail["replaced"], timeout.detail["approvers"]) == (
        "system",
        ["paula", "pete"],
        ["dora"],
    )
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert record(runtime, PURCHASE, rid).status == "approved"


def test_only_the_creator_may_submit_a_purchase_request(approvals, runtime) -> None:
    rid = purchase(runtime, "800.00")
    with pytest.raises(NotAllowed):
        approvals.submit(PURCHASE, rid, "sam")


# -- contracts (crm) -----------------------------------------------------------------------


def test_a_contract_over_500000_goes_to_manager_legal_and_the_sales_director(approvals, runtime) -> None:
    rid = contract(runtime, "750000.00")
    instance = approvals.submit(CONTRACT, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(CONTRACT, rid).waiting_for == ["lena"]
    approvals.approve(open_task(approvals, instance, "lena"), "lena")
    assert approvals.status(CONTRACT, rid).waiting_for == ["stan"]
    approvals.approve(open_task(approvals, instance, "stan"), "stan")
    assert approvals.status(CONTRACT, rid).status == "approved"
    assert record(runtime, CONTRACT, rid).status == "approved"
    assert approvals.history(instance)[-1].detail == {"recipients": ["erin"]}  # the owner is notified


def test_a_contract_of_500000_or_less_does_not_reach_the_sales_director(approvals, runtime) -> None:
    rid = contract(runtime, "500000.00")
    instance = approvals.submit(CONTRACT, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.approve(open_task(approvals, instance, "lena"), "lena")
    assert approvals.status(CONTRACT, rid).status == "approved"
    assert "stan" not in [t.assignee for t in approvals.tasks(instance)]
    assert record(runtime, CONTRACT, rid).status == "approved"


def test_legal_returns_a_contract_and_the_sales_director_rejects_it(approvals, runtime) -> None:
    rid = contract(runtime, "900000.00")
    instance = approvals.submit(CONTRACT, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.reject(open_task(approvals, instance, "lena"), "lena", comment="liability clause")
    assert approvals.status(CONTRACT, rid).status == "returned"
    approvals.submit(CONTRACT, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.approve(open_task(approvals, instance, "lena"), "lena")
    approvals.reject(open_task(approvals, instance, "stan"), "stan", comment="margin too thin")
    assert approvals.status(CONTRACT, rid).status == "rejected"
    assert record(runtime, CONTRACT, rid).status == "rejected"


# -- discounts (crm) -----------------------------------------------------------------------


@pytest.mark.parametrize("discount", [None, "10.00", "15.00"])
def test_a_discount_of_15_percent_or_less_needs_no_approval(approvals, runtime, discount) -> None:
    rid = opportunity(runtime, discount)
    with pytest.raises(WorkflowError, match="no approval chain of Opportunity applies to this record"):
        approvals.submit(OPPORTUNITY, rid, "erin")
    assert approvals.status(OPPORTUNITY, rid) is None


def test_a_discount_over_15_percent_goes_to_the_manager_then_the_sales_director(approvals, runtime) -> None:
    rid = opportunity(runtime, "20.00")
    instance = approvals.submit(OPPORTUNITY, rid, "erin")
    assert approvals.status(OPPORTUNITY, rid).waiting_for == ["mike"]
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(OPPORTUNITY, rid).waiting_for == ["stan"]
    approvals.approve(open_task(approvals, instance, "stan"), "stan")
    assert approvals.status(OPPORTUNITY, rid).status == "approved"
    assert approvals.history(instance)[-1].detail == {"recipients": ["erin"]}


def test_the_sales_director_sends_a_discount_back_to_the_owner(approvals, runtime) -> None:
    rid = opportunity(runtime, "30.00")
    instance = approvals.submit(OPPORTUNITY, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.reject(open_task(approvals, instance, "stan"), "stan", comment="20% at most")
    assert approvals.status(OPPORTUNITY, rid).status == "returned"
