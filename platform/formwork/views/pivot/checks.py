"""Semantic checks of pivot views: every dimension a field a pivot may group by (a date with its period, nothing
else with one), every measure's field a number or money field kept in one currency, the page filters fields one
picks a value of (views/checks.py checks the entity and the filter)."""

from __future__ import annotations

from ...definitions.check_texts import NOT_A_FIELD, NOT_A_NUMBER_FIELD
from ...fields import kind_of, value_kind
from ...i18n import say
from ...meta.catalog import Catalog
from ...meta.model import EntityDef
from .. import check_texts as says
from ..checks import Problem, filter_problems, view_entity
from .definition import Dimension, PivotViewDef
from .dimensions import DAY, TEXT_VALUE, dimension_kind


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
                problems.append(((key, i), say(says.GROUPED_TWICE, name=dimension.field)))
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
        return [(path, say(NOT_A_FIELD, name=dimension.field, entity=entity.qualified))]
    kind = dimension_kind(field)
    if kind is None:
        return [(path, say(says.CANNOT_GROUP, name=dimension.field, type=field.value_type))]
    if kind == DAY and dimension.by is None:
        return [(path, say(says.DATE_PERIOD, name=dimension.field))]
    if kind != DAY and dimension.by is not None:
        return [((*path, "by"), say(says.NOT_A_DATE, name=dimension.field, by=dimension.by))]
    return []


def _measure_problems(entity: EntityDef, name: str) -> list[str]:
    field = entity.field(name)
    if field is None:
        return [say(NOT_A_FIELD, name=name, entity=entity.qualified)]
    if not value_kind(field).holds_number or not kind_of(field).stores_column:
        return [say(NOT_A_NUMBER_FIELD, name=name, entity=entity.qualified)]
    if field.options.get("currency_field"):
        return [say(says.MANY_CURRENCIES, name=name)]
    return []


def _page_filter_problems(entity: EntityDef, name: str, path: tuple[object, ...]) -> list[Problem]:
    field = entity.field(name)
    if field is None:
        return [(path, say(NOT_A_FIELD, name=name, entity=entity.qualified))]
    if dimension_kind(field) in (None, DAY, TEXT_VALUE):
        return [(path, say(says.NO_PAGE_FILTER, name=name))]
    return []
