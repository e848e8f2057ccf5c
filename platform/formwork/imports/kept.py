"""Uploaded import files kept between the screens' steps, and the sweep that deletes the abandoned ones.

A user who uploads a file and never confirms nor starts again would leave up
to 10 MB in the tenant's file store for good. Every kept file is listed in
KEPT_IMPORTS with the time it was saved; files older than MAX_AGE are
deleted whenever anyone of the tenant starts an import, and the screens no
longer read a file that old (so a sweep never pulls a file from under a
preview that is still valid).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..tenancy.file_store import FileStore
from .tables import KEPT_IMPORTS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

MAX_AGE = timedelta(hours=1)


def is_stale(saved_at: datetime, now: datetime) -> bool:
    return now - saved_at > MAX_AGE


def keep(
    runtime: TenantRuntime, store: FileStore, data: bytes, filename: str, content_type: str, user_id: int, now: datetime
) -> str:
    """Store an upload and list it; the stale files of the tenant go first. The key of the stored file."""
    sweep(runtime, store, now)
    key = store.save(data, filename, content_type).key
    try:
        runtime.in_transaction(
            lambda s: s.execute(KEPT_IMPORTS.insert().values(key=key, user_id=user_id, saved_at=now))
        )
    except BaseException:
        store.delete(key)  # unlisted bytes would never be swept
        raise
    return key


def forget(runtime: TenantRuntime, store: FileStore, key: str) -> None:
    """Delete a kept file and its listing (the import was confirmed, or a new file replaces it)."""
    runtime.in_transaction(lambda s: s.execute(KEPT_IMPORTS.delete().where(KEPT_IMPORTS.c.key == key)))
    store.delete(key)


def sweep(runtime: TenantRuntime, store: FileStore, now: datetime) -> int:
    """Delete every kept file saved more than MAX_AGE before `now`; how many went.

    The listing goes in the same transaction as the select, and the bytes only after it commits, so a file is
    never left unlisted while its bytes remain.
    """

    def unlist(session: Any) -> list[str]:
        stale = KEPT_IMPORTS.c.saved_at < now - MAX_AGE
        keys = list(session.scalars(sa.select(KEPT_IMPORTS.c.key).where(stale)))
        if keys:
            session.execute(KEPT_IMPORTS.delete().where(KEPT_IMPORTS.c.key.in_(keys)))
        return keys

    keys = runtime.in_transaction(unlist)
    for key in keys:
        store.delete(key)
    return len(keys)
