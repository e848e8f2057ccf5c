"""Semantic checks of pivot views: every dimension a field a pivot may group by (a date with its period, nothing
else with one), every measure's field a number or money field kept in one currency, the page filters fields one
picks a value of (views/checks.py checks the entity and the filter)."""

from __future__ import annotations

from ...fields import kind_of, value_kind
from ...meta.catalog import Catalog
from ...meta.model import EntityDef
from ..checks import Problem, filter_problems, view_entity
from .definition import Dimension, PivotViewDef
from .dimensions import DAY, TEXT_VALUE, dimension_kind

GROUPS_BY = "group by a choice, reference, user, yes/no, short text or date field"


def pivot_problems(pivot: PivotViewDef, catalog: Catalog) -> list[Problem]:
    """Every problem of one pivot, with paths inside its document."""
    entity, problems = view_entity(pivot, catalog)
    if entity is None:
        return problems
    seen: set[str] = set()
    for key, dimensions in (("rows", pivot.rows), ("columns", pivot.columns)):
        for i, dimension in enumerate(dimensions):
            problems += _dimension_problems(entity, dimension, (key, i))
            if dimension.field in seen:
                problems.append(((key, i), f"'{dimension.field}' is grouped by twice"))
            seen.add(dimension.field)
    for i, measure in enumerate(pivot.measures):
        if measure.field is not None:
            problems += [((("measures", i, measure.function)), m) for m in _measure_problems(entity, measure.field)]
    for i, name in enumerate(pivot.page_filters):
        problems += _page_filter_problems(entity, name, ("page_filters", i))
    return problems + filter_problems(pivot, entity, catalog)


def _dimension_problems(entity: EntityDef, dimension: Dimension, path: tuple[object, ...]) -> list[Problem]:
    field = entity.field(dimension.field)
    if field is None:
        return [(path, f"'{dimension.field}' is not a field of {entity.qualified}")]
    kind = dimension_kind(field)
    if kind is None:
        return [(path, f"cannot group by '{dimension.field}', a {field.value_type} field; {GROUPS_BY}")]
    if kind == DAY and dimension.by is None:
        return [
            (
                path,
                f"group the date field '{dimension.field}' by year, quarter or month: {{field: {dimension.field}, by: month}}",
            )
        ]
    if kind != DAY and dimension.by is not None:
        return [((*path, "by"), f"'{dimension.field}' is not a date field: only a date is grouped by {dimension.by}")]
    return []


def _measure_problems(entity: EntityDef, name: str) -> list[str]:
    field = entity.field(name)
    if field is None:
        return [f"'{name}' is not a field of {entity.qualified}"]
    if not value_kind(field).holds_number or not kind_of(field).stores_column:
        return [f"'{name}' is not a number or money field of {entity.qualified}"]
    if field.options.get("currency_field"):
        return [f"'{name}' holds amounts in the currency of each record, which cannot be added up"]
    return []


def _page_filter_problems(entity: EntityDef, name: str, path: tuple[object, ...]) -> list[Problem]:
    field = entity.field(name)
    if field is None:
        return [(path, f"'{name}' is not a field of {entity.qualified}")]
    if dimension_kind(field) in (None, DAY, TEXT_VALUE):
        return [(path, f"cannot pick a value of '{name}' above a pivot: use a choice, reference, user or yes/no field")]
    return []
