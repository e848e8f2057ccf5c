"""The TimelineView kind (a Gantt chart): an entity's records as bars from a start to an end date, in one lane per
value of a choice or reference field."""

from __future__ import annotations

from dataclasses import dataclass

from ...meta.yamlload import Document
from ..base import ViewDef, view_fields

#: the zoom levels a timeline offers, as frappe-gantt names its view modes
ZOOMS = ("day", "week", "month")
DEFAULT_ZOOM = "week"


@dataclass(frozen=True, kw_only=True)
class TimelineViewDef(ViewDef):
    """One timeline: bars from `start` to `end` (two date or two datetime fields), named by `title` (the entity's
    title field when not given), in lanes of `group_by`, coloured by the choice field `color_by`, opened at `zoom`."""

    collection = "timeline_views"
    kind_name = "timeline view"

    start: str
    end: str
    group_by: str
    title: str | None = None
    color_by: str | None = None
    zoom: str = DEFAULT_ZOOM


def build_timeline_view(doc: Document) -> TimelineViewDef:
    data = doc.data
    return TimelineViewDef(
        **view_fields(doc),
        start=data.get("start", ""),
        end=data.get("end", ""),
        group_by=data.get("group_by", ""),
        title=data.get("title"),
        color_by=data.get("color_by"),
        zoom=data.get("zoom", DEFAULT_ZOOM),
    )
