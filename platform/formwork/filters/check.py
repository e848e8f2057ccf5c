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

from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .context import VARIABLES, is_variable
from .dates import MAX_DAYS
from .operators import COUNT, LIST, NO_VALUE, ONE, PAIR, SHAPES, TEXT_SEARCH
from .targets import Target, UnknownField, resolve
from .tree import Condition, Path, Problem, conditions, parse
from .values import literal

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
        return [((*c.path, "field"), str(exc))]
    allowed = target.group.operators
    if c.op not in SHAPES:
        close = ALIASES.get(c.op) or next(iter(difflib.get_close_matches(c.op, allowed, n=1, cutoff=0.6)), None)
        hint = f"; did you mean '{close}'?" if close else ""
        return [
            (
                (*c.path, "op"),
                f"unknown operator '{c.op}'{hint} Operators for {target.describe()}: {', '.join(allowed)}",
            )
        ]
    if c.op not in allowed:
        return [((*c.path, "op"), f"'{c.op}' does not apply to {target.describe()}; use one of: {', '.join(allowed)}")]
    return SHAPE_CHECKS[SHAPES[c.op]](c, target)


def _no_value(c: Condition, target: Target) -> list[Problem]:
    return [((*c.path, "value"), f"'{c.op}' takes no value")] if c.has_value else []


def _one(c: Condition, target: Target) -> list[Problem]:
    at = (*c.path, "value")
    if not c.has_value:
        return [(at, f"'{c.op}' needs a value")]
    if isinstance(c.value, list):
        hint = f"; use '{'in' if c.op == '=' else 'not_in'}' for a list" if c.op in ("=", "!=") else ""
        return [(at, f"'{c.op}' compares with one value, not a list{hint}")]
    searches_text = c.op in TEXT_SEARCH and target.group.value == "text"
    if searches_text and (not isinstance(c.value, str) or not c.value or is_variable(c.value)):
        return [(at, f"'{c.op}' needs a text to look for")]
    return _value(c.value, target, at)


def _list(c: Condition, target: Target) -> list[Problem]:
    if not isinstance(c.value, list):
        return [((*c.path, "value"), f"'{c.op}' needs a list of values, like [a, b]")]
    return [p for i, item in enumerate(c.value) for p in _value(item, target, (*c.path, "value", i))]


def _pair(c: Condition, target: Target) -> list[Problem]:
    at = (*c.path, "value")
    if not isinstance(c.value, list) or len(c.value) != 2:
        return [(at, "'between' needs two values: [from, to] (both included)")]
    problems = [p for i, item in enumerate(c.value) for p in _value(item, target, (*at, i))]
    if not problems and not any(is_variable(v) for v in c.value):
        try:
            if literal(c.value[0], target) > literal(c.value[1], target):
                problems.append((at, "'between' needs the lower bound first: [from, to]"))
        except TypeError:  # a date and a datetime: both are fine, they just don't order
            pass
    return problems


def _count(c: Condition, target: Target) -> list[Problem]:
    value = c.value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        return [((*c.path, "value"), f"'{c.op}' needs a number of days from 1 to {MAX_DAYS}, like 30")]
    return []


def _value(raw: Any, target: Target, at: Path) -> list[Problem]:
    if raw is None:
        return [(at, "the value is empty; use 'is_empty' to find records without a value")]
    if is_variable(raw):
        variable = VARIABLES.get(raw)
        if variable is None:
            close = difflib.get_close_matches(raw, list(VARIABLES), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            return [
                (at, f"unknown variable '{raw}'{hint} Variables: {', '.join(VARIABLES)} (write $$ for a literal $)")
            ]
        if target.group.value not in variable.kinds or (variable.entity and target.refers_to != variable.entity):
            return [(at, f"{raw} is {variable.description}; it cannot be compared with {target.describe()}")]
        return []
    try:
        literal(raw, target)
    except ValueError as exc:
        return [(at, str(exc))]
    return []


SHAPE_CHECKS: dict[str, Callable[[Condition, Target], list[Problem]]] = {
    NO_VALUE: _no_value,
    ONE: _one,
    LIST: _list,
    PAIR: _pair,
    COUNT: _count,
}
