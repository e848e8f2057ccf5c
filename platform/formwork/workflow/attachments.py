"""Files attached to an approval action on the screens: checked like a file field, stored, served to record viewers.

An attachment is checked with the `file` field type's rules (size, content
sniffed against the name's ending) before anything is stored, and recorded as
an upload of the person who sent it (`formwork_approval_upload`); the engine
then records its reference `{key, name, size, content_type}` on the event, as
the upload recorded it, only when the actor is its uploader and it is not
attached yet. Files
of an action the engine refuses are deleted again. A file is served only on
the page of the record whose events name its key.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from ..fields import field_type
from ..i18n import CatalogText
from ..meta.model import FieldDef
from ..tenancy.file_store import store_for
from ..uploads import UploadRefused
from . import rows
from .tables import EVENTS, INSTANCES, UPLOADS

ATTACHMENT = FieldDef("attachments", "file", CatalogText("Attachments"), options={"max_size_mb": 10})
MAX_FILES = 5
TOO_MANY = CatalogText("At most {count} files can be attached at once.")


def store_uploads(chosen: list[FileStorage], uploader: str) -> list[dict[str, Any]]:
    """Check every chosen file, then store them and record them as `uploader`'s uploads (the only person who may
    attach them, once); UploadRefused (a ValueError, in the user's language; nothing stored) when one is refused.
    Name, size and content type are the server's: the name's last part, the bytes stored, the type the check sniffed."""
    chosen = [upload for upload in chosen if upload and upload.filename]
    if len(chosen) > MAX_FILES:
        raise UploadRefused(TOO_MANY, count=MAX_FILES)
    kind = field_type(ATTACHMENT.type)
    checked = [
        kind.check(ATTACHMENT, upload.read(kind.max_size(ATTACHMENT) + 1), PurePath(upload.filename).name)
        for upload in chosen
    ]
    store = store_for(current_app)
    references = [store.save(upload.data, upload.name, upload.content_type).as_data() for upload in checked]
    session = current_app.extensions["formwork"].session()
    try:
        rows.add_uploads(session, uploader, references)
        session.commit()
    except BaseException:
        session.rollback()
        for reference in references:
            store.delete(reference["key"])
        raise
    return references


def forget(stored: list[dict[str, Any]]) -> None:
    """Delete files stored for an action that did not happen (and their uploads' records)."""
    if not stored:
        return
    session = current_app.extensions["formwork"].session()
    try:
        session.execute(
            UPLOADS.delete().where(UPLOADS.c.key.in_([r["key"] for r in stored]), UPLOADS.c.event_id.is_(None))
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    store = store_for(current_app)
    for reference in stored:
        store.delete(reference["key"])


def attachment_of(session: Session, entity: str, record_id: int, key: str) -> dict[str, Any] | None:
    """The reference of the file `key` when an event of this record's approval names it, else None."""
    events = session.execute(
        sa.select(EVENTS.c.attachments)
        .join(INSTANCES, INSTANCES.c.id == EVENTS.c.instance_id)
        .where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)
    ).scalars()
    return next((reference for attached in events for reference in attached or [] if reference.get("key") == key), None)
