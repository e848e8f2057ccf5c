"""A bar dragged, its end dragged, or its dates typed in the keyboard form: an update of the record's start and end
through the record lifecycle (views/saving.py). Only the dates that changed are sent, so a viewer who moves a bar
changes nothing else, and an open end stays open when only the start moved."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ...formatting import to_utc
from ..saving import Refused, api_value, save_values
from .chart import ChartQuery
from .labels import TEXT


def reschedule(query: ChartQuery, runtime: Any, record_id: Any, start: Any, end: Any, version: Any) -> Any:
    """Set the start and end of record `record_id` (one the viewer sees on this timeline) to `start` and `end`, as
    the page sends them (YYYY-MM-DD, or YYYY-MM-DD HH:MM in the tenant's time zone; `end` may be empty); `version`
    is the version the viewer saw. Returns the saved record, flushed, not committed."""
    record = query.find(record_id)
    if record is None:
        raise Refused(404, TEXT["not_saved"].localized())
    wanted = {query.definition.start: parsed(query, start), query.definition.end: parsed(query, end, empty=True)}
    values = {name: api_value(value) for name, value in wanted.items() if value != getattr(record, name)}
    if not values:
        return record
    return save_values(query, runtime, record, values, version, TEXT["not_saved"].localized())


def parsed(query: ChartQuery, text: Any, empty: bool = False) -> date | datetime | None:
    """A date (or a wall-clock datetime, stored as naive UTC) the page sent; anything else is refused (400)."""
    if empty and text in (None, ""):
        return None
    if not isinstance(text, str):
        raise Refused(400, TEXT["bad_date"].localized())
    try:
        if query.with_time:
            return to_utc(datetime.fromisoformat(text).replace(second=0, microsecond=0, tzinfo=None))
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(400, TEXT["bad_date"].localized()) from None
