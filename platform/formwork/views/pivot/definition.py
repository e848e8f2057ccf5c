"""The PivotView kind: an entity's records counted and summed across one or two row dimensions and an optional
column dimension, with totals; each cell opens the list of the records it counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...meta.yamlload import Document
from ..base import ViewDef, view_fields

#: how a date dimension is grouped (`{field: close_date, by: month}`)
PERIODS = ("year", "quarter", "month")
#: the measures that take a field (`{sum: amount}`); `count` takes none
FIELD_MEASURES = ("sum", "avg", "min", "max")
COUNT = "count"


@dataclass(frozen=True)
class Dimension:
    """What a row or column groups by: a field, and for a date field the period (`by`)."""

    field: str
    by: str | None = None

    @property
    def key(self) -> str:
        return f"{self.field}:{self.by}" if self.by else self.field


@dataclass(frozen=True)
class Measure:
    """What a cell shows: `count` of its records, or `function` (sum, avg, min, max) of `field`."""

    function: str
    field: str | None = None

    @property
    def key(self) -> str:
        return f"{self.function}:{self.field}" if self.field else self.function


@dataclass(frozen=True, kw_only=True)
class PivotViewDef(ViewDef):
    """One pivot: `rows` (one or two dimensions), `columns` (none or one), `measures` (one or more), the page's
    `page_filters` (fields the viewer picks a value of above the table), over the records `filter` keeps."""

    collection = "pivot_views"
    kind_name = "pivot view"

    rows: tuple[Dimension, ...]
    columns: tuple[Dimension, ...] = ()
    measures: tuple[Measure, ...] = (Measure(COUNT),)
    page_filters: tuple[str, ...] = ()

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        return (*self.rows, *self.columns)


def build_pivot_view(doc: Document) -> PivotViewDef:
    data = doc.data
    return PivotViewDef(
        **view_fields(doc),
        rows=_dimensions(data.get("rows")),
        columns=_dimensions(data.get("columns")),
        measures=_measures(data.get("measures", [COUNT])),
        page_filters=tuple(name for name in data.get("page_filters") or () if isinstance(name, str)),
    )


def _dimensions(data: Any) -> tuple[Dimension, ...]:
    """`stage` or `{field: close_date, by: month}` each; what the JSON Schema refused is left out."""
    found = []
    for item in data if isinstance(data, list) else ():
        if isinstance(item, str):
            found.append(Dimension(item))
        elif isinstance(item, dict) and isinstance(item.get("field"), str):
            by = item.get("by")
            found.append(Dimension(item["field"], by if isinstance(by, str) else None))
    return tuple(found)


def _measures(data: Any) -> tuple[Measure, ...]:
    """`count` or `{sum: amount}` each (one function naming one field)."""
    found = []
    for item in data if isinstance(data, list) else ():
        if item == COUNT:
            found.append(Measure(COUNT))
        elif isinstance(item, dict) and len(item) == 1:
            ((function, field),) = item.items()
            if function in FIELD_MEASURES and isinstance(field, str):
                found.append(Measure(function, field))
    return tuple(found)
