"""Running an action: its steps on each chosen record, all in the caller's one transaction.

The steps act with the platform's rights on behalf of the person (running.acting_for): they may run the action, so
what its author wrote happens; rules, required fields, uniques and locks still apply to every write, through the
record lifecycle, which also bumps each saved record's version and lets the history record it. The first step that
fails raises AutomationFailed with its message; the caller rolls the transaction back, so nothing changes, on one
record or on all the selected ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ...actor import Actor
from ..prepared import PreparedAction
from ..running import acting_for, guarded, run_steps
from ..steps import StepRun
from .access import check_applies
from .labels import TEXT

if TYPE_CHECKING:
    from ...tenancy.runtime import TenantRuntime


def run_action(
    runtime: TenantRuntime,
    session: Session,
    actor: Actor,
    action: PreparedAction,
    records: Iterable[Any],
    given: dict[str, Any],
) -> list[str]:
    """Run `action` with the inputs `given` on each of `records` (each must still satisfy `visible_when`: raises
    ActionRefused otherwise), without committing; what the steps told the person. Raises AutomationFailed."""
    label = action.definition.label.localized()
    messages: list[str] = []
    for record in records:
        check_applies(runtime, session, actor, action, record)
        run = StepRun(runtime, session, acting_for(actor), action.entity, record, input=given, source=label)
        run.refresh()
        with guarded(session, action.definition.qualified):
            run_steps(action.steps, run, label)
        messages += [message for message in run.messages if message not in messages]
    return messages


def success_text(action: PreparedAction, count: int | None = None) -> str:
    """What the person is told once it ran: the action's `success`, or that it ran (on how many records)."""
    definition = action.definition
    if definition.success is not None:
        return definition.success.localized()
    if count is None:
        return TEXT["done"].localized().format(action=definition.label.localized())
    return TEXT["done_many"].localized().format(action=definition.label.localized(), count=count)
