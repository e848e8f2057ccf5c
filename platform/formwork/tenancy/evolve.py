"""Evolve a tenant's storage to its definitions: plan and change in one transaction, all of it or none.

Everything that must land with the schema change runs on the same connection,
inside the same transaction: values of computed columns the change adds, and
whatever the caller passes (a pack's seeds). So a refused plan, a failing step
or a failing seed leaves the tables exactly as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import sqlalchemy as sa

from ..compile.generated import tenant_metadata
from ..compile.logic import compute_formulas, record_values
from ..compile.rollups import recompute_rollups
from ..fields import kind_of
from ..meta.model import EntityDef
from ..schema.apply import apply_schema_plan, schema_transaction
from ..schema.plan import SchemaPlan, plan_schema_changes
from .errors import MigrationRefused
from .runtime import TenantRuntime

#: work that must commit with the schema change, or not at all (given the migration's connection)
WithSchema = Callable[[sa.Connection], None]
#: a SQLite migration that still finds the database locked after the driver's wait is tried again this often
LOCKED_RETRIES = 3


def apply_definitions(
    runtime: TenantRuntime,
    drop_retired: bool = False,
    previous: Mapping[str, EntityDef] | None = None,
    with_schema: WithSchema | None = None,
    report: Callable[[str], None] = lambda _: None,
    platform_tables_stored: bool = False,
) -> SchemaPlan:
    """Plan and apply every change the runtime's definitions imply, all or nothing (MigrationRefused if any is refused).

    Retired columns and tables are dropped only with `drop_retired`. On SQLite a database still locked by
    writers after the driver's wait is tried again a few times. `platform_tables_stored`: the tenant's recorded
    hash proves its storage has this release's platform tables and indexes, so they are not looked for again
    (one catalog query per table and index, most of a one-field migration's queries on PostgreSQL).
    """
    engine = runtime.session.get_bind()
    if not platform_tables_stored:
        create_platform_tables(engine)
    for attempt in range(LOCKED_RETRIES + 1):
        try:
            return _plan_and_apply(engine, runtime, drop_retired, previous, with_schema)
        except sa.exc.OperationalError as exc:
            if "database is locked" not in str(exc) or attempt == LOCKED_RETRIES:
                raise
            report(f"tenant {runtime.slug}: the database is busy; trying again")
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def create_platform_tables(engine: sa.Engine) -> None:
    """The platform's own tables in tenant storage, and indexes a release added to tables a tenant already has."""
    with engine.begin() as connection:
        metadata = tenant_metadata()
        metadata.create_all(connection)
        for table in metadata.tables.values():
            for index in table.indexes:
                index.create(connection, checkfirst=True)


def plan_definitions(
    connection: sa.Connection, runtime: TenantRuntime, drop_retired: bool, previous: Mapping[str, EntityDef] | None
) -> SchemaPlan:
    """What the runtime's definitions would change in the tables `connection` reaches; nothing is changed."""
    return plan_schema_changes(
        connection,
        runtime.compiled.metadata,
        runtime.catalog.entities.values(),
        drop_retired,
        previous=previous,
        packs=list(runtime.catalog.packs),
    )


def _plan_and_apply(
    engine: sa.Engine,
    runtime: TenantRuntime,
    drop_retired: bool,
    previous: Mapping[str, EntityDef] | None,
    with_schema: WithSchema | None,
) -> SchemaPlan:
    """Planned and applied in one transaction: what the plan saw is what it changes, all of it or nothing."""
    with schema_transaction(engine) as connection:
        plan = plan_definitions(connection, runtime, drop_retired, previous)
        if plan.refused:
            raise MigrationRefused(runtime.slug, plan)
        apply_schema_plan(connection, plan)
        backfill_computed(runtime, plan, connection)
        if with_schema is not None:
            with_schema(connection)
    return plan


def backfill_computed(runtime: TenantRuntime, plan: SchemaPlan, connection: sa.Connection) -> None:
    """A rollup or formula column added to a table with rows gets its values now, not at each row's next save."""
    added = plan.added_columns()
    fresh = {
        entity.qualified: [f for f in entity.fields if (entity.table, f.name) in added and kind_of(f).recomputed]
        for entity in runtime.catalog.entities.values()
    }
    if not any(fresh.values()):
        return
    with runtime.session.session_factory(bind=connection) as session:
        for entity in runtime.catalog.entities.values():
            rollups = [f for f in fresh[entity.qualified] if kind_of(f).aggregates_records]
            if rollups:
                recompute_rollups(session, runtime.compiled, entity, rollups)
            if any(kind_of(f).computed_by_expression for f in fresh[entity.qualified]):
                logic = runtime.compiled.logic[entity.qualified]
                for item in session.scalars(sa.select(runtime.compiled.model(entity.qualified))).all():
                    compute_formulas(logic, item, record_values(item, entity, session, runtime.compiled))
        session.commit()
