"""Dashboard definitions (kind Dashboard): rows of widgets, each a number card, a chart or a short list.

The builder keeps every widget's place in the document (`rows[r].widgets[w]`)
so that the semantic checks and a failing card can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import Label, humanize
from ..meta.model import qualify
from ..meta.yamlload import Document

GRID_COLUMNS = 12
DEFAULT_LIST_LIMIT, DEFAULT_GROUP_LIMIT = 5, 20
#: the properties each widget type reads; the others are definition errors, not silently ignored
WIDGET_PROPERTIES = {
    "number": {"measure", "field", "filter", "link"},
    "chart": {"chart", "group_by", "over_time", "measure", "field", "filter", "limit"},
    "list": {"columns", "filter", "sort", "limit"},
}
COMMON_PROPERTIES = {"type", "label", "width", "entity"}


@dataclass(frozen=True)
class OverTime:
    field: str
    by: str = "month"


@dataclass(frozen=True)
class WidgetDef:
    """One card. `data` is the widget's YAML mapping, kept for the checks of properties a type does not read."""

    type: str
    entity: str
    label: Label | None
    width: int
    path: tuple[Any, ...]
    data: dict[str, Any]
    measure: str = "count"
    field: str | None = None
    filter: Any = None
    link: str | None = None
    chart: str | None = None
    group_by: str | None = None
    over_time: OverTime | None = None
    columns: tuple[str, ...] = ()
    sort: str = "-id"
    limit: int | None = None

    @property
    def key(self) -> str:
        """The widget's id on the page and in the data endpoint's answer: `r0w1` (row 0, widget 1)."""
        return f"r{self.path[1]}w{self.path[3]}"


@dataclass
class DashboardDef:
    pack: str
    name: str
    label: Label
    roles: tuple[str, ...]
    rows: list[list[WidgetDef]]
    document: Document = field(repr=False)

    @property
    def qualified(self) -> str:
        return f"{self.pack}.{self.name}"

    @property
    def widgets(self) -> list[WidgetDef]:
        return [widget for row in self.rows for widget in row]

    def widget(self, key: str) -> WidgetDef | None:
        return next((w for w in self.widgets if w.key == key), None)

    def is_for(self, roles: set[str]) -> bool:
        """Meant for someone holding `roles`: it names none, or one of them."""
        return not self.roles or bool(set(self.roles) & roles)


def build_widget(data: dict[str, Any], pack: str, path: tuple[Any, ...], width: int) -> WidgetDef:
    over_time = data.get("over_time")
    return WidgetDef(
        type=data["type"],
        entity=qualify(data["entity"], pack),
        label=Label(data["label"]) if data.get("label") else None,
        width=int(data.get("width", width)),
        path=path,
        data=data,
        measure=data.get("measure", "count"),
        field=data.get("field"),
        filter=data.get("filter"),
        link=data.get("link"),
        chart=data.get("chart"),
        group_by=data.get("group_by"),
        over_time=OverTime(over_time["field"], over_time.get("by", "month")) if over_time else None,
        columns=tuple(data.get("columns", ())),
        sort=data.get("sort", "-id"),
        limit=data.get("limit"),
    )


def build_dashboard(doc: Document) -> DashboardDef:
    data = doc.data
    rows = []
    for r, row in enumerate(data["rows"]):
        shared = max(1, GRID_COLUMNS // len(row["widgets"]))
        rows.append(
            [build_widget(w, doc.pack, ("rows", r, "widgets", i), shared) for i, w in enumerate(row["widgets"])]
        )
    return DashboardDef(
        doc.pack,
        data["name"],
        Label(data.get("label"), humanize(data["name"])),
        tuple(data.get("roles", ())),
        rows,
        doc,
    )
