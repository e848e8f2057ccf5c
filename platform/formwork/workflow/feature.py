"""Approvals as a feature: what the workflow package declares on the registry (formwork/features.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..features import (
    APPROVAL_STARTERS,
    ATTACHMENT_LOCKS,
    COMMANDS,
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    ENTITY_SCREENS,
    FIELD_USES,
    JOBS,
    RECORD_GRANTS,
    RECORD_PANELS,
    ROLE_RIGHTS,
    SCREENS,
    TENANT_TABLES,
    TIMELINE_SOURCES,
    EntityScreens,
    FeatureCommand,
    FeatureRegistry,
    Job,
    JobDone,
    RecordPanel,
)
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from . import tables
from .checks import check_chains
from .commands import tick_command, worker_command
from .definition import ChainDef, build_chain
from .engine import Approvals
from .field_uses import chain_field_uses
from .lock import files_lock, refuse_locked_changes, refuse_locked_delete
from .roles import approver_rights
from .starts import start_in_transaction
from .timeouts import replace_inactive, run_due
from .views import ApprovalScreens
from .visibility import approval_events, asked_to_decide

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime
    from ..tenancy.worker import JobServices


def add_chain(catalog: Catalog, chain: ChainDef) -> list[DefinitionError]:
    """Approval chains by `pack.name`."""
    if chain.qualified in catalog.chains:
        return [chain.document.error(("name",), f"pack {chain.pack} has two approval chains named '{chain.name}'")]
    catalog.chains[chain.qualified] = chain
    return []


APPROVAL_CHAIN = Kind(
    "ApprovalChain",
    "approvalchain.json",
    build_chain,
    add_chain,
    Partial(),
    collection="chains",
    schema_package="formwork.workflow",
    customizable=True,
)


def approval_screens(appbuilder: Any, catalog: Catalog) -> None:
    """The inbox, the approval screens and the delegation screens (imported when an app is built: they need FAB)."""
    from .views import register_approvals

    register_approvals(appbuilder, catalog)


def approvals_api(appbuilder: Any, _catalog: Catalog) -> None:
    from .api import register_approvals_api

    register_approvals_api(appbuilder)


def has_chain(entity: Any, catalog: Catalog) -> bool:
    """The approval screens and panel are for entities an approval chain runs on."""
    return bool(catalog.chains_for(entity.qualified))


def approvals_due(runtime: TenantRuntime, now: datetime, _services: JobServices) -> JobDone:
    """The approvals' share of a tick: approvers deactivated since they were asked are replaced (the chain's
    policy), then the timeouts and reminders due at `now` run (workflow/timeouts.py). Replacements first, so those
    reach the people asked now."""
    if not runtime.catalog.chains:  # nothing can be due without chains
        return JobDone()
    approvals = Approvals(runtime)
    try:
        replaced = replace_inactive(approvals)
        done = run_due(approvals, now)
    finally:
        runtime.session.remove()
    done["replaced"] = len(replaced)
    return JobDone(done, {"replaced": replaced})


APPROVALS_DUE = Job(
    "approval timeouts and reminders",
    approvals_due,
    {
        "approve": "approved on timeout",
        "reject": "rejected on timeout",
        "escalate": "escalated on timeout",
        "remind": "reminder(s)",
        "obsolete": "obsolete job(s) dropped",
        "failed": "job(s) failed",
        "elsewhere": "job(s) run by another worker meanwhile",
        "replaced": "inactive approver(s) replaced",
    },
)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, APPROVAL_CHAIN, priority=20)
    registry.add(DEFINITION_CHECKS, check_chains, priority=10)
    registry.add(FIELD_USES, chain_field_uses)
    for table in (tables.INSTANCES, tables.TASKS, tables.EVENTS, tables.JOBS, tables.DELEGATIONS, tables.UPLOADS):
        registry.add(TENANT_TABLES, table)
    registry.add(ROLE_RIGHTS, approver_rights)
    registry.add(RECORD_GRANTS, asked_to_decide)
    registry.add(TIMELINE_SOURCES, approval_events)
    registry.add(ATTACHMENT_LOCKS, files_lock)
    registry.add(APPROVAL_STARTERS, start_in_transaction)
    registry.add(SCREENS, approval_screens, priority=10)
    registry.add(SCREENS, approvals_api, priority=30)
    registry.add(COMMANDS, FeatureCommand(tick_command))
    registry.add(COMMANDS, FeatureCommand(worker_command))
    registry.add(JOBS, APPROVALS_DUE, priority=10)  # before the e-mails (90), so a reminder's leaves in this tick
    registry.add(ENTITY_SCREENS, EntityScreens(ApprovalScreens, applies=has_chain), priority=10)
    registry.add(
        RECORD_PANELS,
        RecordPanel(
            "approval",
            "formwork/approvals/panel.html",
            lambda view, pk, _item: view.approval_widgets(pk),
            pages=("show", "edit"),
            applies=has_chain,
        ),
        priority=10,
    )
    registry.add(
        RECORD_PANELS,
        RecordPanel(
            "approval_buttons",
            "formwork/approvals/header.html",
            lambda _view, _pk, _item: {},  # it shows the approval panel's values, read once for both
            applies=has_chain,
            place="header",
        ),
        priority=10,
    )
    registry.on_record("validate", refuse_locked_changes, priority=50)
    registry.on_record("before_delete", refuse_locked_delete, priority=50)
