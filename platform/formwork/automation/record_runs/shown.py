"""An automation's newest record runs as the Studio shows them beside its editor (AUTOMATION_RUNS)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...features import AutomationRun
from ..timed.labels import STATUS
from .table import RECORD_RUNS


def logged_record_runs(session: Session, automation: str, limit: int) -> list[AutomationRun]:
    """The newest `limit` runs of `automation` (its qualified name), newest first, found with the table's index."""
    newest = (
        sa.select(RECORD_RUNS)
        .where(RECORD_RUNS.c.automation == automation)
        .order_by(RECORD_RUNS.c.started_at.desc(), RECORD_RUNS.c.id.desc())
        .limit(limit)
    )
    return [
        AutomationRun(row.started_at, row.record_id, STATUS[row.status].localized(), row.error, row.duration_ms)
        for row in session.execute(newest)
    ]
