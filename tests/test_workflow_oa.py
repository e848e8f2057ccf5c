"""The oa pack's approval chains walked with real records: leave requests and expense claims, every action."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy.orm.exc import StaleDataError

from conftest import Platform
from formwork.workflow import rows
from formwork.workflow.engine import Approvals
from formwork.workflow.errors import AlreadyDecided, NotAllowed, WorkflowError
from formwork.workflow.tables import TASKS
from workflow_org import actions, company, employee_id, leave, new_record, open_task

LEAVE = "oa.leave_request"


@pytest.fixture(scope="module")
def runtime(platform: Platform):
    return company(platform, platform.catalog, "wfoa", ["core", "oa"])


@pytest.fixture
def approvals(runtime) -> Approvals:
    return Approvals(runtime)


def uploaded(runtime, user: str, *references: dict) -> None:
    """Record files as `user`'s uploads (what the API's and the screens' uploads do), so `user` may attach them."""
    session = runtime.session()
    try:
        rows.add_uploads(session, user, list(references))
        session.commit()
    finally:
        runtime.session.remove()


def expense(runtime, amount: str) -> int:
    claim = new_record(runtime, "oa.expense_claim", employee_id=employee_id(runtime, "erin"), title="trip")
    new_record(runtime, "oa.expense_line", claim_id=claim, spent_on=date(2030, 1, 2), category="travel", amount=amount)
    return claim


def test_pack_roles_become_fab_roles_of_the_tenant(runtime) -> None:
    from formwork.tenancy.directory import Directory

    session = runtime.session()
    try:
        directory = Directory(session, runtime.compiled)
        assert directory.roles("fiona") == ["finance"]
        assert directory.role_holders("cfo") == ["carl"]
    finally:
        runtime.session.remove()


def test_a_short_leave_needs_the_manager_only_and_the_employee_is_copied_at_the_end(approvals, runtime) -> None:
    record = leave(runtime, days=2)
    instance = approvals.submit(LEAVE, record, "erin", comment="family trip")
    status = approvals.status(LEAVE, record)
    assert (status.status, status.step, status.waiting_for) == ("pending", "manager", ["mike"])
    task = open_task(approvals, instance, "mike")
    assert task in [t.id for t in approvals.pending_tasks("mike")]
    approvals.approve(task, "mike", comment="enjoy")
    assert task not in [t.id for t in approvals.pending_tasks("mike")]
    assert approvals.status(LEAVE, record).status == "approved"
    history = approvals.history(instance)
    assert [e.action for e in history] == [
        "submit",
        "step_started",
        "approve",
        "step_approved",
        "step_skipped",
        "approved",
        "cc",
    ]
    assert history[0].actor == "erin" and history[0].comment == "family trip"
    assert history[-1].detail == {"recipients": ["erin"]}


def test_a_long_leave_also_needs_the_department_head(approvals, runtime) -> None:
    record = leave(runtime, days=5)
    instance = approvals.submit(LEAVE, record, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status(LEAVE, record).waiting_for == ["dora"]
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(LEAVE, record).status == "approved"


def test_a_rejection_at_the_manager_returns_it_and_a_resubmission_starts_a_new_round(approvals, runtime) -> None:
    record = leave(runtime, days=2)
    instance = approvals.submit(LEAVE, record, "erin")
    approvals.reject(open_task(approvals, instance, "mike"), "mike", comment="too busy that week")
    assert approvals.status(LEAVE, record).status == "returned"
    assert approvals.editable_fields(LEAVE, record, "erin") is None  # back with the submitter: editable again
    with pytest.raises(NotAllowed, match="only erin"):
        approvals.submit(LEAVE, record, "sam")
    assert approvals.submit(LEAVE, record, "erin") == instance
    status = approvals.status(LEAVE, record)
    assert (status.round, status.status, status.waiting_for) == (2, "pending", ["mike"])
    assert [e.round for e in approvals.history(instance) if e.action == "submit"] == [1, 2]


def test_only_the_records_creator_or_its_employee_may_submit_it(approvals, runtime) -> None:
    record = leave(runtime, "erin", days=1)  # created by nobody in particular; erin is its employee
    for stranger in ("sam", "mike"):
        with pytest.raises(NotAllowed, match="only the person who created this Leave request record"):
            approvals.submit(LEAVE, record, stranger)
    assert approvals.status(LEAVE, record) is None
    created_by_sam = new_record(
        runtime,
        LEAVE,
        "sam",
        employee_id=employee_id(runtime, "erin"),
        leave_type="annual",
        start_date=date(2030, 5, 1),
        end_date=date(2030, 5, 10),
        days=1,
        reason="for erin",
    )
    approvals.submit(LEAVE, created_by_sam, "sam")  # its creator may
    assert approvals.status(LEAVE, created_by_sam).submitter == "sam"
    approvals.submit(LEAVE, record, "erin")  # its employee may
    assert approvals.status(LEAVE, record).submitter == "erin"


def test_a_save_of_the_record_read_before_it_was_submitted_fails_its_version_check(approvals, runtime) -> None:
    record = leave(runtime, "erin", days=1)
    session = runtime.session()  # an edit that read the record before the submission, and saves after it
    model = runtime.compiled.model(LEAVE)
    editing = session.get(model, record)
    version = editing.version
    editing.reason = "changed behind the approvers' backs"
    submitted: list[int] = []

    def submit() -> None:  # another request (thread): its own session
        try:
            submitted.append(Approvals(runtime).submit(LEAVE, record, "erin"))
        finally:
            runtime.session.remove()

    thread = threading.Thread(target=submit)
    thread.start()
    thread.join()
    assert submitted
    with pytest.raises(StaleDataError):
        session.commit()
    session.rollback()
    runtime.session.remove()
    session = runtime.session()
    try:
        stored = session.get(model, record)
        assert (stored.reason, stored.version) == ("holiday", version + 1)
    finally:
        runtime.session.remove()


def test_the_record_is_locked_in_approval_except_the_fields_the_step_allows(approvals, runtime) -> None:
    record = leave(runtime, days=2)
    assert approvals.editable_fields(LEAVE, record, "erin") is None
    approvals.submit(LEAVE, record, "erin")
    assert approvals.editable_fields(LEAVE, record, "erin") == set()
    assert approvals.editable_fields(LEAVE, record, "mike") == set()  # the leave chain lets approvers edit nothing


def test_an_expense_claim_over_20000_goes_to_manager_finance_and_cfo(approvals, runtime) -> None:
    claim = expense(runtime, "25000.00")
    instance = approvals.submit("oa.expense_claim", claim, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    assert approvals.status("oa.expense_claim", claim).waiting_for == ["fiona", "fred"]
    approvals.approve(open_task(approvals, instance, "fred"), "fred")
    tasks = {t.assignee: t.status for t in approvals.tasks(instance)}
    assert tasks["fiona"] == "no_response"
    assert approvals.status("oa.expense_claim", claim).waiting_for == ["carl"]
    approvals.approve(open_task(approvals, instance, "carl"), "carl")
    assert approvals.status("oa.expense_claim", claim).status == "approved"


def test_a_small_expense_claim_skips_the_cfo(approvals, runtime) -> None:
    claim = expense(runtime, "300.00")
    instance = approvals.submit("oa.expense_claim", claim, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.approve(open_task(approvals, instance, "fiona"), "fiona")
    assert approvals.status("oa.expense_claim", claim).status == "approved"
    assert "step_skipped" in actions(approvals, instance)


def test_finance_rejecting_sends_the_claim_back_to_the_manager(approvals, runtime) -> None:
    claim = expense(runtime, "300.00")
    instance = approvals.submit("oa.expense_claim", claim, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    approvals.reject(open_task(approvals, instance, "fiona"), "fiona", comment="receipt missing")
    status = approvals.status("oa.expense_claim", claim)
    assert (status.status, status.step, status.waiting_for) == ("pending", "manager", ["mike"])


def test_an_approver_returns_the_request_to_an_earlier_step(approvals, runtime) -> None:
    claim = expense(runtime, "300.00")
    instance = approvals.submit("oa.expense_claim", claim, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    task = open_task(approvals, instance, "fiona")
    with pytest.raises(WorkflowError, match=r"'CFO' is not an earlier step of this request \(earlier: Manager\)"):
        approvals.return_to(task, "fiona", "cfo")
    approvals.return_to(task, "fiona", "manager", comment="please check the amount")
    assert approvals.status("oa.expense_claim", claim).waiting_for == ["mike"]
    assert {t.assignee: t.status for t in approvals.tasks(instance)}["fred"] == "no_response"


def test_the_submitter_withdraws_while_undecided_and_nobody_else_can(approvals, runtime) -> None:
    record = leave(runtime)
    instance = approvals.submit(LEAVE, record, "erin")
    with pytest.raises(NotAllowed, match="only erin"):
        approvals.withdraw(instance, "mike")
    approvals.withdraw(instance, "erin", comment="plans changed")
    assert approvals.status(LEAVE, record).status == "withdrawn"
    assert [t.status for t in approvals.tasks(instance)] == ["cancelled"]
    with pytest.raises(AlreadyDecided, match=r"no longer in approval \(Withdrawn\)"):
        approvals.withdraw(instance, "erin")


def test_a_transferred_task_is_decided_by_the_new_person(approvals, runtime) -> None:
    record = leave(runtime)
    instance = approvals.submit(LEAVE, record, "erin")
    task = open_task(approvals, instance, "mike")
    with pytest.raises(NotAllowed, match="mike's, not sam's"):
        approvals.transfer(task, "sam", "dora")
    approvals.transfer(task, "mike", "dora", comment="I am travelling")
    with pytest.raises(AlreadyDecided, match="already decided by mike"):
        approvals.approve(task, "mike")
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(LEAVE, record).status == "approved"


def test_add_sign_before_makes_the_approver_wait_for_the_added_person(approvals, runtime) -> None:
    record = leave(runtime)
    instance = approvals.submit(LEAVE, record, "erin")
    task = open_task(approvals, instance, "mike")
    approvals.add_approver(task, "mike", "sam", before=True)
    with pytest.raises(AlreadyDecided, match="waits for another approver"):
        approvals.approve(task, "mike")
    approvals.approve(open_task(approvals, instance, "sam"), "sam")
    assert approvals.status(LEAVE, record).status == "pending"
    approvals.approve(task, "mike")
    assert approvals.status(LEAVE, record).status == "approved"


def test_add_sign_after_needs_the_added_person_too(approvals, runtime) -> None:
    record = leave(runtime)
    instance = approvals.submit(LEAVE, record, "erin")
    approvals.add_approver(open_task(approvals, instance, "mike"), "mike", "dora", before=False)
    assert approvals.status(LEAVE, record).waiting_for == ["dora"]
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status(LEAVE, record).status == "approved"


def test_out_of_office_delegation_moves_tasks_and_refuses_circles(runtime) -> None:
    today = date(2031, 3, 2)  # the other tests run on the real date, outside this delegation
    approvals = Approvals(runtime, today=lambda: today)
    record = leave(runtime, who="sam")
    instance = approvals.submit(LEAVE, record, "sam")
    with pytest.raises(WorkflowError, match="ends before it starts"):
        approvals.delegate("mike", "dora", today, today - timedelta(days=1))
    approvals.delegate("mike", "dora", today - timedelta(days=1), today + timedelta(days=3))
    with pytest.raises(WorkflowError, match="circle: dora → mike → dora"):
        approvals.delegate("dora", "mike", today + timedelta(days=2), today + timedelta(days=9))
    task = open_task(approvals, instance, "dora")  # mike's open task moved to dora
    assert next(t for t in approvals.tasks(instance) if t.id == task).delegated_from == "mike"
    second = approvals.submit(LEAVE, leave(runtime), "erin")  # assigned while mike is away
    approvals.approve(open_task(approvals, second, "dora"), "dora")
    approvals.approve(task, "dora")
    assert approvals.status(LEAVE, record).status == "approved"
    back = Approvals(runtime, today=lambda: today + timedelta(days=10))
    third = back.submit(LEAVE, leave(runtime), "erin")
    assert back.tasks(third)[0].assignee == "mike"


def test_self_approval_exclude_holds_for_transfers_added_approvers_and_delegates(runtime) -> None:
    today = date(2032, 6, 1)  # a delegation of its own dates, outside the other tests'
    approvals = Approvals(runtime, today=lambda: today)
    erins = approvals.submit(LEAVE, leave(runtime, "erin", days=1), "erin")
    task = open_task(approvals, erins, "mike")
    with pytest.raises(NotAllowed, match="erin submitted this request and cannot approve it"):
        approvals.transfer(task, "mike", "erin")
    for before in (True, False):
        with pytest.raises(NotAllowed, match="erin submitted this request and cannot approve it"):
            approvals.add_approver(task, "mike", "erin", before=before)
    assert [(t.assignee, t.status) for t in approvals.tasks(erins)] == [("mike", "pending")]
    assert actions(approvals, erins)[-1] == "step_started"

    approvals.transfer(task, "mike", "dora")  # dora now has a task on erin's leave
    approvals.delegate("dora", "mike", today, today + timedelta(days=5))  # dora is mike's manager
    assert open_task(approvals, erins, "mike")  # handed over: mike did not submit erin's leave
    mikes = approvals.submit(LEAVE, leave(runtime, "mike", days=1), "mike")
    [own] = approvals.tasks(mikes)
    assert (own.assignee, own.delegated_from) == ("dora", None)  # not to mike, who submitted it
    later = Approvals(runtime, today=lambda: today + timedelta(days=1))
    later.delegate(
        "dora", "mike", today + timedelta(days=1), today + timedelta(days=2)
    )  # open tasks are handed over again
    assert [(t.assignee, t.status) for t in later.tasks(mikes)] == [("dora", "pending")]
    assert "delegated" not in actions(later, mikes)


def test_a_delegation_hands_over_in_request_order_and_only_tasks_still_open(runtime, monkeypatch) -> None:
    today = date(2033, 7, 1)  # a delegation of its own dates, outside the other tests'
    approvals = Approvals(runtime, today=lambda: today)
    first = approvals.submit(LEAVE, leave(runtime, "erin", days=1), "erin")
    second = approvals.submit(LEAVE, leave(runtime, "erin", days=1), "erin")
    approvals.transfer(open_task(approvals, second, "mike"), "mike", "carl")
    approvals.transfer(open_task(approvals, first, "mike"), "mike", "carl")  # carl's task on `first` is the newest
    decided_meanwhile = open_task(approvals, second, "carl")
    locked: list[int] = []  # the requests the hand-over locks, in order
    real_lock = rows.lock

    def lock(s, instance_id):
        locked.append(instance_id)
        if instance_id == first:  # carl decides `second` while the hand-over works on `first`
            s.execute(
                TASKS.update().where(TASKS.c.id == decided_meanwhile).values(status="approved", decided_by="carl")
            )
        return real_lock(s, instance_id)

    monkeypatch.setattr(rows, "lock", lock)
    approvals.delegate("carl", "sam", today, today + timedelta(days=3))
    monkeypatch.undo()
    assert locked == sorted(locked) and [i for i in locked if i in (first, second)] == [first, second]
    assert open_task(approvals, first, "sam") and "delegated" in actions(approvals, first)
    kept = next(t for t in approvals.tasks(second) if t.id == decided_meanwhile)
    assert (kept.assignee, kept.status, kept.delegated_from) == ("carl", "approved", None)
    assert "delegated" not in actions(approvals, second)


def test_urge_and_comment_are_recorded_with_attachments(approvals, runtime) -> None:
    record = leave(runtime)
    instance = approvals.submit(LEAVE, record, "erin")
    assert approvals.urge(instance, "erin", comment="leaving Friday") == ["mike"]
    receipt = {"key": "ab12", "name": "ticket.pdf", "size": 1200, "content_type": "application/pdf"}
    uploaded(runtime, "mike", receipt)
    approvals.comment(instance, "mike", "which flight?", attachments=[receipt])
    last = approvals.history(instance)[-1]
    assert (last.action, last.actor, last.comment, last.attachments) == ("comment", "mike", "which flight?", [receipt])
    with pytest.raises(NotAllowed):
        approvals.urge(instance, "mike")


def test_an_action_attaches_only_its_actors_uploads_each_once_as_uploaded(approvals, runtime) -> None:
    instance = approvals.submit(LEAVE, leave(runtime), "erin")
    mikes = {"key": "mikes0001", "name": "plan.pdf", "size": 10, "content_type": "application/pdf"}
    uploaded(runtime, "mike", mikes)
    before = actions(approvals, instance)
    for user, reference in (("erin", mikes), ("erin", {"key": "nobody0001"}), (None, mikes)):
        with pytest.raises(WorkflowError, match="upload the file first"):
            approvals.comment(instance, user, "mine now", attachments=[reference])
    assert actions(approvals, instance) == before
    approvals.comment(
        instance, "mike", "plan", attachments=[{**mikes, "name": "evil.html", "content_type": "text/html"}]
    )
    assert approvals.history(instance)[-1].attachments == [mikes]
    with pytest.raises(WorkflowError, match="upload the file first"):  # attached already
        approvals.approve(open_task(approvals, instance, "mike"), "mike", attachments=[mikes])
    assert [t.status for t in approvals.tasks(instance)] == ["pending"]  # the refused approval changed nothing


def test_a_second_decision_on_a_task_says_who_decided_first(approvals, runtime) -> None:
    instance = approvals.submit(LEAVE, leave(runtime), "erin")
    task = open_task(approvals, instance, "mike")
    approvals.approve(task, "mike")
    with pytest.raises(AlreadyDecided, match="this task was already decided by mike"):
        approvals.reject(task, "mike")


def test_a_record_in_approval_cannot_be_submitted_twice(approvals, runtime) -> None:
    record = leave(runtime)
    approvals.submit(LEAVE, record, "erin")
    with pytest.raises(WorkflowError, match="already in approval"):
        approvals.submit(LEAVE, record, "erin")


def test_two_people_deciding_one_task_at_the_same_moment_cannot_both_win(
    platform: Platform, approvals, runtime
) -> None:
    if platform.backend != "postgres":
        pytest.skip("real concurrent connections: PostgreSQL")
    outcomes: list[str] = []
    for _ in range(5):
        instance = approvals.submit(LEAVE, leave(runtime), "erin")
        task = open_task(approvals, instance, "mike")
        start = threading.Barrier(2)

        def decide(action: str, task: int, start: threading.Barrier) -> None:
            start.wait()
            try:
                getattr(Approvals(runtime), action)(task, "mike", comment=action)
                outcomes.append(action)
            except AlreadyDecided as exc:
                outcomes.append(str(exc))
            finally:
                runtime.session.remove()

        threads = [threading.Thread(target=decide, args=(a, task, start)) for a in ("approve", "reject")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [o for o in outcomes[-2:] if o in ("approve", "reject")]
        assert len(winners) == 1, outcomes[-2:]
        loser = next(o for o in outcomes[-2:] if o not in ("approve", "reject"))
        assert loser.startswith("this task was already decided by mike")
        decided = [t for t in approvals.tasks(instance) if t.id == task][0]
        assert decided.status == ("approved" if winners == ["approve"] else "rejected")
        assert [e.action for e in approvals.history(instance)].count(winners[0]) == 1
