"""The rules for indexes and constraints: added when the stored data allows it, kept with retired columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic.operations import ops as alembic_ops

from .apply import BATCH_NAMING
from .changes import Phase

if TYPE_CHECKING:
    from .plan import Planner


def add_index(p: Planner, op: alembic_ops.CreateIndexOp) -> None:
    table = op.table_name
    names = [c if isinstance(c, str) else c.name for c in op.columns]
    if op.unique and (repeated := _repeated_values(p, table, names)):
        fields = ", ".join(p.name(table, n) for n in names)
        p.refuse(f"{fields} becomes unique but {repeated} value(s) are stored more than once; change them first")
        return
    p.add(f"add index {op.index_name} on {table}", table, (Phase.INDEXES, lambda ops: ops.invoke(op)))


def _repeated_values(p: Planner, table: str, names: list[str]) -> int:
    """How many values of the columns repeat; 0 when a column is new in this plan (it holds no values yet)."""
    if not p.inspector.has_table(table):
        return 0
    old_names = {new: old for (t, old), new in p.renamed.items() if t == table}
    stored = {c["name"] for c in p.inspector.get_columns(table)}
    columns = [sa.column(old_names.get(n, n)) for n in names]
    if not all(c.name in stored for c in columns):
        return 0
    groups = (sa.select(*columns).select_from(sa.table(table)).where(*(c.is_not(None) for c in columns))
              .group_by(*columns).having(sa.func.count() > 1).subquery())
    return p.connection.scalar(sa.select(sa.func.count()).select_from(groups))


def drop_index(p: Planner, op: alembic_ops.DropIndexOp) -> None:
    """An index no definition asks for; one on a retired column stays with it."""
    table = op.table_name
    stored = next((i for i in p.inspector.get_indexes(table) if i["name"] == op.index_name), {"column_names": []})
    if any((table, c) in p.retiring for c in stored["column_names"]):
        return
    p.add(f"remove index {op.index_name} from {table}", table,
          (Phase.DROP_INDEXES, lambda ops: ops.drop_index(op.index_name, table_name=table)))


def add_foreign_key(p: Planner, op: alembic_ops.CreateForeignKeyOp) -> None:
    """A reference's constraint: a new or renamed column brings its own; a missing one is added when no row breaks it.

    PostgreSQL creates a new table's references (`use_alter`) after all the tables, so they come here too.
    """
    table, columns = op.source_table, op.local_cols
    new_columns = p.plan.added_columns() | {(t, new) for (t, _), new in p.renamed.items()}
    if all((table, c) in new_columns for c in columns):
        return
    what = ", ".join(p.name(table, c) for c in columns)
    if p.inspector.has_table(table) and (orphans := _orphans(p, op)):
        p.refuse(f"{what} refers to {op.referent_table}, but {orphans} record(s) refer to records that do not exist")
        return
    ondelete = {"ondelete": op.kw["ondelete"]} if op.kw.get("ondelete") else {}
    p.add(f"enforce the reference {what} to {op.referent_table}", table,
          (Phase.ALTERS, lambda batch: batch.create_foreign_key(op.constraint_name, op.referent_table, columns,
                                                                op.remote_cols, **ondelete)))


def _orphans(p: Planner, op: alembic_ops.CreateForeignKeyOp) -> int:
    source = [sa.column(c) for c in op.local_cols]
    filled = sa.and_(*(c.is_not(None) for c in source))
    if not p.inspector.has_table(op.referent_table):
        return p.count(op.source_table, filled)
    target = sa.table(op.referent_table, *(sa.column(c) for c in op.remote_cols))
    found = sa.exists().where(*(t == c for t, c in zip(target.c, source, strict=True)))
    return p.count(op.source_table, sa.and_(filled, ~found))


def unlink_retired(p: Planner, table: str, columns: set[str] | None = None) -> list[str]:
    """Stop enforcing the references of retired columns (all of a retired table's when `columns` is None).

    The column and its values stay; only the foreign key goes. Kept, it would stop the deletion of the record it
    points to (restrict) or delete retired rows with it (cascade), for a reason no screen shows any more.
    Returns what the references pointed to, in words.
    """
    targets = []
    for fk in p.inspector.get_foreign_keys(table):
        if columns is not None and not set(fk["constrained_columns"]) <= columns:
            continue
        name = fk["name"] or BATCH_NAMING["fk"] % {"table_name": table, "column_0_name": fk["constrained_columns"][0],
                                                  "referred_table_name": fk["referred_table"]}
        target = p.entity_words(fk["referred_table"])
        what = ", ".join(p.name(table, c) for c in fk["constrained_columns"])
        p.add(f"no longer enforce the link of retired {what} to {target}", table,
              (Phase.ALTERS, lambda batch, name=name: batch.drop_constraint(name, type_="foreignkey")))
        targets.append(target)
    return targets


def drop_constraint(p: Planner, op: alembic_ops.DropConstraintOp) -> None:
    """A retired column keeps its constraints; a renamed one keeps them under the new name."""
    reverse = op.reverse() if op._reverse is not None else None
    columns = getattr(reverse, "local_cols", None) or []
    kept = p.retiring | set(p.renamed)
    if columns and all((op.table_name, c) in kept for c in columns):
        return
    kind = f"{op.constraint_type} constraint" if op.constraint_type else "constraint"
    p.refuse(f"{op.table_name} has a {kind} no definition asks for ({op.constraint_name or 'unnamed'}); "
             "it is not removed automatically")
