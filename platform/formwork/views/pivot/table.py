"""What a pivot shows one viewer, computed in SQL: one GROUP BY query over every dimension, whatever the number of
records, then one query per reference or user dimension for the keys' titles and one per reference or user page
filter for its choices.

The totals come from the same query. GROUPING SETS would compute them in the database, but SQLite has none, so
the cells are combined in Python: counts, sums, lowest and highest values combine as they are, and an average is
kept as its sum and its count (both in the grouped query), so a total's average is the sum of the sums over the sum
of the counts, exactly what a second query would answer. Every query carries the view's filter, the page's filters
and the viewer's record rules; a field the viewer's roles hide is never grouped by (the page says so), measured (the
measure is left out) or offered as a page filter.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ... import formatting
from ...actor import Actor
from ...fields import field_type, kind_of
from ...fields.reference import option_texts
from ...filters import actor_context, compile_filter
from ...filters.tree import conditions, parse
from ...i18n import Label
from ...meta.catalog import Catalog
from ...meta.model import FieldDef
from ...rights import visible_condition
from ..query import ViewQuery
from .definition import COUNT, Dimension, Measure, PivotViewDef
from .dimensions import (
    CHOICE,
    REFERENCE,
    USER,
    YES_NO,
    as_key,
    condition,
    dimension_kind,
    key_expression,
    key_label,
    sort_key,
)
from .labels import TEXT

#: the most groups (rows × columns with records) a pivot shows; past it the page asks for a narrower filter
MAX_GROUPS = 2_000
#: the most records a reference page filter offers (by title)
FILTER_CHOICES = 200
#: the query parameters the page filters are read from: `?f.stage=won&f.owner=7`
FILTER_PREFIX = "f."
#: the most digits a picked record id may have: every such number fits the id column (a 64-bit integer)
ID_DIGITS = 18
#: averages are shown rounded half up to cents
CENTS = Decimal("0.01")

Parts = tuple[Any, ...]
Link = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class ShownMeasure:
    measure: Measure
    label: str
    field: FieldDef | None


@dataclass
class Cell:
    """One measured group: each measure as a number (XLSX) and as text, and the link to its records."""

    numbers: list[Any]
    texts: list[str]
    url: str | None = None


@dataclass
class Row:
    labels: list[str]
    cells: list[Cell | None]  # one per column key, then the row's total when there is a column dimension
    total: Cell | None = None


@dataclass
class PageFilter:
    """A field the viewer picks a value of above the table: its choices (value as text, label) and the one picked."""

    name: str
    label: Label
    options: list[tuple[str, str]]
    picked: str = ""


@dataclass
class Pivot:
    definition: PivotViewDef
    row_titles: list[Label]
    column_title: Label | None
    column_labels: list[str]
    measures: list[ShownMeasure]
    rows: list[Row] = field(default_factory=list)
    totals: Row | None = None
    filters: list[PageFilter] = field(default_factory=list)
    problem: str | None = None


class PivotQuery(ViewQuery):
    """The queries of one pivot for one viewer, in the tenant's session."""

    definition: PivotViewDef

    def __init__(
        self,
        definition: PivotViewDef,
        catalog: Catalog,
        compiled: Any,
        session: Session,
        actor: Actor,
    ) -> None:
        super().__init__(definition, catalog, compiled, session, actor)
        self.dialect = session.get_bind().dialect.name
        #: the page's filters: set from the request (`screens.PivotScreens`), none until then
        self.filters: list[PageFilter] = []

    # -- what the viewer may see -----------------------------------------------------------------------------------
    @property
    def hidden_dimension(self) -> str | None:
        """The label of a dimension the viewer's roles hide (the pivot would tell its values), if any."""
        hidden = next((d.field for d in self.definition.dimensions if d.field in self.hidden), None)
        return self.label(hidden).localized() if hidden else None

    @property
    def measured(self) -> list[ShownMeasure]:
        """The measures the viewer may see, with their headers."""
        found = []
        for measure in self.definition.measures:
            if measure.field is None:
                found.append(ShownMeasure(measure, TEXT[COUNT].localized(), None))
            elif measure.field not in self.hidden:
                summed = self.entity.declared_field(measure.field)
                label = TEXT[measure.function].localized().format(field=summed.label.localized())
                found.append(ShownMeasure(measure, label, summed))
        return found

    @property
    def filtered(self) -> list[str]:
        return self.shown(self.definition.page_filters)

    # -- the table -------------------------------------------------------------------------------------------------
    def pivot(self, link: Link | None) -> Pivot:
        """The whole table: `link(filter)` is the URL of the list of the records a filter selects (None: no links)."""
        view = self.definition
        measures = self.measured
        pivot = Pivot(
            view,
            [self.label(d.field) for d in view.rows],
            self.label(view.columns[0].field) if view.columns else None,
            [],
            measures,
            filters=self.filters,
        )
        if not measures:
            pivot.problem = TEXT["no_measure"].localized()
            return pivot
        found = self.session.execute(self.grouped(measures).limit(MAX_GROUPS + 1)).all()
        if len(found) > MAX_GROUPS:
            pivot.problem = TEXT["too_many"].localized().format(limit=formatting.number(MAX_GROUPS))
            return pivot
        self.fill(pivot, found, link if self.drillable else None)
        return pivot

    def grouped(self, measures: Sequence[ShownMeasure]) -> Any:
        """The one GROUP BY query: a key per dimension, then each measure's parts."""
        keys = [self.key_column(d).label(f"key{i}") for i, d in enumerate(self.definition.dimensions)]
        parts = [part for shown in measures for part in self.parts(shown.measure)]
        query = sa.select(*keys, *parts).select_from(self.model).where(*self.conditions())
        return query.group_by(*(key.name for key in keys))

    def key_column(self, dimension: Dimension) -> Any:
        grouped = self.entity.declared_field(dimension.field)
        kind = dimension_kind(grouped)
        assert kind is not None  # checked
        return key_expression(self.column(dimension.field), kind, dimension.by, self.dialect)

    def parts(self, measure: Measure) -> list[Any]:
        """What the query returns for a measure: a count; a sum, lowest or highest value; an average's sum and
        count (so totals combine them exactly)."""
        if measure.field is None:
            return [sa.func.count(self.model.id)]
        column = self.column(measure.field)
        if measure.function == "avg":
            return [sa.func.sum(column), sa.func.count(column)]
        return [getattr(sa.func, measure.function)(column)]

    def conditions(self) -> list[Any]:
        """The view's filter, the page's filters and the viewer's record rules."""
        return [*super().conditions(), *(self.filter_condition(f) for f in self.filters if f.picked)]

    # -- the cells and the totals ----------------------------------------------------------------------------------
    def fill(self, pivot: Pivot, found: Sequence[Any], link: Link | None) -> None:
        view, measures = self.definition, pivot.measures
        width = len(view.dimensions)
        row_count = len(view.rows)
        cells: dict[tuple[tuple[Any, ...], Any], list[Parts]] = {}
        used: dict[Dimension, set[Any]] = {d: set() for d in view.dimensions}
        kinds = [self.kind(d) for d in view.dimensions]
        for found_row in found:
            keys = [as_key(value, kind) for value, kind in zip(found_row[:width], kinds, strict=True)]
            for dimension, key in zip(view.dimensions, keys, strict=True):
                if key is not None:
                    used[dimension].add(key)
            column = keys[row_count] if view.columns else None
            cells[(tuple(keys[:row_count]), column)] = split(measures, tuple(found_row[width:]))
        titles = self.titles(used)
        row_keys = sorted({row for row, _ in cells}, key=self.row_order(titles))
        column_keys = (
            sorted({column for _, column in cells}, key=self.order(view.columns[0], titles)) if view.columns else [None]
        )
        pivot.column_labels = (
            [self.key_text(view.columns[0], key, titles) for key in column_keys] if view.columns else []
        )

        def shown(parts: list[Parts] | None, fixed: dict[Dimension, Any]) -> Cell | None:
            if parts is None:
                return None
            return self.cell(measures, parts, link(self.drill_filter(fixed)) if link else None)

        for row in row_keys:
            fixed = dict(zip(view.rows, row, strict=True))
            row_cells = [
                shown(cells.get((row, column)), {**fixed, **self.column_fixed(column)}) for column in column_keys
            ]
            labels = [self.key_text(d, key, titles) for d, key in zip(view.rows, row, strict=True)]
            total = None  # without a column dimension, the row's one cell is its total
            if view.columns:
                total = shown(combined(measures, [cells[(row, c)] for c in column_keys if (row, c) in cells]), fixed)
            pivot.rows.append(Row(labels, row_cells, total))
        totals = [
            shown(
                combined(measures, [cells[(r, column)] for r in row_keys if (r, column) in cells]),
                self.column_fixed(column),
            )
            for column in column_keys
        ]
        grand = shown(combined(measures, list(cells.values())), {}) if cells and view.columns else None
        pivot.totals = Row([TEXT["total"].localized()], totals, grand)

    def column_fixed(self, column: Any) -> dict[Dimension, Any]:
        return {self.definition.columns[0]: column} if self.definition.columns else {}

    def cell(self, measures: Sequence[ShownMeasure], parts: list[Parts], url: str | None) -> Cell:
        numbers = [result(shown.measure, p) for shown, p in zip(measures, parts, strict=True)]
        texts = [self.measure_text(shown, n) for shown, n in zip(measures, numbers, strict=True)]
        return Cell(numbers, texts, url)

    def measure_text(self, shown: ShownMeasure, value: Any) -> str:
        """A measure as the reader reads it: counts grouped, sums and extremes in the field's format (money in its
        currency), averages with two decimals (money's as money); nothing for a group whose values are all empty."""
        if shown.measure.function == COUNT:
            return formatting.number(value or 0)
        if value is None:
            return ""
        assert shown.field is not None
        as_type = shown.field.value_type
        if shown.measure.function == "avg":
            value = Decimal(str(value)).quantize(CENTS, ROUND_HALF_UP)  # 400.125 reads 400.13, as people round
            if not field_type(as_type).holds_money:
                return formatting.number(value, 2)
        return str(field_type(as_type).format_value(replace(shown.field, type=as_type), value) or "")

    # -- the dimensions' keys --------------------------------------------------------------------------------------
    def kind(self, dimension: Dimension) -> str:
        found = dimension_kind(self.entity.declared_field(dimension.field))
        assert found is not None  # checked
        return found

    def order(self, dimension: Dimension, titles: dict[str, dict[Any, str]]) -> Callable[[Any], Any]:
        grouped = self.entity.declared_field(dimension.field)
        return sort_key(self.kind(dimension), grouped, titles.get(dimension.field, {}))

    def row_order(self, titles: dict[str, dict[Any, str]]) -> Callable[[tuple[Any, ...]], Any]:
        orders = [self.order(d, titles) for d in self.definition.rows]
        return lambda row: tuple(order(key) for order, key in zip(orders, row, strict=True))

    def key_text(self, dimension: Dimension, key: Any, titles: dict[str, dict[Any, str]]) -> str:
        grouped = self.entity.declared_field(dimension.field)
        return key_label(self.kind(dimension), grouped, key, dimension.by, titles.get(dimension.field, {}))

    def titles(self, keys: dict[Dimension, set[Any]]) -> dict[str, dict[Any, str]]:
        """{field: {id: title}} of every reference and user dimension: one query each, for the ids the cells hold."""
        found: dict[str, dict[Any, str]] = {}
        for dimension, ids in keys.items():
            kind = self.kind(dimension)
            if kind == REFERENCE and ids:
                found[dimension.field] = self.record_titles(self.entity.declared_field(dimension.field), ids)
            elif kind == USER and ids:
                found[dimension.field] = self.user_names(dimension.field, ids)
        return found

    def record_titles(self, grouped: FieldDef, ids: set[Any]) -> dict[Any, str]:
        """The titles of the referenced records the viewer may see (the others read `#<id>`); two records of one
        title are told apart as pickers tell them (`option_texts`: what their entity's `describe:` names)."""
        target = self.compiled.model(self.catalog.entities[grouped.target or ""].qualified)
        query = sa.select(target).where(target.id.in_(sorted(ids)))
        rules = visible_condition(target, self.actor)
        items = list(self.session.scalars(query if rules is None else query.where(rules)))
        titles = Counter(str(item) for item in items)
        alike = [item for item in items if titles[str(item)] > 1]
        return {item.id: str(item) for item in items} | option_texts(alike, self.session, self.actor)

    def user_names(self, name: str, ids: set[Any]) -> dict[Any, str]:
        """People by their names, not their sign-in names ("Rita Rep", not `rita`)."""
        users = self.user_model(name)
        query = sa.select(users.id, users.first_name, users.last_name, users.username).where(users.id.in_(sorted(ids)))
        return {
            row.id: f"{row.first_name or ''} {row.last_name or ''}".strip() or row.username
            for row in self.session.execute(query)
        }

    def user_model(self, name: str) -> Any:
        """The sign-in users' model, as the user field's relationship maps it."""
        return sa.inspect(self.model).relationships[name].mapper.class_

    # -- page filters ----------------------------------------------------------------------------------------------
    def page_filter(self, name: str, picked: str) -> PageFilter:
        picked_field = self.entity.declared_field(name)
        kind = dimension_kind(picked_field)
        if kind == CHOICE:
            options = [(c.value, c.label.localized()) for c in picked_field.choices]
        elif kind == YES_NO:
            options = [("true", TEXT["yes"].localized()), ("false", TEXT["no"].localized())]
        elif kind == REFERENCE:
            options = self.record_options(picked_field)
        else:
            options = self.user_options(name)
        known = {value for value, _label in options} | (
            {picked} if is_record_id(picked) and kind in (REFERENCE, USER) else set()
        )
        return PageFilter(name, picked_field.label, options, picked if picked in known else "")

    def record_options(self, picked: FieldDef) -> list[tuple[str, str]]:
        """The referenced records the viewer may see, by title (the first FILTER_CHOICES)."""
        target_entity = self.catalog.entities[picked.target or ""]
        target = self.compiled.model(target_entity.qualified)
        title = target_entity.field(target_entity.title_field or "")
        order = getattr(target, title.name) if title is not None and kind_of(title).stores_column else target.id
        query = sa.select(target).order_by(order, target.id).limit(FILTER_CHOICES)
        rules = visible_condition(target, self.actor)
        return [
            (str(item.id), str(item)) for item in self.session.scalars(query if rules is None else query.where(rules))
        ]

    def user_options(self, name: str) -> list[tuple[str, str]]:
        users = self.user_model(name)
        query = sa.select(users.id, users.first_name, users.last_name, users.username).where(users.active.is_(True))
        rows = self.session.execute(query.order_by(users.first_name, users.last_name, users.id).limit(FILTER_CHOICES))
        return [(str(row.id), f"{row.first_name or ''} {row.last_name or ''}".strip() or row.username) for row in rows]

    def filter_condition(self, picked: PageFilter) -> Any:
        return compile_filter(self.picked_condition(picked), self.model, self.entity, actor_context(self.actor))

    def picked_condition(self, picked: PageFilter) -> dict[str, Any]:
        """The filter condition of a page filter's picked value."""
        kind = dimension_kind(self.entity.declared_field(picked.name))
        value: Any = picked.picked
        if kind == YES_NO:
            value = value == "true"
        elif kind in (REFERENCE, USER):
            value = int(value)
        return {"field": picked.name, "op": "=", "value": value}

    # -- drill-down ------------------------------------------------------------------------------------------------
    @property
    def drillable(self) -> bool:
        """A cell links to its records when the list can take its filter: one that follows no reference and names
        no field hidden from the viewer (the list refuses those: compile/url_filters.py)."""
        view_filter = self.definition.filter
        if view_filter is None:
            return True
        node, _ = parse(view_filter)
        return all("." not in c.field and c.field not in self.hidden for c in conditions(node))

    def drill_filter(self, fixed: dict[Dimension, Any]) -> dict[str, Any]:
        """The filter of exactly the records a cell counts: the view's, the page's and the cell's keys."""
        found: list[Any] = [] if self.definition.filter is None else [self.definition.filter]
        found += [self.picked_condition(f) for f in self.filters if f.picked]
        found += [condition(dimension, key) for dimension, key in fixed.items()]
        return {"all": found}


def split(measures: Sequence[ShownMeasure], values: Parts) -> list[Parts]:
    """A result row's measure columns, cut into each measure's parts."""
    found, start = [], 0
    for shown in measures:
        size = 2 if shown.measure.function == "avg" else 1
        found.append(values[start : start + size])
        start += size
    return found


def combined(measures: Sequence[ShownMeasure], cells: list[list[Parts]]) -> list[Parts] | None:
    """Several cells' parts as one group's: counts and sums added, extremes kept, averages' sums and counts added."""
    if not cells:
        return None
    found: list[Parts] = []
    for i, shown in enumerate(measures):
        parts = [cell[i] for cell in cells]
        function = shown.measure.function
        if function in (COUNT, "sum"):
            found.append((_total(p[0] for p in parts),))
        elif function == "avg":
            found.append((_total(p[0] for p in parts), _total(p[1] for p in parts)))
        else:
            present = [p[0] for p in parts if p[0] is not None]
            found.append(((min if function == "min" else max)(present) if present else None,))
    return found


def _total(values: Iterable[Any]) -> Any:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def result(measure: Measure, parts: Parts) -> Any:
    """A measure's value from its parts: an average is its sum over its count (None without values)."""
    if measure.function == "avg":
        total, count = parts
        return None if not count or total is None else Decimal(str(total)) / count
    return parts[0]


def filter_json(data: Any) -> str:
    """A filter as the list's `where` parameter takes it (dates written as ISO days)."""
    return json.dumps(data, default=lambda value: value.isoformat() if isinstance(value, date) else str(value))


def is_record_id(text: str) -> bool:
    """Whether a picked value can be a record's id: ASCII digits only (`str.isdigit` also takes "²", which `int`
    refuses) and short enough for the id column (a longer one would answer 500 rather than filter)."""
    return text.isascii() and text.isdigit() and len(text) <= ID_DIGITS
