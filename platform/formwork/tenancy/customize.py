"""Changing a tenant's customizations: validated, planned, applied all or nothing, then stored with their history.

A change (store, remove, revert) is first checked against the tenant's
installed releases and other customizations, then becomes the target of a
migration: the customizations are stored, with a new version in their history,
in the same platform transaction that records the tenant's storage as having
them. A change whose schema plan is refused (a required field over empty
records without `backfill:`) stores nothing and changes no table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from ..config import Settings
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import EntityDef
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
from .revisions import latest_revision, sources_at
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
    comment: str = "",
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
        return publish(settings, catalog, tenant, wanted, changes, actor, report, comment)


def restore_revision(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    number: int,
    actor: str,
    comment: str = "",
    report: Report = silent,
) -> list[str]:
    """Make the tenant's customizations what they were at revision `number`, as one new revision.

    Overlays added since are removed and their fields retired (columns and data kept), changed ones get their text
    of then back; DefinitionsInvalid when that set no longer fits the tenant's packs (nothing changes then)."""
    sources = restored_sources(settings, catalog, tenant, number)
    overlays = [
        overlay
        for (kind, target), source in sorted(sources.items())
        for overlay in read_overlays(source, f"{origin(tenant.slug, kind, target)} revision {number}")
    ]
    return store_overlays(
        settings,
        catalog,
        tenant,
        overlays,
        replace_all=True,
        actor=actor,
        report=report,
        comment=comment or f"restored revision {number}",
    )


def restored_sources(settings: Settings, catalog: Catalog, tenant: Tenant, number: int) -> dict[tuple[str, str], str]:
    """The customizations of revision `number`, with the choice renames made since mapped back.

    A choice renamed since (`map_choices: {retail: consumer}`) has its records stored under the new value, which the
    definitions of then do not offer: restoring them as they were would be refused (or blank those values). So the
    restored extension maps the new value back to the old one, and every record keeps a value it can show."""
    sources = sources_at(settings, tenant.slug, number)
    base = installed_base(settings, catalog, tenant)
    now, _ = merge_overlays(base, overlays_from_sources(tenant.slug, stored_sources(settings, tenant.slug))[0])
    then, _ = merge_overlays(base, overlays_from_sources(tenant.slug, sources)[0])
    for entity in then.entities.values():
        current = now.entities.get(entity.qualified)
        for name, back in (_renames_back(entity, current) if current else {}).items():
            key = ("EntityExtension", entity.qualified)
            data: dict[str, Any] = (
                yaml.safe_load(sources[key]) if key in sources else {"kind": key[0], "entity": key[1]}
            )
            data.setdefault("changes", {}).setdefault(name, {})["map_choices"] = back
            sources[key] = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return sources


def _renames_back(then: EntityDef, now: EntityDef) -> dict[str, dict[str, str]]:
    """{field: its map_choices of then, with {new: old} for each choice renamed since}, of the fields that have one."""
    found = {}
    for field in then.fields:
        renamed = now.field(field.name)
        offered, known = {c.value for c in field.offered_choices}, {c.value for c in field.choices}
        back = {
            new: old
            for old, new in (renamed.map_choices if renamed else {}).items()
            if old in offered and new not in known
        }
        if back:
            found[field.name] = {**field.map_choices, **back}
    return found


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
    comment: str = "",
) -> list[str]:
    """Migrate the tenant to its customizations `wanted`, storing them (and their history) as it is recorded.

    Called with the tenant's migration lock held and its current row, so nothing can change it in between.
    """
    if not changes:
        return []
    target = desired_state(settings, catalog, tenant).with_overlays(wanted)
    hash_ = definitions_hash(settings, tenant.slug, target)

    def store(session: Session, stored: Tenant) -> None:
        store_customizations(session, stored, changes, actor, hash_, comment)

    plan = migrate_tenant(settings, catalog, tenant, target=target, then=store, report=report)
    schema = (plan.describe() + plan.left_alone) if plan else []
    return [change.describe() for change in changes] + schema


def store_customizations(
    session: Session, tenant: Tenant, changes: list[StoredChange], actor: str, hash_: str, comment: str = ""
) -> None:
    """The customization rows as `changes` leave them, with one history version per change, all of one new revision."""
    revision = latest_revision(session, tenant.slug) + 1
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
                revision=revision,
                comment=comment,
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
