"""Additive schema changes for a tenant: what Alembic's autogenerate finds, minus anything that loses data.

New tables, columns and indexes are applied automatically. Every other
difference (a column removed from the definitions, a type narrowed, a column
made required) is reported and left alone: it needs the explicit plan/apply
of `formwork migrate` (see docs/architecture.md, schema evolution).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations
from alembic.operations import Operations
from alembic.operations import ops as alembic_ops
from alembic.runtime.migration import MigrationContext

ADDITIVE = (alembic_ops.CreateTableOp, alembic_ops.AddColumnOp, alembic_ops.CreateIndexOp)


@dataclass
class SchemaPlan:
    apply: list[alembic_ops.MigrateOperation] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        return [describe(op) for op in self.apply]


def describe(op: alembic_ops.MigrateOperation) -> str:
    """In words an administrator can read."""
    if isinstance(op, alembic_ops.CreateTableOp):
        return f"add table {op.table_name}"
    if isinstance(op, alembic_ops.AddColumnOp):
        return f"add column {op.table_name}.{op.column.name}"
    if isinstance(op, alembic_ops.CreateIndexOp):
        return f"add index {op.index_name} on {op.table_name}"
    return str(op)


def _flatten(ops: list[alembic_ops.MigrateOperation]) -> list[alembic_ops.MigrateOperation]:
    flat: list[alembic_ops.MigrateOperation] = []
    for op in ops:
        flat += _flatten(op.ops) if isinstance(op, alembic_ops.OpContainer) else [op]
    return flat


def plan_schema_changes(connection: sa.Connection, metadata: sa.MetaData) -> SchemaPlan:
    """Compare the tenant's tables with `metadata` (only the tables `metadata` defines)."""
    def own_tables(obj, name, type_, reflected, compare_to) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name in metadata.tables

    context = MigrationContext.configure(connection, opts={"include_object": own_tables, "render_as_batch": True})
    plan = SchemaPlan()
    for op in _flatten(produce_migrations(context, metadata).upgrade_ops.ops):
        if isinstance(op, ADDITIVE) and not _needs_backfill(connection, op):
            plan.apply.append(op)
        else:
            plan.left_alone.append(describe(op) if isinstance(op, ADDITIVE) else type(op).__name__)
    return plan


def _needs_backfill(connection: sa.Connection, op: alembic_ops.MigrateOperation) -> bool:
    """A required column without a default cannot be added to a table that has rows."""
    if not isinstance(op, alembic_ops.AddColumnOp) or op.column.nullable or op.column.server_default is not None:
        return False
    return connection.execute(sa.select(sa.literal(1)).select_from(sa.table(op.table_name)).limit(1)).first() is not None


def apply_schema_plan(connection: sa.Connection, plan: SchemaPlan) -> None:
    operations = Operations(MigrationContext.configure(connection))
    for op in plan.apply:
        if isinstance(op, alembic_ops.AddColumnOp):
            # The column's indexes come as their own CreateIndexOp; adding them here too would clash.
            column = op.column._copy()
            column.index = column.unique = None
            operations.add_column(op.table_name, column, schema=op.schema)
        else:
            operations.invoke(op)
