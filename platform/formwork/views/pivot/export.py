"""A pivot as a workbook: the table as the page shows it, its numbers typed cells with number formats (counts
grouped, money with its currency's symbol, averages with two decimals), so a spreadsheet computes with them; named
after the view and the day (`销售分析-2026-12-07.xlsx` for a Chinese reader)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ... import formatting
from ...compile.exports import Formatted, named_download, number_format, writer
from ...compile.listing import to_xlsx
from ...fields import field_type, value_kind
from .definition import COUNT
from .labels import TEXT
from .table import Cell, Pivot, ShownMeasure

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(pivot: Pivot) -> bytes:
    return to_xlsx(sheet_rows(pivot), pivot.definition.label.localized())


def download_name(pivot: Pivot) -> str:
    """The Content-Disposition: the view's label in the reader's language and the tenant's today."""
    return named_download(pivot.definition.label, formatting.tenant_today().isoformat(), "xlsx")


def sheet_rows(pivot: Pivot) -> Iterator[list[Any]]:
    """The header rows (the column keys above their measures, then the measures), the rows, the totals."""
    width = len(pivot.row_titles)
    groups = [*pivot.column_labels, TEXT["total"].localized()] if pivot.column_title is not None else [""]
    if pivot.column_title is not None:
        yield [pivot.column_title.localized(), *[""] * (width - 1)] + [
            label for label in groups for _ in pivot.measures
        ]
    yield [t.localized() for t in pivot.row_titles] + [m.label for _ in groups for m in pivot.measures]
    for row in [*pivot.rows, *([pivot.totals] if pivot.totals else [])]:
        labels = row.labels + [""] * (width - len(row.labels))
        cells = [*row.cells, row.total] if pivot.column_title is not None else row.cells
        yield labels + [value for cell in cells for value in _values(cell, pivot.measures)]


def _values(cell: Cell | None, measures: list[ShownMeasure]) -> list[Any]:
    if cell is None:
        return [None] * len(measures)
    return [_typed(shown, value) for shown, value in zip(measures, cell.numbers, strict=True)]


def _typed(shown: ShownMeasure, value: Any) -> Any:
    """A measure's number as a typed cell: a count a whole number, a field's value written as its export writes
    it (money with its symbol), an average of a number with two decimals."""
    if value is None:
        return None
    if shown.measure.function == COUNT or shown.field is None:
        return Formatted(value, number_format(0))
    as_type = shown.field.value_type
    if shown.measure.function == "avg" and not field_type(as_type).holds_money:
        return Formatted(value, number_format(2))
    shown_as = replace(shown.field, type=as_type)
    write = writer(value_kind(shown_as))
    return write(shown_as, value, None, True) if write else value
