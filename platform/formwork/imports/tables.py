"""The files the import screens keep between their steps, in every tenant's storage.

The screens store an uploaded file in the tenant's file store and read it
back at the preview and the confirm step; the key sits in the user's signed
session, which the server cannot list. This table is the server's own list,
with the time each file was saved, so files of imports nobody finished can be
found and deleted (kept.py). On TENANT_METADATA: new tenants get it at
creation, existing ones at their next `formwork migrate` (it changes the
storage hash).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..compile.generated import TENANT_METADATA

KEPT_IMPORTS = sa.Table(
    "formwork_import_upload",
    TENANT_METADATA,
    sa.Column("key", sa.String(64), primary_key=True),  # the file store's key
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.Index("ix_formwork_import_upload_saved_at", "saved_at"),
)
