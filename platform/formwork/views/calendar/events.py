"""What a calendar shows one viewer for a range of days, in a fixed number of SQL statements whatever the number of
events: the records (at most CAPPED_AT, by start) and one query per reference the title shows.

Times: datetimes are stored as naive UTC and shown in the tenant's time zone, as the lists show them. The page runs
FullCalendar in the tenant's named zone without a time-zone plugin, so both sides speak the tenant's wall-clock time
without an offset: the range FullCalendar asks for, the events' start and end, and the times a move sends back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, load_only

from ...actor import Actor
from ...compile.listing import column_formatter
from ...fields import kind_of, value_kind
from ...formatting import tenant_zone, to_local, to_utc
from ...meta.catalog import Catalog
from ...meta.model import FieldDef
from ...rights import unchangeable_fields
from ..query import ViewQuery
from .definition import CalendarViewDef

#: the most events one request answers with (the page says when a range holds more)
CAPPED_AT = 2000
#: how long an event without an end field or duration lasts: FullCalendar's defaults, stated for the range query
TIMED_LENGTH = timedelta(hours=1)
#: how far before a range an event with a duration field but no `max` on it may start and still reach into the range
LOOKBACK = timedelta(days=7)
#: how FullCalendar reads a wall-clock time
WALL_CLOCK = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class Window:
    """The range FullCalendar shows, in the tenant's wall-clock time: from `start` (included) to `end` (excluded)."""

    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def after_last_day(self) -> date:
        """The first day not in the window (the end's day itself when the window ends at midnight)."""
        return self.end.date() if self.end.time() == time() else self.end.date() + timedelta(days=1)


@dataclass
class Events:
    """One range's events as FullCalendar reads them, and whether more records fall in it than were sent."""

    events: list[dict[str, Any]]
    capped: bool


class EventQuery(ViewQuery):
    """The queries of one calendar for one viewer, in the tenant's session."""

    definition: CalendarViewDef

    def __init__(
        self, definition: CalendarViewDef, catalog: Catalog, compiled: Any, session: Session, actor: Actor
    ) -> None:
        super().__init__(definition, catalog, compiled, session, actor)
        self.starts: FieldDef = self.entity.declared_field(definition.start)
        self.all_day = not value_kind(self.starts).holds_moment

    # -- what the viewer sees and may do -------------------------------------------------------------------------
    @property
    def length_field(self) -> str | None:
        """The end or duration field, unless the viewer may not see it (the events then take the default length)."""
        name = self.definition.length_field
        return name if name is not None and name not in self.hidden else None

    @property
    def color_field(self) -> FieldDef | None:
        name = self.definition.color_by
        return self.entity.field(name) if name is not None and name not in self.hidden else None

    def allowed(self, may_edit: bool, may_add: bool) -> tuple[bool, bool, bool]:
        """(move, resize, add) for a viewer with the entity's edit and add rights: a move sets the start (and the
        end field, which moves with it), a resize the end or duration field, an add fills the start."""
        unchangeable = unchangeable_fields(self.entity, self.actor)
        end_field = self.definition.end
        movable = may_edit and self.starts.name not in unchangeable and end_field not in unchangeable
        length = self.length_field
        resizable = may_edit and length is not None and length not in unchangeable
        return movable, resizable, may_add and self.starts.name not in unchangeable

    def legend(self) -> list[tuple[str, str]]:
        """(label, colour) of each current choice of the colour field that has a colour."""
        colored = self.color_field
        if colored is None:
            return []
        return [(c.label.localized(), c.color) for c in colored.choices if c.color and not c.retired]

    # -- the records ---------------------------------------------------------------------------------------------
    def events(self, window: Window, record_url: str, id_slot: str) -> Events:
        """The events reaching into `window`, by start: one query (of the columns the events show), then one per
        reference the title shows. `record_url` is the record page's address with `id_slot` where the id goes."""
        shape = self.shape()
        query = (
            sa.select(self.model)
            .where(*self.conditions(), *self.within(window))
            .order_by(self.column(self.starts.name), self.model.id)
            .limit(CAPPED_AT + 1)
            .options(load_only(*shape.columns(self.model)), *self.preloads([self.definition.title]))
        )
        items = list(self.session.scalars(query))
        shown = [shape.event(item, record_url.replace(id_slot, str(item.id))) for item in items[:CAPPED_AT]]
        return Events(shown, capped=len(items) > CAPPED_AT)

    def within(self, window: Window) -> list[Any]:
        """Conditions of the records whose event reaches into `window`: starting before its end, and ending after
        its start (by the end field, or starting no longer before it than an event can last). Both bounds are
        parameters computed here: no date arithmetic in SQL, which SQLite and PostgreSQL write differently."""
        start = self.column(self.starts.name)
        if self.all_day:
            since, until = window.first_day, window.after_last_day
            reach = timedelta(days=1)
        else:
            since, until = to_utc(window.start), to_utc(window.end)
            reach = TIMED_LENGTH
        length = self.length_field
        if length is not None and length == self.definition.end:
            # `reach` early, as a record without an end lasts that long: a few extra events FullCalendar leaves out
            return [start < until, sa.func.coalesce(self.column(length), start) >= since - reach]
        return [start < until, start > since - max(self.longest(), reach)]

    def longest(self) -> timedelta:
        """The longest an event may last by its duration: the fixed one, or its field's `max` (else LOOKBACK)."""
        duration = self.definition.duration
        if duration is None or self.length_field is None and duration.field is not None:
            return timedelta(0)
        if duration.value is not None:
            return duration.of(duration.value)
        largest = self.entity.declared_field(duration.field or "").options.get("max")
        return duration.of(largest) if largest is not None else LOOKBACK

    def shape(self) -> EventShape:
        """What makes this viewer's events, worked out once per request rather than once per event."""
        definition, length = self.definition, self.length_field
        duration = definition.duration
        title = definition.title if definition.title not in self.hidden else None
        colored = self.color_field
        return EventShape(
            all_day=self.all_day,
            zone=tenant_zone(),
            start=self.column(self.starts.name).key,
            end=self.column(length).key if length is not None and length == definition.end else None,
            duration_field=length if length is not None and length != definition.end else None,
            fixed=duration.of(duration.value) if duration is not None and duration.value is not None else None,
            unit=duration.of(1) if duration is not None else None,
            title=self.column(title).key if title is not None else None,
            title_text=self.texter(title) if title is not None else None,
            color=colored.name if colored is not None else None,
            colors={c.value: f"fw-calendar-{c.color}" for c in colored.choices if c.color} if colored else {},
            untitled=self.entity.label.localized(),
        )

    def texter(self, name: str) -> Callable[[Any], str]:
        """`text(item, name)` with the field's labels and format looked up once, not once per event."""
        shown = self.entity.field(name)
        if shown is not None and kind_of(shown).has_choices and not kind_of(shown).holds_list:
            labels = {c.value: c.label.localized() for c in shown.choices}
            return lambda item: _blank_or(getattr(item, name), lambda value: labels.get(value, str(value)))
        formatter = column_formatter(self.entity, name, None) or str
        return lambda item: _blank_or(getattr(item, name), lambda value: str(formatter(value)))


def _blank_or(value: Any, write: Callable[[Any], str]) -> str:
    return "" if value is None or value == "" else write(value)


@dataclass(frozen=True)
class EventShape:
    """How one request turns records into FullCalendar's events: the attributes read (start, end or duration field,
    title, colour; None when the calendar has none or the viewer may not see it), the fixed length or the
    duration's unit, the colours' classes and the tenant's zone."""

    all_day: bool
    zone: ZoneInfo
    start: str
    end: str | None
    duration_field: str | None
    fixed: timedelta | None
    unit: timedelta | None
    title: str | None
    title_text: Callable[[Any], str] | None
    color: str | None
    colors: dict[Any, str]
    untitled: str

    def columns(self, model: Any) -> list[Any]:
        """The model's attributes the events read (a reference title's key: its record comes with its preload)."""
        names = ["id", "version", self.start, self.end, self.duration_field, self.title, self.color]
        return [getattr(model, name) for name in dict.fromkeys(names) if name is not None]

    def event(self, item: Any, url: str) -> dict[str, Any]:
        """One record as FullCalendar reads an event: the tenant's wall-clock times (an all-day event's end the
        day after its last), the title (the entity's label and id when it has none or it is hidden), the colour."""
        title = self.title_text(item) if self.title_text is not None else ""
        start = getattr(item, self.start)
        found: dict[str, Any] = {
            "id": str(item.id),
            "title": title or f"{self.untitled} #{item.id}",
            "allDay": self.all_day,
            "start": self.shown(start),
            "url": url,
            "extendedProps": {"version": item.version},
        }
        end = self.ends(item, start)
        if end is not None:
            found["end"] = self.shown(end)
        color = self.colors.get(getattr(item, self.color)) if self.color is not None else None
        if color:
            found["classNames"] = [color]
        return found

    def shown(self, value: Any) -> str:
        """A date as it is; a stored (naive UTC) time as the tenant's wall-clock time, without an offset."""
        if self.all_day:
            return str(value.isoformat())
        local = value.replace(tzinfo=timezone.utc).astimezone(self.zone)
        return str(local.replace(tzinfo=None).isoformat(timespec="seconds"))

    def ends(self, item: Any, start: Any) -> Any:
        """When the event ends, stored as the start is (a date: the day after its last; a datetime: naive UTC);
        None: FullCalendar's default length (an end before the start, an empty or non-positive duration)."""
        if self.end is not None:
            end = getattr(item, self.end)
            if end is None or end < start:
                return None
            return end + timedelta(days=1) if self.all_day else end
        amount = getattr(item, self.duration_field) if self.duration_field is not None else None
        length = self.fixed if self.fixed is not None else self.unit * float(amount) if self.unit and amount else None
        if length is None or length <= timedelta(0):
            return None
        if self.all_day:
            return start + timedelta(days=max(1, round(length / timedelta(days=1))))
        return start + length


def wall_clock(text: str) -> datetime:
    """An ISO date or time as the tenant's wall-clock time: as written when it has no offset (FullCalendar's), else
    the same moment in the tenant's zone. ValueError when it is neither."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is None else to_local(moment).replace(tzinfo=None)
