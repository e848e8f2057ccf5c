"""Create a tenant: registry row, storage, tables, FAB roles and permissions, first admin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from ..compile.generated import TENANT_METADATA
from ..compile.logic import compute_formulas, record_values
from ..compile.rollups import recompute_rollups
from ..config import Settings
from ..meta.catalog import Catalog
from ..schema.apply import apply_schema_plan, schema_transaction
from ..schema.plan import SchemaPlan, plan_schema_changes
from .apps import TenantRuntime
from .permissions import provision_app
from .registry import (
    RESERVED_SLUGS,
    SLUG_PATTERN,
    Tenant,
    find_tenant,
    platform_session,
    record_schema_change,
)
from .seeds import load_seeds, pending_seeds
from .storage import create_storage, drop_storage, new_location

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


class TenantError(Exception):
    """A tenant operation that cannot be done; the message says why."""


def check_new_tenant(settings: Settings, catalog: Catalog, slug: str, packs: list[str]) -> None:
    if not SLUG_PATTERN.match(slug):
        raise TenantError(f"'{slug}' is not a valid tenant slug: use 3-40 lowercase letters, digits and dashes, starting with a letter")
    if slug in RESERVED_SLUGS:
        raise TenantError(f"'{slug}' is reserved; choose another tenant slug")
    if find_tenant(settings.database_url, slug) is not None:
        raise TenantError(f"tenant '{slug}' already exists")
    unknown = [p for p in packs if p not in catalog.packs]
    if unknown:
        raise TenantError(f"unknown pack(s): {', '.join(unknown)}; available: {', '.join(sorted(catalog.packs))}")


def create_tenant(
    settings: Settings, catalog: Catalog, slug: str, name: str, packs: list[str],
    admin_user: str, admin_password: str, locale: str = "en", progress: Progress = lambda _: None,
    currency: str = "CNY", storage: str | None = None,
) -> Tenant:
    """Create everything a new tenant needs; on failure nothing is left behind.

    `storage` is sqlite, postgres_schema or postgres_database (None: the platform database's default).
    """
    check_new_tenant(settings, catalog, slug, packs)
    try:
        kind, location = new_location(settings, slug, storage)
    except ValueError as exc:
        raise TenantError(str(exc)) from None
    tenant = Tenant(slug=slug, name=name, locale=locale, currency=currency.upper(), storage_kind=kind,
                    storage_location=location, status="active")
    tenant.pack_versions = {name: catalog.packs[name].version for name in catalog.with_requirements(packs)}
    with platform_session(settings.database_url) as session:
        session.add(tenant)
        session.commit()
    progress("creating storage")
    try:
        create_storage(settings, tenant)
    except Exception:
        _forget(settings, tenant)  # not drop_storage: what failed to be created may be someone else's
        raise
    try:
        progress("creating tables, roles and permissions")
        app = provision_app(settings, tenant, catalog)
        plan = create_tables(app.extensions["formwork"])
        progress(f"creating admin user '{admin_user}'")
        add_admin(app, admin_user, admin_password)
        seeds = pending_seeds(app.extensions["formwork"].session.get_bind(), catalog, tenant.packs)
        if seeds:
            progress(f"loading {len(seeds)} seed(s)")
            load_seeds(app, seeds, tenant.locale, progress)
        record_schema_change(settings.database_url, slug, app.extensions["formwork"].definitions_hash, plan.describe(), [])
        mark_applied(settings, tenant, app.extensions["formwork"].definitions_hash)
    except Exception:
        drop_storage(settings, tenant)
        _forget(settings, tenant)
        raise
    return tenant


def _forget(settings: Settings, tenant: Tenant) -> None:
    with platform_session(settings.database_url) as session:
        session.delete(session.merge(tenant))
        session.commit()


def create_tables(runtime: TenantRuntime, drop_retired: bool = False) -> SchemaPlan:
    """Apply every lossless change the definitions imply (schema/rules.py); the plan says what was done and left alone.

    Retired columns and tables are dropped only with `drop_retired`.
    """
    engine = runtime.session.get_bind()
    create_platform_tables(engine)
    try:
        plan = _plan_and_apply(engine, runtime, drop_retired)
    except sa.exc.DBAPIError:
        # Another process applied the same change a moment ago: plan again from what is there now.
        log.info("tenant %s: schema changed while applying; planning again", runtime.slug)
        plan = _plan_and_apply(engine, runtime, drop_retired)
    for change in plan.refused:
        log.warning("tenant %s: %s", runtime.slug, change)
    backfill_computed(runtime, plan)
    return plan


def create_platform_tables(engine: sa.Engine) -> None:
    """The platform's own tables in tenant storage, and indexes a release added to tables a tenant already has."""
    with engine.begin() as connection:
        TENANT_METADATA.create_all(connection)
        for table in TENANT_METADATA.tables.values():
            for index in table.indexes:
                index.create(connection, checkfirst=True)


def planned_changes(runtime: TenantRuntime, drop_retired: bool = False) -> SchemaPlan:
    """What applying the definitions would change, without changing anything."""
    with runtime.session.get_bind().connect() as connection:
        return plan_schema_changes(connection, runtime.compiled.metadata, runtime.catalog.entities.values(), drop_retired)


def _plan_and_apply(engine: sa.Engine, runtime: Any, drop_retired: bool) -> SchemaPlan:
    """Planned and applied in one transaction: what the plan saw is what it changes, all of it or nothing."""
    with schema_transaction(engine) as connection:
        plan = plan_schema_changes(connection, runtime.compiled.metadata, runtime.catalog.entities.values(), drop_retired)
        apply_schema_plan(connection, plan)
    return plan


def backfill_computed(runtime: Any, plan: SchemaPlan) -> None:
    """A rollup or formula column added to a table with rows gets its values now, not at each row's next save."""
    added = plan.added_columns()
    session = runtime.session()
    try:
        for entity in runtime.catalog.entities.values():
            model = runtime.compiled.model(entity.qualified)
            fresh = [f for f in entity.fields if (entity.table, f.name) in added and f.type in ("rollup", "formula")]
            if any(f.type == "rollup" for f in fresh):
                recompute_rollups(session, runtime.compiled, entity, [f for f in fresh if f.type == "rollup"])
            if any(f.type == "formula" for f in fresh):
                logic = runtime.compiled.logic[entity.qualified]
                for item in session.scalars(sa.select(model)).all():
                    compute_formulas(logic, item, record_values(item, entity, session, runtime.compiled))
        session.commit()
    finally:
        runtime.session.remove()


def sync_schema(settings: Settings, tenant: Tenant, runtime: TenantRuntime, drop_retired: bool = False) -> SchemaPlan | None:
    """Before a tenant app serves: apply the lossless changes if its definitions changed since the last sync.

    The new hash is recorded only when nothing was refused, so a refused change is tried again
    (and logged again) until the definitions give a backfill or the data allows it.
    """
    if tenant.definitions_hash == runtime.definitions_hash and not drop_retired:
        return None
    plan = create_tables(runtime, drop_retired)
    for change in plan.describe():
        log.info("tenant %s: %s", tenant.slug, change)
    record_schema_change(settings.database_url, tenant.slug, runtime.definitions_hash, plan.describe(), plan.left_alone)
    if not plan.refused:
        mark_applied(settings, tenant, runtime.definitions_hash)
    return plan


def add_admin(app: Flask, username: str, password: str) -> None:
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role(sm.auth_role_admin)
        user = sm.add_user(username, username, "Admin", f"{username}@example.invalid", role, password=password)
        if not user:
            raise TenantError(f"could not create admin user '{username}'")


def mark_applied(settings: Settings, tenant: Tenant, definitions_hash: str) -> None:
    with platform_session(settings.database_url) as session:
        stored = session.get(Tenant, tenant.id)
        stored.definitions_hash = definitions_hash
        session.commit()
    tenant.definitions_hash = definitions_hash
