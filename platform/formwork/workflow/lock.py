"""The record lock: while a record is in approval, its writes are refused except the fields the current step allows;
once decided, what its chain's `lock` keeps as decided (by default an approved record, its rows and its files).

Screens and the entity API both ask here, so they refuse the same things with
the same message. What may be edited in approval comes from the engine
(`editable_in`); deleting a record in approval is refused, and deleting one
whose approval ended takes its approval with it, so a new record that is given
the same id (SQLite reuses the highest) never inherits it.

A decision's lock gives way to a tenant admin who says why: the reason comes
with the request (the `X-Formwork-Reason` header on the API, the edit form's
`formwork_reason` field on screens) and is recorded as a `locked_change` event
of the record's approval (its timeline and the record's history show it), in
the transaction that saves the change. The lock of a running approval never
gives way: it is withdrawn, or an admin moves or decides it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import Session, scoped_session

from ..compile.actors import request_actor
from ..compile.lifecycle import SKIP_LOCKS
from ..compile.models import utcnow
from ..compile.records import RecordInUse
from ..fields import kind_of
from ..fields.child_table import parent_field_of
from ..i18n import CatalogText
from ..tenancy.directory import Directory
from .definition import ALL
from .engine import PENDING, decided_lock, editable_in, is_admin
from .tables import EVENTS, INSTANCES, TASKS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

log = logging.getLogger(__name__)
#: where a tenant admin gives the reason for changing a record its decision locked
REASON_HEADER, REASON_FIELD = "X-Formwork-Reason", "formwork_reason"
#: the session's note of the override events this transaction recorded, by request: one event per save
OVERRIDES = "formwork_lock_overrides"
#: the approval event that records such a change
OVERRIDE = "locked_change"

LOCKED = CatalogText("Locked while in approval.")
IN_APPROVAL = CatalogText(
    "This record is in approval; withdraw the request or wait for the decision before deleting it."
)
ROW_IN_APPROVAL = CatalogText(
    "The record this row belongs to is in approval or approved; its rows cannot be changed now."
)
#: a field kept by a decision, per outcome
DECIDED = {
    "approved": CatalogText(
        "Approved records are locked: reopen the approval to change it (an admin may, giving a reason)."
    ),
    "rejected": CatalogText(
        "Rejected records are locked: reopen the approval to change it (an admin may, giving a reason)."
    ),
}
DECIDED_DELETE = {
    "approved": CatalogText("This record is approved and locked; only an admin giving a reason may delete it."),
    "rejected": CatalogText("This record is rejected and locked; only an admin giving a reason may delete it."),
}


class RecordInApproval(RecordInUse):
    """A delete of a record whose approval is running, or that its decision locks (docs/workflow.md)."""


def lock_errors(
    runtime: TenantRuntime, entity: str, record_id: int, user: str | None, changed: Iterable[str]
) -> dict[str, list[str]]:
    """A message per changed field that the record's approval does not let `user` edit now (none when unlocked).

    It reads in the request's session without ending its transaction, so the record the request loaded (and the
    version it checked) stays the one it saves.
    """
    changed = list(changed)
    session = runtime.session()
    if not changed:
        return {}
    if in_approval(session, entity, record_id):
        editable = editable_in(session, entity, record_id, user or "")
        if editable is None:  # decided in the meantime
            return {}
        return {name: [LOCKED.localized()] for name in changed if name not in editable}
    decided = decided_lock(session, entity, record_id)
    if decided is None:
        return {}
    instance, lock = decided
    kept = [name for name in changed if lock.locks(instance.status, name)]
    if not kept or overridden(runtime, session, instance, user, kept):
        return {}
    return {name: [DECIDED[instance.status].localized()] for name in kept}


def overridden(runtime: TenantRuntime, session: Session, instance: Any, user: str | None, fields: list[str]) -> bool:
    """A tenant admin changes what a decision locked, giving a reason: recorded (once per save, naming every field)
    as a `locked_change` event in the saving transaction. False when there is no reason or the user is no admin."""
    reason = override_reason()
    if not reason or not user or not is_admin(Directory(session, runtime.compiled), user):
        return False
    own = session() if isinstance(session, scoped_session) else session  # the API hands the scoped session itself
    recorded, key = own.info.setdefault(OVERRIDES, {}), (id(own.get_transaction()), instance.id)
    earlier = session.execute(
        sa.select(EVENTS.c.id, EVENTS.c.detail).where(
            EVENTS.c.id == recorded.get(key, 0),
            EVENTS.c.instance_id == instance.id,
            EVENTS.c.action == OVERRIDE,
            EVENTS.c.actor == user,
        )
    ).first()
    if earlier is None:
        recorded[key] = session.execute(
            EVENTS.insert().values(
                instance_id=instance.id,
                round=instance.round,
                action=OVERRIDE,
                actor=user,
                at=utcnow(),
                comment=reason,
                attachments=[],
                detail={"fields": sorted(fields), "status": instance.status},
            )
        ).inserted_primary_key[0]
    else:
        named = sorted(set(earlier.detail.get("fields", [])) | set(fields))
        session.execute(
            EVENTS.update().where(EVENTS.c.id == earlier.id).values(detail={**earlier.detail, "fields": named})
        )
    return True


def override_reason() -> str:
    """The reason the request gives for changing a locked record (header on the API, form field on screens)."""
    if not has_request_context():
        return ""
    return (request.headers.get(REASON_HEADER) or request.form.get(REASON_FIELD) or "").strip()[:4000]


def row_lock_errors(
    runtime: TenantRuntime, entity: str, item: Any | None, new: dict[str, Any] | None, user: str | None
) -> dict[str, list[str]]:
    """For a row of another record's child table: a message on its link to that record when the record is in
    approval and `user` may not edit its child table now. The stored row (`item`, None when adding) and the new
    values (`new`, None when deleting; a link as the API's id or a form's picked record) name the parents."""
    errors: dict[str, list[str]] = {}
    for parent, table, link in child_tables_listing(runtime.catalog, entity):
        picked = (new or {}).get(link)
        ids = {getattr(item, f"{link}_id", None), picked.get("id") if isinstance(picked, dict) else picked}
        for parent_id in ids:
            refused = lock_errors(runtime, parent, parent_id, user, [table]) if parent_id else {}
            if refused:
                errors[link] = refused[table]
    return errors


def files_lock(runtime: TenantRuntime, session: Session, entity: str, record_id: int, user: str | None) -> str | None:
    """Why the record's attachments cannot change now (in approval, or locked by its decision), or None."""
    if in_approval(session, entity, record_id):
        return LOCKED.localized()
    decided = decided_lock(session, entity, record_id)
    if decided is None or decided[1].scope(decided[0].status) != ALL:
        return None
    instance = decided[0]
    return (
        None if overridden(runtime, session, instance, user, ["attachments"]) else DECIDED[instance.status].localized()
    )


def child_tables_listing(catalog: Any, entity: str) -> list[tuple[str, str, str]]:
    """(parent entity, its child table field, the child's link field) for each child table whose rows are `entity`'s."""
    return [
        (parent.qualified, f.name, link)
        for parent in catalog.entities.values()
        for f in parent.fields
        if kind_of(f).holds_rows
        and f.target == entity
        and (link := parent_field_of(f, catalog.entities[entity], parent.qualified))
    ]


def in_approval(session: Session, entity: str, record_id: int) -> bool:
    return (
        session.execute(
            sa.select(INSTANCES.c.id).where(
                INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id, INSTANCES.c.status == PENDING
            )
        ).first()
        is not None
    )


def before_delete(session: Session, entity: str, record_id: int) -> None:
    """Refuse to delete a record in approval; otherwise remove its finished approval with it (same transaction)."""
    row = session.execute(
        sa.select(INSTANCES.c.id, INSTANCES.c.status).where(
            INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id
        )
    ).first()
    if row is None:
        return
    if row.status == PENDING:
        raise RecordInApproval(IN_APPROVAL.localized())
    decided = decided_lock(session, entity, record_id)
    if decided is not None:
        user = request_actor().username
        if not override_reason() or not overridden(current_app.extensions["formwork"], session, decided[0], user, []):
            raise RecordInApproval(DECIDED_DELETE[decided[0].status].localized())
        log.warning(
            "%s deleted %s #%s, locked by its approval (%s): %s",
            user,
            entity,
            record_id,
            decided[0].status,
            override_reason(),
        )
    session.execute(EVENTS.delete().where(EVENTS.c.instance_id == row.id))
    session.execute(TASKS.delete().where(TASKS.c.instance_id == row.id))
    session.execute(INSTANCES.delete().where(INSTANCES.c.id == row.id))


def refuse_locked_changes(write: Any) -> dict[str, list[str]]:
    """Record hook (validate): the fields a running or decided approval keeps the writer from changing, and the
    link of a child row whose record is in approval. The approval engine's own writes skip it (SKIP_LOCKS)."""
    if SKIP_LOCKS in write.skip:
        return {}
    entity, user = write.entity.qualified, write.actor.username
    errors = {} if write.created else lock_errors(write.runtime, entity, write.record.id, user, list(write.values))
    return errors | row_lock_errors(write.runtime, entity, None if write.created else write.record, write.values, user)


def refuse_locked_delete(write: Any) -> None:
    """Record hook (before_delete): a row of a record in approval, or a record in (or locked by) approval, stays."""
    if row_lock_errors(write.runtime, write.entity.qualified, write.record, None, write.actor.username):
        raise RecordInApproval(ROW_IN_APPROVAL.localized())
    before_delete(write.session, write.entity.qualified, write.record.id)
