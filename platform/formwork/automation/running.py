"""Running steps on a record: the condition, each step in order, and the guard against automations that trigger
each other without end.

Steps run in the caller's transaction. They act with the platform's rights on behalf of whoever triggered them:
rules, required fields, uniques and locks apply to what they write (the lifecycle checks them); field rights and
record rules do not, since the pack's author decided what a step does, and the trigger (a save the person was
allowed, an action their roles may run) decided that it happens. The first step that fails stops the run with a
message naming the automation and the step; the caller rolls the whole transaction back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..actor import Actor
from ..expr import ExpressionFailed
from ..i18n import CatalogText, localized
from .prepared import PreparedAutomation
from .steps import Step, StepFailed, StepRun

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

#: how deep automations may trigger one another (a step's save triggering another automation, and so on)
MAX_DEPTH = 5
_RUNNING = "formwork_automations_running"
TOO_DEEP = CatalogText("Automations triggered one another more than {depth} levels deep ({chain}); nothing was saved.")
STEP_FAILED = CatalogText("{source}, step {number} ({kind}): {reason}")
CONDITION_FAILED = CatalogText("{source}: its condition could not be decided: {reason}")


class AutomationFailed(Exception):
    """A run stopped: a step failed, the condition could not be decided, or the loop guard stopped it.
    `steps_done`: how many of its steps had run before it stopped (the record run log keeps it)."""

    def __init__(self, message: str, steps_done: int = 0) -> None:
        super().__init__(message)
        self.steps_done = steps_done


def acting_for(actor: Actor) -> Actor:
    """Who the steps act as: the platform's rights, with the triggering person's name (audit, history) and `user`."""
    return replace(actor, is_system=True)


def run_automation(automation: PreparedAutomation, run: StepRun, *, first_step: int = 0, decided: bool = False) -> bool:
    """Run `automation` on `run`'s record if its condition holds (`decided`: known to hold), from `first_step` (the
    field updates before it were folded into the save); whether it ran. Raises AutomationFailed."""
    if not decided and not condition_holds(automation, run):
        return False
    with guarded(run.session, automation.name, getattr(run.record, "id", None)):
        run_steps(automation.steps, run, automation.definition.label.localized(), first_step)
    return True


def condition_holds(automation: PreparedAutomation, run: StepRun) -> bool:
    if automation.condition is None:
        return True
    try:
        return bool(
            automation.condition.evaluate(
                run.names(), user=run.actor.user, now=run.actor.now(), tz=run.runtime.timezone, where=automation.name
            )
        )
    except ExpressionFailed as failed:
        source = automation.definition.label.localized()
        raise AutomationFailed(
            CONDITION_FAILED.localized().format(source=source, reason=localized(failed.reason))
        ) from None


def run_steps(steps: list[Step], run: StepRun, source: str, first_step: int = 0) -> None:
    for number, step in enumerate(steps[first_step:], start=first_step + 1):
        try:
            step.run(run)
        except StepFailed as failed:
            raise AutomationFailed(step_failure(source, number, step, localized(failed.message)), number - 1) from None


def step_failure(source: str, number: int, step: Step, reason: str) -> str:
    return STEP_FAILED.localized().format(source=source, number=number, kind=step.kind, reason=reason)


class guarded:
    """Count the automations running inside one another in this transaction; past MAX_DEPTH, stop with the chain.
    `record`: the id of the record it runs on, so that its own writes to that record do not run it again."""

    def __init__(self, session: Session, name: str, record: Any = None) -> None:
        self.session, self.name, self.record = session, name, record

    def __enter__(self) -> None:
        running: list[tuple[str, Any]] = self.session.info.setdefault(_RUNNING, [])
        if len(running) >= MAX_DEPTH:
            chain = " → ".join([*(name for name, _record in running), self.name])
            raise AutomationFailed(TOO_DEEP.localized().format(depth=MAX_DEPTH, chain=chain))
        running.append((self.name, self.record))

    def __exit__(self, *_exc: Any) -> None:
        self.session.info[_RUNNING].pop()


def is_running(session: Session, name: str, record: Any) -> bool:
    """Whether automation `name` is already running on `record` in this transaction: a step's write to the record
    its automation runs on does not start that automation again (the write is its own doing, not news)."""
    return (name, record) in session.info.get(_RUNNING, ())


def step_run(
    runtime: TenantRuntime,
    session: Session,
    actor: Actor,
    automation: PreparedAutomation,
    record: Any,
    old: dict[str, Any] | None = None,
) -> StepRun:
    """A run of `automation` on `record`, its values read as expressions see them."""
    return StepRun(runtime, session, acting_for(actor), automation.entity, record, old=old, source=automation.name)
