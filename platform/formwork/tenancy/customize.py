"""Changing a tenant's customizations: validated, planned, applied all or nothing, then stored with their history.

A change (store, remove, revert) is first checked against the tenant's
installed releases and other customizations, then becomes the target of a
migration: the customizations are stored, with a new version in their history,
in the same platform transaction that records the tenant's storage as having
them. A change whose schema plan is refused (a required field over empty
records without `backfill:`) stores nothing and changes no table.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..config import Settings
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from .customizations import (
    CustomizationError,
    Overlay,
    StoredChange,
    check_overlays,
    customization_history,
    merge_overlays,
    origin,
    overlays_from_sources,
    read_overlays,
    stored_sources,
)
from .locks import migration_lock
from .migrate import Report, current_row, migrate_tenant, silent
from .registry import Customization, CustomizationVersion, Tenant
from .releases import release_catalog
from .state import conflicts_of, definitions_hash, desired_state, installed_releases


def installed_base(settings: Settings, catalog: Catalog, tenant: Tenant) -> Catalog:
    """The definitions of the tenant's installed releases, without customizations: what overlays are checked on."""
    return release_catalog(settings.database_url, tuple(installed_releases(settings, catalog, tenant).items()))


def customization_conflicts(settings: Settings, catalog: Catalog, tenant: Tenant) -> list[str]:
    """The customizations that do not fit the tenant's packs, in words (they are left out when serving)."""
    return conflicts_of(settings, tenant.slug, desired_state(settings, catalog, tenant))


def store_overlays(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    overlays: list[Overlay],
    replace_all: bool = False,
    actor: str = "cli",
    report: Report = silent,
) -> list[str]:
    """Validate, apply and store `overlays` (replacing those with the same target); with `replace_all`, remove the rest.

    Returns what changed, in words, then the schema changes; nothing is stored when any overlay has an error
    (DefinitionsInvalid) or the schema plan is refused (MigrationRefused).
    """
    with migration_lock(settings, tenant.slug, report):
        tenant = current_row(settings, tenant.slug)
        current = stored_sources(settings, tenant.slug)
        check_overlays(installed_base(settings, catalog, tenant), tenant.slug, {} if replace_all else current, overlays)
        wanted = {} if replace_all else dict(current)
        wanted.update({(o.kind, o.target): o.source for o in overlays})
        changes = [
            StoredChange(kind, target, "added" if (kind, target) not in current else "changed", source)
            for (kind, target), source in wanted.items()
            if current.get((kind, target)) != source
        ]
        changes += [
            StoredChange(kind, target, "removed", None) for kind, target in current if (kind, target) not in wanted
        ]
        return publish(settings, catalog, tenant, wanted, changes, actor, report)


def remove_overlay(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    kind: str,
    target: str,
    actor: str = "cli",
    report: Report = silent,
) -> list[str]:
    """Remove one customization; refused (DefinitionsInvalid) when other customizations that fit now would not.

    The fields an extension added are retired by the migration like any removed field: columns and data stay.
    """
    with migration_lock(settings, tenant.slug, report):
        tenant = current_row(settings, tenant.slug)
        current = stored_sources(settings, tenant.slug)
        if (kind, target) not in current:
            known = ", ".join(f"{k} {t}" for k, t in sorted(current)) or "none"
            raise CustomizationError(f"tenant '{tenant.slug}' has no customization {kind} {target} (it has: {known})")
        base = installed_base(settings, catalog, tenant)
        failing_before = {e.file for e in merge_overlays(base, overlays_from_sources(tenant.slug, current)[0])[1]}
        wanted = {key: source for key, source in current.items() if key != (kind, target)}
        broken = [
            e
            for e in merge_overlays(base, overlays_from_sources(tenant.slug, wanted)[0])[1]
            if e.file not in failing_before
        ]
        if broken:
            raise DefinitionsInvalid(broken)
        return publish(settings, catalog, tenant, wanted, [StoredChange(kind, target, "removed", None)], actor, report)


def revert_overlay(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    kind: str,
    target: str,
    version: int,
    actor: str = "cli",
    report: Report = silent,
) -> list[str]:
    """Make a customization what it was at `version` (stored again if it was removed since), validated like any overlay.

    Returns what changed (nothing when it already is so); DefinitionsInvalid if that version no longer fits.
    """
    wanted_version = _version(settings, tenant.slug, kind, target, version)
    if wanted_version.source is None:
        raise CustomizationError(
            f"version {version} of {kind} {target} is its removal; remove it with "
            f"`formwork tenant uncustomize {tenant.slug} {kind} {target}`"
        )
    overlays = read_overlays(wanted_version.source, f"{origin(tenant.slug, kind, target)} version {version}")
    with migration_lock(settings, tenant.slug, report):
        tenant = current_row(settings, tenant.slug)
        current = stored_sources(settings, tenant.slug)
        if current.get((kind, target)) == wanted_version.source:
            return []
        check_overlays(installed_base(settings, catalog, tenant), tenant.slug, current, overlays)
        wanted = {**current, (kind, target): wanted_version.source}
        change = StoredChange(kind, target, f"reverted to version {version}", wanted_version.source)
        return publish(settings, catalog, tenant, wanted, [change], actor, report)


def publish(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    wanted: dict[tuple[str, str], str],
    changes: list[StoredChange],
    actor: str,
    report: Report,
) -> list[str]:
    """Migrate the tenant to its customizations `wanted`, storing them (and their history) as it is recorded.

    Called with the tenant's migration lock held and its current row, so nothing can change it in between.
    """
    if not changes:
        return []
    target = desired_state(settings, catalog, tenant).with_overlays(wanted)
    hash_ = definitions_hash(settings, tenant.slug, target)

    def store(session: Session, stored: Tenant) -> None:
        store_customizations(session, stored, changes, actor, hash_)

    plan = migrate_tenant(settings, catalog, tenant, target=target, then=store, report=report)
    schema = (plan.describe() + plan.left_alone) if plan else []
    return [change.describe() for change in changes] + schema


def store_customizations(session: Session, tenant: Tenant, changes: list[StoredChange], actor: str, hash_: str) -> None:
    """The customization rows as `changes` leave them, with one history version per change."""
    rows = {
        (r.kind, r.target): r
        for r in session.scalars(sa.select(Customization).where(Customization.tenant_slug == tenant.slug))
    }
    for change in changes:
        row = rows.get((change.kind, change.target))
        if change.source is None:
            session.delete(row)
        elif row is None:
            session.add(
                Customization(tenant_slug=tenant.slug, kind=change.kind, target=change.target, source=change.source)
            )
        else:
            row.source = change.source
        latest = session.scalar(
            sa.select(sa.func.max(CustomizationVersion.version)).where(
                CustomizationVersion.tenant_slug == tenant.slug,
                CustomizationVersion.kind == change.kind,
                CustomizationVersion.target == change.target,
            )
        )
        session.add(
            CustomizationVersion(
                tenant_slug=tenant.slug,
                kind=change.kind,
                target=change.target,
                version=(latest or 0) + 1,
                change=change.change,
                source=change.source,
                actor=actor,
                definitions_hash=hash_,
            )
        )


def _version(settings: Settings, slug: str, kind: str, target: str, version: int) -> CustomizationVersion:
    versions = [v for v in customization_history(settings, slug, target) if v.kind == kind]
    for stored in versions:
        if stored.version == version:
            return stored
    known = ", ".join(str(v.version) for v in versions)
    raise CustomizationError(
        f"{kind} {target} of tenant '{slug}' has no version {version}"
        + (f" (it has {known})" if known else " (it has no history)")
    )
