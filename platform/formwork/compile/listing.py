"""What a list screen adds to FAB's list: several list views per entity, totals, group counts, export.

Each ListView definition is one `Listing`. The active listing of a request
sits on its `RequestState` (formwork/actor.py), so one ModelView serves every list view of an entity
without mutating shared view state. Exports (screens and API) answer through
`export_response`; a streamed body goes through `streamed`, which ends the
transaction it reads in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Response, stream_with_context
from markupsafe import Markup
from sqlalchemy.orm import Query, Session, selectinload

from .. import formatting
from ..actor import Actor, request_state
from ..fields import field_type, kind_of, value_kind
from ..i18n import CatalogText, Label
from ..meta.model import EntityDef, ListViewDef
from ..rights import hidden_fields, visible_condition
from . import exports
from .exports import Formatted, named_download

COUNT_LIMIT = 10_000
#: records an export reads at a time (on PostgreSQL a server-side cursor, fetched in batches)
EXPORT_BATCH = 500
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TOTAL_FUNCTIONS: dict[str, Callable[[Any], Any]] = {"sum": sa.func.sum, "avg": sa.func.avg}


@dataclass(frozen=True)
class Listing:
    definition: ListViewDef
    entity: EntityDef

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def title(self) -> Label:
        return self.definition.label or self.entity.plural

    def columns(self, actor: Actor) -> list[str]:
        """The list view's columns `actor` may see (its roles' field rights; fields the definitions hide, none)."""
        hidden = hidden_fields(self.entity, actor)
        return [
            c
            for c in self.definition.columns
            if c not in hidden and ((f := self.entity.field(c)) is None or not f.hidden)
        ]


def quick_search(model: type, entity: EntityDef, listing: Listing, text: str, actor: Actor) -> Any:
    """Any of the list view's search fields `actor` may see contains `text` (case-insensitive; % and _ are
    literal)."""
    names = listing.definition.search or [f.name for f in entity.fields if kind_of(f).searched_by_default]
    names = [n for n in names if n not in hidden_fields(entity, actor)]  # a match must not reveal a hidden value
    if not names:
        return sa.false()
    searched = [entity.declared_field(n) for n in names]  # validation: a list view searches its entity's fields
    columns = [getattr(model, kind_of(f).attribute(f)) for f in searched]
    return sa.or_(*(sa.func.lower(c).contains(text.lower(), autoescape=True) for c in columns))


def active_listing(default: Listing | None) -> Listing | None:
    state = request_state()
    return (state.listing if state is not None else None) or default


#: the columns every record has that hold a time (stored UTC, shown in the tenant's zone)
STANDARD_TIMES = ("created_at", "updated_at")


def _standard_time(value: datetime | None) -> str:
    return "" if value is None else formatting.moment(value)


def _as_is(value: Any) -> Any:
    """A value shown as it is (a text, a record whose title FAB shows); an empty one shows nothing, not "None"."""
    return "" if value is None else value


def column_formatter(entity: EntityDef, column: str, fmt: str | None):
    """The function that shows one column's values, or None for FAB's default (the record's id and version)."""
    if fmt == "relative":
        return formatting.relative_day
    field = entity.field(column)
    if field is None:
        return _standard_time if column in STANDARD_TIMES else None
    ftype = kind_of(field)
    if ftype.listed_as_is:
        return _as_is
    return lambda value: ftype.format_value(field, value)


def totals(query: Any, model: type, listing: Listing, actor: Actor) -> list[tuple[Label, str, str]]:
    """(label, function, formatted value) per total of the listing `actor` may see, over every row the query keeps."""
    hidden = hidden_fields(listing.entity, actor)
    wanted = {name: fn for name, fn in listing.definition.totals.items() if name not in hidden}
    if not wanted:
        return []
    values = (
        query.with_entities(*(TOTAL_FUNCTIONS[fn](getattr(model, name)) for name, fn in wanted.items()))
        .order_by(None)
        .one()
    )
    result = []
    for (name, fn), value in zip(wanted.items(), values, strict=False):
        field = listing.entity.declared_field(name)  # validation: totals are number fields of the entity
        shown_as = field if fn == "sum" else replace(field, type="decimal", options={**field.options, "precision": 2})
        result.append((field.label, fn, field_type(shown_as.type).format_value(shown_as, value) or "0"))
    return result


def group_counts(query: Any, model: type[Any], listing: Listing, models: Any, actor: Actor) -> list[tuple[Any, int]]:
    """(shown value, count) per value of the group-by column, biggest group first (at most 50), for `actor`."""
    name = listing.definition.group_by
    if not name or name in hidden_fields(listing.entity, actor):
        return []
    field = listing.entity.field(name)
    column = getattr(model, field_type(field.type).attribute(field) if field else name)
    count = sa.func.count(model.id)
    groups = query.with_entities(column, count).group_by(column).order_by(None).order_by(count.desc()).limit(50).all()
    if field is not None and kind_of(field).refers_to_one:
        record = kind_of(field).refers_to_record  # else a user: no record rules
        target = models.model(field.target) if record else getattr(model, name).property.mapper.class_
        rules = visible_condition(target, actor) if record else None  # a title outside them would leak
        found = query.session.query(target).filter(
            target.id.in_([v for v, _ in groups]), *([] if rules is None else [rules])
        )
        titles = {obj.id: str(obj) for obj in found}
        show = lambda value: titles.get(value) or f"#{value}"  # noqa: E731
    else:
        formatter = column_formatter(listing.entity, name, None)
        show = formatter or str
    return [("—" if value is None else (show(value) or str(value)), number) for value, number in groups]


def capped_count(query: Any) -> int:
    """Counting stops at COUNT_LIMIT + 1 rows: a page never scans a million rows to say "10,000+"."""
    model = query.column_descriptions[0]["entity"]
    capped = query.order_by(None).with_entities(model.id).limit(COUNT_LIMIT + 1).subquery()
    return int(query.session.query(sa.func.count()).select_from(capped).scalar())


def with_shown_references(query: Any, model: type, listing: Listing, actor: Actor) -> Any:
    """Load the references an export shows with each batch of rows (one query per relationship and batch),
    not one query per row: exports stream with `yield_per`, which forgets loaded records between batches."""
    shown = [
        c
        for c in listing.columns(actor)
        if (f := listing.entity.field(c)) is not None and (kind_of(f).refers_to_one or kind_of(f).refers_to_many)
    ]
    return query.options(*(selectinload(getattr(model, name)) for name in shown))


def export_rows(items: Iterable[Any], listing: Listing, actor: Actor, spreadsheet: bool) -> Iterator[list[Any]]:
    """Header (the column labels in the reader's language), then each record's column values `actor` may see.

    A `spreadsheet` (XLSX) gets typed cells: numbers, money, percents, dates and times as values it computes with,
    each with its number format (`Formatted`). A CSV gets raw values an import reads back (`CSV_CELLS`). Both show
    other columns as the screen does, as plain text.
    """
    entity, columns = listing.entity, listing.columns(actor)
    yield [_label(entity, c).localized() for c in columns]
    cells = [_column_cells(entity, c, listing.definition.formats.get(c), spreadsheet) for c in columns]
    for item in items:
        yield [cell(getattr(item, column), item) for column, cell in zip(columns, cells, strict=True)]


def _label(entity: EntityDef, column: str) -> Label:
    field = entity.field(column)
    return field.label if field else STANDARD_LABELS.get(column) or Label(column.replace("_", " ").capitalize())


#: the record's own columns (meta.model.STANDARD_COLUMNS) by their labels, on screens and in exports
STANDARD_LABELS = {
    "id": CatalogText("ID"),
    "created_at": CatalogText("Created at"),
    "created_by": CatalogText("Created by"),
    "updated_at": CatalogText("Updated at"),
    "updated_by": CatalogText("Updated by"),
    "version": CatalogText("Version"),
}

Cell = Callable[[Any, Any], Any]
"""(value, record) -> the exported cell."""


def _column_cells(entity: EntityDef, column: str, fmt: str | None, spreadsheet: bool) -> Cell:
    """How one column's values are exported: typed by the type of the value the field holds (a formula's result,
    a rollup's number), as shown on screen otherwise."""
    field = entity.field(column)
    if field is None:
        if column in STANDARD_TIMES:
            return lambda value, _record: _moment_cell(value, spreadsheet)
        return lambda value, _record: _plain(value)
    typed = exports.writer(value_kind(field))
    if typed is not None:
        return lambda value, record: None if value is None else typed(field, value, record, spreadsheet)
    shown = column_formatter(entity, column, fmt)
    return lambda value, _record: _plain(shown(value) if shown else value)


def _moment_cell(value: datetime | None, spreadsheet: bool) -> Any:
    return None if value is None else exports.local_moment(None, value, None, spreadsheet)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    """A cell shown as text; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal, date, datetime)):
        return value
    text = value.striptags() if isinstance(value, Markup) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: Iterable[list[Any]]) -> Iterator[str]:
    """UTF-8 text with a byte order mark, without which Excel reads a CSV in the system's code page (GBK on a Chinese
    Windows) and garbles every non-ASCII header and value."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def export_response(query: Query[Any], listing: Listing, kind: str, actor: Actor) -> Response:
    """The records of `query` as a download of `kind` (csv, xlsx) for `actor`, named after the list view and the
    tenant's day: a CSV is streamed while the records are read; a workbook is written whole, so an XLSX is built
    within the request."""
    rows = export_rows(query.yield_per(EXPORT_BATCH), listing, actor, spreadsheet=kind == "xlsx")
    today = formatting.local_day(actor.now()).isoformat()
    headers = {"Content-Disposition": named_download(listing.title, today, kind)}
    if kind == "xlsx":
        return Response(to_xlsx(rows, listing.title.localized()), mimetype=EXPORT_TYPES[kind], headers=headers)
    return streamed(to_csv(rows), query.session, mimetype=EXPORT_TYPES[kind], headers=headers)


def streamed(body: Iterator[str], session: Session, **response: Any) -> Response:
    """A response whose `body` is read after the view returns, closing `session` when the body ends, fails or is
    closed half-way (the server calls close() when the client goes away).

    Flask runs `teardown_appcontext`, which removes the request's scoped session, when the view returns, before the
    server reads the body. A query built in the view keeps the Session object it was built on; reading it then begins
    a new transaction on an object the scoped registry no longer holds, so no teardown ends it and its connection
    stays checked out, idle in transaction. Pass that object (`query.session`), not the scoped_session, whose
    current session is another one by then.
    """

    def body_then_close() -> Iterator[str]:
        try:
            yield from body  # close() reaches `body` first; closing the session then ends its transaction
        finally:
            session.close()

    return Response(stream_with_context(body_then_close()), **response)


def _cell(sheet: Any, value: Any) -> Any:
    """A value a workbook can hold: a typed value keeps its number format (a cell of its own); XML 1.0, and so XLSX,
    has no control characters but tab and line breaks, which a text field may still hold (a pasted form feed); they
    are left out of the cell, not the whole export."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Formatted):
        cell = WriteOnlyCell(sheet, value.value)
        cell.number_format = value.number_format
        return cell
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(rows: Iterable[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    safe_title = "".join(ch for ch in title if ch not in ":/\\?*[]")[:31].strip() or "Export"
    sheet = book.create_sheet(title=safe_title)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
