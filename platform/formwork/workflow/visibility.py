"""What the approvals add to the rest of the platform's view of a record: the approval events on its timeline
(TIMELINE_SOURCES) and the sight of the records a user is asked to decide (RECORD_GRANTS)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..features import TimelineEntry
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .labels import EVENT
from .tables import EVENTS, INSTANCES, TASKS


def approval_events(session: Session, entity: EntityDef, record_id: int, limit: int) -> list[TimelineEntry]:
    """The record's newest approval events (deleted with the record, so never another record's)."""
    query = (
        sa.select(EVENTS.c.action, EVENTS.c.actor, EVENTS.c.at, EVENTS.c.comment)
        .join(INSTANCES, INSTANCES.c.id == EVENTS.c.instance_id)
        .where(INSTANCES.c.entity == entity.qualified, INSTANCES.c.record_id == record_id)
        .order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            "approval", row.at, row.actor, EVENT.get(row.action, row.action), body=row.comment or "", action=row.action
        )
        for row in session.execute(query)
    ]


def asked_to_decide(model: Any, catalog: Catalog, username: str) -> ColumnElement[bool] | None:
    """Records with an approval task of the user (open or decided): an approver sees what they are asked to decide,
    whatever their record rules say (a manager approving a report's leave request)."""
    entity: EntityDef = model.__entity__
    if not catalog.chains_for(entity.qualified):
        return None
    return sa.exists().where(
        INSTANCES.c.entity == entity.qualified,
        INSTANCES.c.record_id == model.id,
        TASKS.c.instance_id == INSTANCES.c.id,
        TASKS.c.assignee == username,
    )
