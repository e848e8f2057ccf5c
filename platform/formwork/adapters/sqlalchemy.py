"""SQLAlchemy's private names and implementation details, in one place.

Written against SQLAlchemy 2.0 and 2.1 (pyproject pins >=2.0,<2.2).
tests/test_adapters.py checks each against the installed SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def copied_column(column: sa.Column[Any]) -> sa.Column[Any]:
    """A copy of `column` bound to no table, to add it to a stored table with Alembic.

    SQLAlchemy 2.0–2.1 deprecate the public `Column.copy()` (it warns, "will be
    removed") and copy with the private `Column._copy()`, which Alembic uses too.
    """
    return column._copy()


@contextmanager
def commits_as_flushes(session: Session) -> Iterator[None]:
    """Inside, `session.commit()` only flushes: the caller commits once afterwards.

    Flask-AppBuilder 5.3's security manager commits after every permission it
    adds (`self.session.commit()` on the app's scoped session), and offers no
    way to batch them. Shadowing `commit` on the session object works because
    SQLAlchemy 2.0–2.1 `Session` has no `__slots__` and a `scoped_session`
    looks `commit` up on its current session at every call.
    """
    commit = session.commit
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        session.commit = commit  # type: ignore[method-assign]


def drop_unused_aggregates_listener() -> None:
    """Stop SQLAlchemy-Utils' `aggregated` attributes from walking every session's objects at every flush.

    Flask-AppBuilder imports SQLAlchemy-Utils, whose `aggregates` module (0.41–0.43) listens to `after_flush` of
    every `Session` through its module-level `manager` and iterates all objects of the session each time, to
    update `aggregated` attributes. Formwork declares none (its rollups are compile/rollups.py), so the listener
    only costs time: a flush of a batch of 500 records walked them all. Idempotent.
    """
    from sqlalchemy_utils import aggregates

    listener = aggregates.manager.construct_aggregate_queries
    if sa.event.contains(sa.orm.Session, "after_flush", listener):
        sa.event.remove(sa.orm.Session, "after_flush", listener)
