"""What each widget shows, computed in the database: one grouped query per widget, never one per group.

Every query is limited the way the user's lists are: the widget's filter
(with the viewer's `$user`, `$employee`, `$department`, `$today`) and the
record rules of the viewer's roles (`access.visible_condition`). A widget on
an entity the viewer may not list shows that instead of numbers, and a widget
that fails (a customization removed its field, the database refuses) shows
its error in its card: one card never takes the page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased, selectinload

from .. import formatting
from ..actor import Actor
from ..compile.actors import request_actor
from ..compile.listing import column_formatter
from ..compile.models import class_name
from ..fields import field_type, kind_of, value_kind
from ..filters import FilterContext, FilterError, actor_context, compile_filter
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef
from ..rights import hidden_fields, visible_condition
from .checks import widget_problems
from .definition import DEFAULT_GROUP_LIMIT, DEFAULT_LIST_LIMIT, DashboardDef, WidgetDef
from .labels import TEXT
from .periods import as_date, every_period, period_start

log = logging.getLogger(__name__)
MEASURES: dict[str, Callable[[Any], Any]] = {"sum": sa.func.sum, "avg": sa.func.avg}


@dataclass
class Card:
    """One widget as the page shows it. `error` replaces the content when set."""

    widget: WidgetDef
    title: Label
    error: str | None = None
    value: str | None = None
    link: str | None = None
    headers: list[Label] = field(default_factory=list)
    rows: list[tuple[str | None, list[Any]]] = field(default_factory=list)  # (link to the record, shown values)
    chart: dict[str, Any] | None = None


@dataclass
class Viewer:
    """Who looks: their actor (whose record rules limit every query), the `$variables` of filters, the entities
    whose list they may open."""

    actor: Actor
    context: FilterContext
    may_list: Callable[[EntityDef], bool]

    def hidden(self, entity: EntityDef) -> set[str]:
        """The fields of `entity` the viewer's roles hide."""
        return hidden_fields(entity, self.actor)


class Dashboard:
    """Computes the cards of one dashboard for one viewer, in the tenant's session."""

    def __init__(self, definition: DashboardDef, catalog: Catalog, compiled: Any, session: Any, viewer: Viewer) -> None:
        self.definition, self.catalog, self.compiled, self.session, self.viewer = (
            definition,
            catalog,
            compiled,
            session,
            viewer,
        )
        self.dialect = session.get_bind().dialect.name

    def page(self) -> list[list[Card]]:
        """The cards row by row; charts are only checked here: the browser asks the data endpoint for them."""
        return [[self.card(widget, run_query=widget.type != "chart") for widget in row] for row in self.definition.rows]

    def charts(self) -> list[Card]:
        return [self.card(widget) for widget in self.definition.widgets if widget.type == "chart"]

    def card(self, widget: WidgetDef, run_query: bool = True) -> Card:
        entity = self.catalog.entities.get(widget.entity)
        card = Card(widget, widget.label or (entity.plural if entity else Label(widget.entity)))
        problems = widget_problems(widget, self.definition.pack, self.catalog)
        if problems:
            card.error = problems[0][1]
            return card
        assert entity is not None
        if not self.viewer.may_list(entity) or measured_fields(widget) & self.viewer.hidden(entity):
            card.error = TEXT["not_allowed"].localized()
            return card
        if not run_query:
            return card
        try:
            FILL[widget.type](self, card, entity, self.compiled.model(entity.qualified))
        except (SQLAlchemyError, FilterError, LookupError, ArithmeticError, ValueError) as exc:
            self.session.rollback()
            log.warning("dashboard %s widget %s failed: %s", self.definition.qualified, widget.key, exc)
            card.error = f"{TEXT['failed'].localized()}: {exc.__class__.__name__}"
        return card

    # -- one query per widget ----------------------------------------------------------------
    def conditions(self, widget: WidgetDef, model: type, entity: EntityDef) -> list[Any]:
        """The widget's filter and the viewer's record rules, as WHERE clauses."""
        found = [] if widget.filter is None else [compile_filter(widget.filter, model, entity, self.viewer.context)]
        rules = visible_condition(model, self.viewer.actor)
        return found if rules is None else [*found, rules]

    def measure(self, widget: WidgetDef, model: type, entity: EntityDef) -> Any:
        if widget.measure == "count":
            return sa.func.count(model.id)
        return MEASURES[widget.measure](column_of(model, entity, widget.field or ""))

    def number(self, card: Card, entity: EntityDef, model: type) -> None:
        widget = card.widget
        value = self.session.scalar(
            sa.select(self.measure(widget, model, entity)).where(*self.conditions(widget, model, entity))
        )
        card.value = shown(widget, entity, value)
        if widget.link:
            card.link = url_for(f"{class_name(entity)}View.list_view", name=widget.link)

    def chart(self, card: Card, entity: EntityDef, model: type) -> None:
        widget = card.widget
        if widget.over_time is not None:
            labels, values = self.over_time(widget, entity, model)
        else:
            labels, values = self.by_group(widget, entity, model)
        card.chart = {
            "key": widget.key,
            "chart": widget.chart,
            "title": card.title.localized(),
            "labels": labels,
            "values": [plotted(widget, v) for v in values],
            "shown": [shown(widget, entity, v) for v in values],
        }

    def over_time(self, widget: WidgetDef, entity: EntityDef, model: type) -> tuple[list[str], list[Any]]:
        assert widget.over_time is not None
        dated = column_of(model, entity, widget.over_time.field)
        period = period_start(dated, widget.over_time.by, self.dialect).label("period")
        query = (
            sa.select(period, self.measure(widget, model, entity))
            .where(*self.conditions(widget, model, entity))
            .where(dated.is_not(None))
            .group_by("period")
            .order_by("period")
        )
        found = {as_date(start): value for start, value in self.session.execute(query)}
        periods = every_period(found, widget.over_time.by)
        empty = None if widget.measure == "avg" else 0
        return [period_label(p, widget.over_time.by) for p in periods], [found.get(p, empty) for p in periods]

    def by_group(self, widget: WidgetDef, entity: EntityDef, model: type) -> tuple[list[str], list[Any]]:
        grouped = entity.field(widget.group_by or "")
        assert grouped is not None
        measure = self.measure(widget, model, entity).label("measure")
        key = column_of(model, entity, grouped.name).label("group_key")
        columns, title = [key], self.reference_title(grouped)
        if title is not None:
            columns.append(title[1].label("group_title"))
        query = sa.select(*columns, measure).select_from(model)
        if title is not None:  # a title is shown only for targets the viewer may see; the others are `#<id>`
            query = query.outerjoin(
                title[0], sa.and_(title[0].id == key.element, *self.visible_targets(grouped, title[0]))
            )
        query = (
            query.where(*self.conditions(widget, model, entity))
            .group_by(*(c.name for c in columns))
            .order_by(sa.desc("measure"))
            .limit(widget.limit or DEFAULT_GROUP_LIMIT)
        )
        rows = self.session.execute(query).all()
        if kind_of(grouped).has_choices:
            order = {c.value: i for i, c in enumerate(grouped.choices)}
            rows.sort(key=lambda row: order.get(row.group_key, len(order)))
        return [group_label(grouped, row) for row in rows], [row.measure for row in rows]

    def reference_title(self, grouped: FieldDef) -> tuple[type, Any] | None:
        """The target model and the column naming its records, joined into the grouped query (no query per group)."""
        if not kind_of(grouped).refers_to_record:
            return None
        target_entity = self.catalog.entities.get(grouped.target or "")
        title = target_entity.field(target_entity.title_field or "") if target_entity else None
        if title is None or not value_kind(title).titles_as_stored:
            return None
        target = aliased(self.compiled.model(target_entity.qualified))
        return target, getattr(target, title.name)

    def visible_targets(self, grouped: FieldDef, alias: Any) -> list[Any]:
        """The viewer's record rules on the referenced entity, as a condition on the joined (aliased) target."""
        target = self.compiled.model(self.catalog.entities[grouped.target or ""].qualified)
        rules = visible_condition(target, self.viewer.actor)
        return [] if rules is None else [alias.id.in_(sa.select(target.id).where(rules))]

    def records(self, card: Card, entity: EntityDef, model: type) -> None:
        widget = card.widget
        sort = widget.sort.lstrip("-")
        order = column_of(model, entity, sort)
        columns = [c for c in widget.columns if c not in self.viewer.hidden(entity)]
        references = [c for c in columns if (f := entity.field(c)) is not None and kind_of(f).refers_to_record]
        query = (
            sa.select(model)
            .where(*self.conditions(widget, model, entity))
            .order_by(order.desc() if widget.sort.startswith("-") else order.asc(), model.id.desc())
            .limit(widget.limit or DEFAULT_LIST_LIMIT)
            .options(*(selectinload(getattr(model, r)) for r in references))
        )
        formatters = {c: column_formatter(entity, c, None) for c in columns}
        card.headers = [
            entity.field(c).label if entity.field(c) else Label(c.replace("_", " ").capitalize()) for c in columns
        ]
        show = f"{class_name(entity)}View.show"
        for item in self.session.scalars(query):
            values = [cell(getattr(item, c), formatters[c]) for c in columns]
            card.rows.append((url_for(show, pk=item.id), values))


FILL: dict[str, Callable[[Dashboard, Card, EntityDef, type], None]] = {
    "number": Dashboard.number,
    "chart": Dashboard.chart,
    "list": Dashboard.records,
}


def viewer_of(sm: Any) -> Viewer:
    """The request's actor (a dashboard page or its data endpoint is the request boundary): their filter variables
    and `can_list` on an entity's screens as their lists ask."""
    actor = request_actor()
    return Viewer(actor, actor_context(actor), lambda entity: sm.has_access("can_list", f"{class_name(entity)}View"))


def measured_fields(widget: WidgetDef) -> set[str]:
    """The fields whose values a number or chart reveals, and a list's sort field, whose order reveals them (a list
    leaves out its hidden columns instead)."""
    found = {
        widget.field,
        widget.group_by,
        widget.over_time.field if widget.over_time else None,
        widget.sort.lstrip("-") if widget.type == "list" else None,
    }
    return {name for name in found if name}


def column_of(model: type, entity: EntityDef, name: str) -> Any:
    """The model attribute of a field (a reference's `<name>_id`) or of a standard column."""
    found = entity.field(name)
    return getattr(model, field_type(found.type).attribute(found) if found is not None else name)


def shown(widget: WidgetDef, entity: EntityDef, value: Any) -> str:
    """A measured value as the reader expects it: counts grouped, sums in the field's format (money in the tenant's
    currency), averages with two decimals (money averages as money)."""
    if widget.measure == "count":
        return formatting.number(value or 0)
    measured = entity.field(widget.field or "")
    if measured is None:  # a standard column: id or version
        return formatting.number(value or 0, 0 if widget.measure == "sum" else 2)
    as_type = measured.value_type
    if widget.measure == "avg" and as_type != "money":  # a value type (a formula's result): money averages as money
        if value is None:
            return "—"
        return formatting.number(Decimal(str(value)), 2)
    shown_as = replace(measured, type=as_type)
    return field_type(as_type).format_value(shown_as, value if value is not None else 0) or "0"


def plotted(widget: WidgetDef, value: Any) -> float | None:
    """A value as the chart draws it: nothing summed or counted is 0; an average of nothing is a gap (null)."""
    if value is None:
        return None if widget.measure == "avg" else 0.0
    return float(value)


def group_label(grouped: FieldDef, row: Any) -> str:
    value = row.group_key
    if value is None:
        return TEXT["empty"].localized()
    if kind_of(grouped).has_choices:
        choice = next((c for c in grouped.choices if c.value == value), None)
        return choice.label.localized() if choice else str(value)
    if kind_of(grouped).holds_yes_no:  # named in words, not with the ✓/✗ a boolean's cell shows
        return TEXT["yes" if value else "no"].localized()
    if kind_of(grouped).refers_to_record:
        title = getattr(row, "group_title", None)
        return str(title) if title not in (None, "") else f"#{value}"
    return str(value)


def period_label(start: Any, by: str) -> str:
    """`2026-11` for a month, the first day (ISO) for a day or a week."""
    return start.strftime("%Y-%m") if by == "month" else start.isoformat()


def cell(value: Any, formatter: Callable[[Any], Any] | None) -> Any:
    if value is None:
        return ""
    return formatter(value) if formatter else str(value)
