"""Studio drafts: the EntityExtension an admin is preparing for one entity, stored but not applied.

A draft is the whole overlay document the entity would have once published (the stored extension, if any, with
the admin's additions and retirements), one row per entity in the tenant's own storage. Keeping the full
document rather than a list of edits means publishing is exactly `store_overlays` with that document, and
discarding is deleting the row. On TENANT_METADATA: new tenants get the table at creation, existing ones at their
next `formwork migrate`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.generated import TENANT_METADATA

STUDIO_DRAFTS = sa.Table(
    "formwork_studio_draft",
    TENANT_METADATA,
    sa.Column("entity", sa.String(128), primary_key=True),  # qualified: `crm.account`
    sa.Column("source", sa.Text, nullable=False),  # the EntityExtension's YAML, as customizations store it
    sa.Column("author", sa.String(256), nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
)


def draft_of(session: Session, entity: str) -> str | None:
    """The draft overlay's YAML for `entity`, or None when the entity has no draft."""
    return session.scalar(sa.select(STUDIO_DRAFTS.c.source).where(STUDIO_DRAFTS.c.entity == entity))


def drafted_entities(session: Session) -> set[str]:
    return set(session.scalars(sa.select(STUDIO_DRAFTS.c.entity)))


def save_draft(session: Session, entity: str, source: str, author: str) -> None:
    """Replace the entity's draft (the caller commits)."""
    discard_draft(session, entity)
    session.execute(
        STUDIO_DRAFTS.insert().values(
            entity=entity, source=source, author=author, saved_at=datetime.now(UTC).replace(tzinfo=None)
        )
    )


def discard_draft(session: Session, entity: str) -> None:
    session.execute(STUDIO_DRAFTS.delete().where(STUDIO_DRAFTS.c.entity == entity))
