"""The engine's rows: reading and writing instances, tasks and events, and the two statements that keep decisions safe.

`lock` (an UPDATE of the instance row) starts every action, so actions on one
request run one after the other; `decide` updates a task only while it is
pending and checks the row count, so of two decisions at once only one wins.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..compile.models import utcnow
from ..i18n import CatalogText
from .definition import ChainDef, StepDef
from .errors import AlreadyDecided, NotFound, WorkflowError
from .labels import TASK_STATUS
from .tables import EVENTS, INSTANCES, TASKS, UPLOADS

#: task states that still count towards a step (transferred/cancelled/replaced tasks were handed on or withdrawn)
LIVE = ("pending", "waiting", "approved", "rejected", "returned", "no_response")

# What these statements refuse (workflow/errors.py).
NO_REQUEST = CatalogText("approval request {id} does not exist")
FILE_TAKEN = CatalogText("an attached file was just attached to something else")
#: an attachment that is not the actor's own upload waiting to be attached (the same words whatever the reason)
NOT_YOURS = CatalogText("No file you uploaded and have not attached yet has the key {key}; upload the file first.")
NOT_OPEN = CatalogText("this task is not open yet: it waits for another approver")
DECIDED_BY = CatalogText("this task was already decided by {user} ({status})")
DECIDED = CatalogText("this task was already decided ({status})")


def lock(s: Session, instance_id: int) -> Any:
    """Touch the instance row first: actions on one request wait for each other (see the module's docstring)."""
    done = s.execute(INSTANCES.update().where(INSTANCES.c.id == instance_id).values(updated_at=utcnow()))
    if done.rowcount != 1:
        raise NotFound(NO_REQUEST, id=instance_id)
    return load_instance(s, instance_id)


def load_instance(s: Session, instance_id: int) -> Any:
    return s.execute(sa.select(INSTANCES).where(INSTANCES.c.id == instance_id)).one()


def step_tasks(s: Session, instance: Any, step: str) -> list[Any]:
    return s.execute(
        sa.select(TASKS)
        .where(
            TASKS.c.instance_id == instance.id,
            TASKS.c.step_run == instance.step_run,
            TASKS.c.step == step,
            TASKS.c.status.in_(LIVE),
        )
        .order_by(TASKS.c.id)
    ).all()


def waiting_for(s: Session, instance: Any) -> list[str]:
    return list(
        s.execute(
            sa.select(TASKS.c.assignee)
            .where(TASKS.c.instance_id == instance.id, TASKS.c.round == instance.round, TASKS.c.status == "pending")
            .order_by(TASKS.c.id)
        ).scalars()
    )


def approved_before(s: Session, instance: Any, chain: ChainDef, step: StepDef) -> list[set[str]]:
    """Per earlier step that ran in this round, in chain order, who approved it."""
    rows = s.execute(
        sa.select(TASKS.c.step, TASKS.c.decided_by).where(
            TASKS.c.instance_id == instance.id, TASKS.c.round == instance.round, TASKS.c.status == "approved"
        )
    ).all()
    by_step: dict[str, set[str]] = {}
    for name, person in rows:
        by_step.setdefault(name, set()).add(person)
    return [by_step[x.name] for x in chain.steps[: step.index] if x.name in by_step]


def ran(s: Session, instance: Any, step: str) -> bool:
    """Did the step have tasks in this round (a skipped or auto-approved step did not)?"""
    return (
        s.execute(
            sa.select(sa.func.count())
            .select_from(TASKS)
            .where(TASKS.c.instance_id == instance.id, TASKS.c.round == instance.round, TASKS.c.step == step)
        ).scalar_one()
        > 0
    )


def decide(s: Session, task: Any, user: str, status: str, comment: str | None) -> None:
    """The decision itself: only a task still pending can be decided, so of two at once only one wins."""
    done = s.execute(
        TASKS.update()
        .where(TASKS.c.id == task.id, TASKS.c.status == "pending", TASKS.c.assignee == user)
        .values(status=status, decided_by=user, decided_at=utcnow(), comment=comment)
    )
    if done.rowcount != 1:
        raise already(s.execute(sa.select(TASKS).where(TASKS.c.id == task.id)).one())


def close_open_tasks(s: Session, instance: Any, step: str | None, status: str) -> None:
    where = [TASKS.c.instance_id == instance.id, TASKS.c.status.in_(("pending", "waiting"))]
    if step is not None:
        where += [TASKS.c.round == instance.round, TASKS.c.step == step]
    s.execute(TASKS.update().where(*where).values(status=status, decided_at=utcnow()))


def event(
    s: Session,
    instance: Any,
    action: str,
    actor: str | None,
    *,
    step: str | None = None,
    task_id: int | None = None,
    comment: str | None = None,
    attachments: list[dict] | None = None,
    **detail: Any,
) -> None:
    """Record an event. Its attachments must be the actor's own uploads not attached yet (`add_uploads`); the event
    keeps their references as the upload recorded them (name, size, content type), whatever the caller sent."""
    references = own_uploads(s, actor, attachments or [])
    event_id = s.execute(
        EVENTS.insert().values(
            instance_id=instance.id,
            round=instance.round,
            step=step,
            task_id=task_id,
            action=action,
            actor=actor,
            at=utcnow(),
            comment=comment,
            attachments=references,
            detail=detail,
        )
    ).inserted_primary_key[0]
    if references:
        keys = [r["key"] for r in references]
        done = s.execute(
            UPLOADS.update()
            .where(UPLOADS.c.key.in_(keys), UPLOADS.c.uploader == actor, UPLOADS.c.event_id.is_(None))
            .values(event_id=event_id)
        )
        if done.rowcount != len(keys):
            raise AlreadyDecided(FILE_TAKEN)


def last_actor(s: Session, instance: Any) -> str | None:
    """Who acted last in the instance's round (the approver whose decision ended a step or the request); None when
    only the platform did (a timeout)."""
    return s.scalar(
        sa.select(EVENTS.c.actor)
        .where(EVENTS.c.instance_id == instance.id, EVENTS.c.round == instance.round, EVENTS.c.actor.is_not(None))
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    )


def add_uploads(s: Session, uploader: str, references: list[dict]) -> None:
    """Record files `uploader` stored to attach to an action (the store's references: key, name, size, content type)."""
    now = utcnow()
    for r in references:
        s.execute(
            UPLOADS.insert().values(
                key=r["key"],
                uploader=uploader,
                name=r["name"],
                size=r["size"],
                content_type=r["content_type"],
                created_at=now,
            )
        )


def own_uploads(s: Session, user: str | None, attachments: list[dict]) -> list[dict]:
    """The references of `attachments` (by key) as uploaded; WorkflowError unless each is `user`'s and unattached."""
    keys = list(dict.fromkeys(str(a.get("key")) for a in attachments))
    if not keys:
        return []
    found = {row.key: row for row in s.execute(sa.select(UPLOADS).where(UPLOADS.c.key.in_(keys)))}
    for key in keys:
        row = found.get(key)
        if user is None or row is None or row.uploader != user or row.event_id is not None:
            raise WorkflowError(NOT_YOURS, key=key)
    return [
        {"key": k, "name": found[k].name, "size": found[k].size, "content_type": found[k].content_type} for k in keys
    ]


def already(task: Any) -> AlreadyDecided:
    """Why a task cannot be decided now: it waits for an added approver, or it was decided (by whom, how)."""
    if task.status == "waiting":
        return AlreadyDecided(NOT_OPEN)
    status = TASK_STATUS.get(task.status, task.status)
    if task.decided_by:
        return AlreadyDecided(DECIDED_BY, user=task.decided_by, status=status)
    return AlreadyDecided(DECIDED, status=status)
