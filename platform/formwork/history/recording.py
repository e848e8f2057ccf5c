"""Recording every create, update and delete of a record, in the transaction that makes it.

Two session events of the tenant's session factory (`install_history`):
before a flush, what each record is about to become is read from SQLAlchemy's
attribute history (the values it was loaded with and the ones set since);
after the flush, when new records have their ids and references their keys,
one row per record goes into `formwork_record_change`. Screens, the REST API,
seeds and imports all save through that session, so all are recorded; whoever
is signed in is the actor, nobody (None, shown as "system") outside a request.

Only fields of the definitions are recorded, and only those whose value
changed: the bookkeeping columns (version, updated_at, updated_by…) never are,
so a save that changes nothing records nothing. A row of a child table (an
expense line) is recorded as its own record and names its parent, so the
parent's timeline shows it. After an update the record's followers are told
(`formwork.notify.record_changed`) of the fields each may see (history/audience.py);
after a delete the record's followers are forgotten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.base import NO_VALUE

from ..compile.actors import request_actor
from ..compile.models import utcnow
from ..fields import kind_of
from ..fields.child_table import parent_field_of
from ..meta.model import EntityDef, FieldDef
from ..tenancy.notices import notices
from .audience import changes_shown
from .tables import CHANGES, CREATE, DELETE, UPDATE
from .values import recorded_on_record, reference_value, stored_value

PENDING = "formwork_history_pending"


class HistoryIsAppendOnly(Exception):
    """Someone tried to change or delete recorded history through the session."""


@dataclass
class Pending:
    """A record's change seen before the flush; written once the flush has given it an id."""

    action: str
    item: Any
    #: field -> (old, new); references are model instances or ids until after the flush
    values: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def install_history(session_factory: Any) -> None:
    """Record changes on every session of the factory; install after the audit and generated values (which run on
    before_flush too), so formulas and auto numbers are recorded with the rest."""
    event.listen(session_factory, "before_flush", _capture)
    event.listen(session_factory, "after_flush", _write)
    event.listen(session_factory, "do_orm_execute", refuse_rewrites)
    event.listen(session_factory, "after_rollback", _forget)


def refuse_rewrites(state: ORMExecuteState) -> None:
    """History is only ever added to: an UPDATE or DELETE of it through a session is a programming error."""
    if (state.is_update or state.is_delete) and getattr(state.statement, "table", None) is CHANGES:
        raise HistoryIsAppendOnly("formwork_record_change is append-only: it cannot be updated or deleted")


def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


# -- before the flush: what changes -----------------------------------------------------------
def _capture(session: Session, _context: Any, _instances: Any) -> None:
    pending: list[Pending] = []
    deleted = set(session.deleted)
    for item in session.new:
        if _entity(item) is not None:
            pending.append(Pending(CREATE, item, _created(item)))
    for item in session.dirty:
        entity = _entity(item)
        if entity is None or item in deleted:
            continue
        pending += _orphans(session, item, entity, deleted)
        if session.is_modified(item):
            changed = _updated(session, item, entity)
            if changed:
                pending.append(Pending(UPDATE, item, changed))
    for item in deleted:
        if _entity(item) is not None:
            pending.append(Pending(DELETE, item, _deleted(session, item)))
    session.info[PENDING] = pending


def _entity(item: Any) -> EntityDef | None:
    return getattr(item, "__entity__", None)


def _recorded_fields(entity: EntityDef) -> list[FieldDef]:
    return [f for f in entity.fields if recorded_on_record(f)]


def _created(item: Any) -> dict[str, tuple[Any, Any]]:
    values = {}
    for f in _recorded_fields(_entity(item)):
        new = _current(item, f)
        if new not in (None, "", []):
            values[f.name] = (None, new)
    return values


def _deleted(session: Session, item: Any) -> dict[str, tuple[Any, Any]]:
    values, stored = {}, _stored_row(session, item)
    for f in _recorded_fields(_entity(item)):
        old = _committed(item, f, stored)
        if old not in (None, "", []):
            values[f.name] = (old, None)
    return values


def _updated(session: Session, item: Any, entity: EntityDef) -> dict[str, tuple[Any, Any]]:
    state, stored = sa.inspect(item), _stored_row(session, item)
    values = {}
    for f in _recorded_fields(entity):
        attributes = [f.name, f"{f.name}_id"] if kind_of(f).refers_to_one else [f.name]
        if not any(state.attrs[name].history.has_changes() for name in attributes if name in state.attrs):
            continue
        old, new = _committed(item, f, stored), _current(item, f)
        if _key(old) != _key(new):
            values[f.name] = (old, new)
    return values


def _orphans(session: Session, item: Any, entity: EntityDef, deleted: set[Any]) -> list[Pending]:
    """Rows taken out of a child table are deleted by the flush (delete-orphan) without being in session.deleted."""
    state, found = sa.inspect(item), []
    for f in entity.fields:
        if kind_of(f).holds_rows and f.name in state.attrs:
            for row in state.attrs[f.name].history.deleted:
                if row not in deleted and sa.inspect(row).persistent:
                    found.append(Pending(DELETE, row, _deleted(session, row)))
    return found


def _current(item: Any, f: FieldDef) -> Any:
    """The value the record is about to be saved with (a reference as its target, or its id)."""
    if kind_of(f).refers_to_one:
        state = sa.inspect(item)
        chosen = state.attrs[f.name].history
        if chosen.added:
            return chosen.added[0]
        return getattr(item, f"{f.name}_id")
    if kind_of(f).refers_to_many:
        return list(getattr(item, f.name) or [])
    return getattr(item, f.name)


def _committed(item: Any, f: FieldDef, stored: Mapping[str, Any] | None) -> Any:
    """The value the record was loaded with (`stored`: its row as stored, when some of it was not loaded)."""
    state = sa.inspect(item)
    name = f"{f.name}_id" if kind_of(f).refers_to_one else f.name
    history = state.attrs[name].history
    if kind_of(f).refers_to_many:
        return [*history.unchanged, *history.deleted] if history.has_changes() else list(getattr(item, f.name) or [])
    if stored is not None and name in stored:
        return stored[name]
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def _stored_row(session: Session, item: Any) -> Mapping[str, Any] | None:
    """The record's row as stored, read only when some value it had is unknown: set on an expired record (after a
    commit) without being read first, SQLAlchemy never loaded the old value."""
    state = sa.inspect(item)
    if not state.expired_attributes and all(old is not NO_VALUE for old in state.committed_state.values()):
        return None
    table = state.mapper.local_table
    return session.execute(sa.select(table).where(table.c.id == item.id)).mappings().first()


def _key(value: Any) -> Any:
    """What two values are compared by: a referenced record by its id, a list by its members' ids."""
    if isinstance(value, list):
        return sorted((_key(v) for v in value), key=repr)
    return getattr(value, "id", value) if hasattr(value, "__table__") or hasattr(value, "__entity__") else value


# -- after the flush: write it ------------------------------------------------------------------
def _write(session: Session, _context: Any) -> None:
    pending = session.info.pop(PENDING, [])
    actor, now = _actor(), utcnow()
    written = [(change, row) for change in pending if (row := _row(session, change, actor, now)) is not None]
    if not written:
        return
    session.connection().execute(CHANGES.insert(), [row for _change, row in written])
    for change, row in written:
        if row["action"] == UPDATE:
            entity = _entity(change.item)
            notices().record_changed(
                session,
                entity=row["entity"],
                record_id=row["record_id"],
                actor=actor,
                changes={str(entity.field(name).label): pair for name, pair in row["changes"].items()},
                record=str(change.item),
                shown_to=changes_shown(session, change.item, row["changes"]),
            )
        elif row["action"] == DELETE:
            notices().forget_followers(session, row["entity"], row["record_id"])


def _row(session: Session, change: Pending, actor: str | None, now: Any) -> dict[str, Any] | None:
    """The history row of one change; None for an update whose values, once stored, are all the same."""
    entity, models = _entity(change.item), change.item.__models__
    changes = {}
    for name, (old, new) in change.values.items():
        f = entity.field(name)
        pair = {"old": _stored(session, models, f, old), "new": _stored(session, models, f, new)}
        if pair["old"] != pair["new"]:
            changes[name] = pair
    if change.action == UPDATE and not changes:
        return None
    parent_entity, parent_id = _parent_of(change.item, entity)
    return {
        "entity": entity.qualified,
        "record_id": change.item.id,
        "parent_entity": parent_entity,
        "parent_id": parent_id,
        "action": change.action,
        "actor": actor,
        "at": now,
        "changes": changes,
    }


def _stored(session: Session, models: Any, f: FieldDef, value: Any) -> Any:
    if kind_of(f).refers_to_one:
        return reference_value(_target(session, models, f, value), is_user=kind_of(f).refers_to_user)
    return stored_value(f, value)


def _target(session: Session, models: Any, f: FieldDef, value: Any) -> Any:
    """A reference's record: as set on the item, or loaded by the id stored (from the identity map if there)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    if kind_of(f).refers_to_user:
        from flask_appbuilder.security.sqla.models import User

        return session.get(User, value)
    return session.get(models.model(f.target), value)


def _parent_of(item: Any, entity: EntityDef) -> tuple[str | None, int | None]:
    """(parent entity, parent id) of a child-table row, or (None, None)."""
    for parent, link in _parent_links(item.__models__).get(entity.qualified, ()):
        parent_id = getattr(item, f"{link}_id", None)
        if parent_id is not None:
            return parent, parent_id
    return None, None


#: per definitions hash: child entity -> [(parent entity, the child's reference to it)]
_PARENT_LINKS: dict[str, dict[str, list[tuple[str, str]]]] = {}


def _parent_links(models: Any) -> dict[str, list[tuple[str, str]]]:
    """Which entities are child tables of which (computed once per set of definitions: imports save many rows)."""
    links = _PARENT_LINKS.get(models.definitions_hash)
    if links is None:
        links = {}
        for parent in (model.__entity__ for model in models.models.values()):
            for f in parent.fields:
                child = models.model(f.target).__entity__ if kind_of(f).holds_rows else None
                link = parent_field_of(f, child, parent.qualified) if child is not None else ""
                if link:
                    links.setdefault(child.qualified, []).append((parent.qualified, link))
        _PARENT_LINKS[models.definitions_hash] = links
    return links


def _actor() -> str | None:
    return request_actor().username
