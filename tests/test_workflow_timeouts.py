"""Step timeouts, reminders and the replacement of deactivated approvers, run by `formwork tick` and `formwork worker`.

The clock is moved, never waited for: `run_tenant(runtime, now)` runs what is due at `now`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import Platform
from formwork.cli import main
from formwork.compile.models import utcnow
from formwork.definitions.loader import builtin_definitions, require_catalog
from formwork.tenancy.cache import TenantApps
from formwork.tenancy.registry import Tenant, platform_session, set_status
from formwork.tenancy.worker import run_tenant, work
from formwork.workflow.engine import Approvals
from formwork.workflow.tables import INSTANCES, JOBS
from formwork.workflow.timeouts import run_due
from workflow_org import actions, company, leave, new_record, open_task

REQUEST = "wt.request"
PACK = """\
kind: Pack
name: wt
version: 1.0.0
requires: {core: ">=0.1.0", oa: ">=0.1.0"}
---
kind: Entity
name: request
fields:
  - {name: case, type: string, required: true}
  - name: state
    type: choice
    choices: [{value: draft}, {value: approved}, {value: rejected}]
    default: draft
"""


def chain(case: str, steps: str) -> str:
    return textwrap.dedent(f"""\
        ---
        kind: ApprovalChain
        name: {case}
        entity: request
        when: case == '{case}'
        on_approve: {{set: {{state: approved}}}}
        on_reject: {{set: {{state: rejected}}}}
        steps:
        """) + textwrap.indent(textwrap.dedent(steps), "  ")


CHAINS = "".join(
    [
        chain("approve", "- {name: one, approvers: [users: [mike]], timeout: {after: 2d, action: approve}}\n"),
        chain("reject", "- {name: one, approvers: [users: [mike]], timeout: {after: 2d, action: reject}}\n"),
        chain(
            "returned",
            "- {name: one, approvers: [users: [mike]], on_reject: submitter, timeout: {after: 30m, action: reject}}\n",
        ),
        chain(
            "escalate",
            "- {name: one, mode: all, approvers: [users: [mike, sam]],"
            " timeout: {after: 4h, action: escalate, to: [manager: 2]}}\n"
            "- {name: two, approvers: [users: [carl]]}\n",
        ),
        chain("remind", "- {name: one, approvers: [users: [mike, sam]], remind_every: 1d}\n"),
        chain(
            "stranded",
            "- {name: one, approvers: [users: [mike]], timeout: {after: 1h, action: escalate, to: [users: [left]]}}\n",
        ),
    ]
)


@pytest.fixture(scope="module")
def pack_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("packs") / "wt"
    folder.mkdir()
    (folder / "pack.yaml").write_text(PACK + CHAINS)
    return folder


@pytest.fixture(scope="module")
def wt(platform: Platform, pack_folder: Path):
    return company(platform, require_catalog([builtin_definitions(), pack_folder]), "wtimeouts", ["core", "oa", "wt"])


@pytest.fixture
def approvals(wt) -> Approvals:
    return Approvals(wt)


def request(runtime, case: str, owner: str = "erin") -> int:
    return new_record(runtime, REQUEST, owner, case=case)


def later(**delta: float) -> datetime:
    return utcnow() + timedelta(**delta)


def state(runtime, record_id: int) -> str:
    session = runtime.session()
    try:
        return session.get(runtime.compiled.model(REQUEST), record_id).state
    finally:
        runtime.session.remove()


def timeouts(approvals: Approvals, instance: int) -> list[tuple[str | None, str | None, dict]]:
    return [(e.actor, e.comment, e.detail) for e in approvals.history(instance) if e.action == "timeout"]


def urges(approvals: Approvals, instance: int) -> list[list[str]]:
    return [e.detail["recipients"] for e in approvals.history(instance) if e.action == "urge" and e.actor == "system"]


def test_a_step_is_approved_by_its_timeout_when_due_and_not_before(approvals, wt) -> None:
    rid = request(wt, "approve")
    instance = approvals.submit(REQUEST, rid, "erin")
    run_tenant(wt, later(days=2, hours=-1))
    assert approvals.status(REQUEST, rid).status == "pending"
    assert timeouts(approvals, instance) == []
    run_tenant(wt, later(days=2, minutes=1))
    assert approvals.status(REQUEST, rid).status == "approved"
    assert state(wt, rid) == "approved"
    assert timeouts(approvals, instance) == [("system", "timed out after 2 days", {"then": "approve", "after": "2d"})]
    assert [(t.assignee, t.status) for t in approvals.tasks(instance)] == [("mike", "no_response")]
    run_tenant(wt, later(days=5))
    assert len(timeouts(approvals, instance)) == 1


def test_a_timeout_rejects_the_step_and_its_on_reject_applies(approvals, wt) -> None:
    rejected, returned = request(wt, "reject"), request(wt, "returned")
    first = approvals.submit(REQUEST, rejected, "erin")
    approvals.submit(REQUEST, returned, "erin")
    run_tenant(wt, later(minutes=31))
    assert approvals.status(REQUEST, returned).status == "returned"  # on_reject: submitter
    assert approvals.status(REQUEST, rejected).status == "pending"
    run_tenant(wt, later(days=2, minutes=1))
    assert (approvals.status(REQUEST, rejected).status, state(wt, rejected)) == ("rejected", "rejected")
    assert actions(approvals, first)[-4:] == ["timeout", "step_rejected", "rejected", "fields_set"]


def test_escalation_hands_the_undecided_tasks_to_the_escalation_approvers(approvals, wt) -> None:
    rid = request(wt, "escalate")
    instance = approvals.submit(REQUEST, rid, "erin")
    approvals.approve(open_task(approvals, instance, "mike"), "mike")
    result = run_tenant(wt, later(hours=4, minutes=1))
    assert result.done["escalate"] >= 1
    assert [(t.assignee, t.status, t.origin) for t in approvals.tasks(instance)] == [
        ("mike", "approved", "assigned"),
        ("sam", "escalated", "assigned"),
        ("dora", "pending", "escalated"),
    ]
    assert timeouts(approvals, instance) == [
        (
            "system",
            "timed out after 4 hours",
            {"then": "escalate", "after": "4h", "replaced": ["sam"], "approvers": ["dora"], "to_admins": False},
        )
    ]
    approvals.approve(open_task(approvals, instance, "dora"), "dora")  # with mike's approval, the step is complete
    assert approvals.status(REQUEST, rid).waiting_for == ["carl"]


def test_an_escalation_to_nobody_follows_the_no_approver_rule(approvals, wt) -> None:
    rid = request(wt, "stranded")
    instance = approvals.submit(REQUEST, rid, "erin")
    run_tenant(wt, later(hours=1, minutes=1))
    assert approvals.status(REQUEST, rid).waiting_for == ["admin"]  # `left` is nobody here; no_approver: admin
    assert timeouts(approvals, instance)[0][2]["to_admins"] is True


def test_a_job_that_cannot_run_is_marked_failed_once_and_the_others_still_run(approvals, wt) -> None:
    deleted, kept = request(wt, "approve"), request(wt, "approve")
    approvals.submit(REQUEST, deleted, "erin")
    approvals.submit(REQUEST, kept, "erin")
    session = wt.session()
    session.delete(session.get(wt.compiled.model(REQUEST), deleted))
    session.commit()
    wt.session.remove()
    result = run_tenant(wt, later(days=2, minutes=1))
    assert result.done["failed"] == 1 and "1 job(s) failed" in result.describe()
    assert approvals.status(REQUEST, kept).status == "approved"
    session = wt.session()
    jobs = session.execute(
        sa.select(JOBS.c.status, JOBS.c.error)
        .join_from(JOBS, INSTANCES)
        .where(INSTANCES.c.record_id == deleted, INSTANCES.c.entity == REQUEST)
    ).all()
    wt.session.remove()
    assert jobs == [("failed", f"Request #{deleted} was deleted; its approval cannot go on")]
    assert run_tenant(wt, later(days=3)).done["failed"] == 0


def test_a_job_that_failed_here_is_not_marked_failed_over_another_workers_done(wt) -> None:
    approvals = Approvals(wt)
    deleted, _kept = request(wt, "approve"), request(wt, "approve")  # kept: SQLite does not give its id again
    instance = approvals.submit(REQUEST, deleted, "erin")
    session = wt.session()
    session.delete(session.get(wt.compiled.model(REQUEST), deleted))
    session.commit()
    job = session.execute(sa.select(JOBS.c.id).where(JOBS.c.instance_id == instance)).scalar_one()
    wt.session.remove()
    real = approvals.in_transaction
    calls: list[int] = []

    def in_transaction(action):
        calls.append(len(calls))
        if len(calls) > 1:
            return real(action)
        try:
            return real(action)  # the job fails here (its record is gone) and its claim rolls back …
        except Exception:
            # … and another worker claims it and finishes it before this one records the failure
            real(lambda s: s.execute(JOBS.update().where(JOBS.c.id == job).values(status="done")))
            raise

    approvals.in_transaction = in_transaction
    done = run_due(approvals, later(days=2, minutes=1))
    assert done["elsewhere"] == 1
    session = wt.session()
    try:
        assert session.execute(sa.select(JOBS.c.status, JOBS.c.error).where(JOBS.c.id == job)).one() == ("done", None)
    finally:
        wt.session.remove()


def test_a_reminder_is_recorded_once_per_interval_while_the_step_is_open(approvals, wt) -> None:
    rid = request(wt, "remind")
    instance = approvals.submit(REQUEST, rid, "erin")
    run_tenant(wt, later(hours=23))
    assert urges(approvals, instance) == []
    run_tenant(wt, later(days=1, minutes=1))
    run_tenant(wt, later(days=1, hours=2))
    assert urges(approvals, instance) == [["mike", "sam"]]
    run_tenant(wt, later(days=2, minutes=1))
    assert len(urges(approvals, instance)) == 2
    run_tenant(wt, later(days=10))  # a worker away for a week reminds once, not once per missed day
    assert len(urges(approvals, instance)) == 3
    approvals.approve(open_task(approvals, instance, "sam"), "sam")
    result = run_tenant(wt, later(days=30))
    assert len(urges(approvals, instance)) == 3
    assert result.done["obsolete"] >= 1  # the reminder of a step that is no longer open is dropped


def test_the_oa_leave_chain_escalates_to_the_department_head_after_three_days(approvals, wt) -> None:
    record = leave(wt, "erin", days=2)
    instance = approvals.submit("oa.leave_request", record, "erin")
    run_tenant(wt, later(days=3, minutes=-5))
    assert approvals.status("oa.leave_request", record).waiting_for == ["mike"]
    assert urges(approvals, instance) == [["mike"]]  # the daily reminder
    run_tenant(wt, later(days=3, minutes=1))
    assert approvals.status("oa.leave_request", record).waiting_for == ["dora"]
    approvals.approve(open_task(approvals, instance, "dora"), "dora")
    assert approvals.status("oa.leave_request", record).status == "approved"


def test_approvers_deactivated_after_assignment_are_replaced_by_the_tick(approvals, wt) -> None:
    rid = request(wt, "remind")
    instance = approvals.submit(REQUEST, rid, "erin")
    employee = wt.compiled.model("core.employee")
    session = wt.session()
    session.query(employee).filter_by(login="sam").one().active = False
    session.commit()
    try:
        result = run_tenant(wt, utcnow())
        assert result.replaced == ["sam"]
        assert {t.assignee: t.status for t in approvals.tasks(instance)} == {"mike": "pending", "sam": "replaced"}
        assert run_tenant(wt, utcnow()).replaced == []
    finally:
        session.query(employee).filter_by(login="sam").one().active = True
        session.commit()
        wt.session.remove()


def test_two_workers_at_once_run_each_due_job_exactly_once(approvals, wt) -> None:
    records = [request(wt, "approve") for _ in range(8)]
    instances = [approvals.submit(REQUEST, rid, "erin") for rid in records]
    now = later(days=2, minutes=1)
    session = wt.session()
    due = session.execute(
        sa.select(sa.func.count()).select_from(JOBS).where(JOBS.c.status == "pending", JOBS.c.due_at <= now)
    ).scalar_one()
    wt.session.remove()
    start, counts, failures = threading.Barrier(2), [], []

    def worker() -> None:
        try:
            start.wait()
            counts.append(run_due(Approvals(wt), now))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            wt.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sum(counts, Counter()).total() == due
    assert [len(timeouts(approvals, instance)) for instance in instances] == [1] * 8
    assert {approvals.status(REQUEST, rid).status for rid in records} == {"approved"}


def test_the_worker_loop_ticks_until_stopped(platform: Platform, pack_folder: Path, wt) -> None:
    stop, seen = threading.Event(), []

    def report(result) -> None:
        seen.append(result.slug)
        stop.set()

    catalog = require_catalog([builtin_definitions(), pack_folder])
    assert work(TenantApps(platform.settings, catalog), 0.01, stop, clock=utcnow, report=report) == 1
    assert seen == ["wtimeouts"]


@pytest.fixture
def cli_env(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "FORMWORK_INSTANCE": str(platform.settings.instance),
        "FORMWORK_DATABASE_URL": platform.settings.database_url,
        "FORMWORK_SECRET_KEY": platform.settings.secret_key,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FORMWORK_PACK_PATH", raising=False)
    return env


def test_tick_prints_each_tenant_skips_suspended_ones_and_goes_on_after_a_failing_one(
    platform: Platform, approvals, wt, cli_env
) -> None:
    platform.tenant("wtquiet", ["core", "oa"])
    platform.tenant("wtpaused", ["core"])
    set_status(platform.settings.database_url, "wtpaused", "suspended")
    platform.tenant("wtbroken", ["core"])
    with platform_session(platform.settings.database_url) as session:  # its storage is not where the registry says
        broken = session.scalar(sa.select(Tenant).where(Tenant.slug == "wtbroken"))
        broken.storage_location = f"{broken.storage_location}-gone"
        session.commit()
    run_tenant(wt, later(days=365))  # nothing left over from the other tests
    rid = request(wt, "approve")
    instance = approvals.submit(REQUEST, rid, "erin")
    session = wt.session()
    session.execute(JOBS.update().where(JOBS.c.instance_id == instance).values(due_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    wt.session.remove()

    # no FORMWORK_PACK_PATH: the `wt` pack is not on this server, and its tenant runs on the release it installed
    ticked = CliRunner().invoke(main, ["tick"], catch_exceptions=False)
    assert ticked.exit_code == 1
    assert "wtbroken: failed:" in ticked.output and "wtquiet: nothing due" in ticked.output
    assert "wtpaused" not in ticked.output
    # then the e-mails the module's requests queued, this outcome's among them (to the log: no SMTP server is set)
    assert any(
        line.startswith("wtimeouts: 1 approved on timeout, ") and line.endswith(" e-mail(s) sent")
        for line in ticked.output.splitlines()
    ), ticked.output
    assert approvals.status(REQUEST, rid).status == "approved"


def test_the_worker_command_stops_cleanly_on_sigterm(cli_env, pack_folder: Path) -> None:
    env = {**os.environ, **cli_env, "FORMWORK_PACK_PATH": str(pack_folder)}
    process = subprocess.Popen(
        [sys.executable, "-m", "formwork.cli", "worker", "--interval", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "worker started" in line:
                break
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, "".join(lines) + output
    assert "worker stopped after" in output
