"""The run log's rows as claims: inserting a run's row claims its slot, the worker that inserted it runs it, its
progress and outcome are written on it, and a run left behind (its worker died, or an admin retried it) is claimed
again from the row.

Claiming a new slot is an INSERT … ON CONFLICT DO NOTHING RETURNING id in its own transaction: the unique key
(automation, run_key) lets exactly one worker's row in, and the others get no id back and skip the slot, on
PostgreSQL (a second insert waits for the first to commit) and SQLite (writes are serialized) alike. A claimed run
holds a lease, renewed with each chunk; a row still `running` after its lease is taken by the next tick, which goes
on from the recorded progress (`after_id`). A failed run stays failed until an admin retries it: it is then
`pending`, and the next tick resumes it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...tenancy.due_rows import DueRows
from .tables import KEPT_ERROR, RUNS

RUNNING, SUCCEEDED, FAILED, PENDING = "running", "succeeded", "failed", "pending"
STATUSES = (RUNNING, SUCCEEDED, FAILED, PENDING)
#: how long a run may go without committing a chunk before another worker takes it over
LEASE = timedelta(minutes=10)
#: the log's rows as an admin's screen lists them (tenancy/due_rows.py)
RUN_LOG = DueRows(RUNS, LEASE, PENDING, RUNNING, FAILED)
#: new claims inserted per statement (a date trigger may claim many records' runs at once)
CLAIM_ROWS = 500


@dataclass(frozen=True)
class NewRun:
    """A run a tick found due: its automation, trigger, slot key and time, and a date run's record."""

    automation: str
    trigger: str
    run_key: str
    slot: datetime
    record_id: int | None = None


class LeaseLost(Exception):
    """Another worker took the run over (this one outlived its lease): the chunk in hand must not be kept."""


def claim_new(session: Session, runs: Sequence[NewRun], now: datetime) -> list[int]:
    """Insert the rows of `runs` as `running`, leased to this worker; the ids of those it got (a run whose key
    another worker or an earlier tick has is left out). The caller commits at once."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    claimed: list[int] = []
    for start in range(0, len(runs), CLAIM_ROWS):
        rows = [_new_row(run, now) for run in runs[start : start + CLAIM_ROWS]]
        statement = (
            insert(RUNS)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["automation", "run_key"])
            .returning(RUNS.c.id)
        )
        claimed += session.scalars(statement).all()
    return sorted(claimed)


def _new_row(run: NewRun, now: datetime) -> dict[str, Any]:
    return {
        "automation": run.automation,
        "trigger": run.trigger,
        "run_key": run.run_key,
        "slot": run.slot,
        "record_id": run.record_id,
        "status": RUNNING,
        "records_done": 0,
        "steps_done": 0,
        "attempts": 1,
        "started_at": now,
        "lease_until": now + LEASE,
    }


def claim_waiting(session: Session, now: datetime) -> Any | None:
    """Take one run to go on with: retried by an admin, or running with its lease run out; None when none waits."""
    waiting = sa.or_(RUNS.c.status == PENDING, sa.and_(RUNS.c.status == RUNNING, RUNS.c.lease_until <= now))
    pick = (
        sa.select(RUNS.c.id).where(waiting).order_by(RUNS.c.slot, RUNS.c.id).limit(1).with_for_update(skip_locked=True)
    )  # no-op on SQLite, whose write lock serializes claims
    return session.execute(
        RUNS.update()
        .where(RUNS.c.id == pick.scalar_subquery(), waiting)
        .values(
            status=RUNNING,
            attempts=RUNS.c.attempts + 1,
            started_at=now,
            finished_at=None,
            lease_until=now + LEASE,
            error=None,
            failed_record_id=None,
        )
        .returning(*RUNS.c)
    ).first()


def take_claimed(session: Session, run_id: int, lease_until: datetime) -> Any | None:
    """The run this worker claimed, its lease renewed as it starts; None if another worker has taken it over since
    (a tick that claimed many runs reaches its last ones late)."""
    return session.execute(
        RUNS.update()
        .where(RUNS.c.id == run_id, RUNS.c.status == RUNNING, RUNS.c.attempts == 1)
        .values(lease_until=lease_until)
        .returning(*RUNS.c)
    ).first()


def bound_records(session: Session, run: Any, model: Any) -> Any:
    """Record on the run the highest id of its entity's records as it starts; the run's row as it is then."""
    highest = session.scalar(sa.select(sa.func.max(model.id))) or 0
    return session.execute(RUNS.update().where(RUNS.c.id == run.id).values(up_to_id=highest).returning(*RUNS.c)).one()


def last_slot(session: Session, automation: str, trigger: str) -> datetime | None:
    """The latest slot of `automation` that has a run (whatever its outcome)."""
    where = sa.and_(RUNS.c.automation == automation, RUNS.c.trigger == trigger)
    latest: datetime | None = session.execute(sa.select(sa.func.max(RUNS.c.slot)).where(where)).scalar_one()
    return latest


def taken_keys(session: Session, automation: str, keys: Sequence[str]) -> set[str]:
    """Which of `keys` already have a run of `automation`."""
    taken: set[str] = set()
    for start in range(0, len(keys), CLAIM_ROWS):
        chunk = keys[start : start + CLAIM_ROWS]
        where = sa.and_(RUNS.c.automation == automation, RUNS.c.run_key.in_(chunk))
        taken.update(session.scalars(sa.select(RUNS.c.run_key).where(where)))
    return taken


def record_progress(session: Session, run: Any, records: int, steps: int, after_id: int, lease_until: datetime) -> None:
    """Add a committed chunk's work to the run, in the chunk's transaction; LeaseLost if the run is not ours now."""
    updated = session.execute(
        RUNS.update()
        .where(RUNS.c.id == run.id, RUNS.c.status == RUNNING, RUNS.c.attempts == run.attempts)
        .values(
            records_done=RUNS.c.records_done + records,
            steps_done=RUNS.c.steps_done + steps,
            after_id=after_id,
            lease_until=lease_until,
        )
        .returning(RUNS.c.id)
    ).first()
    if updated is None:
        raise LeaseLost(run.id)


def finish(
    session: Session,
    run: Any,
    status: str,
    now: datetime,
    duration_ms: int,
    error: str | None = None,
    record_id: int | None = None,
) -> None:
    """The run's outcome, unless another worker has taken it over since."""
    session.execute(
        RUNS.update()
        .where(RUNS.c.id == run.id, RUNS.c.status == RUNNING, RUNS.c.attempts == run.attempts)
        .values(
            status=status,
            finished_at=now,
            duration_ms=duration_ms,
            lease_until=None,
            error=error[:KEPT_ERROR] if error else None,
            failed_record_id=record_id,
        )
    )


def retry(session: Session, run_id: int) -> bool:
    """A failed run waits for the next tick, which goes on from its recorded progress; False if it is not failed."""
    updated = session.execute(
        RUNS.update()
        .where(RUNS.c.id == run_id, RUNS.c.status == FAILED)
        .values(status=PENDING, lease_until=None)
        .returning(RUNS.c.id)
    ).first()
    return updated is not None


def recent(session: Session, automation: str, limit: int) -> list[Any]:
    """The newest `limit` runs of `automation` (its qualified name), newest first."""
    newest = sa.select(RUNS).where(RUNS.c.automation == automation).order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc())
    return list(session.execute(newest.limit(limit)).all())


def listing(session: Session, status: str | None, page: int, page_size: int) -> tuple[int, list[Any]]:
    """The tenant's runs for the admin's log, newest first; `status` None: every one."""
    return RUN_LOG.listing(session, status, page, page_size)
