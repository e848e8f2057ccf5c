"""The step kinds of automations and actions, one small class each, in one table (as fields/ keeps field types).

A step is written as a mapping of one key, its kind, to its options; the table gives each kind its JSON Schema (so
`formwork schema export` and `validate` know every step's options), its preparation and its run.
"""

from __future__ import annotations

from typing import Any

from .base import Step, StepFailed, StepRun, StepScope
from .calls import CallWebhook, RunServerAction, StartApproval
from .messages import Email, Notify
from .records import CreateRecords, SetFields, UpdateRecords

STEP_KINDS: dict[str, type[Step]] = {
    kind.kind: kind
    for kind in (SetFields, CreateRecords, UpdateRecords, Notify, Email, CallWebhook, StartApproval, RunServerAction)
}


def step_schema() -> dict[str, Any]:
    """`#/$defs/automation_step`: a mapping of exactly one step kind to its options."""
    return {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "description": "one of: " + "; ".join(f"{name}: {kind.description}" for name, kind in STEP_KINDS.items()),
        "properties": {name: kind.schema for name, kind in STEP_KINDS.items()},
    }


__all__ = ["STEP_KINDS", "Step", "StepFailed", "StepRun", "StepScope", "step_schema"]
