"""Move a tenant's storage to a state of its definitions: planned and applied all or nothing, under its lock.

`migrate_tenant` plans the changes from what the tenant's tables are to a
target state (by default its desired state: installed releases plus stored
customizations), applies them in one transaction only when nothing is refused
(tenancy/evolve.py), and records the state as applied together with the schema
change log, which also keeps refused and failed attempts. A refused or failed
migration changes nothing, and the tenant goes on being served from what it
had. `plan_tenant` shows exactly what `migrate_tenant` would do. `migrate_all`
goes through many tenants, several at once, counting migrated, unchanged,
refused and failed ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..config import Settings
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..schema.plan import SchemaPlan
from .apps import tenant_runtime
from .errors import MigrationRefused, TenantChanged, TenantError, TenantUnavailable
from .evolve import WithSchema, apply_definitions, plan_definitions
from .locks import migration_lock
from .registry import SchemaChange, Tenant, find_tenant, platform_session
from .runtime import TenantRuntime
from .state import (
    TenantState,
    applied_state,
    definitions_hash,
    desired_state,
    effective_definitions,
    record_applied,
)

Report = Callable[[str], None]
#: what a caller records with the applied state, in the same platform transaction (customizations, pack versions)
Then = Callable[[Session, Tenant], None]
log = logging.getLogger(__name__)


def silent(_line: str) -> None:
    """The report of a caller that shows no progress."""


@dataclass
class MigrationSummary:
    migrated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return (
            f"{len(self.migrated)} migrated, {len(self.unchanged)} unchanged, {len(self.refused)} refused, "
            f"{len(self.failed)} failed"
        )

    @property
    def ok(self) -> bool:
        return not (self.refused or self.failed)


def plan_tenant(
    settings: Settings, catalog: Catalog, tenant: Tenant, drop_retired: bool = False, target: TenantState | None = None
) -> SchemaPlan:
    """What `migrate_tenant` would do for `tenant` (to `target`, by default its desired state), changing nothing."""
    target = target or desired_state(settings, catalog, tenant)
    if drop_retired:
        refuse_dropping_left_out_customizations(settings, tenant.slug, target)
    runtime = tenant_runtime(settings, tenant, catalog, target)
    with runtime.session.get_bind().connect() as connection:
        return plan_definitions(connection, runtime, drop_retired, previous_entities(settings, tenant))


def migrate_tenant(
    settings: Settings,
    catalog: Catalog,
    tenant: Tenant,
    drop_retired: bool = False,
    target: TenantState | None = None,
    based_on: TenantState | None = None,
    with_schema: WithSchema | None = None,
    then: Then | None = None,
    report: Report = silent,
) -> SchemaPlan | None:
    """Bring the tenant's storage to `target` (by default its desired state) and record it as applied.

    Returns the plan applied; None when the storage already has the target and there is nothing else to do.
    Raises MigrationRefused when the plan refuses a change: then nothing was changed. A target computed
    before the lock was held names the desired state it was computed from (`based_on`): if another change
    was applied meanwhile, TenantChanged is raised and nothing is changed. `with_schema` runs on the
    migration's own connection and commits with the schema change or not at all (a pack's seeds); `then`
    runs in the platform transaction that records the applied state (customizations, pack versions), so what
    a caller stores is stored exactly when the storage has it.
    """
    with migration_lock(settings, tenant.slug, report):
        tenant = current_row(settings, tenant.slug)
        if based_on is not None and desired_state(settings, catalog, tenant) != based_on:
            raise TenantChanged(tenant.slug)
        target = target or desired_state(settings, catalog, tenant)
        if drop_retired:
            refuse_dropping_left_out_customizations(settings, tenant.slug, target)
        runtime = tenant_runtime(settings, tenant, catalog, target)
        has_it = applied_state(tenant) == target and tenant.definitions_hash == runtime.definitions_hash
        if has_it and not drop_retired and with_schema is None and then is None:
            return None
        plan = _attempt(settings, tenant, runtime, drop_retired, with_schema, report)
        _record(settings, tenant, target, runtime.definitions_hash, plan, then)
    for change in plan.describe():
        log.info("tenant %s: %s", tenant.slug, change)
    return plan


def current_row(settings: Settings, slug: str) -> Tenant:
    """The tenant's row as it is now (once a lock is held, another migration may just have changed it)."""
    tenant = find_tenant(settings.database_url, slug)
    if tenant is None:
        raise TenantError(f"no tenant '{slug}'")
    return tenant


def _attempt(
    settings: Settings,
    tenant: Tenant,
    runtime: TenantRuntime,
    drop_retired: bool,
    with_schema: WithSchema | None,
    report: Report,
) -> SchemaPlan:
    """Apply the plan; a refused or failed attempt changed nothing, and is logged in the schema change log."""
    try:
        return apply_definitions(
            runtime,
            drop_retired,
            previous_entities(settings, tenant),
            with_schema,
            report,
            platform_tables_stored=_has_platform_tables(settings, tenant),
        )
    except MigrationRefused as refused:
        _log_attempt(
            settings, tenant.slug, runtime.definitions_hash, refused.plan.describe(), refused.plan.left_alone, "refused"
        )
        raise
    except Exception as exc:
        _log_attempt(settings, tenant.slug, runtime.definitions_hash, [], [f"failed: {exc}"], "failed")
        raise


def _has_platform_tables(settings: Settings, tenant: Tenant) -> bool:
    """Whether the tenant's storage is proven to have this release's platform tables: it is recorded as having its
    applied state as this release builds it, and their shape is part of that hash (compile/generated.storage_hash)."""
    try:
        return _served_as_is(settings, tenant) is not None
    except TenantUnavailable:  # its applied release no longer loads with this Formwork: nothing is proven
        return False


def _log_attempt(
    settings: Settings, slug: str, hash_: str, operations: list[str], left_alone: list[str], outcome: str
) -> None:
    with platform_session(settings.database_url) as session:
        session.add(SchemaChange.of(slug, hash_, operations, left_alone, outcome))
        session.commit()


def _record(
    settings: Settings, tenant: Tenant, target: TenantState, hash_: str, plan: SchemaPlan, then: Then | None
) -> None:
    """The applied state, the change log entry and what the caller stores with them: one platform transaction."""
    with platform_session(settings.database_url) as session:
        stored = session.get_one(Tenant, tenant.id)
        record_applied(stored, target, hash_)
        if plan.apply or plan.left_alone:
            session.add(SchemaChange.of(tenant.slug, hash_, plan.describe(), plan.left_alone, "applied"))
        if then is not None:
            then(session, stored)
        session.commit()


def previous_entities(settings: Settings, tenant: Tenant) -> dict[str, EntityDef] | None:
    """The entities (by table) the tenant's storage was last migrated to; None when that is not known."""
    applied = applied_state(tenant)
    if applied is None:
        return None
    try:
        definitions = effective_definitions(settings, tenant.slug, applied)[0]
    except TenantUnavailable:  # its installed release no longer loads with this Formwork: every field is checked
        return None
    return {entity.table: entity for entity in definitions.entities.values()}


def refuse_dropping_left_out_customizations(settings: Settings, slug: str, target: TenantState) -> None:
    """A customization that no longer fits is left out of the definitions, so its x_ columns look retired;
    they are the tenant's data, waiting for the customization to be fixed, and must never be dropped."""
    conflicts = effective_definitions(settings, slug, target)[1]
    if conflicts:
        raise TenantError(
            f"tenant '{slug}': --drop-retired is refused while customizations do not fit "
            f"(their fields would be dropped with their data): "
            f"{'; '.join(f'{c.file}: {c.message}' for c in conflicts)}"
        )


# -- what serving needs --------------------------------------------------------------------------------


def bring_up_to_date(settings: Settings, catalog: Catalog, tenant: Tenant) -> tuple[TenantState, Tenant]:
    """The state to serve the tenant from, and the registry row it comes from (its generation names the app).

    Only what a new release of Formwork itself can need happens here: a tenant from before applied states were
    recorded is migrated to its desired state once (what serving did then; TenantUnavailable if that is
    refused), and a tenant whose own tables changed with Formwork (a platform table or index added) gets them
    for the state it has. Its definitions never move here: only install, upgrade, customize and migrate do.
    """
    if (state := _served_as_is(settings, tenant)) is not None:
        return state, tenant
    with migration_lock(settings, tenant.slug):
        tenant = current_row(settings, tenant.slug)
        if (state := _served_as_is(settings, tenant)) is not None:
            return state, tenant
        applied = applied_state(tenant)
        try:
            migrate_tenant(settings, catalog, tenant, target=applied)
        except MigrationRefused as refused:
            if applied is None:
                raise TenantUnavailable(tenant.slug, str(refused)) from None
            log.error("%s; serving it as it is", refused)
            return applied, tenant
        tenant = current_row(settings, tenant.slug)
        return applied_state(tenant) or desired_state(settings, catalog, tenant), tenant


def _served_as_is(settings: Settings, tenant: Tenant) -> TenantState | None:
    """The applied state when the tenant's storage has it as this release of Formwork builds it."""
    applied = applied_state(tenant)
    if applied is not None and tenant.definitions_hash == definitions_hash(settings, tenant.slug, applied):
        return applied
    return None


# -- many tenants ---------------------------------------------------------------------------------------


def migrate_all(
    settings: Settings, catalog: Catalog, tenants: list[Tenant], jobs: int, report: Report, drop_retired: bool = False
) -> MigrationSummary:
    """Migrate every tenant in `tenants` (`jobs` at once), reporting each as it finishes; one failing never stops the rest."""
    summary = MigrationSummary()
    total = len(tenants)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(migrate_tenant, settings, catalog, tenant, drop_retired, report=report): tenant
            for tenant in tenants
        }
        for done, future in enumerate(as_completed(futures), start=1):
            _count(summary, futures[future].slug, future, f"[{done}/{total}]", report)
    return summary


def _count(
    summary: MigrationSummary, slug: str, future: Future[SchemaPlan | None], prefix: str, report: Report
) -> None:
    try:
        plan = future.result()
    except MigrationRefused as refused:
        summary.refused[slug] = str(refused)
        report(f"{prefix} {slug}: REFUSED, nothing changed")
        for line in refused.plan.refused:
            report(f"    {line}")
        return
    except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the others
        summary.failed[slug] = str(exc)
        report(f"{prefix} {slug}: FAILED, nothing changed: {exc}")
        return
    if plan is None:
        summary.unchanged.append(slug)
        report(f"{prefix} {slug}: unchanged")
        return
    summary.migrated.append(slug)
    report(f"{prefix} {slug}: {len(plan.apply)} change(s) applied")
    for line in plan.describe() + plan.left_alone:
        report(f"    {line}")
