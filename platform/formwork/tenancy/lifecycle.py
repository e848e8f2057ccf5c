"""Deleting a tenant: everything is exported first, then its storage, files and registry rows are removed.

The export is plain files an operator can read or keep: the tenant's manifest
(what `formwork tenant apply` reads), one JSON-lines file per table with every
row, the schema change log, the customizations' history, and the uploaded files.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from ..config import Settings
from .manifest import export_manifest
from .registry import (
    Customization,
    CustomizationVersion,
    SchemaChange,
    Tenant,
    find_tenant,
    platform_session,
    set_status,
)
from .storage import drop_storage, tenant_engine

Progress = Callable[[str], None]
ROWS_PER_FETCH = 1000
#: after suspending, how long requests that were already running get to finish before the export reads the tables
IN_FLIGHT_SECONDS = 2.0


def tenant_files(settings: Settings, tenant: Tenant) -> Path:
    return settings.instance / "files" / tenant.slug


def export_tenant(settings: Settings, tenant: Tenant, folder: Path, progress: Progress = lambda _: None) -> Path:
    """Write the tenant's manifest, rows, change log and files under `folder`; returns the export's own folder."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{tenant.slug}-{stamp}"
    (target / "data").mkdir(parents=True)
    (target / "tenant.yaml").write_text(export_manifest(settings, tenant), encoding="utf-8")
    _export_rows(settings, tenant, target / "data", progress)
    _export_change_log(settings, tenant, target / "schema_changes.json")
    _export_customization_history(settings, tenant, target / "customization_history.json")
    files = tenant_files(settings, tenant)
    if files.is_dir():
        progress("copying files")
        shutil.copytree(files, target / "files")
    return target


def _export_rows(settings: Settings, tenant: Tenant, folder: Path, progress: Progress) -> None:
    metadata = sa.MetaData()
    engine = tenant_engine(settings, tenant)
    # One snapshot for every table on PostgreSQL; a suspended SQLite tenant has no writers left.
    isolation = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**isolation) as connection:
        metadata.reflect(connection)
        tables = sorted(metadata.tables.values(), key=lambda table: table.name)  # plain rows: no order needed
        for number, table in enumerate(tables, start=1):
            progress(f"[{number}/{len(tables)}] exporting {table.name}")
            rows = connection.execution_options(yield_per=ROWS_PER_FETCH).execute(sa.select(table)).mappings()
            with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(dict(row), default=str, ensure_ascii=False) + "\n")


def _export_change_log(settings: Settings, tenant: Tenant, path: Path) -> None:
    with platform_session(settings.database_url) as session:
        changes = session.scalars(
            sa.select(SchemaChange).where(SchemaChange.tenant_slug == tenant.slug).order_by(SchemaChange.id)
        )
        log = [
            {"applied_at": c.applied_at.isoformat(), "definitions_hash": c.definitions_hash, "operations": c.operations}
            for c in changes
        ]
    path.write_text(json.dumps(log, indent=1, ensure_ascii=False), encoding="utf-8")


def _export_customization_history(settings: Settings, tenant: Tenant, path: Path) -> None:
    """Every version of every customization: the manifest holds only the current ones."""
    with platform_session(settings.database_url) as session:
        versions = session.scalars(
            sa.select(CustomizationVersion)
            .where(CustomizationVersion.tenant_slug == tenant.slug)
            .order_by(CustomizationVersion.id)
        )
        history = [
            {
                "kind": v.kind,
                "target": v.target,
                "version": v.version,
                "change": v.change,
                "actor": v.actor,
                "changed_at": v.changed_at.isoformat(),
                "definitions_hash": v.definitions_hash,
                "source": v.source,
            }
            for v in versions
        ]
    path.write_text(json.dumps(history, indent=1, ensure_ascii=False), encoding="utf-8")


def _stop_serving(settings: Settings, tenant: Tenant, progress: Progress) -> None:
    """Suspend the tenant and let requests already running finish, so no write lands after the export.

    Servers check a tenant's generation before every request, so no new request starts once it is suspended.
    """
    if tenant.status == "suspended":
        return
    progress("suspending the tenant")
    set_status(settings.database_url, tenant.slug, "suspended")
    time.sleep(IN_FLIGHT_SECONDS)


def delete_tenant(settings: Settings, slug: str, exports: Path, progress: Progress = lambda _: None) -> Path | None:
    """Export, then remove the tenant for good; None if there is no such tenant. Returns the export's folder."""
    tenant = find_tenant(settings.database_url, slug)
    if tenant is None:
        return None
    _stop_serving(settings, tenant, progress)
    try:
        archive = export_tenant(settings, tenant, exports, progress)
    except Exception:
        set_status(settings.database_url, slug, tenant.status)  # nothing was deleted: serve it as before
        raise
    progress("dropping storage")
    drop_storage(settings, tenant)
    shutil.rmtree(tenant_files(settings, tenant), ignore_errors=True)
    with platform_session(settings.database_url) as session:
        for model in (SchemaChange, Customization, CustomizationVersion):
            session.execute(sa.delete(model).where(model.tenant_slug == slug))
        session.execute(sa.delete(Tenant).where(Tenant.slug == slug))
        session.commit()
    return archive
