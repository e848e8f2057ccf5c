"""The record lock: while a record is in approval, its writes are refused except the fields the current step allows.

Screens and the entity API both ask here, so they refuse the same things with
the same message. What may be edited comes from the engine
(`Approvals.editable_fields`); deleting a record in approval is refused, and
deleting one whose approval ended takes its approval with it, so a new
record that is given the same id (SQLite reuses the highest) never inherits it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..fields.child_table import parent_field_of
from ..i18n import Label
from .engine import PENDING, editable_in
from .tables import EVENTS, INSTANCES, TASKS

LOCKED = Label({"en": "Locked while in approval.", "zh": "审批中，不可修改。"})
IN_APPROVAL = Label({"en": "This record is in approval; withdraw the request or wait for the decision before deleting it.",
                     "zh": "该记录正在审批中；请先撤回申请或等待审批结束再删除。"})
ROW_IN_APPROVAL = Label({"en": "The record this row belongs to is in approval; its rows cannot be changed now.",
                         "zh": "该明细所属的记录正在审批中，暂不可修改。"})


class RecordInApproval(Exception):
    """A delete of a record whose approval is running."""


def lock_errors(runtime: Any, entity: str, record_id: int, user: str | None, changed: Iterable[str]) -> dict[str, list[str]]:
    """A message per changed field that the record's approval does not let `user` edit now (none when unlocked).

    It reads in the request's session without ending its transaction, so the record the request loaded (and the
    version it checked) stays the one it saves.
    """
    changed = list(changed)
    session = runtime.session()
    if not changed or not in_approval(session, entity, record_id):
        return {}
    editable = editable_in(session, entity, record_id, user or "")
    if editable is None:  # decided in the meantime
        return {}
    return {name: [LOCKED.localized()] for name in changed if name not in editable}


def row_lock_errors(runtime: Any, entity: str, item: Any | None, new: dict[str, Any] | None, user: str | None) -> dict[str, list[str]]:
    """For a row of another record's child table: a message on its link to that record when the record is in
    approval and `user` may not edit its child table now. The stored row (`item`, None when adding) and the new
    values (`new`, None when deleting; a link as the API's id or a form's picked record) name the parents."""
    errors: dict[str, list[str]] = {}
    for parent, table, link in child_tables_listing(runtime.catalog, entity):
        picked = (new or {}).get(link)
        ids = {getattr(item, f"{link}_id", None), picked.get("id") if isinstance(picked, dict) else picked}
        if any(lock_errors(runtime, parent, parent_id, user, [table]) for parent_id in ids if parent_id):
            errors[link] = [LOCKED.localized()]
    return errors


def child_tables_listing(catalog: Any, entity: str) -> list[tuple[str, str, str]]:
    """(parent entity, its child table field, the child's link field) for each child table whose rows are `entity`'s."""
    return [(parent.qualified, f.name, link) for parent in catalog.entities.values() for f in parent.fields
            if f.type == "child_table" and f.target == entity
            and (link := parent_field_of(f, catalog.entities[entity], parent.qualified))]


def in_approval(session: Session, entity: str, record_id: int) -> bool:
    return session.execute(sa.select(INSTANCES.c.id).where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id,
                                                           INSTANCES.c.status == PENDING)).first() is not None


def before_delete(session: Session, entity: str, record_id: int) -> None:
    """Refuse to delete a record in approval; otherwise remove its finished approval with it (same transaction)."""
    row = session.execute(sa.select(INSTANCES.c.id, INSTANCES.c.status)
                          .where(INSTANCES.c.entity == entity, INSTANCES.c.record_id == record_id)).first()
    if row is None:
        return
    if row.status == PENDING:
        raise RecordInApproval(IN_APPROVAL.localized())
    session.execute(EVENTS.delete().where(EVENTS.c.instance_id == row.id))
    session.execute(TASKS.delete().where(TASKS.c.instance_id == row.id))
    session.execute(INSTANCES.delete().where(INSTANCES.c.id == row.id))
