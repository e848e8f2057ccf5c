"""Automations and actions prepared once per catalog: condition and steps compiled, looked up by entity and trigger.

`formwork validate` prepares them too (automation/checks.py) and reports the problems the preparation collects, so
what validation accepted is exactly what runs. A tenant's catalog is prepared at its first save that could trigger
something and kept as long as the catalog lives.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..expr import Expression, Variable, field_variable
from ..expr.entity import record_variables
from ..fields import kind_of
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from . import check_texts as says
from .definition import (
    APPROVAL,
    CHANGED,
    CREATED,
    DELETED,
    UPDATED,
    ActionDef,
    AutomationDef,
    InputDef,
    StepDef,
)
from .steps import STEP_KINDS, Step, StepScope
from .steps.records import SetFields


@dataclass
class PreparedAutomation:
    definition: AutomationDef
    entity: EntityDef
    condition: Expression | None
    steps: list[Step]
    #: how many of its first steps are field updates folded into the save that triggers it (see field_updates)
    field_updates: int = 0

    @property
    def name(self) -> str:
        return self.definition.qualified

    def watches(self, changed: Iterable[str]) -> bool:
        """A `changed` trigger fires when one of its fields changed; `updated` when any field did (a save that
        changes nothing triggers nothing)."""
        trigger, changed = self.definition.trigger, set(changed)
        return (trigger.on == UPDATED and bool(changed)) or (
            trigger.on == CHANGED and bool(set(trigger.fields) & changed)
        )


@dataclass
class PreparedAction:
    definition: ActionDef
    entity: EntityDef
    visible_when: Expression | None
    steps: list[Step]

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass
class Prepared:
    """A catalog's automations by entity, and its actions by entity and name."""

    automations: dict[str, list[PreparedAutomation]] = field(default_factory=dict)
    actions: dict[str, dict[str, PreparedAction]] = field(default_factory=dict)

    def triggered(self, entity: str, *on: str) -> list[PreparedAutomation]:
        return [a for a in self.automations.get(entity, ()) if a.definition.trigger.on in on]

    def wants_old_values(self, entity: str) -> bool:
        return bool(self.triggered(entity, UPDATED, CHANGED))

    def on_approval(self, entity: str, event: str) -> list[PreparedAutomation]:
        return [a for a in self.triggered(entity, APPROVAL) if event in a.definition.trigger.events]


#: by the catalog's id, dropped when the catalog is (a catalog compares by value, so it cannot be a weak key)
_PREPARED: dict[int, Prepared] = {}


def prepared(catalog: Catalog) -> Prepared:
    """The catalog's automations and actions, prepared at first use."""
    key = id(catalog)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = prepare_all(catalog)
        weakref.finalize(catalog, _PREPARED.pop, key, None)
    return found


def prepare_all(catalog: Catalog, problems: list[tuple[object, tuple, str]] | None = None) -> Prepared:
    """Prepare every enabled automation and every action; `problems` collects (definition, path, message)."""
    result = Prepared()
    for automation in catalog.collections.get("automations", {}).values():
        entity = catalog.entities.get(automation.entity)
        if entity is None:
            continue
        scope = StepScope(catalog, entity, automation.pack, (), extra={"old": _record(entity, catalog)})
        condition = scope.expression(automation.condition, ("condition",), "boolean") if automation.condition else None
        steps = prepare_steps(automation.steps, scope)
        _collect(problems, automation, scope)
        if automation.enabled:
            result.automations.setdefault(entity.qualified, []).append(
                PreparedAutomation(
                    automation, entity, condition, steps, field_updates(automation, entity, condition, steps)
                )
            )
    for action in catalog.collections.get("actions", {}).values():
        entity = catalog.entities.get(action.entity)
        if entity is None:
            continue
        scope = StepScope(catalog, entity, action.pack, (), extra={"input": input_variable(action.inputs)})
        visible = scope.expression(action.visible_when, ("visible_when",), "boolean") if action.visible_when else None
        steps = prepare_steps(action.steps, scope)
        _collect(problems, action, scope)
        result.actions.setdefault(entity.qualified, {})[action.name] = PreparedAction(action, entity, visible, steps)
    return result


def field_updates(automation: AutomationDef, entity: EntityDef, condition: Expression | None, steps: list[Step]) -> int:
    """How many leading `set` steps of a record-triggered automation can be folded into the save that triggers it,
    before its record is written (one write instead of two, the rules checked on the result, as Salesforce's
    before-save field updates): those whose condition and values read only fields the save has already assigned,
    not the id, the audit columns or what the flush computes (auto numbers, rollups, formulas)."""
    if automation.trigger.on not in (CREATED, UPDATED, CHANGED):
        return 0
    assigned = _assigned_fields(entity)
    reads = set(condition.names) if condition is not None else set()
    count = 0
    for step in steps:
        if not isinstance(step, SetFields):
            break
        reads |= step.reads
        if not reads - {"old", "input"} <= assigned:
            break
        count += 1
    return count


def _assigned_fields(entity: EntityDef) -> set[str]:
    kinds = {f.name: kind_of(f) for f in entity.fields}
    return {name for name, k in kinds.items() if not (k.computed_by_expression or k.aggregates_records or k.numbered)}


def prepare_steps(steps: Iterable[StepDef], scope: StepScope) -> list[Step]:
    prepared_steps = []
    for step in steps:
        kind = STEP_KINDS.get(step.kind)
        if kind is None:  # the schema names the kinds; kept for definitions built in code
            unknown = say(says.UNKNOWN_STEP, kind=step.kind, kinds=", ".join(STEP_KINDS))
            scope.problems.append((step.path[:2], unknown))
            continue
        scope.path = step.path
        prepared_steps.append(kind(step.options, scope))
    scope.path = ()
    return prepared_steps


def input_variable(inputs: Iterable[InputDef]) -> Variable:
    """`input` in an action's expressions: its inputs by name, typed as their field types (a choice's values)."""
    return Variable("map", fields={item.name: field_variable(item.as_field) for item in inputs})


def _record(entity: EntityDef, catalog: Catalog) -> Variable:
    return Variable("map", fields=record_variables(entity, catalog))


def _collect(problems: list[tuple[object, tuple, str]] | None, definition: object, scope: StepScope) -> None:
    if problems is not None:
        problems.extend((definition, path, message) for path, message in scope.problems)


__all__ = ["CREATED", "DELETED", "Prepared", "PreparedAction", "PreparedAutomation", "prepared", "prepare_all"]
