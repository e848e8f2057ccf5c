"""What the approval engine tells people: a task waiting for them, the outcome, copies and reminders.

The engine calls these inside its action's transaction (workflow/engine.py),
so a notification exists exactly when the action it reports commits; whoever
delivers notices (tenancy/notices.py: the notify feature) decides how. Each one
carries the record's title, the chain's and step's labels (both languages, so
the inbox shows them in the reader's) and the comment, for the templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..i18n import CatalogText, Label
from ..tenancy.notices import APPROVAL_DECIDED, APPROVAL_NEEDED, ASSIGNED, CC, REMINDER, notices
from .definition import chain_from_snapshot
from .tables import EVENTS

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

OUTCOMES = {
    "approved": CatalogText("approved"),
    "rejected": CatalogText("rejected"),
}
#: the actor the engine writes for what the worker does on its own (workflow/engine.SYSTEM)
SYSTEM = "system"
#: task origins that are the step's own approvers; any other (transfer, add-sign, escalation…) hands the task over
STEP_ORIGIN = "assigned"


def task_opened(
    runtime: TenantRuntime, s: Session, instance: Any, step: str, assignee: str, origin: str, actor: str | None = None
) -> None:
    """A task now waits for `assignee`: a step's approver is asked to approve, anyone else was assigned it
    (by `actor`; default: the submitter, on whose behalf the engine asks)."""
    event = APPROVAL_NEEDED if origin == STEP_ORIGIN else ASSIGNED
    notices().notify(
        s,
        event=event,
        recipients=[assignee],
        entity=instance.entity,
        record_id=instance.record_id,
        actor=actor or instance.submitter,
        data=_about(runtime, s, instance, step),
    )


def decided(runtime: TenantRuntime, s: Session, instance: Any, outcome: str) -> None:
    """The request ended: its submitter hears the outcome from whoever decided last (a timeout: the platform)."""
    data = {**_about(runtime, s, instance, None), "outcome": OUTCOMES.get(outcome, Label(outcome))}
    notices().notify(
        s,
        event=APPROVAL_DECIDED,
        recipients=[instance.submitter],
        entity=instance.entity,
        record_id=instance.record_id,
        actor=_last_decider(s, instance),
        data=data,
    )


def copied(runtime: TenantRuntime, s: Session, instance: Any, people: Iterable[str], action: str) -> None:
    """The chain's `cc` people (event cc) or its outcome's `notify` people (event approval_decided)."""
    data = _about(runtime, s, instance, None)
    if action == "notify":
        data["outcome"] = OUTCOMES.get(instance.status, Label(instance.status))
    notices().notify(
        s,
        event=CC if action == "cc" else APPROVAL_DECIDED,
        recipients=people,
        entity=instance.entity,
        record_id=instance.record_id,
        actor=instance.submitter,
        data=data,
    )


def reminded(
    runtime: TenantRuntime,
    s: Session,
    instance: Any,
    people: Iterable[str],
    actor: str | None,
    comment: str | None = None,
) -> None:
    """The submitter urged, or the step's reminder came due: the people the request waits for hear it again."""
    data = {**_about(runtime, s, instance, instance.step), "comment": comment}
    notices().notify(
        s,
        event=REMINDER,
        recipients=people,
        entity=instance.entity,
        record_id=instance.record_id,
        actor=actor,
        data=data,
    )


def _last_decider(s: Session, instance: Any) -> str | None:
    """The person behind the round's last event (the engine's own events have no actor; `system` is a timeout)."""
    actor = s.execute(
        sa.select(EVENTS.c.actor)
        .where(EVENTS.c.instance_id == instance.id, EVENTS.c.round == instance.round, EVENTS.c.actor.is_not(None))
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    ).scalar()
    return None if actor == SYSTEM else actor


def _about(runtime: TenantRuntime, s: Session, instance: Any, step: str | None) -> dict[str, Any]:
    chain = chain_from_snapshot(instance.snapshot)
    step_def = next((candidate for candidate in chain.steps if candidate.name == step), None) if step else None
    record = s.get(runtime.compiled.model(instance.entity), instance.record_id)
    return {
        "record": str(record) if record is not None else f"#{instance.record_id}",
        "chain": chain.label,
        "step": step_def.label if step_def is not None else None,
    }
