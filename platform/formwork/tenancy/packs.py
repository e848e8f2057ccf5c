"""Installing and upgrading a tenant's packs: a plan first, in words, then applying it.

A tenant records the version of each pack it installed. Installing a pack also
installs the packs it requires; upgrading moves one pack to the version this
server has. Either applies the schema changes (`migrate.migrate_tenant`), loads
the seeds the tenant has not loaded yet, and records the versions last, so a
failure leaves the tenant on the versions it had and a second run tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ..config import Settings
from ..meta.catalog import Catalog
from ..meta.model import SeedDef
from .apps import build_tenant_app
from .cache import TenantUnavailable, require_packs
from .customizations import customization_conflicts
from .migrate import migrate_tenant, plan_tenant
from .provision import TenantError
from .registry import Tenant, find_tenant, platform_session
from .seeds import load_seeds, pending_seeds
from .storage import tenant_engine

Progress = Callable[[str], None]


@dataclass
class PackInstallPlan:
    """Installing `pack` into a tenant: the packs added (with what they require), tables and seeds."""

    pack: str
    versions: dict[str, str]
    schema_changes: list[str]
    left_alone: list[str]
    seeds: list[SeedDef]

    def describe(self) -> list[str]:
        lines = [f"install {name} {version}" for name, version in self.versions.items()]
        lines += self.schema_changes
        lines += [f"left for an explicit migration: {change}" for change in self.left_alone]
        lines += [f"load seed {seed.qualified} ({seed.label}): {len(seed.records)} record(s)" for seed in self.seeds]
        return lines


@dataclass
class PackUpgradePlan:
    """Moving `pack` from the version a tenant installed to the version this server has."""

    pack: str
    installed: str | None
    available: str
    schema_changes: list[str]
    left_alone: list[str]
    seeds: list[SeedDef]
    #: the tenant's customizations the new version breaks; an upgrade with conflicts is refused
    conflicts: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.installed == self.available

    def describe(self) -> list[str]:
        lines = [f"upgrade {self.pack} {self.installed or '(version not recorded)'} → {self.available}"]
        lines += self.schema_changes
        lines += [f"left for an explicit migration: {change}" for change in self.left_alone]
        lines += [f"load seed {seed.qualified} ({seed.label}): {len(seed.records)} record(s)" for seed in self.seeds]
        lines += [f"conflict: {conflict}" for conflict in self.conflicts]
        return lines


def with_packs(tenant: Tenant, versions: dict[str, str | None]) -> Tenant:
    """A detached copy of `tenant` with other pack versions: what it would be, to plan with, never saved."""
    copy = Tenant(**{column.key: getattr(tenant, column.key) for column in sa.inspect(Tenant).column_attrs})
    copy.pack_versions = versions
    return copy


def plan_install(settings: Settings, catalog: Catalog, tenant: Tenant, pack: str) -> PackInstallPlan:
    """What installing `pack` would do; TenantError when it cannot be installed."""
    if pack not in catalog.packs:
        raise TenantError(f"unknown pack '{pack}'; available: {', '.join(sorted(catalog.packs))}")
    if pack in tenant.packs:
        installed = tenant.pack_versions[pack]
        hint = "" if installed == catalog.packs[pack].version else \
            f"; to move to {catalog.packs[pack].version} use `formwork tenant upgrade-pack`"
        raise TenantError(f"tenant '{tenant.slug}' already has pack {pack} {installed or '(version not recorded)'}{hint}")
    _require_packs(catalog, tenant)
    added = {name: catalog.packs[name].version for name in catalog.with_requirements([pack]) if name not in tenant.packs}
    future = with_packs(tenant, {**tenant.pack_versions, **added})
    schema = plan_tenant(settings, catalog, future)
    seeds = pending_seeds(tenant_engine(settings, tenant), catalog, list(added))
    return PackInstallPlan(pack, added, schema.describe(), schema.left_alone, seeds)


def install_pack(settings: Settings, catalog: Catalog, tenant: Tenant, plan: PackInstallPlan,
                 progress: Progress = lambda _: None) -> list[str]:
    """Apply an install plan: tables, permissions, seeds, then the versions; returns what was done."""
    future = with_packs(tenant, {**tenant.pack_versions, **plan.versions})
    done = _apply(settings, catalog, future, plan.seeds, progress)
    record_pack_versions(settings, tenant, plan.versions)
    return [*done, f"installed {', '.join(f'{name} {version}' for name, version in plan.versions.items())}"]


def plan_upgrade(settings: Settings, catalog: Catalog, tenant: Tenant, pack: str) -> PackUpgradePlan:
    """What upgrading `pack` to this server's version would do; TenantError when it must not be done."""
    if pack not in tenant.packs:
        raise TenantError(f"tenant '{tenant.slug}' has no pack {pack}; install it with `formwork tenant install-pack`")
    _require_packs(catalog, tenant)
    installed, available = tenant.pack_versions[pack], catalog.packs[pack].version
    if installed is not None and Version(available) < Version(installed):
        raise TenantError(f"tenant '{tenant.slug}' has {pack} {installed}; this server has the older {available}, "
                          "and downgrading a pack is refused")
    problems = requirement_conflicts(catalog, tenant, pack)
    if problems:
        raise TenantError(f"cannot upgrade {pack} to {available}: " + "; ".join(problems))
    if installed == available:
        return PackUpgradePlan(pack, installed, available, [], [], [])
    schema = plan_tenant(settings, catalog, tenant)
    seeds = pending_seeds(tenant_engine(settings, tenant), catalog, [pack])
    conflicts = customization_conflicts(settings, catalog, tenant)
    return PackUpgradePlan(pack, installed, available, schema.describe(), schema.left_alone, seeds, conflicts)


def requirement_conflicts(catalog: Catalog, tenant: Tenant, pack: str) -> list[str]:
    """Version ranges the new version of `pack` would break: its own requirements, and those of the other packs."""
    versions, new = tenant.pack_versions, catalog.packs[pack]
    problems = []
    for required, wanted in new.requires.items():
        have = versions.get(required)
        if required not in versions:
            problems.append(f"{pack} {new.version} requires pack {required} {wanted}, which the tenant does not have; "
                            f"install it first")
        elif have is not None and Version(have) not in SpecifierSet(wanted):
            problems.append(f"{pack} {new.version} requires {required} {wanted}, but the tenant has {required} {have}; "
                            f"upgrade {required} first")
    for other in versions:
        wanted = catalog.packs[other].requires.get(pack) if other != pack else None
        if wanted and Version(new.version) not in SpecifierSet(wanted):
            problems.append(f"{other} requires {pack} {wanted}, which {pack} {new.version} is not")
    return problems


def upgrade_pack(settings: Settings, catalog: Catalog, tenant: Tenant, plan: PackUpgradePlan,
                 progress: Progress = lambda _: None) -> list[str]:
    """Apply an upgrade plan; refused while it has conflicts. Returns what was done."""
    if plan.conflicts:
        raise TenantError(f"upgrade of {plan.pack} refused: it conflicts with the tenant's customizations "
                          f"(change or remove them first): " + "; ".join(plan.conflicts))
    done = _apply(settings, catalog, tenant, plan.seeds, progress)
    record_pack_versions(settings, tenant, {plan.pack: plan.available})
    return [*done, f"upgraded {plan.pack} {plan.installed or '(version not recorded)'} → {plan.available}"]


def _apply(settings: Settings, catalog: Catalog, tenant: Tenant, seeds: list[SeedDef], progress: Progress) -> list[str]:
    progress("applying schema changes")
    schema = migrate_tenant(settings, catalog, tenant)
    done = schema.describe() if schema is not None else []
    if seeds:
        progress(f"loading {len(seeds)} seed(s)")
        created = load_seeds(build_tenant_app(settings, tenant, catalog), seeds, tenant.locale, progress)
        done += [f"loaded seed {name}: {count} record(s)" for name, count in created.items()]
    return done


def record_pack_versions(settings: Settings, tenant: Tenant, versions: dict[str, str]) -> None:
    """Record installed versions in the registry (added packs go after the ones the tenant has)."""
    with platform_session(settings.database_url) as session:
        stored = session.get(Tenant, tenant.id)
        stored.pack_versions = {**stored.pack_versions, **versions}
        session.commit()
    tenant.packs_json = find_tenant(settings.database_url, tenant.slug).packs_json


def _require_packs(catalog: Catalog, tenant: Tenant) -> None:
    try:
        require_packs(catalog, tenant)
    except TenantUnavailable as exc:
        raise TenantError(exc.reason) from None


def upgrades_available(catalog: Catalog, tenant: Tenant) -> dict[str, str]:
    """{pack: newer version on this server} for the tenant's packs that have one (or whose version is not recorded)."""
    found = {}
    for name, installed in tenant.pack_versions.items():
        available = catalog.packs[name].version if name in catalog.packs else None
        if available is not None and (installed is None or Version(available) > Version(installed)):
            found[name] = available
    return found
