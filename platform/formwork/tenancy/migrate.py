"""Plan and apply tenants' schema changes from the command line, one tenant or all of them.

`migrate_all` skips tenants whose definitions are unchanged, runs several at
once, reports each as it finishes (with every change applied or refused),
goes on past a tenant that fails, and returns a summary the caller turns
into an exit code. Retired columns and tables are dropped only when asked
(`drop_retired`), and then every tenant is looked at, changed or not.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from ..config import Settings
from ..meta.catalog import Catalog
from ..schema.plan import SchemaPlan
from .apps import tenant_runtime
from .cache import TenantApps, require_packs
from .customizations import customization_conflicts
from .provision import TenantError, planned_changes, sync_schema
from .registry import Tenant

Report = Callable[[str], None]


@dataclass
class MigrationSummary:
    migrated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def plan_tenant(settings: Settings, catalog: Catalog, tenant: Tenant, drop_retired: bool = False) -> SchemaPlan:
    """What `migrate` would do for `tenant`, in words, without changing anything."""
    require_packs(catalog, tenant)
    if drop_retired:
        refuse_dropping_left_out_customizations(settings, catalog, tenant)
    return planned_changes(tenant_runtime(settings, tenant, catalog), drop_retired)


def migrate_tenant(settings: Settings, catalog: Catalog, tenant: Tenant, drop_retired: bool = False) -> SchemaPlan | None:
    """Apply the tenant's changes; None when its definitions are unchanged and nothing retired is to be dropped."""
    require_packs(catalog, tenant)
    apps = TenantApps(settings, catalog)
    if tenant.definitions_hash == apps.definitions_hash(tenant) and not drop_retired:
        return None
    if drop_retired:
        refuse_dropping_left_out_customizations(settings, catalog, tenant)
    return sync_schema(settings, tenant, tenant_runtime(settings, tenant, catalog), drop_retired)


def refuse_dropping_left_out_customizations(settings: Settings, catalog: Catalog, tenant: Tenant) -> None:
    """A customization that no longer fits is left out of the definitions, so its x_ columns look retired;
    they are the tenant's data, waiting for the customization to be fixed, and must never be dropped."""
    conflicts = customization_conflicts(settings, catalog, tenant)
    if conflicts:
        raise TenantError(f"tenant '{tenant.slug}': --drop-retired is refused while customizations do not fit "
                          f"(their fields would be dropped with their data): {'; '.join(conflicts)}")


def migrate_all(settings: Settings, catalog: Catalog, tenants: list[Tenant], jobs: int, report: Report,
                drop_retired: bool = False) -> MigrationSummary:
    summary = MigrationSummary()
    total = len(tenants)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(migrate_tenant, settings, catalog, tenant, drop_retired): tenant for tenant in tenants}
        for done, future in enumerate(as_completed(futures), start=1):
            slug = futures[future].slug
            try:
                plan = future.result()
            except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the others
                summary.failed[slug] = str(exc)
                report(f"[{done}/{total}] {slug}: FAILED: {exc}")
                continue
            if plan is None:
                summary.unchanged.append(slug)
                report(f"[{done}/{total}] {slug}: unchanged")
            else:
                summary.migrated.append(slug)
                refused = f", {len(plan.refused)} refused" if plan.refused else ""
                report(f"[{done}/{total}] {slug}: {len(plan.apply)} change(s) applied{refused}")
                for line in plan.describe() + plan.left_alone:
                    report(f"    {line}")
    return summary
