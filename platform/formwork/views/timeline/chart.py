"""What a timeline shows one viewer, in a fixed number of SQL statements whatever the number of bars.

The statements: the bars' records (each carrying the viewer's record rules and the timeline's filter; on a lane
field that is a reference, only records in lanes the viewer may see), then one query per reference the bars show
(the lanes' records, a title that is a reference). A bar's dates are sent as the chart reads them: a date as
YYYY-MM-DD, a datetime as YYYY-MM-DD HH:MM in the tenant's time zone. Fields the viewer's roles hide are neither
shown nor grouped by nor used to place a bar (the screens refuse a timeline whose dates or lanes are hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...actor import Actor
from ...fields import kind_of, value_kind
from ...formatting import to_local
from ...meta.catalog import Catalog
from ...meta.model import FieldDef
from ...rights import unchangeable_fields, visible_condition
from ..query import ViewQuery
from .definition import TimelineViewDef
from .labels import TEXT

#: the most bars a timeline shows (the first by start date); the page says when there are more
BARS = 500
#: the key of the lane of records without a value
EMPTY = ""
#: how a datetime is sent to the chart and read back from the page (the tenant's wall clock)
MINUTES = "%Y-%m-%d %H:%M"


@dataclass
class Bar:
    """One record as its bar shows it: its title, its start and end as the chart reads them (`end` None: the record
    has none) and as the reader reads them, and its colour (a choice's colour name)."""

    id: int
    version: int
    title: str
    start: str
    end: str | None
    start_text: str
    end_text: str
    color: str | None = None


@dataclass
class Lane:
    """One value of the lane field: its key (a choice's value, a record's id as text, EMPTY), label and bars."""

    key: str
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    """A timeline for one viewer: its lanes in order (only those with bars), whether the viewer may move the bars,
    whether the bars have a time of day, and whether more records than BARS would be bars."""

    definition: TimelineViewDef
    lanes: list[Lane]
    editable: bool
    with_time: bool
    more: bool = False

    def data(self, show_url: Callable[[int], str]) -> dict[str, Any]:
        """What timeline.js draws: the lanes with their bars and each bar's record page."""
        return {
            "zoom": self.definition.zoom,
            "editable": self.editable,
            "with_time": self.with_time,
            "lanes": [
                {"key": lane.key, "label": lane.label, "bars": [bar_data(bar, show_url) for bar in lane.bars]}
                for lane in self.lanes
            ],
        }


def bar_data(bar: Bar, show_url: Callable[[int], str]) -> dict[str, Any]:
    return {
        "id": bar.id,
        "version": bar.version,
        "title": bar.title,
        "start": bar.start,
        "end": bar.end,
        "start_text": bar.start_text,
        "end_text": bar.end_text,
        "color": bar.color,
        "url": show_url(bar.id),
    }


class ChartQuery(ViewQuery):
    """The queries of one timeline for one viewer, in the tenant's session."""

    definition: TimelineViewDef

    def __init__(
        self, definition: TimelineViewDef, catalog: Catalog, compiled: Any, session: Session, actor: Actor
    ) -> None:
        super().__init__(definition, catalog, compiled, session, actor)
        self.grouped: FieldDef = self.entity.declared_field(definition.group_by)
        self.title_field: str = definition.title or self.entity.title_field or "id"

    @property
    def with_time(self) -> bool:
        return value_kind(self.entity.declared_field(self.definition.start)).holds_moment

    def editable(self, may_edit: bool) -> bool:
        """A viewer with the entity's edit right moves bars when their field rights let them set both dates."""
        unchangeable = unchangeable_fields(self.entity, self.actor)
        return may_edit and not {self.definition.start, self.definition.end} & unchangeable

    def chart(self, may_edit: bool) -> Chart:
        """The whole timeline: the first BARS records by start date, in their lanes."""
        items = list(self.session.scalars(self.records()))
        lanes: dict[str, Lane] = {}
        for item in items[:BARS]:
            key = self.lane_key(item)
            lane = lanes.get(key)
            if lane is None:
                lane = lanes[key] = Lane(key, self.text(item, self.grouped.name) or TEXT["empty"].localized())
            lane.bars.append(self.bar(item))
        ordered = sorted(lanes.values(), key=self.lane_order)
        return Chart(self.definition, ordered, self.editable(may_edit), self.with_time, more=len(items) > BARS)

    def records(self) -> Any:
        start = self.column(self.definition.start)
        shown = [self.grouped.name] + ([self.title_field] if self.title_field not in self.hidden else [])
        return (
            sa.select(self.model)
            .where(start.is_not(None), *self.conditions())
            .order_by(start, self.model.id)
            .limit(BARS + 1)
            .options(*self.preloads(shown))
        )

    def conditions(self) -> list[Any]:
        """The timeline's filter, the viewer's record rules and, when the lanes are records, the viewer's record
        rules on them: a lane never names a record its viewer may not see."""
        found = super().conditions()
        if kind_of(self.grouped).refers_to_record:
            target = self.compiled.model(self.grouped.target or "")
            rules = visible_condition(target, self.actor)
            if rules is not None:
                column = self.column(self.grouped.name)
                found.append(sa.or_(column.is_(None), column.in_(sa.select(target.id).where(rules))))
        return found

    # -- lanes -----------------------------------------------------------------------------------------------------
    def lane_key(self, item: Any) -> str:
        value = getattr(item, self.column(self.grouped.name).key)
        return EMPTY if value is None else str(value)

    def lane_order(self, lane: Lane) -> tuple[int, Any, str]:
        """Choices in their order; records by title; the lane without a value last."""
        if lane.key == EMPTY:
            return (2, "", "")
        if kind_of(self.grouped).has_choices:
            values = [choice.value for choice in self.grouped.choices]
            return (0, values.index(lane.key) if lane.key in values else len(values), lane.key)
        return (1, lane.label.casefold(), lane.key.zfill(20))

    # -- bars ------------------------------------------------------------------------------------------------------
    def bar(self, item: Any) -> Bar:
        start, end = getattr(item, self.definition.start), getattr(item, self.definition.end)
        title = "" if self.title_field in self.hidden else self.text(item, self.title_field)
        return Bar(
            id=item.id,
            version=item.version,
            title=title or f"{self.entity.label.localized()} #{item.id}",
            start=chart_value(start),
            end=None if end is None else chart_value(max(end, start)),
            start_text=self.text(item, self.definition.start),
            end_text=self.text(item, self.definition.end),
            color=self.color(item),
        )

    def color(self, item: Any) -> str | None:
        """The colour of the record's choice of `color_by` (none when the viewer may not see that field)."""
        name = self.definition.color_by
        if name is None or name in self.hidden:
            return None
        value = getattr(item, name)
        colored = self.entity.declared_field(name)
        return next((choice.color for choice in colored.choices if choice.value == value), None)


def chart_value(value: date | datetime) -> str:
    """A date as YYYY-MM-DD; a stored (naive UTC) datetime as the tenant's wall clock, YYYY-MM-DD HH:MM."""
    if isinstance(value, datetime):
        return to_local(value).strftime(MINUTES)
    return value.isoformat()
