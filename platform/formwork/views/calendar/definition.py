"""The CalendarView kind: an entity's records as events on a calendar, placed by a date or datetime field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ...meta.yamlload import Document
from ..base import ViewDef, view_fields

#: what a `duration` counts in, as a timedelta of one
UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
#: the views a calendar opens in (FullCalendar's month, week and day)
INITIAL_VIEWS = ("month", "week", "day")


@dataclass(frozen=True)
class Duration:
    """How long an event lasts when the calendar has no end field: a fixed `value` of `unit`s, or the number a
    field of the record holds (`field`), counted in `unit`s."""

    unit: str
    value: float | None = None
    field: str | None = None

    def of(self, amount: Any) -> timedelta:
        """`amount` units as a length of time."""
        return UNITS[self.unit] * float(amount)


@dataclass(frozen=True, kw_only=True)
class CalendarViewDef(ViewDef):
    """One calendar: events from `start` (a date field: all-day events; a datetime field: timed ones) until `end`
    (a field of the same type) or for a `duration`; titled by the `title` field, coloured by the colours of the
    `color_by` choice field; first shown as `initial_view`."""

    collection = "calendar_views"
    kind_name = "calendar view"

    start: str
    title: str
    end: str | None = None
    duration: Duration | None = None
    color_by: str | None = None
    initial_view: str = "month"

    @property
    def length_field(self) -> str | None:
        """The field a resize changes: the end field, or the duration's field (None: the events cannot resize)."""
        return self.end or (self.duration.field if self.duration is not None else None)


def build_calendar_view(doc: Document) -> CalendarViewDef:
    data = doc.data
    duration = data.get("duration")
    return CalendarViewDef(
        **view_fields(doc),
        start=data.get("start", ""),
        title=data.get("title", ""),
        end=data.get("end"),
        duration=_duration(duration) if isinstance(duration, dict) else None,
        color_by=data.get("color_by"),
        initial_view=data.get("view", "month"),
    )


def _duration(data: dict[str, Any]) -> Duration:
    return Duration(unit=data.get("unit", "minutes"), value=data.get("value"), field=data.get("field"))
