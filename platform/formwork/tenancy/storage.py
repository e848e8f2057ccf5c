"""Where a tenant's records live, and the engine that reaches them.

SQLite (the default): one database file per tenant under the instance folder.
PostgreSQL: one schema per tenant in the platform database, reached through a
search_path fixed on the tenant's connections (issue 4 moves this to one pool
per server with the schema set per transaction).
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from ..config import Settings
from .registry import Tenant

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def new_location(settings: Settings, slug: str) -> tuple[str, str]:
    """(storage_kind, storage_location) for a tenant being created."""
    if settings.is_postgres:
        return "postgres_schema", f"tenant_{slug.replace('-', '_')}"
    return "sqlite", str(Path("tenants") / f"{slug}.sqlite")


def tenant_url(settings: Settings, tenant: Tenant) -> str:
    if tenant.storage_kind == "sqlite":
        return f"sqlite:///{settings.instance / tenant.storage_location}"
    return settings.database_url


def tenant_engine(settings: Settings, tenant: Tenant) -> sa.Engine:
    """One engine per tenant storage, created once per process."""
    key = f"{tenant.storage_kind}:{tenant_url(settings, tenant)}:{tenant.storage_location}"
    with _lock:
        if key not in _engines:
            _engines[key] = _create_engine(settings, tenant)
        return _engines[key]


def _create_engine(settings: Settings, tenant: Tenant) -> sa.Engine:
    url = tenant_url(settings, tenant)
    if tenant.storage_kind == "sqlite":
        (settings.instance / tenant.storage_location).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    schema = tenant.storage_location
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": f"-csearch_path={schema}"})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_storage(settings: Settings, tenant: Tenant) -> None:
    if tenant.storage_kind == "postgres_schema":
        with sa.create_engine(settings.database_url).begin() as conn:
            conn.execute(sa.schema.CreateSchema(tenant.storage_location, if_not_exists=True))


def drop_storage(settings: Settings, tenant: Tenant) -> None:
    """Remove a tenant's data entirely (used when creating it failed half-way)."""
    with _lock:
        for key in [k for k in _engines if k.endswith(f":{tenant.storage_location}")]:
            _engines.pop(key).dispose()
    if tenant.storage_kind == "sqlite":
        base = settings.instance / tenant.storage_location
        for suffix in ("", "-wal", "-shm"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)
    else:
        with sa.create_engine(settings.database_url).begin() as conn:
            conn.execute(sa.schema.DropSchema(tenant.storage_location, cascade=True, if_exists=True))


def dispose_engines() -> None:
    """Close every tenant pool (tests, and a process that is shutting down)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
