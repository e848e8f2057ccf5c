"""What a record's timeline shows: its changes, its comments and what features add (approval events), newest first.

One query per source (changes, comments, each TIMELINE_SOURCES item), each capped, then
merged in Python, then one query for the names of the people it shows ("Anna Zhao", not `user10`): the page
costs a query per source whatever the record's age. A
record only shows what happened since it was created, because SQLite may give
a deleted record's id to a new one, whose timeline must not inherit the old
record's past. Fields the reader may not see are left out of every change, and
a change left with nothing visible is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.generated import former_names
from ..features import TIMELINE_SOURCES, TimelineEntry, TimelineLine, load_features
from ..fields import kind_of
from ..formatting import local_time
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..tenancy.directory import display_names
from .labels import ACTION, TEXT
from .tables import CHANGES, COMMENTS
from .values import shown_value

#: entries per source read for a page, and entries shown
SHOWN = 50


@dataclass
class Timeline:
    entity: EntityDef
    record_id: int
    entries: list[TimelineEntry]
    capped: bool
    text: dict[str, Label] = field(default_factory=lambda: TEXT)
    time = staticmethod(local_time)  # stored UTC -> the tenant's time zone, to the minute


def read_timeline(
    session: Session, catalog: Catalog, entity: EntityDef, record: Any, hidden: dict[str, set[str]]
) -> Timeline:
    """The timeline of `record`; `hidden` gives, per entity, the fields the reader may not see."""
    since = record.created_at
    changes = _changes(session, catalog, entity.qualified, record.id, since, hidden)
    others = [*_comments(session, entity, record.id, since), *_from_features(session, entity, record.id)]
    people = [*(c.row.actor for c in changes), *(e.actor for e in others), *(u for c in changes for u in c.users())]
    names = display_names(session, people)
    entries = [*(c.entry(entity, names) for c in changes), *others]
    entries.sort(key=lambda e: e.at, reverse=True)
    shown = [replace(e, actor=names.get(e.actor, e.actor)) if e.actor else e for e in entries[:SHOWN]]
    return Timeline(entity, record.id, shown, capped=len(entries) > SHOWN)


def _from_features(session: Session, entity: EntityDef, record_id: int) -> list[TimelineEntry]:
    """What the TIMELINE_SOURCES items add (the approval events), each source capped like the others."""
    return [
        entry
        for source in load_features().items(TIMELINE_SOURCES)
        for entry in source(session, entity, record_id, SHOWN + 1)
    ]


def change_rows(entity: str, record_id: int, since: datetime | None, formers: dict[str, str]) -> sa.Select:
    """The history of a record and of its child-table rows, newest first: under the entity's name and the names it
    had before (`formers`, {former: name now}; the history keeps the name each change was written with)."""
    names = [entity, *(former for former, now in formers.items() if now == entity)]
    query = sa.select(CHANGES).where(
        sa.or_(
            sa.and_(CHANGES.c.entity.in_(names), CHANGES.c.record_id == record_id),
            sa.and_(CHANGES.c.parent_entity.in_(names), CHANGES.c.parent_id == record_id),
        )
    )
    if since is not None:
        query = query.where(CHANGES.c.at >= since)
    return query.order_by(CHANGES.c.at.desc(), CHANGES.c.id.desc())


def visible_changes(changes: dict[str, Any], hidden: set[str]) -> dict[str, Any]:
    return {name: pair for name, pair in (changes or {}).items() if name not in hidden}


@dataclass(frozen=True)
class _Change:
    """One stored change of the record or of one of its rows, with the fields the reader may see."""

    definition: EntityDef
    row: Any
    shown: dict[str, Any]

    def fields(self) -> list[tuple[str, FieldDef | None, Any]]:
        return [(name, self.definition.field(name), pair) for name, pair in self.shown.items()]

    def users(self) -> list[str]:
        """The user names its user fields' values hold (stored as {id, title: user name})."""
        return [
            value["title"]
            for _, f, pair in self.fields()
            if f is not None and kind_of(f).refers_to_user
            for value in (pair.get("old"), pair.get("new"))
            if isinstance(value, dict) and value.get("title")
        ]

    def entry(self, entity: EntityDef, names: dict[str, str]) -> TimelineEntry:
        lines = [
            TimelineLine(
                f.label if f else name,
                shown_value(f, _named(f, pair.get("old"), names)),
                shown_value(f, _named(f, pair.get("new"), names)),
            )
            for name, f, pair in self.fields()
        ]
        row = self.row
        subject = f"{self.definition.label.localized()} #{row.record_id}" if row.entity != entity.qualified else ""
        return TimelineEntry(
            "change", row.at, row.actor, ACTION.get(row.action, row.action), subject, lines, action=row.action
        )


def _named(field: FieldDef | None, value: Any, names: dict[str, str]) -> Any:
    """A user field's stored value titled by the person's name instead of their user name."""
    if field is None or not kind_of(field).refers_to_user or not isinstance(value, dict) or not value.get("title"):
        return value
    return {**value, "title": names.get(value["title"], value["title"])}


def _changes(
    session: Session, catalog: Catalog, entity: str, record_id: int, since: datetime, hidden: dict[str, set[str]]
) -> list[_Change]:
    found = []
    formers = former_names(session.connection(), "Entity")
    for row in session.execute(change_rows(entity, record_id, since, formers).limit(SHOWN + 1)):
        definition = catalog.entities.get(formers.get(row.entity, row.entity))
        if definition is None:  # an entity no longer defined: its rows stay in the history, unshown
            continue
        shown = visible_changes(row.changes, hidden.get(definition.qualified, set()))
        if shown or row.action != "update":
            found.append(_Change(definition, row, shown))
    return found


def _comments(session: Session, entity: EntityDef, record_id: int, since: datetime) -> list[TimelineEntry]:
    query = (
        sa.select(COMMENTS)
        .where(COMMENTS.c.entity == entity.qualified, COMMENTS.c.record_id == record_id, COMMENTS.c.created_at >= since)
        .order_by(COMMENTS.c.created_at.desc(), COMMENTS.c.id.desc())
        .limit(SHOWN + 1)
    )
    return [
        TimelineEntry("comment", row.created_at, row.author, TEXT["commented"], body=row.body, action="comment")
        for row in session.execute(query)
    ]
