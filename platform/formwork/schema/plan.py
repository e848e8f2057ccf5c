"""A tenant's schema plan: what Alembic's autogenerate finds, judged change by change so that no data is lost.

Autogenerate compares the tenant's tables with the compiled models. Each
operation it proposes goes to the rule for its kind (`schema/rules.py`),
which applies it as it is, turns it into something lossless (a removed
field is retired, a declared rename keeps the column), or refuses it with
the reason. Retired columns and tables are dropped only when asked. Entity
renames come first (`schema/renames.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.operations import Operations
from alembic.operations import ops as alembic_ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine.interfaces import ReflectedColumn

from ..fields import FIELD_TYPES
from ..meta.model import EntityDef, FieldDef
from .changes import Change, Phase, SchemaPlan, Step
from .choices import plan_choices
from .renames import entity_renames
from .rules import judge

__all__ = ["Change", "Phase", "Planner", "SchemaPlan", "plan_schema_changes"]


class Planner:
    """What the rules need to judge a change: the tenant's connection, its definitions, and the plan being built."""

    def __init__(
        self,
        connection: sa.Connection,
        metadata: sa.MetaData,
        entities: Iterable[EntityDef],
        drop_retired: bool,
        packs: Iterable[str] | None = None,
        previous: Mapping[str, EntityDef] | None = None,
    ) -> None:
        self.connection, self.metadata, self.drop_retired = connection, metadata, drop_retired
        self.previous = previous  # the entities the database had before, by table; None when unknown
        self.context = MigrationContext.configure(
            connection, opts={"include_name": self._compared, "include_object": self._own, "render_as_batch": True}
        )
        self.inspector = sa.inspect(connection)
        self.entities = {entity.table: entity for entity in entities}
        # the tenant's packs: a stored `<pack>_…` table of one of them that no entity defines is a retired entity
        self.packs = set(packs) if packs is not None else {entity.pack for entity in self.entities.values()}
        self.fields = {
            (entity.table, FIELD_TYPES[f.type].attribute(f)): f
            for entity in self.entities.values()
            for f in entity.fields
        }
        self.plan = SchemaPlan()
        self.renamed: dict[tuple[str, str], str] = {}  # (table, old column) -> new column
        self.retiring: set[tuple[str, str]] = set()
        self._rows: dict[str, int] = {}

    def _compared(self, name: str | None, type_: str, _parents: Mapping[str, str | None]) -> bool:
        """Only the definitions' tables are reflected: `_own` leaves any other out of the comparison anyway (FAB's,
        the platform's, retired ones, which `retire_tables` finds by name), and reflecting them first was about half
        of autogenerate's time."""
        return type_ != "table" or name in self.metadata.tables

    def _own(self, obj, name, type_, reflected, compare_to) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name in self.metadata.tables

    def proposed(self) -> list[alembic_ops.MigrateOperation]:
        upgrade = produce_migrations(self.context, self.metadata).upgrade_ops
        assert upgrade is not None  # produce_migrations always fills it
        return _flatten(upgrade.ops)

    def field(self, table: str, column: str) -> FieldDef | None:
        return self.fields.get((table, column))

    def name(self, table: str, column: str) -> str:
        """`crm account.code`: the entity and field an administrator knows, or the column when no field has it."""
        entity, f = self.entities.get(table), self.field(table, column)
        if entity is None:
            return f"{table}.{column}"
        return f"{entity.pack} {entity.name}.{f.name if f else column}"

    def entity_words(self, table: str) -> str:
        """`crm account` for an entity's table; the table's name for any other."""
        entity = self.entities.get(table)
        return f"{entity.pack} {entity.name}" if entity else table

    def rows(self, table: str) -> int:
        if table not in self._rows:
            self._rows[table] = self.count(table)
        return self._rows[table]

    def count(self, table: str, where: sa.ColumnElement[bool] | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(sa.table(table))
        return self.connection.execute(query if where is None else query.where(where)).scalar_one()

    def stored_column(self, table: str, column: str) -> ReflectedColumn:
        return next(c for c in self.inspector.get_columns(table) if c["name"] == column)

    def add(self, text: str, table: str, *steps: tuple[Phase, Step], added: tuple[str, str] | None = None) -> None:
        self.plan.apply.append(Change(text, table, list(steps), added))

    def refuse(self, reason: str) -> None:
        self.plan.reasons.append(reason)


def _flatten(ops: list[alembic_ops.MigrateOperation]) -> list[alembic_ops.MigrateOperation]:
    flat: list[alembic_ops.MigrateOperation] = []
    for op in ops:
        flat += _flatten(op.ops) if isinstance(op, alembic_ops.OpContainer) else [op]
    return flat


def plan_schema_changes(
    connection: sa.Connection,
    metadata: sa.MetaData,
    entities: Iterable[EntityDef] = (),
    drop_retired: bool = False,
    packs: Iterable[str] | None = None,
    previous: Mapping[str, EntityDef] | None = None,
) -> SchemaPlan:
    """Compare the tenant's tables with `metadata` (the tables of `entities`); nothing is changed.

    `packs` are the tenant's packs (by default those of `entities`): only their tables can be retired entities.
    Renamed entities' tables are compared as they will be when the rest of the plan runs: renamed, inside a
    savepoint that is rolled back once the plan is made. `previous`, the entities the database had before (by
    table), narrows which choice fields are read for values no longer offered (schema/choices.py).
    """
    entities = list(entities)
    renames = entity_renames(connection, metadata, entities)
    if not renames:
        return _judged(Planner(connection, metadata, entities, drop_retired, packs, previous))
    with connection.begin_nested() as renamed:
        operations = Operations(MigrationContext.configure(connection))
        for change in renames:
            for phase, step in change.steps:
                if phase is Phase.RENAME_TABLES:  # the tables as the plan will see them; rows re-keyed when applied
                    step(operations)
        plan = _judged(Planner(connection, metadata, entities, drop_retired, packs, previous))
        renamed.rollback()
    plan.apply[:0] = renames
    return plan


def _judged(planner: Planner) -> SchemaPlan:
    judge(planner, planner.proposed())
    plan_choices(planner)  # after the rules: a field renamed in this plan is read under its stored name
    return planner.plan
