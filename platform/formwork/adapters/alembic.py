"""Alembic's private names, in one place.

Written against Alembic 1.13 to 1.20 (pyproject pins >=1.13).
tests/test_adapters.py checks each against the installed Alembic.
"""

from __future__ import annotations

from alembic.operations import ops


def reverse_of(op: ops.DropConstraintOp) -> ops.AddConstraintOp | None:
    """The operation that would add back the constraint `op` drops, when Alembic knows that constraint; else None.

    In Alembic 1.13–1.20 autogenerate's comparison makes a drop from the
    reflected constraint and keeps it in the private `_reverse`; a drop by name alone has none, and the
    public `reverse()` then raises ValueError. The schema planner needs the
    columns of a dropped foreign key (`reverse_of(op).local_cols`) to tell
    whether it belongs to a retired or renamed column.
    """
    return op.reverse() if op._reverse is not None else None
