"""Logging the runs of record-triggered automations: a succeeded run's row in the save's own transaction, a failed
run's once that transaction is over.

A run whose condition does not hold is not a run and leaves no row. A run that fails refuses its save, and the
caller rolls the save back: a row written in that transaction would go with it, and the admin would never learn
why the save was refused. So a failure is queued on the session and written when the session's outermost
transaction ends (rolled back; or committed, when a savepoint kept the failure from the rest), on a connection of
its own, in a short transaction of its own: by then the save's connection is back in the pool, so even SQLite (one
writer at a time) takes the row. A run inside a run (a step's save triggering another automation) is logged as a
run of its own. A failure that cannot be logged must not hide the error the user gets: it goes to the server's log.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...actor import Actor
from ..prepared import PreparedAutomation
from ..running import AutomationFailed, run_automation
from ..steps import StepRun
from ..timed.runs import FAILED, SUCCEEDED
from ..timed.tables import KEPT_ERROR
from .table import RECORD_RUNS

#: session.info: the rows of the runs that failed in the session's transaction, written once it is over
FAILED_RUNS = "automation.failed_record_runs"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordRun:
    """One run under way: its automation and trigger, the user whose change triggered it, and since when."""

    automation: str
    trigger: str
    actor: str | None
    started_at: datetime
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def start(cls, automation: PreparedAutomation, actor: Actor) -> RecordRun:
        return cls(automation.name, automation.definition.trigger.on, actor.username, _naive_utc(actor.now()))

    def succeeded(self, session: Session, record_id: int | None, steps: int) -> None:
        """The run's row, in the save's transaction: one INSERT, kept only if the save commits."""
        session.execute(RECORD_RUNS.insert().values(self._row(SUCCEEDED, record_id, steps, None)))

    def failed(self, session: Session, record_id: int | None, steps: int, error: str) -> None:
        """The run's row, written once the save's transaction has been rolled back."""
        session.info.setdefault(FAILED_RUNS, []).append(self._row(FAILED, record_id, steps, error))

    def _row(self, status: str, record_id: int | None, steps: int, error: str | None) -> dict[str, Any]:
        return {
            "automation": self.automation,
            "trigger": self.trigger,
            "record_id": record_id,
            "status": status,
            "steps_done": steps,
            "error": error[:KEPT_ERROR] if error else None,
            "actor": self.actor,
            "started_at": self.started_at,
            "duration_ms": int((time.monotonic() - self.started) * 1000),
        }


def run_logged(
    automation: PreparedAutomation,
    run: StepRun,
    record_id: int | None,
    *,
    started: RecordRun | None = None,
    first_step: int = 0,
) -> None:
    """running.run_automation with its run logged (if its condition held); raises AutomationFailed. `started`: the
    run whose first steps were folded into the save, to go on with from `first_step` (its condition held)."""
    started = started or RecordRun.start(automation, run.actor)
    try:
        ran = run_automation(automation, run, first_step=first_step, decided=bool(first_step))
    except AutomationFailed as failed:
        started.failed(run.session, record_id, failed.steps_done, str(failed))
        raise
    if ran:
        started.succeeded(run.session, record_id, len(automation.steps))


def install_failure_log(session_factory: Any) -> None:
    """SESSION_SETUP: write the failed runs when a tenant session's outermost transaction ends."""
    sa.event.listen(session_factory, "after_transaction_end", _write_failures)


def _write_failures(session: Session, transaction: Any) -> None:
    if transaction.parent is not None or FAILED_RUNS not in session.info:
        return
    rows = session.info.pop(FAILED_RUNS)
    bind = session.get_bind()
    try:
        with (bind if isinstance(bind, sa.Engine) else bind.engine).begin() as connection:
            connection.execute(RECORD_RUNS.insert(), rows)
    except sa.exc.SQLAlchemyError:
        log.exception("%d failed automation run(s) could not be logged", len(rows))


def _naive_utc(moment: datetime) -> datetime:
    """A time as Formwork stores it: naive UTC (an actor's clock may give an aware time or, the worker's, naive UTC)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
