"""Attachments on any record: files listed under a record, each with its earlier versions.

Uploading a file under a name the record already has (or replacing an
attachment explicitly) makes a new version: the current file moves to
ATTACHMENT_VERSIONS and the attachment row points at the new one. Deleting
an attachment deletes its rows with the transaction and its bytes (every
version) after the commit. Callers check the user's rights on the record first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from .lifecycle import delete_after_commit, file_values, save_upload
from .limits import Upload
from .tables import ATTACHMENT_VERSIONS, ATTACHMENTS


@dataclass(frozen=True)
class FileVersion:
    """One stored file of an attachment or field: the current one or an earlier version."""

    version: int
    key: str
    name: str
    size: int
    content_type: str
    uploaded_by: str | None
    uploaded_at: datetime | None
    replaced_at: datetime | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "size": self.size,
            "content_type": self.content_type,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": _iso(self.uploaded_at),
            "replaced_at": _iso(self.replaced_at),
        }


@dataclass(frozen=True)
class Attachment:
    id: int
    current: FileVersion
    earlier: list[FileVersion]

    def as_data(self) -> dict[str, Any]:
        return {"id": self.id, **self.current.as_data(), "versions": len(self.earlier) + 1}

    def version(self, number: int | None) -> FileVersion | None:
        """The current file (no number, or its own), or the earlier version with that number."""
        if number is None or number == self.current.version:
            return self.current
        return next((v for v in self.earlier if v.version == number), None)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _version(row: Any) -> FileVersion:
    return FileVersion(
        row.version,
        row.key,
        row.name,
        row.size,
        row.content_type,
        row.uploaded_by,
        row.uploaded_at,
        getattr(row, "replaced_at", None),
    )


def attachments_of(session: Session, entity: str, record_id: int) -> list[Attachment]:
    """The record's attachments by name, each with its earlier versions (newest first)."""
    rows = session.execute(
        sa.select(ATTACHMENTS)
        .where(ATTACHMENTS.c.entity == entity, ATTACHMENTS.c.record_id == record_id)
        .order_by(ATTACHMENTS.c.name, ATTACHMENTS.c.id)
    ).all()
    earlier: dict[int, list[FileVersion]] = {}
    if rows:
        found = session.execute(
            sa.select(ATTACHMENT_VERSIONS)
            .where(ATTACHMENT_VERSIONS.c.attachment_id.in_([r.id for r in rows]))
            .order_by(ATTACHMENT_VERSIONS.c.version.desc())
        ).all()
        for row in found:
            earlier.setdefault(row.attachment_id, []).append(_version(row))
    return [Attachment(row.id, _version(row), earlier.get(row.id, [])) for row in rows]


def attachment(session: Session, entity: str, record_id: int, attachment_id: int) -> Attachment | None:
    """One attachment of this record (None when the id belongs to another record: ids are not rights)."""
    return next((a for a in attachments_of(session, entity, record_id) if a.id == attachment_id), None)


def attach(
    session: Session, entity: str, record_id: int, upload: Upload, user: str | None, replacing: int | None = None
) -> int:
    """Store `upload` on the record: a new version of `replacing`, or of the attachment with the same name, or a new
    attachment. Returns the attachment's id; the caller commits."""
    where = [ATTACHMENTS.c.entity == entity, ATTACHMENTS.c.record_id == record_id]
    where.append(ATTACHMENTS.c.id == replacing if replacing is not None else ATTACHMENTS.c.name == upload.name)
    current = session.execute(sa.select(ATTACHMENTS).where(*where).with_for_update()).first()
    if replacing is not None and current is None:
        raise LookupError(replacing)
    values = file_values(save_upload(session, upload, user))
    if current is None:
        return session.execute(
            ATTACHMENTS.insert()
            .values(entity=entity, record_id=record_id, version=1, **values)
            .returning(ATTACHMENTS.c.id)
        ).scalar_one()
    session.execute(
        ATTACHMENT_VERSIONS.insert().values(
            attachment_id=current.id,
            version=current.version,
            key=current.key,
            name=current.name,
            size=current.size,
            content_type=current.content_type,
            uploaded_by=current.uploaded_by,
            uploaded_at=current.uploaded_at,
            replaced_at=utcnow(),
        )
    )
    session.execute(
        ATTACHMENTS.update().where(ATTACHMENTS.c.id == current.id).values(version=current.version + 1, **values)
    )
    return current.id


def detach(session: Session, found: Attachment) -> None:
    """Delete an attachment and its versions; their bytes go once the caller's transaction commits."""
    session.execute(ATTACHMENT_VERSIONS.delete().where(ATTACHMENT_VERSIONS.c.attachment_id == found.id))
    session.execute(ATTACHMENTS.delete().where(ATTACHMENTS.c.id == found.id))
    delete_after_commit(session, [found.current.key, *(v.key for v in found.earlier)])
