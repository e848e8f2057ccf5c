"""Step timeouts and reminders: the jobs a step leaves when it starts, and running each of them exactly once.

When a step starts, `schedule` stores its timeout and first reminder as jobs
with a due time (`formwork_approval_job`). `run_due` runs the jobs due at a
given time, one transaction per job: the claim (an UPDATE from `pending` to
`running` of one due job, picked with SELECT … FOR UPDATE SKIP LOCKED on
PostgreSQL, and checked to still be `pending` on SQLite, whose write lock
serializes the claims) and the action commit together. So several workers
may run at once: a job another worker holds is skipped, a job done is never
claimed again, and a crash rolls the claim back with the action.

A job is obsolete when its step is no longer the request's current step run
(decided, returned, withdrawn…): it is marked so and nothing happens.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..tenancy.directory import Directory
from . import rows
from .definition import StepDef, chain_from_snapshot
from .tables import INSTANCES, JOBS, TASKS

if TYPE_CHECKING:
    from .engine import Approvals

TIMEOUT, REMIND = "timeout", "remind"
PENDING, RUNNING, DONE, OBSOLETE, FAILED = "pending", "running", "done", "obsolete", "failed"
#: what `run_due` counts for a job that failed here while another worker ran it (nothing is marked)
ELSEWHERE = "elsewhere"
log = logging.getLogger(__name__)


def schedule(s: Session, instance: Any, step: StepDef, started: datetime) -> None:
    """Store the step's timeout and first reminder, due from `started` (the step's start)."""
    if step.timeout is not None:
        _add(s, instance, TIMEOUT, step.name, started + step.timeout.after.delta)
    if step.remind_every is not None:
        _add(s, instance, REMIND, step.name, started + step.remind_every.delta)


def _add(s: Session, instance: Any, kind: str, step: str, due_at: datetime) -> None:
    s.execute(
        JOBS.insert().values(
            instance_id=instance.id,
            kind=kind,
            step=step,
            step_run=instance.step_run,
            due_at=due_at,
            status=PENDING,
            created_at=utcnow(),
        )
    )


def claim(s: Session, now: datetime) -> Any | None:
    """Take one job due at `now` for this transaction, or None when no job is due (or every due one is taken)."""
    pick = (
        sa.select(JOBS.c.id)
        .where(JOBS.c.status == PENDING, JOBS.c.due_at <= now)
        .order_by(JOBS.c.due_at, JOBS.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )  # no-op on SQLite
    return s.execute(
        JOBS.update()
        .where(JOBS.c.id == pick.scalar_subquery(), JOBS.c.status == PENDING)
        .values(status=RUNNING)
        .returning(*JOBS.c)
    ).first()


def run_due(approvals: Approvals, now: datetime) -> Counter[str]:
    """Run every job due at `now`; counts what happened: approve, reject, escalate, remind, obsolete, failed."""
    done: Counter[str] = Counter()
    while (outcome := _run_next(approvals, now)) is not None:
        done[outcome] += 1
    return done


def _run_next(approvals: Approvals, now: datetime) -> str | None:
    """Claim and run one due job; a job whose action fails is marked failed (with why) and not tried again."""
    taken: list[int] = []
    try:
        return approvals.in_transaction(lambda s: _run_one(approvals, s, now, taken))
    except Exception as exc:  # noqa: BLE001 - a job that fails is recorded and left, the others still run
        if not taken:
            raise
        error = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    # The claim rolled back with the action, so the job is `pending` again: mark it failed only if it still is,
    # never over what another worker that claimed it meanwhile made of it (`done`…).
    if not approvals.in_transaction(lambda s: _finish(s, taken[0], FAILED, error, only_if=PENDING)):
        log.info("approval job %s failed here but another worker has run it since", taken[0])
        return ELSEWHERE
    log.warning("approval job %s failed: %s", taken[0], error)
    return FAILED


def _run_one(approvals: Approvals, s: Session, now: datetime, taken: list[int]) -> str | None:
    job = claim(s, now)
    if job is None:
        return None
    taken.append(job.id)
    instance = rows.lock(s, job.instance_id)  # people acting on the request at this moment go first, or wait
    if instance.status != "pending" or (instance.step, instance.step_run) != (job.step, job.step_run):
        _finish(s, job.id, OBSOLETE)
        return OBSOLETE
    step = chain_from_snapshot(instance.snapshot).step(job.step)
    if job.kind == TIMEOUT:
        outcome = approvals.time_out(s, instance, step)
    else:
        approvals.remind(s, instance, step)
        _add(s, instance, REMIND, step.name, _next_reminder(job.due_at, step, now))
        outcome = REMIND
    _finish(s, job.id, DONE)
    return outcome


def _next_reminder(due_at: datetime, step: StepDef, now: datetime) -> datetime:
    """The next reminder is one interval after this one, or after now when the worker was away longer."""
    every = step.remind_every.delta
    return due_at + every * ((now - due_at) // every + 1)


def _finish(s: Session, job_id: int, status: str, error: str | None = None, only_if: str = RUNNING) -> bool:
    """Set the job's outcome while it is still `only_if` (running: claimed by this transaction); False otherwise."""
    done = s.execute(
        JOBS.update()
        .where(JOBS.c.id == job_id, JOBS.c.status == only_if)
        .values(status=status, error=error, finished_at=utcnow())
    )
    return done.rowcount == 1


def replace_inactive(approvals: Approvals) -> list[str]:
    """Run the replacement policy on every pending request that asks someone deactivated since; returns who was replaced."""
    s = approvals.runtime.session()
    try:
        open_tasks = s.execute(
            sa.select(TASKS.c.instance_id, TASKS.c.assignee)
            .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
            .where(INSTANCES.c.status == "pending", TASKS.c.status.in_(("pending", "waiting")))
        ).all()
        directory = Directory(s, approvals.runtime.compiled)
        people = {person: directory.is_active(person) for person in {assignee for _, assignee in open_tasks}}
        affected = sorted({instance_id for instance_id, assignee in open_tasks if not people[assignee]})
    finally:
        approvals.runtime.session.remove()
    return [person for instance_id in affected for person in approvals.replace_inactive_approvers(instance_id)]
