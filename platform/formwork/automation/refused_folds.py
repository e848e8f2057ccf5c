"""A save refused by a rule its folded field updates broke: their run is logged as failed, with the rule's message.

An automation's leading `set` steps are folded into the save that triggers it (automation/triggers.py), and the
entity's rules are checked on the result. When they refuse it, nothing is written, and the caller rolls back: the run
never reached `after_save`, where a folded run is logged. So the `refused` record event logs it here, as failed,
once the save is over (record_runs/log.py), if its updates are what the rules refuse: the rules are asked again with
the fields it set as they were before it set them, and what they refuse then is the caller's doing, not the run's.
A save the caller's own values break logs no run, as it would without the automation.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..compile.lifecycle import RecordWrite
from ..compile.logic import FieldErrors, compute_formulas, record_values, save_errors
from .triggers import FOLDED, FOLDED_RUNS, UNFOLDED


def log_refused_folds(write: RecordWrite) -> None:
    """`refused`: each folded run whose updates the rules refuse, logged as failed with the rules' messages."""
    runs = write.notes.get(FOLDED_RUNS, {})
    if not runs:
        return
    refused = record_values(write.record, write.entity, write.session, write.runtime.compiled)
    broken = _rule_errors(write, refused)
    for name, started in runs.items():
        caused = _new(broken, _rule_errors(write, {**refused, **write.notes[UNFOLDED][name]}))
        if caused:
            done = write.notes[FOLDED][name]
            started.failed(write.session, getattr(write.record, "id", None), done - 1, "; ".join(caused))


def _new(errors: FieldErrors, before: FieldErrors) -> list[str]:
    """The messages of `errors` that `before` did not give at the same field."""
    return [
        message for field, messages in errors.items() for message in messages if message not in before.get(field, [])
    ]


def _rule_errors(write: RecordWrite, values: dict[str, Any]) -> FieldErrors:
    """What the entity's formulas and rules refuse of a record holding `values` (formulas computed into a copy, the
    record itself left as it is)."""
    logic = write.runtime.compiled.logic[write.entity.qualified]
    values = dict(values)
    errors = compute_formulas(logic, SimpleNamespace(), values)
    for field, messages in save_errors(logic, values, write.old, write.actor.user).items():
        errors.setdefault(field, []).extend(messages)
    return errors
