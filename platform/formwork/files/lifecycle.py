"""Stored bytes follow the transaction that records them: kept when it commits, never deleted before it commits.

- A file or image field whose file is replaced keeps the old file as a
  version (FILE_VERSIONS), whichever path changed it (form, API, code).
- Bytes stored for a save that does not commit (refused, rolled back,
  abandoned) are deleted when its transaction ends: no orphans from failed saves.
- Bytes a committed change no longer needs (the files, versions and
  attachments of a deleted record; a deleted attachment) are deleted after
  the commit; on a rollback they stay, with the rows that name them.
Outside a tenant app (CLI, workers) there is no store at hand: a deleted
record's rows go, its bytes stay (docs/files.md says how to find them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..fields import kind_of
from ..tenancy.file_store import STORE_EXTENSION, FileStore
from .limits import Upload
from .tables import ATTACHMENT_VERSIONS, ATTACHMENTS, FILE_VERSIONS

NEW = "formwork_files_new"  # (store, key) stored during the transaction
GONE = "formwork_files_gone"  # (store, key) to delete once it commits
REPLACED = "formwork_files_replaced"  # field files replaced in this flush, recorded as versions after it


def current_store() -> FileStore | None:
    """The tenant app's store, or None outside one."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    return current_app.extensions.get(STORE_EXTENSION)


def save_upload(session: Session, upload: Upload, user: str | None) -> dict[str, Any]:
    """Store a checked upload for the transaction of `session`: its bytes go again unless it commits."""
    store = current_store()
    if store is None:
        raise RuntimeError("files are stored only inside a tenant app")
    session.connection()  # begins the transaction now, so its end (commit or not) is the one that decides
    stored = store.save(upload.data, upload.name, upload.content_type)
    session.info.setdefault(NEW, []).append((store, stored.key))
    return {**stored.as_data(), "uploaded_by": user, "uploaded_at": utcnow().isoformat(timespec="seconds")}


def delete_after_commit(session: Session, keys: Iterable[str]) -> None:
    store = current_store()
    if store is not None:
        session.info.setdefault(GONE, []).extend((store, key) for key in keys if key)


def file_fields(item: Any) -> list[str]:
    entity = getattr(item, "__entity__", None)
    return [f.name for f in entity.fields if kind_of(f).holds_file] if entity is not None else []


def _note_replaced(session: Session, _context: Any, _instances: Any) -> None:
    """Before the flush: which field files are being replaced (their old value is still known here)."""
    for item in session.dirty:
        for name in file_fields(item):
            history = sa.inspect(item).attrs[name].history
            old = next((value for value in history.deleted if value), None)
            new = next(iter(history.added), None)
            if old and old.get("key") and (new or {}).get("key") != old["key"]:
                session.info.setdefault(REPLACED, []).append((item.__entity__.qualified, item.id, name, old))


def _after_flush(session: Session, _context: Any) -> None:
    connection = session.connection()
    for entity, record_id, field, old in session.info.pop(REPLACED, []):
        _add_field_version(connection, entity, record_id, field, old)
    for item in session.deleted:
        if hasattr(item, "__entity__"):
            own = [(getattr(item, name) or {}).get("key") for name in file_fields(item)]
            delete_after_commit(session, own + forget_record(connection, item.__entity__.qualified, item.id))


def _add_field_version(connection: sa.Connection, entity: str, record_id: int, field: str, old: dict[str, Any]) -> None:
    where = (FILE_VERSIONS.c.entity == entity, FILE_VERSIONS.c.record_id == record_id, FILE_VERSIONS.c.field == field)
    last = connection.execute(sa.select(sa.func.max(FILE_VERSIONS.c.version)).where(*where)).scalar() or 0
    connection.execute(
        FILE_VERSIONS.insert().values(
            entity=entity, record_id=record_id, field=field, version=last + 1, **file_values(old), replaced_at=utcnow()
        )
    )


def file_values(reference: dict[str, Any]) -> dict[str, Any]:
    """A file reference as the columns of the file tables."""
    uploaded_at = reference.get("uploaded_at")
    return {
        "key": reference["key"],
        "name": str(reference.get("name") or reference["key"])[:255],
        "size": int(reference.get("size") or 0),
        "content_type": reference.get("content_type") or "application/octet-stream",
        "uploaded_by": reference.get("uploaded_by"),
        "uploaded_at": datetime.fromisoformat(uploaded_at) if isinstance(uploaded_at, str) else uploaded_at,
    }


def forget_record(connection: sa.Connection, entity: str, record_id: int) -> list[str]:
    """Delete the rows of a record's field versions and attachments; the keys of their files."""
    versions = sa.and_(FILE_VERSIONS.c.entity == entity, FILE_VERSIONS.c.record_id == record_id)
    attached = sa.and_(ATTACHMENTS.c.entity == entity, ATTACHMENTS.c.record_id == record_id)
    ids = sa.select(ATTACHMENTS.c.id).where(attached).scalar_subquery()
    keys = [
        *connection.execute(sa.select(FILE_VERSIONS.c.key).where(versions)).scalars(),
        *connection.execute(sa.select(ATTACHMENTS.c.key).where(attached)).scalars(),
        *connection.execute(
            sa.select(ATTACHMENT_VERSIONS.c.key).where(ATTACHMENT_VERSIONS.c.attachment_id.in_(ids))
        ).scalars(),
    ]
    connection.execute(ATTACHMENT_VERSIONS.delete().where(ATTACHMENT_VERSIONS.c.attachment_id.in_(ids)))
    connection.execute(ATTACHMENTS.delete().where(attached))
    connection.execute(FILE_VERSIONS.delete().where(versions))
    return keys


def _after_commit(session: Session) -> None:
    session.info.pop(NEW, None)
    for store, key in session.info.pop(GONE, []):
        store.delete(key)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    """The outermost transaction ended without a commit (or after one): bytes of uncommitted uploads go."""
    if transaction.parent is not None:
        return
    session.info.pop(GONE, None)
    session.info.pop(REPLACED, None)
    for store, key in session.info.pop(NEW, []):
        store.delete(key)


def install_file_lifecycle(session_factory: Any) -> None:
    event.listen(session_factory, "before_flush", _note_replaced)
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "after_commit", _after_commit)
    event.listen(session_factory, "after_transaction_end", _after_transaction_end)
