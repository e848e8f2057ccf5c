"""Running one claimed run: the automation's steps on each record it is for, in chunks, as the platform.

A schedule's run goes over every record its filter matches (no filter: every record), in id order, CHUNK records
per transaction; the run's progress is written in each chunk's transaction, so what the log says is done is exactly
what is committed. A date run is the same over its one record (if it still matches the filter).

The steps run as the platform (`Actor.system`, its clock the tick's time) through running.run_automation, so they
save through the record lifecycle as every other write. A record whose steps fail (AutomationFailed) rolls back its
chunk and stops the run: it is `failed`, with the error and the record's id, its progress at the last committed
chunk. Stopping, rather than going on with the next records, keeps the run in order and every record's work done at
most once: a retry (the admin's button) goes on from that progress, once the cause is fixed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...actor import Actor
from ...filters import FilterContext, compile_filter
from ..prepared import PreparedAutomation
from ..running import AutomationFailed, run_automation, step_run
from .runs import FAILED, LEASE, SUCCEEDED, LeaseLost, bound_records, finish, record_progress
from .slots import local

if TYPE_CHECKING:
    from ...tenancy.runtime import TenantRuntime

#: records per transaction: large enough that a commit's cost is spread, small enough that a failure loses little
CHUNK = 500
#: records loaded at a time within a chunk: every flush walks the session's identity map (the after_flush listener
#: sqlalchemy_utils' aggregates install with Flask-AppBuilder), so the fewer records held, the cheaper each save
LOADED = 50
log = logging.getLogger(__name__)


class RunFailed(Exception):
    """A record's steps failed: the message names the automation and the step; `record_id` the record."""

    def __init__(self, message: str, record_id: int | None) -> None:
        super().__init__(message)
        self.record_id = record_id


@dataclass
class Execution:
    """One attempt at one run: what it runs, on which records, as whom, and since when (for the lease)."""

    runtime: TenantRuntime
    automation: PreparedAutomation
    run: Any
    now: datetime
    started: float

    def __post_init__(self) -> None:
        self.actor = Actor.system(clock=lambda: self.now)
        self.model = self.runtime.compiled.model(self.automation.entity.qualified)

    def record_ids(self, session: Session, after: int) -> list[int]:
        """The ids of the next chunk of the run's records, after the record id `after` and up to the highest id when
        the run started (records its steps create are left alone: a schedule creating what it runs over would
        never end)."""
        query = sa.select(self.model.id).where(self.model.id > after, *self._conditions()).order_by(self.model.id)
        if self.run.up_to_id is not None:
            query = query.where(self.model.id <= self.run.up_to_id)
        return list(session.scalars(query.limit(CHUNK)))

    def records(self, session: Session, ids: list[int]) -> Iterator[Any]:
        """The records of `ids`, LOADED at a time, each let go once the caller is done with it."""
        for start in range(0, len(ids), LOADED):
            query = sa.select(self.model).where(self.model.id.in_(ids[start : start + LOADED])).order_by(self.model.id)
            yield from list(session.scalars(query))

    def _conditions(self) -> list[Any]:
        found = []
        if self.run.record_id is not None:
            found.append(self.model.id == self.run.record_id)
        written = self.automation.definition.trigger.filter
        if written is not None:
            found.append(compile_filter(written, self.model, self.automation.entity, self._filter_context()))
        return found

    def _filter_context(self) -> FilterContext:
        zone = self.runtime.timezone
        return FilterContext(today=local(self.now, zone).date(), timezone=ZoneInfo(zone))

    def lease_until(self) -> datetime:
        """The lease from now on: the tick's time plus the wall time this attempt has taken, plus LEASE."""
        return self.now + timedelta(seconds=time.monotonic() - self.started) + LEASE

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


def execute(runtime: TenantRuntime, automation: PreparedAutomation, run: Any, now: datetime) -> str:
    """Run a claimed run to its end (or its first failure); returns its outcome, SUCCEEDED or FAILED."""
    if run.up_to_id is None:
        run = runtime.in_transaction(
            partial(bound_records, run=run, model=runtime.compiled.model(automation.entity.qualified))
        )
    execution = Execution(runtime, automation, run, now, time.monotonic())
    after = run.after_id or 0
    try:
        while True:
            done = runtime.in_transaction(_chunk_of(execution, after))
            if done is None:
                break
            after = done
    except LeaseLost:
        log.warning("automation run %s was taken over by another worker", run.id)
        return FAILED
    except RunFailed as failed:
        return _finished(execution, FAILED, str(failed), failed.record_id)
    except Exception as exc:  # noqa: BLE001 - the run is logged as failed with the reason; the tick goes on
        log.exception("automation run %s failed", run.id)
        return _finished(execution, FAILED, f"{type(exc).__name__}: {exc}", None)
    return _finished(execution, SUCCEEDED, None, None)


def _chunk_of(execution: Execution, after: int) -> Callable[[Session], int | None]:
    """One chunk as a transaction: each record's steps, then the progress; the last record's id, or None if no
    record is left."""

    def chunk(session: Session) -> int | None:
        ids = execution.record_ids(session, after)
        if not ids:
            return None
        steps = sum(_run_on(execution, session, record) for record in execution.records(session, ids))
        record_progress(session, execution.run, len(ids), steps, ids[-1], execution.lease_until())
        return ids[-1]

    return chunk


def _run_on(execution: Execution, session: Session, record: Any) -> int:
    """The automation on one record; how many steps ran (none when its condition does not hold)."""
    automation = execution.automation
    try:
        ran = run_automation(automation, step_run(execution.runtime, session, execution.actor, automation, record))
    except AutomationFailed as failed:
        raise RunFailed(str(failed), int(record.id)) from None
    return len(automation.steps) if ran else 0


def _finished(execution: Execution, status: str, error: str | None, record_id: int | None) -> str:
    elapsed = execution.elapsed_ms()
    execution.runtime.in_transaction(
        lambda s: finish(s, execution.run, status, execution.now, elapsed, error=error, record_id=record_id)
    )
    return status
