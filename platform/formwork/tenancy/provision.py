"""Create a tenant: registry row, storage, tables, FAB roles and permissions, first admin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops as alembic_ops
from flask import Flask

from ..compile.generated import TENANT_METADATA
from ..compile.logic import compute_formulas, record_values
from ..compile.rollups import recompute_rollups
from ..config import Settings
from ..meta.catalog import Catalog
from ..schema.plan import SchemaPlan, apply_schema_plan, plan_schema_changes
from .apps import build_tenant_app
from .registry import (
    RESERVED_SLUGS,
    SLUG_PATTERN,
    Tenant,
    find_tenant,
    platform_session,
    record_schema_change,
)
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
    currency: str = "CNY",
) -> Tenant:
    """Create everything a new tenant needs; on failure nothing is left behind."""
    check_new_tenant(settings, catalog, slug, packs)
    kind, location = new_location(settings, slug)
    tenant = Tenant(slug=slug, name=name, locale=locale, currency=currency.upper(), storage_kind=kind,
                    storage_location=location, status="active")
    tenant.packs = catalog.with_requirements(packs)
    with platform_session(settings.database_url) as session:
        session.add(tenant)
        session.commit()
    try:
        progress("creating storage")
        create_storage(settings, tenant)
        progress("creating tables, roles and permissions")
        app = build_tenant_app(settings, tenant, catalog, provisioning=True)
        plan = create_tables(app)
        progress(f"creating admin user '{admin_user}'")
        add_admin(app, admin_user, admin_password)
        record_schema_change(settings.database_url, slug, app.extensions["formwork"].definitions_hash, plan.describe(), [])
        mark_applied(settings, tenant, app.extensions["formwork"].definitions_hash)
    except Exception:
        drop_storage(settings, tenant)
        with platform_session(settings.database_url) as session:
            session.delete(session.merge(tenant))
            session.commit()
        raise
    return tenant


def create_tables(app: Flask) -> SchemaPlan:
    """Add the tables, columns and indexes the definitions imply; the plan says what was done and left alone."""
    runtime = app.extensions["formwork"]
    engine = runtime.session.get_bind()
    TENANT_METADATA.create_all(engine)
    try:
        plan = _plan_and_apply(engine, runtime.compiled.metadata)
    except sa.exc.DBAPIError:
        # Another process applied the same change a moment ago: plan again from what is there now.
        log.info("tenant %s: schema changed while applying; planning again", runtime.slug)
        plan = _plan_and_apply(engine, runtime.compiled.metadata)
    for change in plan.left_alone:
        log.warning("tenant %s: schema change left for `formwork migrate`: %s", runtime.slug, change)
    backfill_computed(runtime, plan)
    return plan


def planned_changes(app: Flask) -> SchemaPlan:
    """What applying the definitions would change, without changing anything."""
    runtime = app.extensions["formwork"]
    with runtime.session.get_bind().connect() as connection:
        return plan_schema_changes(connection, runtime.compiled.metadata)


def _plan_and_apply(engine: sa.Engine, metadata: sa.MetaData) -> SchemaPlan:
    with engine.begin() as connection:
        plan = plan_schema_changes(connection, metadata)
        apply_schema_plan(connection, plan)
    return plan


def backfill_computed(runtime: Any, plan: SchemaPlan) -> None:
    """A rollup or formula column added to a table with rows gets its values now, not at each row's next save."""
    added = {(op.table_name, op.column.name) for op in plan.apply if isinstance(op, alembic_ops.AddColumnOp)}
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


def sync_schema(settings: Settings, tenant: Tenant, app: Flask) -> SchemaPlan | None:
    """Before a tenant app serves: apply additive changes if its definitions changed since the last sync."""
    runtime = app.extensions["formwork"]
    if tenant.definitions_hash == runtime.definitions_hash:
        return None
    plan = create_tables(app)
    for change in plan.describe():
        log.info("tenant %s: %s", tenant.slug, change)
    record_schema_change(settings.database_url, tenant.slug, runtime.definitions_hash, plan.describe(), plan.left_alone)
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
