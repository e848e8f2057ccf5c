"""Field values as the history stores them (JSON-safe) and as the timeline shows them (text).

Stored values keep what is needed to show a change years later without the
records it pointed at: a reference keeps the id and the title it had, a file
its name; dates are ISO strings and decimals strings, so no precision is lost
to JSON floats.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from ..fields import kind_of, value_kind
from ..i18n import CatalogText, Label
from ..meta.model import FieldDef

#: a value longer than this is cut in the timeline (the API returns it whole)
SHOWN_LENGTH = 200
YES, NO = CatalogText("yes"), CatalogText("no")
EMPTY = CatalogText("(empty)")


def recorded_on_record(field: FieldDef) -> bool:
    """Whether the field's changes are recorded on the record itself: child rows are recorded as their own records,
    and rollups are recomputed by SQL from other records (they follow those records' history)."""
    kind = kind_of(field)
    return not (kind.holds_rows or kind.aggregates_records)


def reference_value(target: Any, is_user: bool = False) -> dict[str, Any] | None:
    """A referenced record as {id, title}; a user's title is their user name."""
    if target is None:
        return None
    return {"id": target.id, "title": target.username if is_user else str(target)}


def stored_value(field: FieldDef, value: Any) -> Any:
    """`value` of `field` as JSON (references must already be {id, title}: see `reference_value`)."""
    if value is None:
        return None
    if kind_of(field).holds_file:
        return value.get("name") if isinstance(value, dict) else str(value)
    if kind_of(field).refers_to_many:
        return [reference_value(target) for target in value]
    return json_safe(value)


def json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def shown_value(field: FieldDef | None, value: Any) -> str:
    """A stored value as one line of text in the reader's language, formatted by its field's type as lists show
    it ("431,000.00", "Jan 2, 2030"), not as stored ("431000", "2030-01-02")."""
    if value is None or value == "" or value == []:
        return EMPTY.localized()
    if isinstance(value, bool):
        return (YES if value else NO).localized()
    if isinstance(value, dict) and "title" in value:
        return str(value["title"] if value["title"] is not None else f"#{value.get('id')}")
    if isinstance(value, list):
        return ", ".join(shown_value(field, item) for item in value)
    if field is not None and kind_of(field).has_choices:
        choice = {str(c.value): c for c in field.choices}.get(str(value))
        if choice is not None:
            return Label(choice.label).localized()
    text = str(value) if field is None or kind_of(field).has_choices else _formatted(field, value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH] + "…"


def _formatted(field: FieldDef, value: Any) -> str:
    """`value` as its type formats it: read back from JSON as the API reads it (ISO dates, decimals as text), then
    `format_value`. A value the type no longer reads (the field's type changed since) shows as it was stored."""
    kind = value_kind(field)
    try:
        shown = kind.format_value(field, kind.marshmallow_class(field)().deserialize(value))
    except (ma.ValidationError, ValueError, TypeError, ArithmeticError):
        return str(value)
    return shown.striptags() if isinstance(shown, Markup) else str(shown)
