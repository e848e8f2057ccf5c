"""The fields of an entity its automations and actions depend on (the FIELD_USES slot): the Studio locks them.

An automation is triggered by fields (a `changed` trigger's, a `date` trigger's, a schedule's filter), reads them in
its condition and sets them in its `set` steps; an action shows its button by a condition and sets fields too. The
definitions are read as prepared for running (automation/prepared.py), so what counts is what runs. A condition
relies on the choices it names, a `set` step on those it sets; a trigger fires on a change whatever the values, so
it relies on none (but the values its filter names).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..definitions.field_uses import FieldUse, filter_fields, merged, no_value, read_fields, set_values, uses_of
from ..expr import Expression, NamedValues
from ..i18n import CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import TriggerDef
from .prepared import prepared
from .steps import Step
from .steps.base import Value
from .steps.records import SetFields

TRIGGER = CatalogText("The automation {what} is triggered by it")
CONDITION = CatalogText("The automation {what} uses it in its condition")
SETS = CatalogText("The automation {what} sets it")
COMPUTES = CatalogText("The automation {what} computes a value from it")
BUTTON = CatalogText("The action {what} shows its button by it")
ACTION_SETS = CatalogText("The action {what} sets it")
ACTION_COMPUTES = CatalogText("The action {what} computes a value from it")
#: the names besides the record's fields an automation's or action's expressions read: the record as it was (whose
#: fields count as the record's) and an action's inputs
RECORDS, IGNORED = ("old",), ("input",)


def automation_field_uses(catalog: Catalog, entity: EntityDef) -> Iterator[FieldUse]:
    ready = prepared(catalog)
    for automation in ready.automations.get(entity.qualified, []):
        label = automation.definition.label
        yield from uses_of(_trigger_fields(automation.definition.trigger), TRIGGER, label)
        yield from uses_of(_read(automation.condition), CONDITION, label)
        yield from _step_uses(automation.steps, SETS, COMPUTES, label)
    for action in ready.actions.get(entity.qualified, {}).values():
        label = action.definition.label
        yield from uses_of(_read(action.visible_when), BUTTON, label)
        yield from _step_uses(action.steps, ACTION_SETS, ACTION_COMPUTES, label)


def _trigger_fields(trigger: TriggerDef) -> NamedValues:
    watched = no_value([*trigger.fields, *([trigger.field] if trigger.field else [])])
    return merged(watched, filter_fields(trigger.filter))


def _read(expression: Expression | None) -> NamedValues:
    """The record's fields an expression reads, `old.<field>` included (not `input`, `user` or `old` itself)."""
    if expression is None:
        return {}
    return read_fields(expression, RECORDS, IGNORED)


def _step_uses(steps: Iterable[Step], sets: CatalogText, computes: CatalogText, label: Label) -> Iterator[FieldUse]:
    for step in steps:
        if isinstance(step, SetFields):
            values = step.values.items()
            yield from uses_of({name: _set(value) for name, value in values}, sets, label)
            computed = [_read(value.expression) for _, value in values]
            yield from uses_of(merged(*computed), computes, label)


def _set(value: Value) -> frozenset[str] | None:
    """The choice values a `set` step sets: its constant, or what its expression can give."""
    return value.expression.gives if value.expression is not None else set_values(value.constant)
