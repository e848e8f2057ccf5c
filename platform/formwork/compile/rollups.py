"""Keep rollup fields correct: after every flush, recompute the rollups of the records whose referrers changed.

The new value is computed by the database (one UPDATE … SET x = (SELECT
aggregate …) per rollup field and flush), so it is right however many
referring records there are, and it includes the old parent when a referring
record moves from one parent to another.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..fields.rollup import rollup_source
from ..filters import FilterContext, compile_filter
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef

AGGREGATE_FUNCTIONS = {"count": sa.func.count, "sum": sa.func.sum, "min": sa.func.min, "max": sa.func.max, "avg": sa.func.avg}


@dataclass(frozen=True)
class Rollup:
    parent: EntityDef
    field: FieldDef
    source: str  # the referring entity
    reference: str  # its reference field


def rollups_by_source(catalog: Catalog) -> dict[str, list[Rollup]]:
    """For each referring entity, the rollups its changes affect."""
    found: dict[str, list[Rollup]] = defaultdict(list)
    for entity in catalog.entities.values():
        for field in entity.fields:
            if field.type == "rollup":
                source, reference = rollup_source(field)
                found[source].append(Rollup(entity, field, source, reference))
    return dict(found)


def rollup_value(rollup: Rollup, models: Any, parent_id_column: Any) -> Any:
    """The correlated subquery computing one rollup for the parent row."""
    child = models.model(rollup.source)
    options = rollup.field.options
    function = AGGREGATE_FUNCTIONS[options["aggregate"]]
    measured = child.id if options["aggregate"] == "count" else getattr(child, options["field"])
    query = sa.select(function(measured)).where(getattr(child, f"{rollup.reference}_id") == parent_id_column)
    if options.get("filter") is not None:
        query = query.where(compile_filter(options["filter"], child, child.__entity__, FilterContext.now()))
    value = query.scalar_subquery()
    return sa.func.coalesce(value, 0) if options["aggregate"] in ("count", "sum") else value


def _touched_parents(session: Session, rollup: Rollup, models: Any) -> set[int]:
    child = models.model(rollup.source)
    attribute = f"{rollup.reference}_id"
    ids: set[int] = set()
    for item in [*session.new, *session.dirty, *session.deleted]:
        if not isinstance(item, child):
            continue
        history = sa.inspect(item).attrs[attribute].history
        ids.update(v for v in (*history.added, *history.deleted, *history.unchanged) if v is not None)
    return ids


def _recompute(session: Session, _context: Any) -> None:
    seen: dict[int, Any] = {}
    for item in [*session.new, *session.dirty, *session.deleted]:
        models = getattr(item, "__models__", None)
        if models is not None:
            seen[id(models)] = models
    for models in seen.values():
        for rollups in models.rollups.values():
            for rollup in rollups:
                parents = _touched_parents(session, rollup, models)
                if parents:
                    _update(session, rollup, models, parents)


def _update(session: Session, rollup: Rollup, models: Any, parent_ids: set[int]) -> None:
    parent = models.model(rollup.parent.qualified)
    table = parent.__table__
    session.execute(
        table.update().where(table.c.id.in_(parent_ids)).values({rollup.field.name: rollup_value(rollup, models, table.c.id)})
    )
    for item in list(session.identity_map.values()):
        if isinstance(item, parent) and item.id in parent_ids:
            session.expire(item, [rollup.field.name])


def install_rollups(session_factory: Any) -> None:
    event.listen(session_factory, "after_flush", _recompute)


def recompute_rollups(session: Session, models: Any, parent: EntityDef, fields: list[FieldDef]) -> None:
    """Every row's value of these rollup fields (after the column was added, say)."""
    table = models.model(parent.qualified).__table__
    for field in fields:
        source, reference = rollup_source(field)
        rollup = Rollup(parent, field, source, reference)
        session.execute(table.update().values({field.name: rollup_value(rollup, models, table.c.id)}))
