"""Create a tenant: registry row, storage, tables, FAB roles and permissions, first admin."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ..config import Settings
from ..i18n import CatalogText
from ..meta.catalog import Catalog
from .errors import TenantError
from .evolve import apply_definitions
from .first_admin import FirstAdmin
from .permissions import provision_app
from .registry import (
    RESERVED_SLUGS,
    SLUG_PATTERN,
    SchemaChange,
    Tenant,
    find_tenant,
    platform_session,
)
from .releases import server_release, store_releases
from .seeds import load_seeds, pending_seeds
from .state import TenantState, record_applied
from .storage import create_storage, drop_storage, new_location
from .templates import TenantTemplates, copy_template

Progress = Callable[[str], None]


INVALID_SLUG = CatalogText(
    "'{slug}' is not a valid tenant slug: use 3-40 lowercase letters, digits and dashes, starting with a letter"
)
RESERVED_SLUG = CatalogText("'{slug}' is reserved; choose another tenant slug")
TAKEN_SLUG = CatalogText("tenant '{slug}' already exists")


def slug_refusal(settings: Settings, slug: str) -> CatalogText | None:
    """Why `slug` cannot name a new tenant (a text with `{slug}`), None if it can: the CLI and the console's form
    ask the same question, so they refuse the same slugs."""
    if not SLUG_PATTERN.match(slug):
        return INVALID_SLUG
    if slug in RESERVED_SLUGS:
        return RESERVED_SLUG
    if find_tenant(settings.database_url, slug) is not None:
        return TAKEN_SLUG
    return None


def check_new_tenant(settings: Settings, catalog: Catalog, slug: str, packs: list[str]) -> None:
    refusal = slug_refusal(settings, slug)
    if refusal is not None:
        raise TenantError(str(refusal).format(slug=slug))
    unknown = [p for p in packs if p not in catalog.packs]
    if unknown:
        raise TenantError(f"unknown pack(s): {', '.join(unknown)}; available: {', '.join(sorted(catalog.packs))}")


def create_tenant(
    settings: Settings,
    catalog: Catalog,
    slug: str,
    name: str,
    packs: list[str],
    admin_user: str,
    admin_password: str,
    locale: str = "en",
    progress: Progress = lambda _: None,
    currency: str = "CNY",
    storage: str | None = None,
    templates: TenantTemplates | None = None,
    timezone: str = "UTC",
    admin_name: str = "",
    admin_email: str = "",
) -> Tenant:
    """Create everything a new tenant needs; on failure nothing is left behind.

    `storage` is sqlite, postgres_schema or postgres_database (None: the platform database's default). With
    `templates`, the tenant is a copy of the template of its packs, locale and currency when there is one; the first
    without one is built and kept as that template (tenancy/templates.py).
    """
    check_new_tenant(settings, catalog, slug, packs)
    admin = FirstAdmin(admin_user, admin_password, admin_name, admin_email)
    try:
        kind, location = new_location(settings, slug, storage)
    except ValueError as exc:
        raise TenantError(str(exc)) from None
    tenant = Tenant(
        slug=slug,
        name=name,
        locale=locale,
        currency=currency.upper(),
        timezone=timezone,
        storage_kind=kind,
        storage_location=location,
        status="active",
    )
    releases = [server_release(catalog, name) for name in catalog.with_requirements(packs)]
    tenant.pack_versions = {release.name: release.version for release in releases}
    tenant.releases = {release.name: release.digest for release in releases}
    state = TenantState(tuple(tenant.releases.items()))
    with platform_session(settings.database_url) as session:
        store_releases(session, releases)
        session.add(tenant)
        session.commit()
    template = templates.find(settings, tenant) if templates is not None else None
    if template is not None:
        progress("copying the template of its packs")
        try:
            copy_template(settings, tenant, template, admin)
            _record_created(settings, tenant, state, template.definitions_hash, template.plan)
        except Exception:
            drop_storage(settings, tenant)
            _forget(settings, tenant)
            raise
        return tenant
    progress("creating storage")
    try:
        create_storage(settings, tenant)
    except Exception:
        _forget(settings, tenant)  # not drop_storage: what failed to be created may be someone else's
        raise
    try:
        plan = _build(settings, catalog, tenant, state, admin, progress)
    except Exception:
        drop_storage(settings, tenant)
        _forget(settings, tenant)
        raise
    if templates is not None:
        templates.keep(settings, tenant, plan)
    return tenant


def _build(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    state: TenantState,
    admin: FirstAdmin,
    progress: Progress,
) -> list[str]:
    """Tables, roles and permissions, the admin user and the seeds in the tenant's new storage; returns the
    schema changes applied, as recorded."""
    progress("creating tables, roles and permissions")
    app = provision_app(settings, tenant, catalog, state)
    runtime = app.extensions["formwork"]
    plan = apply_definitions(runtime).describe()
    progress(f"creating admin user '{admin.username}'")
    add_admin(app, admin)
    seeds = pending_seeds(runtime.session.get_bind(), runtime.catalog, tenant.packs)
    if seeds:
        progress(f"loading {len(seeds)} seed(s)")
        load_seeds(app, seeds, tenant.locale, progress)
    _record_created(settings, tenant, state, runtime.definitions_hash, plan)
    return plan


def _record_created(settings: Settings, tenant: Tenant, state: TenantState, hash_: str, plan: list[str]) -> None:
    with platform_session(settings.database_url) as session:
        stored = session.get_one(Tenant, tenant.id)
        record_applied(stored, state, hash_)
        session.add(SchemaChange.of(tenant.slug, hash_, plan, [], "applied"))
        session.commit()
        tenant.applied_json, tenant.definitions_hash, tenant.generation = state.to_json(), hash_, stored.generation


def _forget(settings: Settings, tenant: Tenant) -> None:
    with platform_session(settings.database_url) as session:
        session.delete(session.merge(tenant))
        session.commit()


def add_admin(app: Flask, admin: FirstAdmin) -> None:
    with app.app_context():
        sm = app.appbuilder.sm  # type: ignore[attr-defined]  # FAB sets it on the app
        role = sm.find_role(sm.auth_role_admin)
        user = sm.add_user(
            admin.username, admin.first_name, admin.last_name, admin.email_address, role, password=admin.password
        )
        if not user:
            raise TenantError(f"could not create admin user '{admin.username}'")
