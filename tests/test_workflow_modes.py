"""Modes, policies, outcomes and versioning of approval chains, on a small test pack (`wf`) with one chain per case."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path
from unittest.mock import ANY

import pytest
from sqlalchemy.orm.exc import StaleDataError

from conftest import Platform, catalog_with_pack
from formwork.tenancy.apps import build_tenant_app, tenant_runtime
from formwork.tenancy.packs import plan_upgrade
from formwork.tenancy.registry import find_tenant
from formwork.workflow.api import cc_box
from formwork.workflow.engine import Approvals
from formwork.workflow.errors import NotAllowed, WorkflowError
from formwork.workflow.inbox import counts, page_of
from formwork.workflow.lock import lock_errors
from formwork.workflow.panel import read_panel
from workflow_org import company, employee_id, new_record, open_task

REQUEST = "wf.request"
PACK = """\
kind: Pack
name: wf
version: 1.0.0
requires: {core: ">=0.1.0", oa: ">=0.1.0"}
---
kind: Role
name: buyer
label: {en: Buyer, zh: 采购员}
---
kind: Entity
name: request
fields:
  - {name: case, type: string, required: true}
  - {name: amount, type: money}
  - {name: reviewer, type: reference, target: core.employee}
  - name: state
    type: choice
    choices: [{value: draft}, {value: approved}, {value: rejected}]
    default: draft
  - {name: note, type: string}
"""


def chain(case: str, steps: str, extra: str = "", when: str = "") -> str:
    return (
        textwrap.dedent(f"""\
        ---
        kind: ApprovalChain
        name: {case}
        entity: request
        when: case == '{case}'{when}
        on_approve: {{set: {{state: approved, note: {{expr: "'approved by chain ' + case"}}}}}}
        on_reject: {{set: {{state: rejected}}}}
        """)
        + textwrap.dedent(extra)
        + "steps:\n"
        + textwrap.indent(textwrap.dedent(steps), "  ")
    )


CHAINS = "".join(
    [
        chain("any", "- {name: one, mode: any, approvers: [users: [dora, mike, sam]]}\n"),
        chain("all", "- {name: one, mode: all, approvers: [users: [dora, mike, sam]]}\n"),
        chain("share", "- {name: one, mode: quorum, quorum: '60%', approvers: [users: [dora, mike, sam]]}\n"),
        chain("two", "- {name: one, mode: quorum, quorum: 2, approvers: [users: [dora, mike, sam]]}\n"),
        chain("seq", "- {name: one, mode: sequential, approvers: [users: [dora, mike, sam]]}\n"),
        chain(
            "consecutive",
            "- {name: one, approvers: [users: [dora]]}\n- {name: two, mode: all, approvers: [users: [dora, mike]]}\n",
            "dedup: consecutive\n",
        ),
        chain(
            "first",
            "- {name: one, approvers: [users: [dora]]}\n- {name: two, approvers: [users: [mike]]}\n"
            "- {name: three, approvers: [users: [dora]]}\n",
            "dedup: first\n",
        ),
        chain("auto", "- {name: one, approvers: [field: reviewer]}\n", "no_approver: auto_approve\n"),
        chain(
            "skip",
            "- {name: one, approvers: [field: reviewer]}\n- {name: two, approvers: [users: [mike]]}\n",
            "no_approver: skip\n",
        ),
        chain("admin", "- {name: one, approvers: [field: reviewer]}\n"),
        chain("self_pass", "- {name: one, mode: all, approvers: [users: [erin, mike]]}\n", "self_approval: pass\n"),
        chain(
            "self_exclude", "- {name: one, mode: all, approvers: [users: [erin, mike]]}\n", "self_approval: exclude\n"
        ),
        chain("chosen", "- {name: one, approvers: [submitter_choice: required]}\n"),
        chain("expr", "- {name: one, approvers: [expr: \"user.name == 'erin' ? ['sam'] : ['dora']\"]}\n"),
        chain(
            "sources",
            "- {name: one, mode: all, approvers: [manager: 2, department_head: submitter, field: reviewer,"
            " role: finance]}\n",
        ),
        chain("inactive", "- {name: one, mode: all, approvers: [users: [gone, mike]]}\n"),
        chain("buyers", "- {name: one, approvers: [users: [mike]]}\n", "submitter_roles: [buyer]\n"),
        chain("editing", "- {name: one, editable: [amount], approvers: [users: [mike]]}\n"),
        chain(
            "back",
            "- {name: one, approvers: [users: [dora]]}\n- {name: two, approvers: [users: [mike]]}\n"
            "- {name: three, approvers: [users: [sam]], on_reject: one}\n",
        ),
        chain(
            "previous",
            "- {name: one, approvers: [users: [dora]]}\n"
            "- {name: two, when: amount != null, approvers: [users: [mike]]}\n"
            "- {name: three, approvers: [users: [sam]], on_reject: previous}\n",
        ),
        chain("broken", "- {name: one, when: amount > 10.0, approvers: [users: [mike]]}\n"),
        """\
---
kind: ApprovalChain
name: notify
entity: request
when: case == 'notify'
on_approve: {notify: [manager: 1, users: [carl]]}
cc: {approvers: [users: [fiona]], at: submit}
steps:
  - {name: one, approvers: [users: [mike]]}
""",
        chain("gate", "- {name: one, approvers: [users: [mike]]}\n", when=" && amount != null && amount > 100.0"),
    ]
)


@pytest.fixture(scope="module")
def wf(platform: Platform, tmp_path_factory: pytest.TempPathFactory):
    catalog = catalog_with_pack(tmp_path_factory.mktemp("v1") / "wf", PACK + CHAINS)
    return company(platform, catalog, "wfmodes", ["core", "oa", "wf"])


@pytest.fixture
def approvals(wf) -> Approvals:
    return Approvals(wf)


def request(runtime, case: str, owner: str = "erin", **values) -> int:
    return new_record(runtime, REQUEST, owner, case=case, **values)


def record(runtime, record_id: int):
    session = runtime.session()
    try:
        found = session.get(runtime.compiled.model(REQUEST), record_id)
        return found.state, found.note
    finally:
        runtime.session.remove()


def statuses(approvals: Approvals, instance: int) -> dict[str, str]:
    return {t.assignee: t.status for t in approvals.tasks(instance)}


def test_any_one_approval_decides_and_the_others_did_not_respond(approvals, wf) -> None:
    rid = request(wf, "any")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert statuses(approvals, instance) == {"dora": "no_response", "mike": "approved", "sam": "no_response"}
    assert record(wf, rid) == ("approved", "approved by chain any")


def test_all_must_approve_and_one_rejection_rejects(approvals, wf) -> None:
    rid = request(wf, "all")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(REQUEST, rid).waiting_for == ["sam"]
    approvals.reject(open_task(approvals, instance, "sam"), "sam", comment="over budget")
    assert approvals.status(REQUEST, rid).status == "rejected"
    assert record(wf, rid)[0] == "rejected"


def test_a_quorum_share_completes_on_the_last_needed_approval(approvals, wf) -> None:
    rid = request(wf, "share")  # 60% of 3 is 2
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.reject(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(REQUEST, rid).status == "pending"  # 2 approvals still possible
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.approve(open_task(approvals, instance, "sam"), "sam")  # the last outstanding task reaches the quorum
    assert approvals.status(REQUEST, rid).status == "approved"


def test_a_quorum_that_can_no_longer_be_reached_rejects(approvals, wf) -> None:
    rid = request(wf, "two")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.reject(open_task(approvals, instance, "dora"), "dora")
    approvals.reject(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(REQUEST, rid).status == "rejected"
    assert statuses(approvals, instance)["sam"] == "no_response"


def test_sequential_approvers_decide_one_after_the_other(approvals, wf) -> None:
    rid = request(wf, "seq")
    instance = approvals.submit(REQUEST, rid, "erin")
    assert approvals.status(REQUEST, rid).waiting_for == ["dora"]
    assert statuses(approvals, instance) == {"dora": "pending", "mike": "waiting", "sam": "waiting"}
    for person in ("dora", "mike"):
        approvals.approve(open_task(approvals, instance, person), person)
    assert approvals.status(REQUEST, rid).waiting_for == ["sam"]
    approvals.approve(open_task(approvals, instance, "sam"), "sam")
    assert approvals.status(REQUEST, rid).status == "approved"


def test_dedup_consecutive_passes_who_approved_the_step_before(approvals, wf) -> None:
    rid = request(wf, "consecutive")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(REQUEST, rid).waiting_for == ["mike"]
    auto = [e for e in approvals.history(instance) if e.action == "auto_approve"]
    assert [(e.step, e.detail) for e in auto] == [("two", {"reason": "dedup", "approver": "dora"})]


def test_dedup_first_passes_who_approved_any_earlier_step(approvals, wf) -> None:
    rid = request(wf, "first")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(REQUEST, rid).status == "approved"  # dora passed at step three


def test_no_approver_auto_approve_skip_and_admin(approvals, wf) -> None:
    auto = approvals.submit(REQUEST, request(wf, "auto"), "erin")
    assert "step_auto_approved" in [e.action for e in approvals.history(auto)]
    assert approvals.tasks(auto) == []
    skipped_id = request(wf, "skip")
    skipped = approvals.submit(REQUEST, skipped_id, "erin")
    assert approvals.status(REQUEST, skipped_id).waiting_for == ["mike"]
    assert [e.detail for e in approvals.history(skipped) if e.action == "step_skipped"] == [{"reason": "no_approver"}]
    admin_id = request(wf, "admin")
    approvals.submit(REQUEST, admin_id, "erin")
    assert approvals.status(REQUEST, admin_id).waiting_for == ["admin"]


def test_self_approval_pass_and_exclude(approvals, wf) -> None:
    passed = approvals.submit(REQUEST, request(wf, "self_pass"), "erin")
    assert statuses(approvals, passed) == {"erin": "approved", "mike": "pending"}
    excluded = approvals.submit(REQUEST, request(wf, "self_exclude"), "erin")
    assert statuses(approvals, excluded) == {"mike": "pending"}


def test_the_submitter_chooses_approvers_when_the_step_asks(approvals, wf) -> None:
    rid = request(wf, "chosen")
    with pytest.raises(WorkflowError, match="step 'One' needs approvers chosen by the submitter"):
        approvals.submit(REQUEST, rid, "erin")
    with pytest.raises(WorkflowError, match="'nobody' is not an active user"):
        approvals.submit(REQUEST, rid, "erin", chosen={"one": ["nobody"]})
    assert approvals.status(REQUEST, rid) is None  # refused submissions change nothing
    instance = approvals.submit(REQUEST, rid, "erin", chosen={"one": ["sam", "fiona"]})
    assert [t.assignee for t in approvals.tasks(instance)] == ["sam", "fiona"]


def test_approvers_from_an_expression_and_from_every_other_source(approvals, wf) -> None:
    by_erin = approvals.submit(REQUEST, request(wf, "expr"), "erin")
    by_sam = approvals.submit(REQUEST, request(wf, "expr", owner="sam"), "sam")
    assert [t.assignee for t in approvals.tasks(by_erin)] == ["sam"]
    assert [t.assignee for t in approvals.tasks(by_sam)] == ["dora"]
    # erin's manager's manager (dora), the head of her department (dora again), the reviewer (carl), finance
    instance = approvals.submit(REQUEST, request(wf, "sources", reviewer_id=employee_id(wf, "carl")), "erin")
    assert [t.assignee for t in approvals.tasks(instance)] == ["dora", "carl", "fiona", "fred"]


def test_inactive_people_are_left_out_and_replaced_after_assignment(platform: Platform, approvals, wf) -> None:
    app = build_tenant_app(platform.settings, find_tenant(platform.settings.database_url, "wfmodes"), wf.catalog)
    with app.app_context():
        sm = app.appbuilder.sm
        gone = sm.find_user(username="gone")
        gone.active = False
        sm.update_user(gone)
    instance = approvals.submit(REQUEST, request(wf, "inactive"), "erin")
    assert statuses(approvals, instance) == {"mike": "pending"}
    rid = request(wf, "any")
    instance = approvals.submit(REQUEST, rid, "erin")
    employee = wf.compiled.model("core.employee")
    session = wf.session()
    for person in session.query(employee).filter(employee.login.in_(["dora", "mike", "sam"])):
        person.active = False
    session.commit()
    try:
        assert sorted(approvals.replace_inactive_approvers(instance)) == ["dora", "mike", "sam"]
        assert approvals.status(REQUEST, rid).waiting_for == ["admin"]  # the chain's no_approver rule: admins
    finally:
        for person in session.query(employee).filter(employee.login.in_(["dora", "mike", "sam"])):
            person.active = True
        session.commit()
        wf.session.remove()


def test_only_the_roles_named_may_submit(approvals, wf) -> None:
    with pytest.raises(NotAllowed, match="only users with one of these roles may submit Request records: Buyer"):
        approvals.submit(REQUEST, request(wf, "buyers"), "erin")


def test_the_entry_condition_decides_whether_a_chain_applies(approvals, wf) -> None:
    with pytest.raises(WorkflowError, match="no approval chain of Request applies"):
        approvals.submit(REQUEST, request(wf, "gate", amount="50.00"), "erin")
    instance = approvals.submit(REQUEST, request(wf, "gate", amount="500.00"), "erin")
    assert [t.assignee for t in approvals.tasks(instance)] == ["mike"]


def test_the_current_approvers_may_edit_the_fields_their_step_allows(approvals, wf) -> None:
    rid = request(wf, "editing")
    approvals.submit(REQUEST, rid, "erin")
    assert approvals.editable_fields(REQUEST, rid, "mike") == {"amount"}
    assert approvals.editable_fields(REQUEST, rid, "erin") == set()


def test_the_lock_check_keeps_the_version_the_save_loaded(approvals, wf) -> None:
    """The record lock reads in the saving request's session without ending its transaction: a save that loaded
    the record before someone else's change still fails its version check after asking the lock."""
    rid = request(wf, "editing")
    approvals.submit(REQUEST, rid, "erin")
    session, model = wf.session(), wf.compiled.model(REQUEST)
    mine = session.get(model, rid)

    def other_save() -> None:  # mike changes the amount meanwhile, in another request
        try:
            theirs = wf.session().get(model, rid)
            theirs.amount = "7.00"
            wf.session().commit()
        finally:
            wf.session.remove()

    thread = threading.Thread(target=other_save)
    thread.start()
    thread.join()
    assert lock_errors(wf, REQUEST, rid, "mike", ["amount"]) == {}
    mine.amount = "9.00"
    with pytest.raises(StaleDataError):
        session.commit()
    wf.session.remove()


def test_a_running_instance_finishes_on_the_chain_version_it_started_with(
    platform: Platform, wf, tmp_path: Path
) -> None:
    rid = request(wf, "any")
    old = Approvals(wf)
    instance = old.submit(REQUEST, rid, "erin")
    started_on = old.status(REQUEST, rid).chain_version
    changed = CHAINS.replace(
        "- {name: one, mode: any, approvers: [users: [dora, mike, sam]]}",
        "- {name: one, mode: any, approvers: [users: [carl]]}\n  - {name: two, approvers: [users: [carl]]}",
    )
    catalog = catalog_with_pack(tmp_path / "wf", PACK + changed)
    tenant = find_tenant(platform.settings.database_url, "wfmodes")
    runtime = tenant_runtime(
        platform.settings, tenant, catalog, plan_upgrade(platform.settings, catalog, tenant, "wf").target
    )
    new = Approvals(runtime)
    new.approve(open_task(new, instance, "mike"), "mike")  # the old version's step, and the old version's only step
    assert new.status(REQUEST, rid).status == "approved"
    fresh_id = request(runtime, "any")
    fresh = new.submit(REQUEST, fresh_id, "erin")
    assert new.status(REQUEST, fresh_id).chain_version != started_on
    assert [t.assignee for t in new.tasks(fresh)] == ["carl"]


def test_a_rejection_goes_back_to_the_step_the_chain_names(approvals, wf) -> None:
    rid = request(wf, "back")
    instance = approvals.submit(REQUEST, rid, "erin")
    for person in ("dora", "mike"):
        approvals.approve(open_task(approvals, instance, person), person)
    approvals.reject(open_task(approvals, instance, "sam"), "sam")
    status = approvals.status(REQUEST, rid)
    assert (status.status, status.step, status.waiting_for) == ("pending", "one", ["dora"])
    approvals.approve(open_task(approvals, instance, "dora"), "dora")  # the steps after it run again
    assert approvals.status(REQUEST, rid).waiting_for == ["mike"]


def test_previous_means_the_previous_step_that_ran(approvals, wf) -> None:
    rid = request(wf, "previous")  # no amount: step two is skipped
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(REQUEST, rid).waiting_for == ["sam"]
    approvals.reject(open_task(approvals, instance, "sam"), "sam")
    assert approvals.status(REQUEST, rid).waiting_for == ["dora"]


def test_a_condition_that_cannot_be_decided_refuses_the_submission(approvals, wf) -> None:
    rid = request(wf, "broken")  # amount is empty
    with pytest.raises(WorkflowError, match="cannot be decided for this record: amount is empty"):
        approvals.submit(REQUEST, rid, "erin")
    assert approvals.status(REQUEST, rid) is None


def test_cc_at_submission_and_notify_at_the_end_name_their_recipients(approvals, wf) -> None:
    instance = approvals.submit(REQUEST, request(wf, "notify"), "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    sent = [(e.action, e.detail["recipients"]) for e in approvals.history(instance) if e.action in ("cc", "notify")]
    assert sent == [("cc", ["fiona"]), ("notify", ["mike", "carl"])]


def test_a_drafts_panel_offers_the_chain_submit_would_start(wf) -> None:
    entity = wf.catalog.entities[REQUEST]
    try:
        chosen = read_panel(wf, entity, request(wf, "chosen"), "erin")
        assert chosen.can_submit and chosen.chain.qualified.endswith("chosen")  # its `when` holds; not the first chain
        assert [(step.name, required) for step, required in chosen.choosing] == [("one", True)]
        gated = read_panel(wf, entity, request(wf, "gate", amount="50.00"), "erin")  # no chain applies as it is
        assert gated.can_submit and gated.chain is None and gated.choosing == []
        assert not read_panel(wf, entity, request(wf, "buyers"), "erin").can_submit  # no admitting role
        assert not read_panel(wf, entity, request(wf, "chosen"), "sam").can_submit  # erin's record
    finally:
        wf.session.remove()


def test_the_screen_inboxs_cc_tab_lists_notified_people_like_the_apis_cc_box(approvals, wf) -> None:
    instance = approvals.submit(REQUEST, request(wf, "notify"), "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    session = wf.session()
    try:
        for person in ("fiona", "carl"):  # copied at submission; notified at the end
            listed = [row.instance.id for row in page_of(session, "cc", person, 1)]
            assert instance in listed and counts(session, person)["cc"] == len(listed)
            assert cc_box(wf, person, 0, 100) == (len(listed), ANY)
            assert sorted(item["instance_id"] for item in cc_box(wf, person, 0, 100)[1]) == sorted(listed)
    finally:
        wf.session.remove()


def test_a_new_round_keeps_the_submitters_choice_and_the_history(approvals, wf) -> None:
    rid = request(wf, "chosen")
    instance = approvals.submit(REQUEST, rid, "erin", chosen={"one": ["sam"]})
    approvals.reject(open_task(approvals, instance, "sam"), "sam", comment="no")
    assert approvals.status(REQUEST, rid).status == "rejected"
    approvals.submit(REQUEST, rid, "erin")
    assert approvals.status(REQUEST, rid).waiting_for == ["sam"]
    assert [(e.round, e.action) for e in approvals.history(instance) if e.action in ("submit", "reject")] == [
        (1, "submit"),
        (1, "reject"),
        (2, "submit"),
    ]


def test_unknown_tasks_and_requests_are_not_found(approvals) -> None:
    from formwork.workflow.errors import NotFound

    with pytest.raises(NotFound, match="task 999999 does not exist"):
        approvals.approve(999999, "mike")
    with pytest.raises(NotFound, match="approval request 999999 does not exist"):
        approvals.withdraw(999999, "erin")


def test_countersigners_approving_at_the_same_moment_complete_the_step_once(platform: Platform, approvals, wf) -> None:
    if platform.backend != "postgres":
        pytest.skip("real concurrent connections: PostgreSQL")
    rid = request(wf, "all")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    tasks = {person: open_task(approvals, instance, person) for person in ("mike", "sam")}
    start, failures = threading.Barrier(2), []

    def approve(person: str) -> None:
        start.wait()
        try:
            Approvals(wf).approve(tasks[person], person)
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            failures.append(exc)
        finally:
            wf.session.remove()

    threads = [threading.Thread(target=approve, args=(person,)) for person in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert approvals.status(REQUEST, rid).status == "approved"
    done = [e.action for e in approvals.history(instance)]
    assert (done.count("step_approved"), done.count("approved")) == (1, 1)
