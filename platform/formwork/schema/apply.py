"""Carry out a schema plan in one transaction, phase by phase.

On PostgreSQL DDL is transactional: a failing step rolls back the whole
plan. SQLite's DDL is transactional too, but Python's sqlite3 driver opens
transactions only before data changes, so the transaction is begun
explicitly, as IMMEDIATE: it waits for concurrent writers instead of
failing. SQLite alters most things by recreating the table (Alembic's
batch mode); a recreated table that other tables refer to would take their
rows with it under `PRAGMA foreign_keys=ON` (ON DELETE CASCADE), so foreign
keys are off while the plan runs and checked before it commits, as SQLite's
documentation prescribes for table changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from .changes import Phase, SchemaPlan

#: SQLite leaves references unnamed; batch mode names them by this convention, so that one can be dropped by name
BATCH_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


class ForeignKeysBroken(Exception):
    """The plan would leave rows referring to records that do not exist; nothing was applied."""


@contextmanager
def schema_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction for planning and applying a tenant's changes: all of them happen, or none."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only possible outside a transaction
        try:
            # an open Connection always holds its driver's connection: SQLAlchemy types it Optional
            if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                # IMMEDIATE takes the write lock now, waiting out writers for the driver's busy timeout; a deferred
                # transaction that read first fails at once when a writer committed meanwhile ("database is locked")
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield connection
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise ForeignKeysBroken(f"{len(broken)} row(s) would refer to missing records, first in {broken[0][0]}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def apply_schema_plan(connection: sa.Connection, plan: SchemaPlan) -> None:
    """Run every change's steps in phase order; alterations of one table share one batch."""
    operations = Operations(MigrationContext.configure(connection))
    steps = sorted(
        ((phase, change.table, step) for change in plan.apply for phase, step in change.steps), key=lambda item: item[0]
    )
    for phase, group in groupby(steps, key=lambda item: item[0]):
        if phase is not Phase.ALTERS:
            for _, _, step in group:
                step(operations)
            continue
        for table, table_steps in groupby(sorted(group, key=lambda item: item[1]), key=lambda item: item[1]):
            with operations.batch_alter_table(table, naming_convention=BATCH_NAMING) as batch:
                for _, _, step in table_steps:
                    step(batch)
