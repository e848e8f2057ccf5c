"""An event dragged to another time, or resized: an update of the record's start (and end or duration) through the
record lifecycle (views/saving.py), so its rules, the approval lock, field rights and automations apply.

FullCalendar sends the tenant's wall-clock times without an offset (events.py), an all-day event's end as the day
after its last; they are turned into what the fields store (naive UTC, a last day, a number of units) here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ...formatting import to_utc
from ..saving import Refused, api_value, save_values
from .events import EventQuery, wall_clock
from .labels import TEXT


def move_event(query: EventQuery, runtime: Any, record_id: Any, start: Any, end: Any, version: Any) -> Any:
    """Save record `record_id` (one the viewer sees on this calendar) with the event's new `start` and, when given
    and the calendar has an end or duration field, its new `end`; `version` is the version the viewer saw. Only
    what changed is saved (a move keeps the duration, a resize the start), so a field the viewer may not change is
    not written unless the change needs it. Returns the record, flushed, not committed."""
    record = query.find(record_id)
    if record is None:
        raise Refused(404, TEXT["not_saved"].localized())
    begins = parse_moment(start, query.all_day)
    wanted: dict[str, Any] = {query.starts.name: begins}
    length = query.length_field
    if end is not None and length is not None:
        wanted[length] = length_value(query, begins, parse_moment(end, query.all_day))
    values = {name: api_value(value) for name, value in wanted.items() if getattr(record, name) != value}
    if not values:
        return record
    return save_values(query, runtime, record, values, version, TEXT["not_saved"].localized())


def parse_moment(text: Any, all_day: bool) -> date | datetime:
    """A day (`2026-03-02`) for an all-day calendar, else a wall-clock time in the tenant's zone as stored (naive
    UTC); anything else is refused (400)."""
    try:
        if not isinstance(text, str):
            raise ValueError(text)
        return date.fromisoformat(text) if all_day else to_utc(wall_clock(text))
    except ValueError:
        raise Refused(400, TEXT["bad_time"].localized()) from None


def length_value(query: EventQuery, begins: Any, ends: Any) -> Any:
    """The end field's value (an all-day event's last day, before FullCalendar's exclusive end), or the duration
    field's number of units (whole when it is whole)."""
    if query.length_field == query.definition.end:
        return ends - timedelta(days=1) if query.all_day else ends
    duration = query.definition.duration
    assert duration is not None and duration.field is not None  # length_field: the end or the duration's field
    amount = (ends - begins) / duration.of(1)
    return int(amount) if float(amount).is_integer() else round(amount, 4)
