"""One migration of a tenant at a time, across processes and machines.

Two `formwork migrate` of one tenant at once would both plan the same column
and one would fail half-way. Every change of a tenant's schema (migrate,
install, upgrade, customize) holds the tenant's migration lock: on PostgreSQL
an advisory lock in the platform database (every process and machine sees
it), on SQLite a lock file in the instance folder. A second migration waits,
and says so. Serving processes only look: a request that failed while the
lock is held raced a migration, and is answered 503 (tenancy/freshness.py).
Locks held by a process die with it, so a crash never leaves a tenant locked.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from ..config import Settings

_held = threading.local()


def _key(slug: str) -> int:
    """A signed 64-bit advisory lock key of its own per tenant."""
    return int.from_bytes(hashlib.sha256(f"formwork migrate {slug}".encode()).digest()[:8], "big", signed=True)


def _lock_file(settings: Settings, slug: str) -> Path:
    folder = settings.instance / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{slug}.migrate.lock"


@contextmanager
def migration_lock(settings: Settings, slug: str, waiting: Callable[[str], None] = lambda _: None) -> Iterator[None]:
    """Hold the tenant's migration lock; `waiting` is told once when another migration holds it first.

    Re-entrant within a thread, so an operation that holds it may call another that takes it.
    """
    held: set[str] = getattr(_held, "slugs", set())
    if slug in held:
        yield
        return
    _held.slugs = held | {slug}
    try:
        with _advisory(settings, slug, waiting) if settings.is_postgres else _file(settings, slug, waiting):
            yield
    finally:
        _held.slugs = held


@cache
def _lock_engine(url: str) -> sa.Engine:
    """Connections that only hold locks, outside the platform's pool: many migrations at once must not empty it."""
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


@contextmanager
def _advisory(settings: Settings, slug: str, waiting: Callable[[str], None]) -> Iterator[None]:
    with _lock_engine(settings.database_url).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        if not connection.scalar(sa.select(sa.func.pg_try_advisory_lock(_key(slug)))):
            waiting(f"waiting for another migration of {slug}")
            connection.scalar(sa.select(sa.func.pg_advisory_lock(_key(slug))))
        try:
            yield
        finally:
            connection.scalar(sa.select(sa.func.pg_advisory_unlock(_key(slug))))


@contextmanager
def _file(settings: Settings, slug: str, waiting: Callable[[str], None]) -> Iterator[None]:
    with open(_lock_file(settings, slug), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"waiting for another migration of {slug}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migration_running(settings: Settings, slug: str) -> bool:
    """Whether some process holds the tenant's migration lock now (looked at without taking it)."""
    if getattr(_held, "slugs", set()) & {slug}:
        return True
    if settings.is_postgres:
        high, low = divmod(_key(slug) % 2**64, 2**32)
        query = sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid) AND objsubid = 1 AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with _lock_engine(settings.database_url).connect() as connection:
            return bool(connection.scalar(query, {"high": high, "low": low}))
    with open(_lock_file(settings, slug), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
