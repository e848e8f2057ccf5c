"""The rule for each kind of operation Alembic's autogenerate proposes: apply it, make it lossless, or refuse it.

Like autogenerate's own comparators, one small function per kind of
operation, found in RULES. A rule reads the stored data when the answer
depends on it (a required column on a table with rows, values longer than a
narrowed column) and says in words what it decided.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic.operations import ops as alembic_ops

from ..adapters.alembic import reverse_of
from ..adapters.sqlalchemy import copied_column
from ..compile.naming import is_entity_table, retired_column_name
from ..fields import FIELD_TYPES
from ..i18n import joined, say
from ..meta.model import FieldDef
from . import plan_texts as says
from .changes import Phase
from .constraints import (
    add_foreign_key,
    add_index,
    drop_constraint,
    drop_index,
    index_drops,
    keep,
    move_indexes_aside,
    not_formworks,
    owned_indexes,
    unlink_retired,
)
from .fit import capacity, change_words, losses, misfits, type_words
from .renames import move_counters

if TYPE_CHECKING:
    from .plan import Planner

#: tables of a tenant's database that no entity defines: FAB's, the platform's own, the databases'
PLATFORM_PREFIXES = ("ab_", "formwork_", "alembic_", "sqlite_")


def judge(planner: Planner, ops: list[alembic_ops.MigrateOperation]) -> None:
    """Send every proposed operation to its rule; retired tables are found apart (autogenerate ignores them)."""
    ops = pair_renames(planner, ops)
    planner.retiring = {(op.table_name, op.column_name) for op in ops if isinstance(op, alembic_ops.DropColumnOp)}
    for op in ops:
        RULES.get(type(op), refuse_unknown)(planner, op)
    retire_tables(planner)


def backfill_value(f: FieldDef) -> Any:
    """The field's `backfill:` as the API would store it (validated with the definitions)."""
    value = f.backfill.isoformat() if isinstance(f.backfill, datetime.date | datetime.time) else f.backfill
    return FIELD_TYPES[f.type].marshmallow_field(f).deserialize(value)


def _fill(table: str, column: str, type_: sa.types.TypeEngine | None, value: Any, where: Any) -> Any:
    """A step writing `value` into the rows `where(column)` selects."""
    target = sa.table(table, sa.column(column, type_))

    def run(operations: Any) -> None:
        operations.execute(sa.update(target).where(where(target.c[column])).values({column: value}))

    return run


# -- tables and columns -----------------------------------------------------------------------------


def add_table(p: Planner, op: alembic_ops.CreateTableOp) -> None:
    """A new table; references marked `use_alter` are added once every new table exists (SQLite puts them inline)."""
    later = (
        []
        if p.connection.dialect.name == "sqlite"
        else [
            (Phase.INDEXES, lambda ops, fk=fk: ops.invoke(alembic_ops.CreateForeignKeyOp.from_constraint(fk)))
            for fk in p.metadata.tables[op.table_name].foreign_key_constraints
            if fk.use_alter
        ]
    )
    p.add(say(says.ADD_TABLE, table=op.table_name), op.table_name, (Phase.TABLES, lambda ops: ops.invoke(op)), *later)


def add_column(p: Planner, op: alembic_ops.AddColumnOp) -> None:
    table, column = op.table_name, op.column
    f = p.field(table, column.name)
    if column.nullable or column.server_default is not None or p.rows(table) == 0:
        text = say(says.ADD_COLUMN, table=table, column=column.name)
        p.add(text, table, (Phase.COLUMNS, _adder(op, column.nullable)), added=(table, column.name))
    elif f is not None and f.backfill is not None:
        p.add(
            say(says.ADD_FILLED_COLUMN, table=table, column=column.name, rows=p.rows(table), value=repr(f.backfill)),
            table,
            (Phase.COLUMNS, _adder(op, nullable=True)),
            (Phase.FILLS, _fill(table, column.name, column.type, backfill_value(f), lambda c: c.is_(None))),
            (Phase.ALTERS, lambda batch: batch.alter_column(column.name, nullable=False, existing_type=column.type)),
            added=(table, column.name),
        )
    else:
        p.refuse(say(says.NEW_REQUIRED, what=p.name(table, column.name), rows=p.rows(table)))


def _adder(op: alembic_ops.AddColumnOp, nullable: bool | None) -> Any:
    def run(operations: Any) -> None:
        # The column's indexes come as their own CreateIndexOp; adding them here too would clash.
        column = copied_column(op.column)
        column.index = column.unique = None
        column.nullable = nullable
        sqlite = operations.get_context().dialect.name == "sqlite"  # SQLite adds a reference only inline
        operations.add_column(op.table_name, column, schema=op.schema, inline_references=sqlite or None)

    return run


def retire_column(p: Planner, op: alembic_ops.DropColumnOp) -> None:
    """A field gone from the definitions: its column and data stay, unless retired columns are to be dropped."""
    _retire(p, op.table_name, op.column_name)


def _retire(p: Planner, table: str, column: str, aside: str | None = None) -> None:
    """`aside` is where this plan moves the column first (a renamed field takes its name); it is read as `column`."""
    now = aside or column
    what, kept = p.name(table, now), p.count(table, sa.column(column).is_not(None))
    if p.drop_retired and (others := not_formworks(p, table, column)):
        p.refuse(say(says.NOT_DROPPED_FIELD, what=what, others=joined(others, says.LIST_ITEMS), table=table))
        return
    if p.drop_retired:  # its own indexes go first (a column moved aside had them dropped by the move)
        p.add(
            say(says.DROP_FIELD, what=what, kept=kept),
            table,
            *index_drops(table, [] if aside else owned_indexes(p, table, column)),
            (Phase.ALTERS, lambda batch: batch.drop_column(now)),
        )
        return
    links = _links(unlink_retired(p, table, {column}, {column: now}))
    p.plan.retired.append(say(says.RETIRED_FIELD, what=what, kept=kept, links=links))
    stored = p.stored_column(table, column)
    if not stored["nullable"]:
        p.add(
            say(says.OPTIONAL_RETIRED, what=what),
            table,
            (Phase.ALTERS, lambda batch: batch.alter_column(now, nullable=True, existing_type=stored["type"])),
        )


def retire_tables(p: Planner) -> None:
    """Tables of entities gone from the definitions: kept with their records, dropped only when asked.

    Only a table named like one of the tenant's packs' entities can be one; any other was made by someone else.
    """
    for table in sorted(set(p.inspector.get_table_names()) - set(p.metadata.tables)):
        if table.startswith(PLATFORM_PREFIXES):
            continue
        if not is_entity_table(table, p.packs):
            keep(p, say(says.TABLE, table=table))
            continue
        rows = p.count(table)
        if p.drop_retired and (others := not_formworks(p, table)):
            p.refuse(say(says.NOT_DROPPED_TABLE, table=table, others=joined(others, says.LIST_ITEMS)))
        elif p.drop_retired:
            p.add(
                say(says.DROP_TABLE, table=table, rows=rows),
                table,
                (Phase.DROP_TABLES, lambda ops, table=table: ops.drop_table(table)),  # type: ignore[misc]
            )
        else:
            links = _links(unlink_retired(p, table))
            p.plan.retired.append(say(says.RETIRED_TABLE, table=table, rows=rows, links=links))


def _links(targets: list[str]) -> str:
    """What a retired column's or table's references pointed to, each said to be no longer enforced."""
    return joined([say(says.LINK_NOT_ENFORCED, target=target) for target in targets], says.ONE_AFTER_ANOTHER)


def pair_renames(p: Planner, ops: list[alembic_ops.MigrateOperation]) -> list[alembic_ops.MigrateOperation]:
    """A field declared `renamed_from:` whose old column is stored: autogenerate's add + drop become a rename.

    When a retired column already has the new name (a field of that name was removed before), autogenerate saw
    no column to add but the retired one revived: it is moved aside first, so the rename happens as declared.
    """
    dropped = {(op.table_name, op.column_name): op for op in ops if isinstance(op, alembic_ops.DropColumnOp)}
    added = {(op.table_name, op.column.name): op for op in ops if isinstance(op, alembic_ops.AddColumnOp)}
    remaining = list(ops)
    for (table, new), f in p.fields.items():
        old = FIELD_TYPES[f.type].attribute(replace(f, name=f.renamed_from)) if f.renamed_from else None
        if old is None or (table, old) not in dropped:
            continue
        remaining.remove(dropped[(table, old)])
        p.renamed[(table, old)] = new
        if (table, new) in added:
            remaining.remove(added[(table, new)])
        else:
            remaining = _move_aside(p, table, new, remaining)
        entity = p.entities[table]
        p.add(
            say(says.RENAME_FIELD, pack=entity.pack, entity=entity.name, old=f.renamed_from, new=f.name),
            table,
            # mypy cannot infer a lambda whose defaults bind loop values
            (
                Phase.RENAMES,
                lambda ops, table=table, old=old, new=new: (  # type: ignore[misc]
                    ops.alter_column(table, old, new_column_name=new)
                ),
            ),
            *(
                [(Phase.RENAMES, lambda ops, old=f"{table}.{old}", new=f"{table}.{new}": move_counters(ops, old, new))]
                if FIELD_TYPES[f.type].numbered
                else []
            ),
        )
        _compare_renamed(p, table, old, p.metadata.tables[table].c[new])
    return remaining


def _move_aside(
    p: Planner, table: str, column: str, ops: list[alembic_ops.MigrateOperation]
) -> list[alembic_ops.MigrateOperation]:
    """Move the retired column `column` out of a renamed field's way, its values kept, and retire it there.

    Autogenerate compared it with the renamed field: its type change, index and constraint operations are about
    the wrong column, so they are left out of `ops`; the renamed column is judged by `_compare_renamed` and the
    field's indexes are made on it. Returns the operations that remain.
    """
    aside = retired_column_name(
        column, {c["name"] for c in p.inspector.get_columns(table)} | set(p.metadata.tables[table].c.keys())
    )
    indexes, index_steps = move_indexes_aside(p, table, column, aside)
    kept = "" if p.drop_retired else say(says.VALUES_KEPT, count=p.count(table, sa.column(column).is_not(None)))
    p.add(
        say(says.MOVE_ASIDE, entity=p.entity_words(table), column=column, aside=aside, kept=kept),
        table,
        (Phase.RENAMES, lambda ops: ops.alter_column(table, column, new_column_name=aside)),
        *index_steps,
    )
    _retire(p, table, column, aside)
    for index in p.metadata.tables[table].indexes:
        if column in index.columns:
            add_index(p, alembic_ops.CreateIndexOp.from_index(index))
    return [op for op in ops if not _about_column(op, table, column, indexes)]


def _about_column(op: alembic_ops.MigrateOperation, table: str, column: str, indexes: set[str | None]) -> bool:
    """Whether autogenerate proposed `op` for the stored column `column` or its indexes `indexes`."""
    if isinstance(op, alembic_ops.AlterColumnOp):
        return (op.table_name, op.column_name) == (table, column)
    if isinstance(op, alembic_ops.DropIndexOp):
        return op.table_name == table and op.index_name in indexes
    if isinstance(op, alembic_ops.CreateIndexOp):
        columns = [c if isinstance(c, str) else c.name for c in op.columns]  # type: ignore[union-attr]  # no text()
        return op.table_name == table and (op.index_name in indexes or column in columns)
    if isinstance(op, alembic_ops.CreateForeignKeyOp):
        return op.source_table == table and column in op.local_cols
    if isinstance(op, alembic_ops.DropConstraintOp):
        reverse = reverse_of(op)
        return op.table_name == table and column in (getattr(reverse, "local_cols", None) or [])
    return False


def _compare_renamed(p: Planner, table: str, old: str, column: sa.Column) -> None:
    """A renamed field may change its type or become required too: judged like any other column."""
    stored = p.stored_column(table, old)
    differs = p.context.impl.compare_type(sa.Column(old, stored["type"]), column)
    change = alembic_ops.AlterColumnOp(
        table,
        column.name,
        existing_type=stored["type"],
        existing_nullable=stored["nullable"],
        modify_type=column.type if differs else None,
        modify_nullable=column.nullable if column.nullable != stored["nullable"] else None,
    )
    alter_column(p, change, stored_name=old)


# -- types and nullability --------------------------------------------------------------------------


def alter_column(p: Planner, op: alembic_ops.AlterColumnOp, stored_name: str | None = None) -> None:
    """`stored_name` is the column's name in the database now, when this plan renames it first."""
    stored: sa.ColumnClause[Any] = sa.column(stored_name or op.column_name)
    if op.modify_type is not None:
        change_type(p, op, stored)
    if op.modify_nullable is not None:
        change_nullable(p, op, stored)


def change_type(p: Planner, op: alembic_ops.AlterColumnOp, stored: sa.ColumnClause) -> None:
    """A type change is applied when no stored value is lost; otherwise the plan says which values would be."""
    table, column, old, new = op.table_name, op.column_name, op.existing_type, op.modify_type
    assert old is not None and new is not None  # autogenerate gives both types of a type change
    what = p.name(table, column)
    alter = (
        Phase.ALTERS,
        lambda batch: batch.alter_column(column, type_=new, existing_type=old, existing_nullable=op.existing_nullable),
    )
    before, after = capacity(old), capacity(new)
    if before is None or after is None or not after.converts(before):
        p.refuse(say(says.NOT_CONVERTED, what=what, old=type_words(old), new=type_words(new)))
        return
    words, found = change_words(what, old, new), losses(old, new)
    lost = [(loss, n) for loss in found if (n := p.count(table, loss.misfits(stored)))]
    if after.holds(before):
        p.add(words, table, alter)
    elif not lost:
        p.add(say(says.EVERY_VALUE_FITS, change=words), table, alter)
    elif (f := p.field(table, column)) is not None and f.backfill is not None:
        bad = p.count(table, misfits(stored, found))
        fill = _fill(table, column, new, backfill_value(f), lambda c: misfits(c, found))
        p.add(
            say(says.MISFITS_REPLACED, change=words, count=bad, value=repr(f.backfill)),
            table,
            (Phase.FILLS, fill),
            alter,
        )
    else:
        which = joined([say(says.MISFITS, count=n, loss=loss.words) for loss, n in lost], says.CLAUSES)
        p.refuse(say(says.MISFITS_REFUSED, change=words, misfits=which))


def change_nullable(p: Planner, op: alembic_ops.AlterColumnOp, stored: sa.ColumnClause) -> None:
    table, column = op.table_name, op.column_name
    what, type_ = p.name(table, column), op.modify_type if op.modify_type is not None else op.existing_type

    def alter(batch: Any) -> None:
        batch.alter_column(column, nullable=op.modify_nullable, existing_type=type_)

    if op.modify_nullable:
        p.add(say(says.MAKE_OPTIONAL, what=what), table, (Phase.ALTERS, alter))
    elif (empty := p.count(table, stored.is_(None))) == 0:
        p.add(say(says.MAKE_REQUIRED, what=what), table, (Phase.ALTERS, alter))
    elif (f := p.field(table, column)) is not None and f.backfill is not None:
        fill = _fill(table, column, type_, backfill_value(f), lambda c: c.is_(None))
        p.add(
            say(says.REQUIRED_FILLED, what=what, empty=empty, value=repr(f.backfill)),
            table,
            (Phase.FILLS, fill),
            (Phase.ALTERS, alter),
        )
    else:
        p.refuse(say(says.REQUIRED_EMPTY, what=what, empty=empty))


def refuse_unknown(p: Planner, op: alembic_ops.MigrateOperation) -> None:
    table = getattr(op, "table_name", None) or getattr(op, "source_table", "")
    p.refuse(say(says.NOT_AUTOMATIC, operation=type(op).__name__.removesuffix("Op"), table=table))


RULES: dict[type[alembic_ops.MigrateOperation], Callable[[Planner, Any], None]] = {
    alembic_ops.CreateTableOp: add_table,
    alembic_ops.AddColumnOp: add_column,
    alembic_ops.DropColumnOp: retire_column,
    alembic_ops.AlterColumnOp: alter_column,
    alembic_ops.CreateIndexOp: add_index,
    alembic_ops.DropIndexOp: drop_index,
    alembic_ops.CreateForeignKeyOp: add_foreign_key,
    alembic_ops.DropConstraintOp: drop_constraint,
}
