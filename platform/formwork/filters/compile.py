"""A checked filter -> one SQLAlchemy boolean expression on a compiled model. Never string SQL.

The filter is checked again here (it may come straight from a browser), so a
bad filter raises `FilterError` with every problem instead of producing
wrong SQL. A path through references (`owner.department`) becomes a
correlated `EXISTS` over an alias of the target model, built from the
foreign key column, so it also works for self-references and stays two-valued
under `not`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..i18n import say
from ..meta.model import EntityDef
from ..meta.yamlload import format_path
from . import check_texts as says
from . import members
from .check import filter_problems
from .context import VARIABLES, FilterContext, is_variable
from .operators import COUNT, LIST, NO_VALUE, PAIR, SHAPES
from .sql import MISSING, condition
from .targets import Hop, Target, resolve
from .tree import All, AnyOf, Condition, Node, Not, Problem, parse
from .values import literal


class FilterError(ValueError):
    """A filter that cannot be compiled; `problems` holds every (path, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{format_path(path) or 'filter'}: {message}" for path, message in problems))


def compile_filter(data: Any, model: type, entity: EntityDef, context: FilterContext) -> ColumnElement[bool]:
    """`data` as a WHERE clause on `model` (a compiled model of `entity`); None means no filter."""
    models = models_by_entity(model)
    entities = {name: cls.__entity__ for name, cls in models.items()}
    entities[entity.qualified] = entity
    problems = filter_problems(data, entity, entities)
    if problems:
        raise FilterError(problems)
    if data is None:
        return sa.true()
    node, _ = parse(data)
    assert node is not None
    return _Compiler(model, entity, entities, models, context).node(node)


def models_by_entity(model: Any) -> dict[str, Any]:
    """Every compiled model that shares `model`'s registry, by qualified entity name.

    Compiled models are built at run time (`type(...)` in compile/models.py), so their
    columns and `__entity__` are invisible to a type checker: they are typed `Any`.
    """
    found = {m.class_.__entity__.qualified: m.class_ for m in model.registry.mappers if hasattr(m.class_, "__entity__")}
    found[model.__entity__.qualified] = model
    return found


class _Compiler:
    def __init__(
        self,
        model: type,
        entity: EntityDef,
        entities: dict[str, EntityDef],
        models: dict[str, Any],
        context: FilterContext,
    ) -> None:
        self.model, self.entity, self.entities, self.models, self.context = model, entity, entities, models, context

    def node(self, node: Node) -> ColumnElement[bool]:
        if isinstance(node, All):
            return sa.and_(*map(self.node, node.items)) if node.items else sa.true()
        if isinstance(node, AnyOf):
            return sa.or_(*map(self.node, node.items)) if node.items else sa.false()
        if isinstance(node, Not):
            return sa.not_(self.node(node.item))
        return self.condition(node)

    def condition(self, c: Condition) -> ColumnElement[bool]:
        target = resolve(c.field, self.entity, self.entities)
        return self.through(target.hops, self.model, self.leaf(c, target, self.value(c, target)))

    def leaf(self, c: Condition, target: Target, value: Any) -> Callable[[Any], ColumnElement[bool]]:
        """How to test one record (the model, or an alias of it at the end of a path) for `c`."""
        mapper = sa.inspect(self.models.get(target.entity.qualified, self.model))
        stored = mapper.relationships if target.group.storage == "link" else mapper.columns
        if target.attribute not in stored:
            raise FilterError([((*c.path, "field"), say(says.NOT_STORED, field=c.field))])
        if target.group.storage != "column":
            return lambda m: members.condition(c.op, getattr(m, target.attribute), target, value)
        nullable = mapper.columns[target.attribute].nullable
        return lambda m: condition(c.op, getattr(m, target.attribute), target, value, self.context, nullable)

    def through(
        self, hops: tuple[Hop, ...], model: Any, leaf: Callable[[Any], ColumnElement[bool]]
    ) -> ColumnElement[bool]:
        """`leaf` on the record reached by following `hops` from `model` (EXISTS per hop)."""
        if not hops:
            return leaf(model)
        hop, rest = hops[0], hops[1:]
        other = aliased(self.models[hop.target])
        return sa.exists().where(other.id == getattr(model, hop.attribute), self.through(rest, other, leaf))

    def value(self, c: Condition, target: Target) -> Any:
        shape = SHAPES[c.op]
        if shape == NO_VALUE:
            return None
        if shape == COUNT:
            return c.value
        if shape == LIST:
            return [v for v in (self.one(raw, target) for raw in c.value) if v is not MISSING]
        if shape == PAIR:
            return tuple(self.one(raw, target) for raw in c.value)
        return self.one(c.value, target)

    def one(self, raw: Any, target: Target) -> Any:
        if is_variable(raw):
            found = VARIABLES[raw].read(self.context)
            return MISSING if found is None else found
        return literal(raw, target, self.context.zone)
