"""Automation as a feature: the Automation and Action kinds and their checks, the record hooks and approval listener
that run automations in the triggering transaction, the log of those runs, the step schema, and webhook delivery,
declared on the registry (formwork/features.py)."""

from __future__ import annotations

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    FIELD_USES,
    RECORD_SIGNALS,
    SCHEMA_DEFINITIONS,
    FeatureRegistry,
    SchemaDefinition,
)
from ..meta.kinds import Kind
from ..meta.partial import Partial
from . import actions, record_runs, timed, webhooks
from .checks import add_action, add_automation, check_automations
from .definition import build_action, build_automation
from .field_uses import automation_field_uses
from .refused_folds import log_refused_folds
from .steps import step_schema
from .triggers import fold_field_updates, remember_old_values, run_deleted, run_on_approval, run_saved

AUTOMATION = Kind(
    "Automation",
    "automation.json",
    build_automation,
    add_automation,
    Partial(),
    collection="automations",
    schema_package="formwork.automation",
    customizable=True,
)
ACTION = Kind(
    "Action",
    "action.json",
    build_action,
    add_action,
    Partial(),
    collection="actions",
    schema_package="formwork.automation",
    customizable=True,
)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, AUTOMATION, priority=50)
    registry.add(DEFINITION_KINDS, ACTION, priority=50)
    registry.add(SCHEMA_DEFINITIONS, SchemaDefinition("automation_step", step_schema))
    registry.add(DEFINITION_CHECKS, check_automations, priority=50)
    registry.add(FIELD_USES, automation_field_uses)
    registry.on_record("before_validate", remember_old_values, priority=90)
    registry.on_record("assigned", fold_field_updates)
    registry.on_record("refused", log_refused_folds)
    # after the core's and the other features' hooks (history records the save before what automations do)
    registry.on_record("after_save", run_saved, priority=200)
    registry.on_record("before_delete", run_deleted, priority=200)
    registry.add(RECORD_SIGNALS, run_on_approval)
    webhooks.register(registry)
    timed.register(registry)
    record_runs.register(registry)
    actions.register(registry)
