"""Record triggers: the lifecycle hooks and the approval listener that run automations inside the transaction that
fired them.

`created`, `updated` and `changed` (one of its fields changed; on a new record, got a value) automations run in two
parts. Their leading `set` steps that read only what the save has assigned are folded into the save itself (the
`assigned` hook): the record is written once, with the rules checked on the result, as Salesforce's before-save
field updates are. Their other steps run once the record is flushed (it has its id, its filled values), before the
caller commits. `deleted` runs before the record is deleted (its values are still there to use); `approval` when
the approvals feature announces one of its events (its steps may write the record its approval just locked, as the
chain's own `on_approve` does). A failure refuses the save (or the delete, or the approval action) with the
automation's message, and nothing is kept but the failed run's row in the record run log (record_runs/): every run
whose condition held is logged, a folded one from its first field update to its last step (a save its folded
updates leave breaking a rule is refused by the rule, as the caller's values would be, and the run is logged as
failed with the rule's message: automation/refused_folds.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..actor import Actor
from ..compile.actors import actor_named
from ..compile.lifecycle import SKIP_LOCKS, RecordRejected, RecordWrite, value_errors
from ..compile.logic import RECORD_ERRORS, flat_values, record_values
from ..compile.records import RecordInUse
from ..compile.schemas import assign_values
from ..features import RecordSignal
from ..fields import kind_of
from ..tenancy.signals import SignalRefused
from .definition import CHANGED, CREATED, DELETED, UPDATED
from .prepared import Prepared, PreparedAutomation, prepared
from .record_runs.log import RecordRun, run_logged
from .running import (
    AutomationFailed,
    acting_for,
    condition_holds,
    is_running,
    step_failure,
    step_run,
)
from .steps import StepRun
from .steps.records import SetFields

#: RecordWrite.notes: {automation: the steps folded into the save (0: its condition did not hold)}
FOLDED = "automation.folded"
#: RecordWrite.notes: {automation: its run, started when its first field update was folded into the save}
FOLDED_RUNS = "automation.folded_runs"
#: RecordWrite.notes: {automation: {field: its value, as expressions see it, before the automation's updates set it}}
UNFOLDED = "automation.unfolded"


def remember_old_values(write: RecordWrite) -> None:
    """`before_validate`: keep the values before an update when an automation compares them (`old`, `changed`)."""
    if write.created or write.old is not None:
        return
    if prepared(write.runtime.catalog).wants_old_values(write.entity.qualified):
        write.old = _values(write)


def fold_field_updates(write: RecordWrite) -> None:
    """`assigned`: remember the old values of a screen's save (its form assigned the new ones: the old are in the
    attributes' history), then fold the leading field updates of the automations this save triggers into it."""
    automations = prepared(write.runtime.catalog)
    if not write.created and write.old is None and automations.wants_old_values(write.entity.qualified):
        write.old = _old_from_history(write)
    due = [a for a in _due(automations, write) if a.field_updates]
    if not due:
        return
    run = StepRun(write.runtime, write.session, acting_for(write.actor), write.entity, write.record, old=write.old)
    folded = write.notes.setdefault(FOLDED, {})
    changed = _changed(write, run.values) if any(a.definition.trigger.on != CREATED for a in due) else set()
    for automation in due:
        if not _fires(automation, changed) or is_running(
            write.session, automation.name, getattr(write.record, "id", None)
        ):
            continue
        run.source = automation.name
        started = RecordRun.start(automation, run.actor)
        try:
            holds = condition_holds(automation, run)
        except AutomationFailed as failed:
            started.failed(write.session, getattr(write.record, "id", None), 0, str(failed))
            raise RecordRejected({RECORD_ERRORS: [str(failed)]}) from None
        folded[automation.name] = automation.field_updates if holds else 0
        if holds:
            write.notes.setdefault(FOLDED_RUNS, {})[automation.name] = started
            _assign_updates(automation, run, write, started)
            changed = _changed(write, run.values)  # what it set may fire the automations after it


def run_saved(write: RecordWrite) -> None:
    """`after_save`: the rest of the created, updated and changed automations of the record."""
    due = _due(prepared(write.runtime.catalog), write)
    if not due:
        return
    folded = write.notes.get(FOLDED, {})
    watching = any(a.definition.trigger.on != CREATED and a.name not in folded for a in due)
    changed = _changed(write, _values(write)) if watching else set()
    for automation in due:
        if is_running(write.session, automation.name, write.record.id):
            continue
        if automation.name in folded:
            _finish_folded(automation, write, folded[automation.name])
        elif _fires(automation, changed):
            _run_or_refuse(automation, write)


def run_deleted(write: RecordWrite) -> None:
    """`before_delete`: the deleted automations, while the record and its values are still there."""
    for automation in prepared(write.runtime.catalog).triggered(write.entity.qualified, DELETED):
        run = step_run(write.runtime, write.session, write.actor, automation, write.record)
        try:
            run_logged(automation, run, write.record.id)
        except AutomationFailed as failed:
            raise RecordInUse(str(failed)) from None


def run_on_approval(signal: RecordSignal) -> None:
    """RECORD_SIGNALS: the approval automations waiting for this event (`approval.approved` → `approved`)."""
    kind, _, event = signal.event.partition(".")
    if kind != "approval":
        return
    due = prepared(signal.runtime.catalog).on_approval(signal.entity, event)
    if not due:
        return
    session, runtime = signal.session, signal.runtime
    record = session.get(runtime.compiled.model(signal.entity), signal.record_id)
    actor = actor_named(runtime, session, signal.actor) if signal.actor else Actor.system()
    for automation in due:
        run = step_run(runtime, session, actor, automation, record)
        run.skip = run.skip | {SKIP_LOCKS}
        try:
            run_logged(automation, run, signal.record_id)
        except AutomationFailed as failed:
            raise SignalRefused(str(failed)) from None


def _due(automations: Prepared, write: RecordWrite) -> list[PreparedAutomation]:
    entity = write.entity.qualified
    return (
        automations.triggered(entity, CREATED, CHANGED)
        if write.created
        else automations.triggered(entity, UPDATED, CHANGED)
    )


def _fires(automation: PreparedAutomation, changed: set[str]) -> bool:
    return automation.definition.trigger.on == CREATED or automation.watches(changed)


def _assign_updates(automation: PreparedAutomation, run: StepRun, write: RecordWrite, started: RecordRun) -> None:
    """The automation's leading `set` steps on the record being saved, checked as the caller's values were; the first
    refused fails `started`. What each field held before is kept (UNFOLDED), so that a rule refusing the save can
    be traced to the updates."""
    source = automation.definition.label.localized()
    for number, step in enumerate(automation.steps[: automation.field_updates], start=1):
        assert isinstance(step, SetFields)
        values = step.assignments(run)
        check = RecordWrite(
            write.runtime,
            write.session,
            run.actor,
            write.entity,
            write.record,
            values,
            write.created,
            write.old,
            run.skip,
        )
        errors = value_errors(check)
        if errors:
            reasons = "; ".join(" ".join(map(str, messages)) for messages in errors.values())
            message = step_failure(source, number, step, reasons)
            started.failed(write.session, getattr(write.record, "id", None), number - 1, message)
            raise RecordRejected({RECORD_ERRORS: [message]})
        before = write.notes.setdefault(UNFOLDED, {}).setdefault(automation.name, {})
        for name in values:
            before.setdefault(name, run.values.get(name))
        assign_values(write.record, write.entity, values, write.session, write.runtime.compiled)
        write.values.update(values)
        run.refresh()


def _finish_folded(automation: PreparedAutomation, write: RecordWrite, done: int) -> None:
    """An automation whose first `done` steps were folded into the save (0: its condition did not hold): its other
    steps, or, when it had none, its run logged."""
    if not done:
        return
    started = write.notes[FOLDED_RUNS][automation.name]
    if done < len(automation.steps):
        _run_or_refuse(automation, write, first_step=done, started=started)
    else:
        started.succeeded(write.session, write.record.id, done)


def _run_or_refuse(
    automation: PreparedAutomation, write: RecordWrite, first_step: int = 0, started: RecordRun | None = None
) -> None:
    run = step_run(write.runtime, write.session, write.actor, automation, write.record, write.old)
    try:
        run_logged(automation, run, write.record.id, started=started, first_step=first_step)
    except AutomationFailed as failed:
        raise RecordRejected({RECORD_ERRORS: [str(failed)]}) from None


def _changed(write: RecordWrite, now: dict[str, Any]) -> set[str]:
    """The fields whose value differs from before the save; for a new record, those it has a value in."""
    if write.created:
        return {f.name for f in write.entity.fields if now.get(f.name) not in (None, "", [])}
    if write.old is None:
        return set(write.values)
    return {f.name for f in write.entity.fields if now.get(f.name) != write.old.get(f.name)}


def _values(write: RecordWrite) -> dict[str, Any]:
    return record_values(write.record, write.entity, write.session, write.runtime.compiled)


def _old_from_history(write: RecordWrite) -> dict[str, Any]:
    """The values before a screen's save, whose form has assigned the new ones: each changed attribute's history
    holds what it replaced (a reference as the record it pointed at, a many-to-many as the records kept and
    removed), in the shapes `record_values` gives."""
    state = sa.inspect(write.record)
    old = _values(write)
    for name in write.values:
        if name not in state.attrs or not state.attrs[name].history.has_changes():
            continue
        history, kind = state.attrs[name].history, kind_of(write.entity.declared_field(name))
        if kind.refers_to_many:
            old[name] = [other.id for other in (*history.unchanged, *history.deleted)]
        elif history.deleted:
            before = history.deleted[0]
            entity = getattr(before, "__entity__", None)
            old[name] = before if entity is None else flat_values(before, entity)
    return old
