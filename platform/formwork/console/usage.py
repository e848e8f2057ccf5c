"""What a tenant's console page says of its use and health: records per entity, files, users; whether its storage
is migrated to what it should serve, customizations that no longer fit, the last refused or failed migration and
the mails given up.

Cheap enough for every visit of the page: one count per entity table and one for users and for failed mails, the
file store's folder listed (a local store; another store is not measured), and the definitions compared through
the caches the serving processes use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ..config import Settings
from ..i18n import Label
from ..meta.catalog import Catalog
from ..tenancy.apps import tenant_runtime
from ..tenancy.customize import customization_conflicts
from ..tenancy.errors import TenantUnavailable
from ..tenancy.file_store import LocalFileStore, open_store
from ..tenancy.registry import SchemaChange, Tenant, platform_session
from ..tenancy.state import applied_state, definitions_hash, desired_state
from ..tenancy.storage import tenant_engine

#: the user table FAB keeps in every tenant's storage, and the notify feature's outbox (read by name: the console
#: counts rows, it does not use either feature's code)
USERS, OUTBOX = "ab_user", "formwork_notification_outbox"


@dataclass
class Usage:
    """Counts of one tenant's data; `files` None when the file store cannot be measured."""

    records: list[tuple[str, Label, int]] = field(default_factory=list)
    users: int = 0
    active_users: int = 0
    files: tuple[int, int] | None = None

    @property
    def total_records(self) -> int:
        return sum(count for _name, _label, count in self.records)


@dataclass
class Health:
    """What an operator should look at: `up_to_date` False with `behind` saying why; the rest empty when fine."""

    up_to_date: bool = True
    behind: str = ""
    unavailable: str = ""
    conflicts: list[str] = field(default_factory=list)
    last_problem: SchemaChange | None = None
    failed_mails: int = 0


def usage_of(settings: Settings, catalog: Catalog, tenant: Tenant) -> Usage:
    """Records per entity of the definitions the tenant is served from, its users and its stored files."""
    runtime = tenant_runtime(settings, tenant, catalog)
    usage = Usage(files=_stored_files(settings, tenant.slug))
    with tenant_engine(settings, tenant).connect() as connection:
        for name, entity in sorted(runtime.catalog.entities.items()):
            table = runtime.compiled.model(name).__table__
            usage.records.append((name, entity.label, _count(connection, table)))
        users = sa.table(USERS, sa.column("active"))
        usage.users = _count(connection, users)
        usage.active_users = _count(connection, users, users.c.active.is_(True))
    return usage


def health_of(settings: Settings, catalog: Catalog, tenant: Tenant) -> Health:
    """Whether the storage has the tenant's packs and customizations as this Formwork builds them, and what went
    wrong last."""
    health = Health(last_problem=_last_problem(settings, tenant.slug))
    try:
        desired, applied = desired_state(settings, catalog, tenant), applied_state(tenant)
        if applied != desired:
            health.up_to_date, health.behind = False, "not_applied"
        elif tenant.definitions_hash != definitions_hash(settings, tenant.slug, applied):
            health.up_to_date, health.behind = False, "platform_changed"
        health.conflicts = customization_conflicts(settings, catalog, tenant)
    except TenantUnavailable as exc:
        health.up_to_date, health.unavailable = False, exc.reason
    with tenant_engine(settings, tenant).connect() as connection:
        outbox = sa.table(OUTBOX, sa.column("status"))
        health.failed_mails = _count(connection, outbox, outbox.c.status == "failed")
    return health


def _count(connection: sa.Connection, table: sa.TableClause, *where: sa.ColumnElement[bool]) -> int:
    return int(connection.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0)


def _last_problem(settings: Settings, slug: str) -> SchemaChange | None:
    """The newest migration of the tenant, when it was refused or failed (an applied one since means it is past)."""
    with platform_session(settings.database_url) as session:
        newest = session.scalars(
            sa.select(SchemaChange).where(SchemaChange.tenant_slug == slug).order_by(SchemaChange.id.desc()).limit(1)
        ).first()
        if newest is None or newest.outcome == "applied":
            return None
        session.expunge(newest)
        return newest


def _stored_files(settings: Settings, slug: str) -> tuple[int, int] | None:
    """(files, bytes) in the tenant's local file store, every version and attachment included; None for a store
    that is not a folder here."""
    store = open_store(settings, slug)
    if not isinstance(store, LocalFileStore):
        return None
    count = size = 0
    for folder, _subfolders, names in os.walk(store.root):
        for name in names:
            if not name.startswith("."):  # an upload being written
                count += 1
                size += (Path(folder) / name).stat().st_size
    return count, size
