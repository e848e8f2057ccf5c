"""The tick's job for timed automations: runs left waiting, then each schedule's due slots and each date trigger's
due records, every run claimed before it runs so that several workers run each once.

A run is due when its moment is at or before the tick's time and not older than the catch-up window
(FORMWORK_AUTOMATION_CATCH_UP_HOURS, 24 by default): after downtime, the slots and dates missed within the window
are run, oldest first; older ones are not run and not logged (the log shows what ran, not what was missed).

- schedule: the cron slots after the last slot run (or, the first time, after now minus the window), at most the
  window back;
- date: the records whose date field (+ `days`, at `at` in the tenant's zone) falls in the window and that the
  filter matches, found with a range on the date column (an index on it serves it), minus those already run for
  that date value; a record whose date changes gets a run for its new date.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...features import JobDone
from ...filters import FilterContext, compile_filter
from ..definition import DATE, SCHEDULE, TIMED_TRIGGERS
from ..prepared import PreparedAutomation, prepared
from .executing import execute
from .runs import FAILED, LEASE, NewRun, claim_new, claim_waiting, finish, last_slot, take_claimed, taken_keys
from .slots import (
    date_moment,
    date_values_due,
    first_slot_after,
    local,
    local_date,
    local_day_bounds,
    schedule_slots,
    time_of_day,
)

if TYPE_CHECKING:
    from ...config import Settings
    from ...tenancy.runtime import TenantRuntime
    from ...tenancy.worker import JobServices

DEFAULT_CATCH_UP_HOURS = 24
#: at most this many waiting runs (retried, or left by a dead worker) are taken up per tenant and tick
RESUME_BATCH = 100
OUTCOMES = {
    "automation_runs": "timed automation run(s)",
    "automation_runs_failed": "timed automation run(s) failed",
}
GONE = "the automation is no longer defined or enabled"


def timed_automations_due(runtime: TenantRuntime, now: datetime, services: JobServices) -> JobDone:
    """Every run of the tenant's schedule and date automations due at `now`, each exactly once."""
    window = catch_up_window(services.settings)
    done: Counter[str] = Counter()
    try:
        automations = timed_automations(runtime)
        _resume(runtime, {a.name: a for a in automations}, now, done)
        for automation in automations:
            _run_due(runtime, automation, now, window, done)
    finally:
        runtime.session.remove()
    return JobDone(done)


def _run_due(
    runtime: TenantRuntime, automation: PreparedAutomation, now: datetime, window: timedelta, done: Counter[str]
) -> None:
    """Find the automation's due runs, claim them, and run those this worker got."""
    find = _schedule_runs if automation.definition.trigger.on == SCHEDULE else _date_runs
    due = runtime.in_transaction(partial(find, automation=automation, runtime=runtime, now=now, window=window))
    claimed = runtime.in_transaction(partial(claim_new, runs=due, now=now))
    started = time.monotonic()
    for run_id in claimed:
        lease = now + timedelta(seconds=time.monotonic() - started) + LEASE
        run = runtime.in_transaction(partial(take_claimed, run_id=run_id, lease_until=lease))
        if run is not None:  # None: its lease ran out while the runs before it ran, and another worker took it
            _count(done, execute(runtime, automation, run, now))


def catch_up_window(settings: Settings | None) -> timedelta:
    """How far back missed runs are caught up: FORMWORK_AUTOMATION_CATCH_UP_HOURS, or the default when the tick has
    no settings (a test running one tenant's jobs)."""
    return timedelta(hours=settings.automation_catch_up_hours if settings is not None else DEFAULT_CATCH_UP_HOURS)


def timed_automations(runtime: TenantRuntime) -> list[PreparedAutomation]:
    """The tenant's enabled schedule and date automations, by name."""
    found = prepared(runtime.catalog).automations.values()
    timed = [a for automations in found for a in automations if a.definition.trigger.on in TIMED_TRIGGERS]
    return sorted(timed, key=lambda a: a.name)


def _resume(runtime: TenantRuntime, by_name: dict[str, PreparedAutomation], now: datetime, done: Counter[str]) -> None:
    for _ in range(RESUME_BATCH):
        run = runtime.in_transaction(lambda s: claim_waiting(s, now))
        if run is None:
            return
        automation = by_name.get(run.automation)
        if automation is None:
            runtime.in_transaction(partial(finish, run=run, status=FAILED, now=now, duration_ms=0, error=GONE))
            _count(done, FAILED)
        else:
            _count(done, execute(runtime, automation, run, now))


def _count(done: Counter[str], outcome: str) -> None:
    done["automation_runs"] += 1
    if outcome == FAILED:
        done["automation_runs_failed"] += 1


def _schedule_runs(
    session: Any, automation: PreparedAutomation, runtime: TenantRuntime, now: datetime, window: timedelta
) -> list[NewRun]:
    """The schedule's slots due at `now`, oldest first."""
    trigger = automation.definition.trigger
    last = last_slot(session, automation.name, SCHEDULE)
    slots = schedule_slots(trigger.cron or "", runtime.timezone, first_slot_after(last, now - window), now)
    if last is None:  # never run (a new schedule): its latest slot only, not a window's worth of them
        slots = slots[-1:]
    return [NewRun(automation.name, SCHEDULE, slot.isoformat(), slot) for slot in slots]


def _date_runs(
    session: Any, automation: PreparedAutomation, runtime: TenantRuntime, now: datetime, window: timedelta
) -> list[NewRun]:
    """The records whose moment is due at `now` (within the window) and not yet run for their date value."""
    trigger, zone = automation.definition.trigger, runtime.timezone
    model = runtime.compiled.model(automation.entity.qualified)
    field = automation.entity.field(trigger.field or "")
    assert field is not None  # checked by `formwork validate` (automation/checks.py)
    column = getattr(model, field.name)
    first, last = date_values_due(trigger.days, zone, now - window, now)
    if isinstance(column.type, sa.DateTime):  # a datetime field: stored UTC, its local days are a range of times
        start, end = local_day_bounds(first, last, zone)
        where = [column >= start, column < end]
    else:
        where = [column >= first, column <= last]
    if trigger.filter is not None:
        context = FilterContext(today=local(now, zone).date(), timezone=ZoneInfo(zone))
        where.append(compile_filter(trigger.filter, model, automation.entity, context))
    at = time_of_day(trigger.at)
    due = []
    for record_id, value in session.execute(sa.select(model.id, column).where(*where).order_by(column, model.id)):
        day = local_date(value, zone)
        moment = date_moment(day, trigger.days, at, zone)
        if now - window <= moment <= now:
            due.append(NewRun(automation.name, DATE, f"{record_id}:{day.isoformat()}", moment, record_id))
    taken = taken_keys(session, automation.name, [run.run_key for run in due])
    return [run for run in due if run.run_key not in taken]
