"""Semantic checks of dashboards: entities, fields, measures, filters, groupings, list views, roles, widths.

`widget_problems` is also asked at run time, against a tenant's effective
definitions: a card whose field a customization removed says so instead of
failing the page.
"""

from __future__ import annotations

from typing import Any

from ..definitions.check_texts import (
    CANNOT_SORT,
    COLUMN_NOT_A_FIELD,
    NOT_A_DATE_FIELD,
    NOT_A_FIELD,
    UNKNOWN_ENTITY,
    UNKNOWN_ROLE,
)
from ..fields import FIELD_TYPES, FieldType, value_kind
from ..filters import check_filter
from ..filters.targets import STANDARD_TYPES
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef
from ..tenancy.directory import BUILTIN_ROLES
from . import check_texts as says
from .definition import (
    COMMON_PROPERTIES,
    GRID_COLUMNS,
    WIDGET_PROPERTIES,
    DashboardDef,
    WidgetDef,
)

Problem = tuple[tuple[Any, ...], str]


def check_dashboards(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for dashboard in catalog.dashboards.values():
        doc = dashboard.document
        errors += [doc.error(path, message) for path, message in dashboard_problems(dashboard, catalog)]
    return errors


def dashboard_problems(dashboard: DashboardDef, catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    known_roles = set(catalog.roles) | set(BUILTIN_ROLES)
    for i, role in enumerate(dashboard.roles):
        if role not in known_roles:
            problems.append((("roles", i), say(UNKNOWN_ROLE, role=role, roles=", ".join(sorted(known_roles)))))
    for r, row in enumerate(dashboard.rows):
        if sum(w.width for w in row) > GRID_COLUMNS:
            width = sum(w.width for w in row)
            problems.append((("rows", r, "widgets"), say(says.ROW_TOO_WIDE, width=width, columns=GRID_COLUMNS)))
        for widget in row:
            problems += [
                ((*widget.path, *path), message) for path, message in widget_problems(widget, dashboard.pack, catalog)
            ]
    return problems


def widget_problems(widget: WidgetDef, pack: str, catalog: Catalog) -> list[Problem]:
    """Every problem of one widget, with paths inside the widget."""
    problems: list[Problem] = [
        ((name,), say(says.NOT_FOR_WIDGET, name=name, type=widget.type))
        for name in widget.data
        if name not in COMMON_PROPERTIES | WIDGET_PROPERTIES[widget.type]
    ]
    entity = catalog.entities.get(widget.entity)
    if entity is None:
        known = catalog.knows_entity(widget.entity)
        return problems + ([] if known else [(("entity",), say(UNKNOWN_ENTITY, name=widget.entity))])
    if problem := catalog.unrequired_entity(pack, widget.entity):
        return problems + [(("entity",), problem)]
    if widget.filter is not None:
        problems += [(("filter", *path), message) for path, message in check_filter(widget.filter, entity, catalog)]
    if widget.type in ("number", "chart"):
        problems += _measure_problems(widget, entity)
    if (
        widget.type == "number"
        and widget.link
        and widget.link not in {v.name for v in catalog.list_views_for(entity.qualified)}
    ):
        problems.append((("link",), say(says.NOT_A_LIST_VIEW, name=widget.link, entity=entity.qualified)))
    if widget.type == "chart":
        problems += _chart_problems(widget, entity)
    if widget.type == "list":
        problems += _list_problems(widget, entity)
    return problems


def stored_kind(entity: EntityDef, name: str) -> FieldType | None:
    """The type of the value a field or standard column of `entity` holds (a formula's or rollup's by its result),
    None if it has no such name."""
    found = entity.field(name)
    if found is not None:
        return value_kind(found)
    return FIELD_TYPES[STANDARD_TYPES[name]] if name in STANDARD_TYPES else None


def _measure_problems(widget: WidgetDef, entity: EntityDef) -> list[Problem]:
    if widget.measure == "count":
        return [(("field",), say(says.COUNT_TAKES_NO_FIELD))] if widget.field else []
    if widget.field is None:
        return [(("field",), say(says.MEASURE_NEEDS_FIELD, measure=widget.measure))]
    measured = stored_kind(entity, widget.field)
    if measured is None or not measured.holds_number:
        unmeasured = say(says.NOT_MEASURED, name=widget.field, entity=entity.qualified, measure=widget.measure)
        return [(("field",), unmeasured)]
    return []


def _chart_problems(widget: WidgetDef, entity: EntityDef) -> list[Problem]:
    if widget.chart is None:
        return [((), say(says.CHART_NEEDS_KIND))]
    if (widget.group_by is None) == (widget.over_time is None):
        return [((), say(says.GROUP_OR_OVER_TIME))]
    if widget.group_by is not None:
        kind = stored_kind(entity, widget.group_by)
        if kind is None:
            return [(("group_by",), say(NOT_A_FIELD, name=widget.group_by, entity=entity.qualified))]
        if not kind.groupable:
            return [(("group_by",), say(says.CANNOT_GROUP, name=widget.group_by, type=kind.name))]
        return []
    assert widget.over_time is not None
    dated = stored_kind(entity, widget.over_time.field)
    if dated is None or not dated.holds_date:
        return [(("over_time", "field"), say(NOT_A_DATE_FIELD, name=widget.over_time.field, entity=entity.qualified))]
    return []


def _list_problems(widget: WidgetDef, entity: EntityDef) -> list[Problem]:
    problems: list[Problem] = []
    for i, column in enumerate(widget.columns):
        if stored_kind(entity, column) is None:
            problems.append((("columns", i), say(COLUMN_NOT_A_FIELD, name=column, entity=entity.qualified)))
    if not widget.columns:
        problems.append(((), say(says.LIST_NEEDS_COLUMNS)))
    sort_field = widget.sort.lstrip("-")
    if stored_kind(entity, sort_field) is None:
        problems.append((("sort",), say(CANNOT_SORT, name=sort_field, entity=entity.qualified)))
    return problems
