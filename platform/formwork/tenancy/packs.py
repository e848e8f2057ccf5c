"""Installing and upgrading a tenant's packs: a plan first, in words, then applying it all or nothing.

A tenant runs on the releases it installed (tenancy/releases.py). Installing a
pack also installs the packs it requires; upgrading moves one pack to the
release this server has. Either plans the tenant's new state (schema changes,
seeds, what happens to its customizations) without writing anything, refuses
when the plan refuses a change, a customization would no longer fit or the
tenant changed since the plan was made, then migrates to it: tables and the
seeds the tenant has not loaded in one transaction of its storage, then the
new releases and versions with the applied state. A failing seed changes
nothing, so running the command again tries it all again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sqlalchemy.orm import Session

from ..compile.generated import rekeyed
from ..config import Settings
from ..i18n import CatalogText, joined, say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionsInvalid
from ..meta.model import PackDef, SeedDef
from ..schema.changes import SchemaPlan
from .apps import build_tenant_app
from .customizations import StoredChange
from .customize import store_customizations
from .errors import REASONS, MigrationRefused, TenantError, TenantUnavailable
from .migrate import migrate_tenant, plan_tenant
from .pack_changes import Renames, declared_renames, follow_renames, hidden_new_fields, moved_keys
from .registry import Tenant
from .releases import Release, release_catalog, server_release, store_releases
from .seeds import load_seeds, pending_seeds
from .state import (
    TenantState,
    conflicts_of,
    definitions_hash,
    desired_state,
    effective_definitions,
)
from .storage import tenant_engine

Progress = Callable[[str], None]
#: a plan's lines, what applying it did and why it is refused: `formwork tenant install-pack`/`upgrade-pack` print
#: their English, the console shows them in the operator's language
INSTALL = CatalogText("install {pack} {version}")
UPGRADE = CatalogText("upgrade {pack} {installed} → {available}{changed}")
NOT_RECORDED = CatalogText("(version not recorded)")
SAME_VERSION = CatalogText(" (same version, other definitions)")
LEFT_FOR_MIGRATION = CatalogText("left for an explicit migration: {change}")
LOAD_SEED = CatalogText("load seed {seed} ({label}): {count} record(s)")
CONFLICT = CatalogText("conflict: {conflict}")
NOT_LOADED = CatalogText(
    "the installed release of {pack} no longer loads with this Formwork: renames and new fields are not looked for "
    "in the customizations"
)
INSTALLED = CatalogText("installed {releases}")
UPGRADED = CatalogText("upgraded {pack} {installed} → {available}")
LOADED_SEED = CatalogText("loaded seed {seed}: {count} record(s)")
STORED_RENAMED = CatalogText("{kind} {target}: stored with the release's renames")
UNKNOWN_PACK = CatalogText("unknown pack '{pack}'; available: {packs}")
ALREADY_INSTALLED = CatalogText("tenant '{slug}' already has pack {pack} {installed}{hint}")
USE_UPGRADE = CatalogText("; to move to {version} use `formwork tenant upgrade-pack`")
NOT_INSTALLED = CatalogText("tenant '{slug}' has no pack {pack}; install it with `formwork tenant install-pack`")
NOT_ON_SERVER = CatalogText("this server has no pack {pack}")
NO_DOWNGRADE = CatalogText(
    "tenant '{slug}' has {pack} {installed}; this server has the older {version}, and downgrading a pack is refused"
)
CANNOT_UPGRADE = CatalogText("cannot upgrade {pack} to {version}: {problems}")
REQUIRES_ABSENT = CatalogText(
    "{pack} {version} requires pack {required} {wanted}, which the tenant does not have; install it first"
)
REQUIRES_OTHER = CatalogText(
    "{pack} {version} requires {required} {wanted}, but the tenant has {required} {have}; upgrade {required} first"
)
REQUIRED_BY = CatalogText("{other} requires {pack} {asked}, which {pack} {version} is not")
INSTALLING = CatalogText("installing {pack}")
UPGRADING = CatalogText("upgrade of {pack}")
BLOCKED = CatalogText(
    "{what} refused: it conflicts with the tenant's customizations (change or remove them first): {conflicts}"
)


@dataclass
class PackPlan:
    """Installing or upgrading packs of a tenant: the state it moves to and everything that comes with it, in words."""

    #: the tenant's desired state the plan was made from: applying it is refused if the tenant changed since
    based_on: TenantState
    target: TenantState
    releases: list[Release]
    #: the schema changes of moving to `target` (applied all or nothing)
    schema: SchemaPlan
    seeds: list[SeedDef]
    #: customizations the new releases break; the plan is refused while there are any
    conflicts: list[str] = field(default_factory=list)
    #: what happens to customizations that still fit: renames followed, new pack fields they hide
    customizations: list[str] = field(default_factory=list)
    #: customization texts rewritten by the upgrade (renames followed), stored with it
    rewritten: dict[tuple[str, str], str] = field(default_factory=dict)
    #: customizations whose target an entity rename moved: stored under the new target instead
    moved: list[tuple[str, str]] = field(default_factory=list)
    #: (kind, former qualified name, new one) of definitions whose recorded rows follow them to another pack
    rekeys: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def versions(self) -> dict[str, str]:
        return {release.name: release.version for release in self.releases}

    @property
    def refused(self) -> list[str]:
        return self.schema.refused

    def details(self) -> list[str]:
        lines = self.schema.describe()
        lines += [say(LEFT_FOR_MIGRATION, change=change) for change in self.schema.retired]
        lines += list(self.schema.refused)
        lines += [say(LOAD_SEED, seed=seed.qualified, label=seed.label, count=len(seed.records)) for seed in self.seeds]
        lines += self.customizations
        lines += [say(CONFLICT, conflict=conflict) for conflict in self.conflicts]
        return lines


@dataclass
class PackInstallPlan(PackPlan):
    pack: str = ""

    def describe(self) -> list[str]:
        return [say(INSTALL, pack=r.name, version=r.version) for r in self.releases] + self.details()


@dataclass
class PackUpgradePlan(PackPlan):
    pack: str = ""
    installed: str | None = None
    available: str = ""

    @property
    def up_to_date(self) -> bool:
        return not self.releases

    def describe(self) -> list[str]:
        changed = SAME_VERSION if self.installed == self.available else ""
        installed = self.installed or NOT_RECORDED
        head = [say(UPGRADE, pack=self.pack, installed=installed, available=self.available, changed=changed)]
        return head + self.details()


def plan_install(settings: Settings, catalog: Catalog, tenant: Tenant, pack: str) -> PackInstallPlan:
    """What installing `pack` would do; TenantError when it cannot be installed. Nothing is written."""
    if pack not in catalog.packs:
        raise TenantError(say(UNKNOWN_PACK, pack=pack, packs=", ".join(sorted(catalog.packs))))
    if pack in tenant.packs:
        installed = tenant.pack_versions[pack]
        version = catalog.packs[pack].version
        hint = "" if installed == version else say(USE_UPGRADE, version=version)
        raise TenantError(
            say(ALREADY_INSTALLED, slug=tenant.slug, pack=pack, installed=installed or NOT_RECORDED, hint=hint)
        )
    current = _desired(settings, catalog, tenant)
    added = [server_release(catalog, name) for name in catalog.with_requirements([pack]) if name not in tenant.packs]
    return PackInstallPlan(**_moving(settings, catalog, tenant, current, _with(current, added), added), pack=pack)


def install_pack(
    settings: Settings, catalog: Catalog, tenant: Tenant, plan: PackInstallPlan, progress: Progress = lambda _: None
) -> list[str]:
    """Apply an install plan: tables and seeds, then releases and versions (with the applied state); returns what was
    done."""
    _refuse_blocked(tenant, plan, say(INSTALLING, pack=plan.pack))
    done = _apply(settings, catalog, tenant, plan, progress)
    releases = ", ".join(f"{name} {version}" for name, version in plan.versions.items())
    return [*done, say(INSTALLED, releases=releases)]


def plan_upgrade(settings: Settings, catalog: Catalog, tenant: Tenant, pack: str) -> PackUpgradePlan:
    """What moving `pack` to this server's release would do; TenantError when it must not be done. Nothing is written."""
    if pack not in tenant.packs:
        raise TenantError(say(NOT_INSTALLED, slug=tenant.slug, pack=pack))
    if pack not in catalog.packs:
        raise TenantError(say(NOT_ON_SERVER, pack=pack))
    current = _desired(settings, catalog, tenant)
    installed, release = tenant.pack_versions[pack], server_release(catalog, pack)
    if installed is not None and Version(release.version) < Version(installed):
        raise TenantError(say(NO_DOWNGRADE, slug=tenant.slug, pack=pack, installed=installed, version=release.version))
    if dict(current.releases)[pack] == release.digest and installed == release.version:
        return PackUpgradePlan(
            current, current, [], SchemaPlan(), [], pack=pack, installed=installed, available=release.version
        )
    old_base = _loaded(settings, current.releases)
    problems = requirement_conflicts(tenant, old_base or catalog, catalog.packs[pack])
    if problems:
        raise TenantError(say(CANNOT_UPGRADE, pack=pack, version=release.version, problems=joined(problems, REASONS)))
    moved = _with(current, [release])
    new_base = release_catalog(settings.database_url, moved.releases)
    renames = declared_renames(old_base, new_base, pack) if old_base else Renames()
    followed, notes = follow_renames(current.overlay_sources, renames)
    plan = PackUpgradePlan(
        **_moving(settings, catalog, tenant, current, moved.with_overlays(followed), [release]),
        pack=pack,
        installed=installed,
        available=release.version,
    )
    plan.customizations = notes + (
        hidden_new_fields(old_base, new_base, pack, followed, renames) if old_base else [say(NOT_LOADED, pack=pack)]
    )
    plan.rewritten = {key: text for key, text in followed.items() if current.overlay_sources.get(key) != text}
    plan.moved = [key for key in current.overlay_sources if key not in followed]
    plan.rekeys = moved_keys(current.overlay_sources, renames)
    return plan


def upgrade_pack(
    settings: Settings, catalog: Catalog, tenant: Tenant, plan: PackUpgradePlan, progress: Progress = lambda _: None
) -> list[str]:
    """Apply an upgrade plan; refused while it has conflicts or refused changes. Returns what was done."""
    _refuse_blocked(tenant, plan, say(UPGRADING, pack=plan.pack))
    done = _apply(settings, catalog, tenant, plan, progress)
    installed = plan.installed or NOT_RECORDED
    return [*done, say(UPGRADED, pack=plan.pack, installed=installed, available=plan.available)]


def requirement_conflicts(tenant: Tenant, installed: Catalog, new: PackDef) -> list[str]:
    """Version ranges the new release would break: its own requirements, and those of the tenant's other packs
    (as their installed releases say)."""
    versions = tenant.pack_versions
    problems: list[str] = []
    for required, wanted in new.requires.items():
        have = versions.get(required)
        if required not in versions:
            problems.append(say(REQUIRES_ABSENT, pack=new.name, version=new.version, required=required, wanted=wanted))
        elif have is not None and Version(have) not in SpecifierSet(wanted):
            problems.append(
                say(REQUIRES_OTHER, pack=new.name, version=new.version, required=required, wanted=wanted, have=have)
            )
    for other, pack in installed.packs.items():
        asked = pack.requires.get(new.name) if other != new.name else None
        if asked and Version(new.version) not in SpecifierSet(asked):
            problems.append(say(REQUIRED_BY, other=other, pack=new.name, asked=asked, version=new.version))
    return problems


def _desired(settings: Settings, catalog: Catalog, tenant: Tenant) -> TenantState:
    try:
        return desired_state(settings, catalog, tenant)
    except TenantUnavailable as exc:
        raise TenantError(exc.reason) from None


def _with(state: TenantState, releases: list[Release]) -> TenantState:
    return state.with_releases({release.name: release.digest for release in releases})


def _loaded(settings: Settings, releases: tuple[tuple[str, str], ...]) -> Catalog | None:
    """The definitions of installed releases; None when a newer Formwork no longer loads them."""
    try:
        return release_catalog(settings.database_url, releases)
    except (DefinitionsInvalid, LookupError):
        return None


def _moving(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    current: TenantState,
    target: TenantState,
    releases: list[Release],
) -> dict[str, Any]:
    """What every pack plan says of moving the tenant from `current` to `target`: schema, seeds, conflicts."""
    definitions = effective_definitions(settings, tenant.slug, target)[0]
    return {
        "based_on": current,
        "target": target,
        "releases": releases,
        "schema": plan_tenant(settings, catalog, tenant, target=target),
        "seeds": pending_seeds(tenant_engine(settings, tenant), definitions, [r.name for r in releases]),
        "conflicts": conflicts_of(settings, tenant.slug, target),
    }


def _refuse_blocked(tenant: Tenant, plan: PackPlan, what: str) -> None:
    """Conflicting customizations or a refused schema change stop the whole plan: nothing is changed."""
    if plan.conflicts:
        raise TenantError(say(BLOCKED, what=what, conflicts=joined(plan.conflicts, REASONS)))
    if plan.refused:
        raise MigrationRefused(tenant.slug, plan.schema)


def _apply(settings: Settings, catalog: Catalog, tenant: Tenant, plan: PackPlan, progress: Progress) -> list[str]:
    """Tables and seeds in one transaction of the tenant's storage, then the releases, versions and applied state in
    one of the platform's: a failing seed changes nothing, and running the command again tries it all again."""
    loaded: dict[str, int] = {}
    app = build_tenant_app(settings, tenant, catalog, state=plan.target) if plan.seeds else None  # before any lock

    def load(connection: sa.Connection) -> None:
        for kind, old, new in plan.rekeys:
            for statement in rekeyed(kind, old, new):
                connection.execute(statement)
        if plan.seeds:
            progress(f"loading {len(plan.seeds)} seed(s)")
            assert app is not None  # built above, as there are seeds to load
            loaded.update(load_seeds(app, plan.seeds, tenant.locale, progress, connection))

    progress("applying schema changes")
    applied = migrate_tenant(
        settings,
        catalog,
        tenant,
        target=plan.target,
        based_on=plan.based_on,
        report=progress,
        with_schema=load if plan.seeds or plan.rekeys else None,
        then=_record_releases(settings, tenant, plan),
    )
    schema = applied.describe() if applied is not None else []
    seeds = [say(LOADED_SEED, seed=name, count=count) for name, count in loaded.items()]
    rewritten = [say(STORED_RENAMED, kind=kind, target=target) for kind, target in plan.rewritten]
    return schema + seeds + rewritten


def _record_releases(settings: Settings, tenant: Tenant, plan: PackPlan) -> Callable[[Session, Tenant], None]:
    """Record the new releases and versions (and customizations rewritten for renames) with the applied state."""
    changes = [StoredChange(kind, target, "removed", None) for kind, target in plan.moved]
    changes += [
        StoredChange(kind, target, "follows the pack's renames", text)
        for (kind, target), text in plan.rewritten.items()
    ]

    def record(session: Session, stored: Tenant) -> None:
        store_releases(session, plan.releases)
        stored.pack_versions = {**stored.pack_versions, **plan.versions}
        stored.releases = {**stored.releases, **{r.name: r.digest for r in plan.releases}}
        if changes:
            store_customizations(
                session, stored, changes, "upgrade", definitions_hash(settings, tenant.slug, plan.target)
            )

    return record


def upgrades_available(catalog: Catalog, tenant: Tenant) -> dict[str, str]:
    """{pack: this server's version} for installed packs it has another release of: a newer version, the same
    version with other definitions (marked "changed"), or any version when the installed one is not recorded."""
    found = {}
    for name, installed in tenant.pack_versions.items():
        if name not in catalog.sources:
            continue
        release = server_release(catalog, name)
        if installed is None or Version(release.version) > Version(installed):
            found[name] = release.version
        elif release.version == installed and tenant.releases.get(name, release.digest) != release.digest:
            found[name] = f"{release.version}, changed"
    return found
