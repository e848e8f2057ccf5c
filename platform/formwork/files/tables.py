"""The file tables in every tenant's storage: earlier versions of file fields, and attachments on any record.

On TENANT_METADATA, so new tenants get them at creation and existing ones at
their next sync or `formwork migrate` (they change the storage hash). A
record is named by its entity (`pack.entity`) and id, as approvals do, so one
set of tables serves every entity without a column on any of them.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..compile.generated import TENANT_METADATA, keyed_by

USER_NAME = 256
NAME = 255


def _file_columns() -> list[sa.Column]:
    """What is known of one stored file: its store key, the name it was uploaded as, size, sniffed type, who and when."""
    return [
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(NAME), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(NAME), nullable=False),
        sa.Column("uploaded_by", sa.String(USER_NAME)),
        sa.Column("uploaded_at", sa.DateTime),
    ]


FILE_VERSIONS = sa.Table(
    "formwork_file_version",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(100), nullable=False, info=keyed_by("Entity")),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # 1 is the first file the field held
    *_file_columns(),
    sa.Column("replaced_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("entity", "record_id", "field", "version", name="uq_formwork_file_version"),
    sa.Index("ix_formwork_file_version_key", "key"),
)

ATTACHMENTS = sa.Table(
    "formwork_attachment",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("entity", sa.String(100), nullable=False, info=keyed_by("Entity")),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # of the file below; earlier ones are in ATTACHMENT_VERSIONS
    *_file_columns(),
    sa.Index("ix_formwork_attachment_record", "entity", "record_id"),
)

ATTACHMENT_VERSIONS = sa.Table(
    "formwork_attachment_version",
    TENANT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("attachment_id", sa.Integer, sa.ForeignKey(ATTACHMENTS.c.id, ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    *_file_columns(),
    sa.Column("replaced_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("attachment_id", "version", name="uq_formwork_attachment_version"),
)
