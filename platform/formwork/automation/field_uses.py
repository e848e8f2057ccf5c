"""The fields of an entity its automations and actions depend on (the FIELD_USES slot): the Studio locks them.

An automation is triggered by fields (a `changed` trigger's, a `date` trigger's, a schedule's filter), reads them in
its condition and sets them in its `set` steps; an action shows its button by a condition and sets fields too. The
definitions are read as prepared for running (automation/prepared.py), so what counts is what runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..definitions.field_uses import FieldUse, filter_fields
from ..expr import Expression
from ..i18n import CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import TriggerDef
from .prepared import prepared
from .steps import Step
from .steps.records import SetFields

TRIGGER = CatalogText("The automation {what} is triggered by it")
CONDITION = CatalogText("The automation {what} uses it in its condition")
SETS = CatalogText("The automation {what} sets it")
COMPUTES = CatalogText("The automation {what} computes a value from it")
BUTTON = CatalogText("The action {what} shows its button by it")
ACTION_SETS = CatalogText("The action {what} sets it")
ACTION_COMPUTES = CatalogText("The action {what} computes a value from it")


def automation_field_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    ready = prepared(catalog)
    for automation in ready.automations.get(entity.qualified, []):
        label = automation.definition.label
        yield from _uses(_trigger_fields(automation.definition.trigger), TRIGGER, label)
        yield from _uses(_read(automation.condition), CONDITION, label)
        yield from _step_uses(automation.steps, SETS, COMPUTES, label)
    for action in ready.actions.get(entity.qualified, {}).values():
        label = action.definition.label
        yield from _uses(_read(action.visible_when), BUTTON, label)
        yield from _step_uses(action.steps, ACTION_SETS, ACTION_COMPUTES, label)


def _trigger_fields(trigger: TriggerDef) -> set[str]:
    return {*trigger.fields, *([trigger.field] if trigger.field else []), *filter_fields(trigger.filter)}


def _read(expression: Expression | None) -> set[str]:
    """The record's fields an expression reads, `old.<field>` included (not `input`, `user` or `old` itself)."""
    if expression is None:
        return set()
    former = {path.partition(".")[2] for path in expression.paths if path.startswith("old.")}
    return (set(expression.names) - {"old", "input"}) | former


def _step_uses(steps: Iterable[Step], sets: CatalogText, computes: CatalogText, label: Label) -> Iterator[FieldUse]:
    for step in steps:
        if isinstance(step, SetFields):
            yield from _uses(step.values, sets, label)
            yield from _uses(step.reads - {"old", "input"}, computes, label)


def _uses(fields: Iterable[str], why: CatalogText, label: Label) -> Iterator[FieldUse]:
    for name in sorted(set(fields)):
        yield FieldUse(name, why, label)
