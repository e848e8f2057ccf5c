"""Whether a record's attachments may change now: any feature may hold them still (ATTACHMENT_LOCKS; the approvals
do while a record is in approval, or once its decision locked it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..features import ATTACHMENT_LOCKS, load_features

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime


def attachments_locked(
    runtime: TenantRuntime, session: Session, entity: str, record_id: int, user: str | None
) -> str | None:
    """The first reason a feature gives why the attachments of the record cannot change, or None."""
    for lock in load_features().items(ATTACHMENT_LOCKS):
        reason: str | None = lock(runtime, session, entity, record_id, user)
        if reason is not None:
            return reason
    return None
