"""The rules for indexes and constraints: added when the stored data allows it, kept with retired columns.

Formwork drops or moves only the indexes and constraints it created, known by their names
(`compile/naming.py`); any other an operator made is reported as kept and left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.operations import ops as alembic_ops

from ..adapters.alembic import reverse_of
from ..compile.naming import index_name, is_formworks_constraint, is_formworks_index
from ..i18n import say
from . import plan_texts as says
from .apply import BATCH_NAMING
from .changes import Phase, Step

if TYPE_CHECKING:
    from .plan import Planner

#: Alembic's constraint types in words
CONSTRAINT_WORDS = {
    "foreignkey": says.FOREIGN_KEY,
    "unique": says.UNIQUE_CONSTRAINT,
    "check": says.CHECK_CONSTRAINT,
    "primary": says.PRIMARY_KEY,
}


def add_index(p: Planner, op: alembic_ops.CreateIndexOp) -> None:
    table = op.table_name
    # Alembic allows text() expressions too; Formwork's indexes are on columns, which have names
    names = [c if isinstance(c, str) else c.name for c in op.columns]  # type: ignore[union-attr]
    if op.unique and (repeated := _repeated_values(p, table, names)):
        fields = ", ".join(p.name(table, n) for n in names)
        p.refuse(say(says.NOT_UNIQUE, fields=fields, count=repeated))
        return
    p.add(say(says.ADD_INDEX, index=op.index_name, table=table), table, (Phase.INDEXES, lambda ops: ops.invoke(op)))


def _repeated_values(p: Planner, table: str, names: list[str]) -> int:
    """How many values of the columns repeat; 0 when a column is new in this plan (it holds no values yet)."""
    if not p.inspector.has_table(table):
        return 0
    old_names = {new: old for (t, old), new in p.renamed.items() if t == table}
    stored = {c["name"] for c in p.inspector.get_columns(table)}
    columns: list[sa.ColumnClause[Any]] = [sa.column(old_names.get(n, n)) for n in names]
    if not all(c.name in stored for c in columns):
        return 0
    groups = (
        sa.select(*columns)
        .select_from(sa.table(table))
        .where(*(c.is_not(None) for c in columns))
        .group_by(*columns)
        .having(sa.func.count() > 1)
        .subquery()
    )
    return p.connection.execute(sa.select(sa.func.count()).select_from(groups)).scalar_one()


def drop_index(p: Planner, op: alembic_ops.DropIndexOp) -> None:
    """An index no definition asks for: dropped when Formwork made it, unless it is on a retired column (it stays)."""
    table = op.table_name
    assert table is not None  # autogenerate names the table of every index it drops
    stored: Mapping[str, Any] = next(
        (i for i in p.inspector.get_indexes(table) if i["name"] == op.index_name), {"column_names": []}
    )
    if not is_formworks_index(table, op.index_name, stored["column_names"]):
        keep(p, say(says.INDEX_ON, index=op.index_name, table=table))
        return
    if any((table, c) in p.retiring for c in stored["column_names"]):
        return
    p.add(
        say(says.REMOVE_INDEX, index=op.index_name, table=table),
        table,
        (Phase.DROP_INDEXES, lambda ops: ops.drop_index(op.index_name, table_name=table)),
    )


def keep(p: Planner, what: str) -> None:
    """Something in the tenant's storage that Formwork did not create: it is the operator's, never changed."""
    p.plan.kept.append(say(says.KEPT, what=what))


def owned_indexes(p: Planner, table: str, column: str) -> list[Mapping[str, Any]]:
    """The stored indexes on `column` that Formwork made (so named, and on named columns)."""
    return [
        index
        for index in p.inspector.get_indexes(table)
        if column in index["column_names"] and is_formworks_index(table, index["name"], index["column_names"])
    ]


def index_drops(table: str, indexes: list[Mapping[str, Any]]) -> list[tuple[Phase, Step]]:
    """Steps dropping `indexes` before anything else changes the table: SQLite copies a table with its indexes, so
    one on a column about to be dropped or renamed must go first."""
    # mypy cannot infer a lambda whose defaults bind loop values (here and below)
    return [
        (Phase.DROP_INDEXES, lambda ops, name=index["name"]: ops.drop_index(name, table_name=table))  # type: ignore[misc]
        for index in indexes
    ]


def not_formworks(p: Planner, table: str, column: str | None = None) -> list[str]:
    """The indexes and constraints on `table` (those using `column`, when given) that Formwork did not create.

    Dropping a column or table drops them too, so a drop is refused while they exist.
    """
    found: list[str] = []
    for index in p.inspector.get_indexes(table):
        uses = column is None or column in index["column_names"]
        if (
            uses
            and not index.get("duplicates_constraint")
            and not is_formworks_index(table, index["name"], index["column_names"])
        ):
            found.append(say(says.INDEX, index=index["name"]))
    constraints = [
        (says.FOREIGN_KEY, fk["name"], fk["constrained_columns"]) for fk in p.inspector.get_foreign_keys(table)
    ]
    constraints += [
        (says.UNIQUE_CONSTRAINT, unique["name"], unique["column_names"])
        for unique in p.inspector.get_unique_constraints(table)
    ]
    for kind, name, columns in constraints:
        if (column is None or column in columns) and not is_formworks_constraint(table, name):
            found.append(say(says.NAMED_CONSTRAINT, kind=kind, name=name))
    return found


def move_indexes_aside(
    p: Planner, table: str, column: str, aside: str
) -> tuple[set[str | None], list[tuple[Phase, Step]]]:
    """The stored indexes on a column this plan moves aside, and the steps that move Formwork's with it.

    Formwork's indexes are named after their columns, so the renamed field's would clash: they are dropped before
    the column moves and made again under the names the moved column gives (SQLite cannot rename an index), unless
    the column is to be dropped. Others follow the column as they are. The names returned are all the indexes
    that were on the column: what autogenerate proposed for them compared them with the renamed field's.
    """
    owned = owned_indexes(p, table, column)
    steps = index_drops(table, owned)
    for index in [] if p.drop_retired else owned:
        moved = [aside if c == column else c for c in index["column_names"]]
        new = index_name(table, moved, unique=index["name"].startswith("ux_"))
        steps.append(
            (
                Phase.INDEXES,
                lambda ops, new=new, moved=moved, unique=bool(index["unique"]): (  # type: ignore[misc]
                    ops.create_index(new, table, moved, unique=unique)
                ),
            )
        )
    return {i["name"] for i in p.inspector.get_indexes(table) if column in i["column_names"]}, steps


def add_foreign_key(p: Planner, op: alembic_ops.CreateForeignKeyOp) -> None:
    """A reference's constraint: a new or renamed column brings its own; a missing one is added when no row breaks it.

    PostgreSQL creates a new table's references (`use_alter`) after all the tables, so they come here too.
    """
    table, columns = op.source_table, op.local_cols
    new_columns = p.plan.added_columns() | {(t, new) for (t, _), new in p.renamed.items()}
    if all((table, c) in new_columns for c in columns):
        return
    what, target = ", ".join(p.name(table, c) for c in columns), p.entity_words(op.referent_table)
    if p.inspector.has_table(table) and (orphans := _orphans(p, op)):
        p.refuse(say(says.ORPHANS, what=what, target=target, count=orphans))
        return
    ondelete = {"ondelete": op.kw["ondelete"]} if op.kw.get("ondelete") else {}
    p.add(
        say(says.ENFORCE, what=what, target=target),
        table,
        (
            Phase.ALTERS,
            lambda batch: batch.create_foreign_key(
                op.constraint_name or _foreign_key_name(op), op.referent_table, columns, op.remote_cols, **ondelete
            ),
        ),
    )


def _foreign_key_name(op: alembic_ops.CreateForeignKeyOp) -> str:
    """The name batch mode gives a reference Formwork declares without one: adding it to a stored table (SQLite keeps
    no constraint of a column added by ALTER TABLE, so the next plan adds it) needs one."""
    names = {"table_name": op.source_table, "column_0_name": op.local_cols[0], "referred_table_name": op.referent_table}
    return BATCH_NAMING["fk"] % names


def _orphans(p: Planner, op: alembic_ops.CreateForeignKeyOp) -> int:
    source: list[sa.ColumnClause[Any]] = [sa.column(c) for c in op.local_cols]
    filled = sa.and_(*(c.is_not(None) for c in source))
    if not p.inspector.has_table(op.referent_table):
        return p.count(op.source_table, filled)
    target = sa.table(op.referent_table, *(sa.column(c) for c in op.remote_cols))
    found = sa.exists().where(*(t == c for t, c in zip(target.c, source, strict=True)))
    return p.count(op.source_table, sa.and_(filled, ~found))


def unlink_retired(
    p: Planner, table: str, columns: set[str] | None = None, moved: dict[str, str] | None = None
) -> list[str]:
    """Stop enforcing the references of retired columns (all of a retired table's when `columns` is None).

    The column and its values stay; only the foreign key goes. Kept, it would stop the deletion of the record it
    points to (restrict) or delete retired rows with it (cascade), for a reason no screen shows any more. A foreign
    key Formwork did not create is the operator's and stays. `moved` gives the names of columns this plan moves
    aside first. Returns what the references pointed to, in words.
    """
    moved = moved or {}
    targets = []
    for fk in p.inspector.get_foreign_keys(table):
        if columns is not None and not set(fk["constrained_columns"]) <= columns:
            continue
        if not is_formworks_constraint(table, fk["name"]):
            keep(p, say(says.CONSTRAINT_ON, kind=says.FOREIGN_KEY, name=fk["name"], table=table))
            continue
        now = [moved.get(c, c) for c in fk["constrained_columns"]]
        name = fk["name"] or BATCH_NAMING["fk"] % {
            "table_name": table,
            "column_0_name": now[0],
            "referred_table_name": fk["referred_table"],
        }
        target = p.entity_words(fk["referred_table"])
        what = ", ".join(p.name(table, c) for c in now)
        p.add(
            say(says.UNLINK_RETIRED, what=what, target=target),
            table,
            (Phase.ALTERS, lambda batch, name=name: batch.drop_constraint(name, type_="foreignkey")),  # type: ignore[misc]
        )
        targets.append(target)
    return targets


def drop_constraint(p: Planner, op: alembic_ops.DropConstraintOp) -> None:
    """A retired column keeps its constraints; a renamed one keeps them under the new name; one Formwork did not
    create is left as it is."""
    reverse = reverse_of(op)
    columns = getattr(reverse, "local_cols", None) or []
    kept = p.retiring | set(p.renamed)
    if columns and all((op.table_name, c) in kept for c in columns):
        return
    kind = CONSTRAINT_WORDS.get(op.constraint_type or "", says.CONSTRAINT)
    # Alembic types the name with its own "no name" marker, which reflected constraints never carry
    if not is_formworks_constraint(op.table_name, op.constraint_name):  # type: ignore[arg-type]
        keep(p, say(says.CONSTRAINT_ON, kind=kind, name=op.constraint_name, table=op.table_name))
        return
    name = op.constraint_name or says.UNNAMED
    p.refuse(say(says.UNASKED_CONSTRAINT, entity=p.entity_words(op.table_name), kind=kind, name=name))
