"""A card moved to another column, or added in one: an update (or a create) of the record through the record
lifecycle, so the entity's rules, the approval lock, field rights and automations apply as to any other save.

The caller (the board's JSON endpoints) owns the transaction: it commits what these return, or rolls back and
answers with the refusal's status and message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError

from ..compile.lifecycle import RecordConflict, RecordRejected, save_record
from ..compile.logic import RECORD_ERRORS
from ..compile.models import class_name
from ..compile.records import StaleRecord
from ..compile.schemas import input_schema
from ..fields import kind_of
from ..languages import localize_message, localize_messages
from .board import EMPTY, BoardQuery
from .labels import TEXT


@dataclass
class Refused(Exception):
    """Why a move or an add did not happen, as its answer says it: the HTTP status, one message in the reader's
    language, and the lifecycle's messages per field (for a client that shows them beside fields)."""

    status: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)


def move_card(query: BoardQuery, runtime: Any, record_id: Any, key: Any, version: Any) -> Any:
    """Set the grouping field of record `record_id` (one the viewer sees on this board) to column `key`'s value;
    `version` is the version the viewer saw. Returns the saved record, flushed, not committed."""
    record = find_card(query, record_id)
    if record is None:
        raise Refused(404, TEXT["not_saved"].localized())
    values = {query.grouped.name: column_value(query, key)}
    return _saved(query, runtime, record, values, version, TEXT["not_saved"].localized())


def add_card(query: BoardQuery, runtime: Any, key: Any, title: Any) -> Any:
    """A new record with the card's title field set to `title` and the grouping field to column `key`'s value."""
    values = {query.grouped.name: column_value(query, key)}
    if isinstance(title, str) and title.strip():
        values[query.definition.card[0]] = title.strip()
    return _saved(query, runtime, None, values, None, TEXT["not_added"].localized())


def find_card(query: BoardQuery, record_id: Any) -> Any:
    """The record if it is on the board for the viewer (its filter, their record rules), else None."""
    if not isinstance(record_id, int) or isinstance(record_id, bool):
        return None
    model = query.model
    return query.session.scalar(sa.select(model).where(model.id == record_id, *query.conditions()))


def column_value(query: BoardQuery, key: Any) -> Any:
    """The stored value column `key` stands for; a key that names no column of the board is refused (400)."""
    grouped = query.grouped
    if key == EMPTY:
        return None
    if kind_of(grouped).has_choices and isinstance(key, str) and key in {c.value for c in grouped.choices}:
        return key
    if not kind_of(grouped).has_choices and isinstance(key, str) and key.isdigit():
        return int(key)
    raise Refused(400, TEXT["unknown_column"].localized())


def _saved(query: BoardQuery, runtime: Any, record: Any, values: dict[str, Any], version: Any, failed: str) -> Any:
    """`values` loaded as the entity's API loads a body (a new record's required fields checked there), then saved."""
    session = query.session
    schema = input_schema(query.entity, f"{class_name(query.entity)}BoardInput", query.catalog)
    try:
        loaded = schema().load(values, partial=record is not None)
    except ValidationError as invalid:
        errors = localize_messages(invalid.messages)
        raise Refused(400, refusal_text(query, errors) or failed, errors) from None
    try:
        return save_record(runtime, query.actor, query.entity, record, loaded, session=session, version=version)
    except RecordRejected as rejected:
        session.rollback()
        errors = localize_messages(rejected.errors)
        raise Refused(400, refusal_text(query, errors) or failed, errors) from None
    except (StaleRecord, RecordConflict) as conflict:
        session.rollback()
        raise Refused(409, localize_message(str(conflict))) from None


def refusal_text(query: BoardQuery, errors: dict[str, Any]) -> str:
    """The lifecycle's messages as one text: each field's label, then its messages; a record's own without one."""
    parts = []
    for name, messages in errors.items():
        texts = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        shown = query.entity.field(name)
        parts.append(texts if name == RECORD_ERRORS or shown is None else f"{shown.label.localized()}: {texts}")
    return " ".join(parts)
