"""The names Formwork gives what it creates in a tenant's storage, and whether a stored object is one of them.

The platform changes only what it created: an index, constraint or table an
operator made by hand is reported and left as it is, never dropped. What is
Formwork's is decided by name, so the names are made, and recognised, here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from itertools import count

#: PostgreSQL's limit for a name, in bytes (SQLite has none); Formwork's names are ASCII
MAX_NAME = 63


def index_name(table: str, columns: Sequence[str], unique: bool = False) -> str:
    """A declared index: `ix_<table>_<columns>`, `ux_…` when unique, cut to fit PostgreSQL."""
    return f"{'ux' if unique else 'ix'}_{table}_{'_'.join(columns)}"[:MAX_NAME]


def is_formworks_index(table: str, name: str | None, columns: Sequence[str | None]) -> bool:
    """Whether a stored index on `columns` has a name Formwork gives such an index.

    A declared index is cut to fit (`index_name`); a field's own index (`indexed`, `unique`, references) is
    SQLAlchemy's `ix_<table>_<column>`, which PostgreSQL's dialect shortens to 55 characters, `_` and the last
    four hex digits of the full name's MD5.
    """
    named = [c for c in columns if c]
    if len(named) < len(columns):
        return False  # an index on an expression: Formwork makes none
    for prefix in ("ix", "ux"):
        full = f"{prefix}_{table}_{'_'.join(named)}"
        hashed = f"{full[: MAX_NAME - 8]}_{hashlib.md5(full.encode()).hexdigest()[-4:]}"
        if name in (full, full[:MAX_NAME], hashed):
            return True
    return False


def is_formworks_constraint(table: str, name: str | None) -> bool:
    """Formwork declares primary keys and references without a name; the names they get are these: Alembic's batch
    mode's `fk_<table>_<column>_<referred table>` (`schema.apply.BATCH_NAMING`), PostgreSQL's `<table>_pkey` and
    `<table>_<column>_fkey` (a digit added on a clash), and none at all on SQLite."""
    if name is None:
        return True
    table = re.escape(table)
    return re.fullmatch(rf"fk_{table}_.+_.+|{table}_pkey\d*|{table}_.+_fkey\d*", name) is not None


def is_entity_table(table: str, packs: Iterable[str]) -> bool:
    """`<pack>_<entity>` (and its link tables `<pack>_<entity>__<field>`) for one of the tenant's packs."""
    return any(table.startswith(f"{pack}_") for pack in packs)


def retired_column_name(column: str, taken: Collection[str]) -> str:
    """Where a retired column is moved aside when a renamed field takes its name: `<column>__retired`, then
    `__retired_2`, … whichever is free, the column's own name cut so that the whole fits PostgreSQL."""
    suffixes = ("__retired" if number == 1 else f"__retired_{number}" for number in count(1))
    return next(name for suffix in suffixes if (name := column[: MAX_NAME - len(suffix)] + suffix) not in taken)
