"""Semantic checks of a filter against an entity: names, operators per type, value shapes, variables.

Problems are `(path inside the filter, message)` so the caller can prefix
the filter's own path in its document and point at file and line. The
messages are written for business admins: they say what is expected and
suggest the closest name.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from . import check_texts as says
from .context import VARIABLES, is_variable
from .dates import MAX_DAYS
from .operators import COUNT, LIST, NO_VALUE, ONE, PAIR, SHAPES, TEXT_SEARCH
from .targets import Target, UnknownField, resolve
from .tree import Condition, Path, Problem, conditions, parse
from .values import ValueRefused, literal

#: spellings from other tools, suggested when an unknown operator is used
ALIASES = {
    "eq": "=",
    "==": "=",
    "ne": "!=",
    "<>": "!=",
    "neq": "!=",
    "lt": "<",
    "lte": "<=",
    "le": "<=",
    "gt": ">",
    "gte": ">=",
    "ge": ">=",
    "like": "contains",
    "ilike": "contains",
    "nin": "not_in",
    "startswith": "starts_with",
    "is_null": "is_empty",
    "null": "is_empty",
    "not_null": "is_not_empty",
}


def check_filter(data: Any, entity: EntityDef, catalog: Catalog | None = None) -> list[Problem]:
    """Every problem of filter `data` on `entity`; `catalog` resolves paths through references."""
    entities = dict(catalog.entities) if catalog is not None else {}
    entities.setdefault(entity.qualified, entity)
    return filter_problems(data, entity, entities)


def filter_problems(data: Any, entity: EntityDef, entities: Mapping[str, EntityDef]) -> list[Problem]:
    """`check_filter` with the entities given directly (compile_filter takes them from the models)."""
    if data is None:
        return []
    node, problems = parse(data)
    for condition in conditions(node):
        problems += check_condition(condition, entity, entities)
    return problems


def check_condition(c: Condition, entity: EntityDef, entities: Mapping[str, EntityDef]) -> list[Problem]:
    try:
        target = resolve(c.field, entity, entities)
    except UnknownField as exc:
        return [((*c.path, "field"), exc.message)]
    allowed = target.group.operators
    if c.op not in SHAPES:
        close = ALIASES.get(c.op) or next(iter(difflib.get_close_matches(c.op, allowed, n=1, cutoff=0.6)), None)
        hint = say(says.DID_YOU_MEAN, close=close) if close else ""
        unknown = say(says.UNKNOWN_OPERATOR, op=c.op, hint=hint, target=target.describe(), operators=", ".join(allowed))
        return [((*c.path, "op"), unknown)]
    if c.op not in allowed:
        unfit = say(says.NOT_FOR_FIELD, op=c.op, target=target.describe(), operators=", ".join(allowed))
        return [((*c.path, "op"), unfit)]
    return SHAPE_CHECKS[SHAPES[c.op]](c, target)


def _no_value(c: Condition, target: Target) -> list[Problem]:
    return [((*c.path, "value"), say(says.TAKES_NO_VALUE, op=c.op))] if c.has_value else []


def _one(c: Condition, target: Target) -> list[Problem]:
    at = (*c.path, "value")
    if not c.has_value:
        return [(at, say(says.NEEDS_A_VALUE, op=c.op))]
    if isinstance(c.value, list):
        hint = say(says.USE_FOR_A_LIST, other="in" if c.op == "=" else "not_in") if c.op in ("=", "!=") else ""
        return [(at, say(says.ONE_VALUE, op=c.op, hint=hint))]
    searches_text = c.op in TEXT_SEARCH and target.group.value == "text"
    if searches_text and (not isinstance(c.value, str) or not c.value or is_variable(c.value)):
        return [(at, say(says.NEEDS_TEXT, op=c.op))]
    return _value(c.value, target, at)


def _list(c: Condition, target: Target) -> list[Problem]:
    if not isinstance(c.value, list):
        return [((*c.path, "value"), say(says.NEEDS_LIST, op=c.op))]
    return [p for i, item in enumerate(c.value) for p in _value(item, target, (*c.path, "value", i))]


def _pair(c: Condition, target: Target) -> list[Problem]:
    at = (*c.path, "value")
    if not isinstance(c.value, list) or len(c.value) != 2:
        return [(at, say(says.BETWEEN_NEEDS_TWO))]
    problems = [p for i, item in enumerate(c.value) for p in _value(item, target, (*at, i))]
    if not problems and not any(is_variable(v) for v in c.value):
        try:
            if literal(c.value[0], target) > literal(c.value[1], target):
                problems.append((at, say(says.BETWEEN_ORDER)))
        except TypeError:  # a date and a datetime: both are fine, they just don't order
            pass
    return problems


def _count(c: Condition, target: Target) -> list[Problem]:
    value = c.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        return [((*c.path, "value"), say(says.NEEDS_DAYS, op=c.op, most=MAX_DAYS))]
    return []


def _value(raw: Any, target: Target, at: Path) -> list[Problem]:
    if raw is None:
        return [(at, say(says.EMPTY_VALUE))]
    if is_variable(raw):
        variable = VARIABLES.get(raw)
        if variable is None:
            close = difflib.get_close_matches(raw, list(VARIABLES), n=1, cutoff=0.5)
            hint = say(says.DID_YOU_MEAN, close=close[0]) if close else ""
            return [(at, say(says.UNKNOWN_VARIABLE, name=raw, hint=hint, variables=", ".join(VARIABLES)))]
        if target.group.value not in variable.kinds or (variable.entity and target.refers_to != variable.entity):
            unfit = say(
                says.VARIABLE_DOES_NOT_FIT, name=raw, description=variable.description, target=target.describe()
            )
            return [(at, unfit)]
        return []
    try:
        literal(raw, target)
    except ValueRefused as refused:
        return [(at, refused.message)]
    return []


SHAPE_CHECKS: dict[str, Callable[[Condition, Target], list[Problem]]] = {
    NO_VALUE: _no_value,
    ONE: _one,
    LIST: _list,
    PAIR: _pair,
    COUNT: _count,
}
