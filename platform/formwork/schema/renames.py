"""Entity renames: `renamed_from:` on an entity renames its table before the rest of the plan is judged.

`renamed_from: x.project` names an entity of another pack (a pack version taking over a tenant's own entity); the
table moves just the same. A renamed table keeps its records, and the references to it follow by
themselves: PostgreSQL refers to a table by its oid, SQLite (3.26 and later)
rewrites the other tables' references. Neither renames the table's indexes,
and SQLite cannot rename an index at all, so they are made again under the
names the definitions now give them; the old names are then free for a
later entity. Tables named after the entity's (its many-to-many link tables)
are renamed with it, and so are its auto numbers' counters and the platform's rows keyed by the entity's name
(history, comments, files, approvals, followers…: `compile.generated.rekeyed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..compile.generated import SEQUENCES, rekeyed
from ..i18n import Said, joined, say
from ..meta.model import EntityDef
from . import plan_texts as says
from .changes import Change, Phase


@dataclass(frozen=True)
class IndexRename:
    old: str
    new: str
    columns: list[str]
    unique: bool


def entity_renames(connection: sa.Connection, metadata: sa.MetaData, entities: Iterable[EntityDef]) -> list[Change]:
    """A change for each entity whose table is stored under its former name and not yet under its new one."""
    inspector = sa.inspect(connection)
    stored = set(inspector.get_table_names())
    changes = []
    for entity in entities:
        if entity.former_qualified is None or entity.former_table is None:
            continue
        old = entity.former_table
        tables = [
            (old + name.removeprefix(entity.table), name)
            for name in sorted(metadata.tables, key=len)
            if name == entity.table or name.startswith(f"{entity.table}__")
        ]
        tables = [(before, after) for before, after in tables if before in stored and after not in stored]
        if not tables or tables[0][0] != old:
            continue
        rows = connection.scalar(sa.select(sa.func.count()).select_from(sa.table(old))) or 0
        links = joined(
            [say(says.LINK_TABLE, old=before, new=after) for before, after in tables[1:]], says.ONE_AFTER_ANOTHER
        )
        changes.append(
            Change(
                _rename_words(entity, old, links, rows),
                entity.table,
                [
                    (
                        Phase.RENAME_TABLES,
                        _renamer(before, after, _index_renames(inspector, metadata.tables[after], before)),
                    )
                    for before, after in tables
                ]
                + [(Phase.FILLS, _rekeyer(entity.former_qualified, entity.qualified))],
            )
        )
    return changes


def _rename_words(entity: EntityDef, old_table: str, links: str, rows: int) -> Said:
    tables = {"old_table": old_table, "new_table": entity.table, "links": links, "rows": rows}
    if entity.former_qualified != f"{entity.pack}.{entity.renamed_from}":
        return say(says.TAKE_OVER_ENTITY, old=entity.former_qualified, new=entity.qualified, **tables)
    return say(says.RENAME_ENTITY, pack=entity.pack, old=entity.renamed_from, new=entity.name, **tables)


def _index_renames(inspector: sa.Inspector, table: sa.Table, stored_table: str) -> list[IndexRename]:
    """The stored indexes the definitions give another name now that the table has its new one."""
    wanted: dict[tuple[tuple[str | None, ...], bool], str | None] = {
        (tuple(c.name for c in index.columns), bool(index.unique)): index.name for index in table.indexes
    }
    renames = []
    for index in inspector.get_indexes(stored_table):
        old, columns = index["name"], index["column_names"]
        new = wanted.get((tuple(columns), bool(index["unique"])))
        # a match means every column has a name (no expression index), and a stored index always has one
        if new is not None and old is not None and new != old:
            renames.append(IndexRename(old, new, [str(c) for c in columns], bool(index["unique"])))
    return renames


def _renamer(old: str, new: str, indexes: list[IndexRename]) -> Any:
    def run(operations: Any) -> None:
        operations.rename_table(old, new)
        for index in indexes:
            operations.drop_index(index.old, table_name=new)
            operations.create_index(index.new, new, index.columns, unique=index.unique)
        move_counters(operations, old, new)

    return run


def _rekeyer(old: str, new: str) -> Any:
    def run(operations: Any) -> None:
        for statement in rekeyed("Entity", old, new):
            operations.execute(statement)

    return run


def move_counters(operations: Any, old: str, new: str) -> None:
    """Auto numbers go on counting under the new name of their table (`old` a table) or column (`old` a `table.column`).

    Counters are kept by `table.column` (compile/generated.py); under a new name one would start again at 1.
    """
    name = SEQUENCES.c.name
    operations.execute(
        sa.update(SEQUENCES)
        .where(sa.or_(name == old, name.startswith(f"{old}.", autoescape=True)))
        .values(name=sa.literal(new) + sa.func.substr(name, len(old) + 1))
    )
