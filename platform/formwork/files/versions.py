"""Earlier files of a record's file and image fields, as the show page and the download route read them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .attachments import FileVersion
from .tables import FILE_VERSIONS


def field_versions(session: Session, entity: str, record_id: int) -> dict[str, list[FileVersion]]:
    """Each file field's earlier files, newest first."""
    rows = session.execute(
        sa.select(FILE_VERSIONS)
        .where(FILE_VERSIONS.c.entity == entity, FILE_VERSIONS.c.record_id == record_id)
        .order_by(FILE_VERSIONS.c.field, FILE_VERSIONS.c.version.desc())
    ).all()
    found: dict[str, list[FileVersion]] = {}
    for row in rows:
        found.setdefault(row.field, []).append(
            FileVersion(
                row.version,
                row.key,
                row.name,
                row.size,
                row.content_type,
                row.uploaded_by,
                row.uploaded_at,
                row.replaced_at,
            )
        )
    return found


def field_version(session: Session, entity: str, record_id: int, field: str, number: int) -> FileVersion | None:
    return next((v for v in field_versions(session, entity, record_id).get(field, []) if v.version == number), None)
