"""Studio drafts: the EntityExtension an admin is preparing for one entity, stored but not applied.

A draft is the whole overlay document the entity would have once published (the stored extension, if any, with
the admin's additions and retirements), one row per entity in the tenant's own storage. Keeping the full
document rather than a list of edits means publishing is exactly `store_overlays` with that document, and
discarding is deleting the row. On TENANT_METADATA: new tenants get the table at creation, existing ones at their
next `formwork migrate`.

A draft is shared by the tenant's admins (one per entity, each save applied to the latest draft), so two admins'
additions never overwrite each other. What can still collide is a whole page saved over a draft changed since it
was read (two designers of one form): a draft counts its `edits`, a page sends the count it showed, and a save of
another count is refused (DraftChanged) instead of overwriting. `base_revision` is the tenant's customization
revision the draft started from: publishing refuses a draft whose overlays were published since (studio/publishing.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.generated import TENANT_METADATA
from ..tenancy.drafting import DraftState

STUDIO_DRAFTS = sa.Table(
    "formwork_studio_draft",
    TENANT_METADATA,
    sa.Column("entity", sa.String(128), primary_key=True),  # qualified: `crm.account`
    sa.Column("source", sa.Text, nullable=False),  # the EntityExtension's YAML, as customizations store it
    sa.Column("author", sa.String(256), nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.Column("edits", sa.Integer, nullable=True),  # saves since the draft started: the page's concurrency token
    sa.Column("base_revision", sa.Integer, nullable=True),  # the tenant's customization revision it started from
)


class DraftChanged(Exception):
    """The draft was saved, published or discarded since the page that posts was shown; nothing was saved.
    `now` is the draft as it is (None: published or discarded)."""

    def __init__(self, now: DraftState | None) -> None:
        super().__init__("the draft changed since this page was shown")
        self.now = now


def draft_of(session: Session, entity: str) -> str | None:
    """The draft overlay's YAML for `entity`, or None when the entity has no draft."""
    return session.scalar(sa.select(STUDIO_DRAFTS.c.source).where(STUDIO_DRAFTS.c.entity == entity))


def drafted_entities(session: Session) -> set[str]:
    return set(session.scalars(sa.select(STUDIO_DRAFTS.c.entity)))


def draft_state(session: Session, entity: str) -> DraftState | None:
    row = session.execute(
        sa.select(
            STUDIO_DRAFTS.c.author, STUDIO_DRAFTS.c.saved_at, STUDIO_DRAFTS.c.edits, STUDIO_DRAFTS.c.base_revision
        ).where(STUDIO_DRAFTS.c.entity == entity)
    ).first()
    return None if row is None else DraftState(row.author, row.saved_at, row.edits or 0, row.base_revision)


def save_draft(
    session: Session, entity: str, source: str, author: str, shown: int | None = None, base_revision: int | None = None
) -> None:
    """Replace the entity's draft (the caller commits). `shown`: the draft's edits the saving page was shown (0 for
    no draft), DraftChanged when it has had others since; `base_revision` is kept from the draft it replaces."""
    state = draft_state(session, entity)
    edits = state.edits if state else 0
    if shown is not None and shown != edits:
        raise DraftChanged(state)
    discard_draft(session, entity)
    session.execute(
        STUDIO_DRAFTS.insert().values(
            entity=entity,
            source=source,
            author=author,
            saved_at=datetime.now(UTC).replace(tzinfo=None),
            edits=edits + 1,
            base_revision=state.base_revision if state else base_revision,
        )
    )


def discard_draft(session: Session, entity: str) -> None:
    session.execute(STUDIO_DRAFTS.delete().where(STUDIO_DRAFTS.c.entity == entity))
