"""A record changed from a view (a card moved, an event dragged, a bar resized, a card added): an update or a create
through the record lifecycle, so the entity's rules, the approval lock, field rights and automations apply as to any
other save.

The caller (a view's JSON endpoint) owns the transaction: it commits what `save_values` returns, or answers with the
refusal's status and message, which the page shows while it puts the record back where it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from ..compile.lifecycle import RecordConflict, RecordRejected, save_record
from ..compile.logic import RECORD_ERRORS
from ..compile.models import class_name
from ..compile.records import StaleRecord
from ..compile.schemas import input_schema
from ..languages import localize_message, localize_messages
from .query import ViewQuery


@dataclass
class Refused(Exception):
    """Why a change did not happen, as its answer says it: the HTTP status, one message in the reader's language,
    and the lifecycle's messages per field (for a client that shows them beside fields)."""

    status: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)


def api_value(value: Any) -> Any:
    """A value as the entity's input schema reads it (views change records with the API's schema): a day as
    `2026-03-02`, a stored time (naive UTC) with its zone, anything else as it is."""
    if isinstance(value, datetime):
        return f"{value.isoformat()}+00:00"
    return value.isoformat() if isinstance(value, date) else value


def save_values(query: ViewQuery, runtime: Any, record: Any, values: dict[str, Any], version: Any, failed: str) -> Any:
    """`values` loaded as the entity's API loads a body (a new record's required fields checked there), then saved
    (`record` None: created). Returns the saved record, flushed, not committed; `failed` is the message when the
    lifecycle names no field."""
    session = query.session
    schema = input_schema(query.entity, f"{class_name(query.entity)}ViewInput", query.catalog)
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


def refusal_text(query: ViewQuery, errors: dict[str, Any]) -> str:
    """The lifecycle's messages as one text: each field's label, then its messages; a record's own without one."""
    parts = []
    for name, messages in errors.items():
        texts = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        shown = query.entity.field(name)
        parts.append(texts if name == RECORD_ERRORS or shown is None else f"{shown.label.localized()}: {texts}")
    return " ".join(parts)
