"""Keep rollup fields correct: after every flush, recompute the rollups of the records whose referrers changed.

The new value is computed by the database (one UPDATE … SET x = (SELECT
aggregate …) per rollup field and flush), so it is right however many
referring records there are, and it includes the old parent when a referring
record moves from one parent to another.

Formulas are computed before a flush, so one that reads a rollup (cost =
labour + parts total) would be one save behind. Once the flush is done, the
formulas of the records whose rollups were just recomputed are computed again
from their stored row and written the same way; a rollup over such a formula
follows in turn. All of it happens in the saving transaction, so whatever reads
the record next (the API's answer, an approval's conditions) sees fresh values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..fields import kind_of
from ..fields.rollup import rollup_source
from ..filters import FilterContext, compile_filter
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef

#: the flush's note of the records whose rollups changed and whose formulas read them (`_recompute` → `_follow`)
FOLLOW = "formwork_follow_rollups"
AGGREGATE_FUNCTIONS: dict[str, Any] = {
    "count": sa.func.count,
    "sum": sa.func.sum,
    "min": sa.func.min,
    "max": sa.func.max,
    "avg": sa.func.avg,
}


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
            if kind_of(field).aggregates_records:
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


def _recompute(session: Session, context: Any) -> None:
    """Recompute the rollups the flush touched; remember whose formulas read them, for `_follow` once it is done."""
    seen: dict[int, Any] = {}
    for item in [*session.new, *session.dirty, *session.deleted]:
        models = getattr(item, "__models__", None)
        if models is not None:
            seen[id(models)] = models
    for models in seen.values():
        updated: dict[str, set[int]] = defaultdict(set)
        for rollups in models.rollups.values():
            for rollup in rollups:
                parents = _touched_parents(session, rollup, models)
                if parents:
                    _update(session, rollup, models, parents)
                    updated[rollup.parent.qualified] |= parents
        if any(models.logic[name].formulas_read_rollups for name in updated):
            context.attributes.setdefault(FOLLOW, []).append((models, updated))


def _follow(session: Session, context: Any) -> None:
    """After the flush (new records are in the identity map by now): the formulas reading the recomputed rollups,
    then the rollups over those formulas, and so on; a definition cannot make this go round forever (at most one
    pass per entity)."""
    for models, updated in context.attributes.pop(FOLLOW, []):
        for _ in range(len(models.logic)):
            changed = {
                name: _refresh_formulas(session, models, name, ids)
                for name, ids in updated.items()
                if models.logic[name].formulas_read_rollups
            }
            updated = _rollups_over(session, models, {name: ids for name, ids in changed.items() if ids})
            if not updated:
                break


def _refresh_formulas(session: Session, models: Any, qualified: str, ids: set[int]) -> set[int]:
    """Compute the formulas of these records again from their stored rows; write those that changed. Returns the
    ids whose formulas changed. The records in memory take the stored rollups and formulas, unchanged in history."""
    from .generated import FilledValueRefused
    from .logic import compute_formulas, record_values

    model, logic = models.model(qualified), models.logic[qualified]
    table = model.__table__
    changed = set()
    for row in session.execute(sa.select(table).where(table.c.id.in_(ids))).mappings():
        values = record_values(SimpleNamespace(**row), logic.entity, session, models)
        errors = compute_formulas(logic, SimpleNamespace(), values)
        if errors:
            raise FilledValueRefused(errors)
        fresh = {name: values[name] for name in logic.formulas if values[name] != row[name]}
        if fresh:
            session.execute(table.update().where(table.c.id == row["id"]).values(fresh))
            changed.add(row["id"])
        item = session.identity_map.get(sa.inspect(model).identity_key_from_primary_key((row["id"],)))
        if item is not None:
            for name in [*logic.formulas, *(f.name for f in logic.entity.fields if kind_of(f).aggregates_records)]:
                set_committed_value(item, name, values[name])
    return changed


def _rollups_over(session: Session, models: Any, changed: dict[str, set[int]]) -> dict[str, set[int]]:
    """The rollups fed by these records, recomputed for their parents: {parent entity: parent ids}."""
    updated: dict[str, set[int]] = defaultdict(set)
    for source, ids in changed.items():
        for rollup in models.rollups.get(source, []):
            link = getattr(models.model(source), f"{rollup.reference}_id")
            parents = set(session.scalars(sa.select(link).where(models.model(source).id.in_(ids), link.is_not(None))))
            if parents:
                _update(session, rollup, models, parents)
                updated[rollup.parent.qualified] |= parents
    return updated


def _update(session: Session, rollup: Rollup, models: Any, parent_ids: set[int]) -> None:
    parent = models.model(rollup.parent.qualified)
    table = parent.__table__
    session.execute(
        table.update()
        .where(table.c.id.in_(parent_ids))
        .values({rollup.field.name: rollup_value(rollup, models, table.c.id)})
    )
    for item in list(session.identity_map.values()):
        if isinstance(item, parent) and item.id in parent_ids:
            session.expire(item, [rollup.field.name])


def install_rollups(session_factory: Any) -> None:
    event.listen(session_factory, "after_flush", _recompute)
    event.listen(session_factory, "after_flush_postexec", _follow)


def recompute_rollups(session: Session, models: Any, parent: EntityDef, fields: list[FieldDef]) -> None:
    """Every row's value of these rollup fields (after the column was added, say)."""
    table = models.model(parent.qualified).__table__
    for field in fields:
        source, reference = rollup_source(field)
        rollup = Rollup(parent, field, source, reference)
        session.execute(table.update().values({field.name: rollup_value(rollup, models, table.c.id)}))
