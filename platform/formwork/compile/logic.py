"""The expressions of an entity, compiled once, and what they decide about a record.

Defaults and formulas fill values in; `visible_when`, `required_when` and
`read_only_when` decide what a form shows and accepts; validation rules and
`locked_when` decide whether a save is allowed. The same decisions are made
for screens, the REST API and the live form rules in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..actor import Actor
from ..expr import (
    Expression,
    ExpressionFailed,
    compile_expression,
    entity_variables,
    field_variable,
)
from ..fields import field_type, kind_of
from ..fields.base import ChoiceFilter
from ..fields.rollup import empty_value
from ..filters import actor_context, compile_filter
from ..i18n import CatalogText, say
from ..meta.catalog import Catalog
from ..meta.model import STANDARD_COLUMNS, EntityDef, RuleDef

FieldErrors = dict[str, list[str]]
CONDITIONS = ("visible_when", "required_when", "read_only_when")
RECORD_ERRORS = "_record"  # the key of messages that belong to no single field
#: the refusals of an entity's logic, each whole in the reader's language (the API's English templates are the same)
REQUIRED = CatalogText("This field is required.")
READ_ONLY_NOW = CatalogText("This field cannot be changed now.")
LOCKED = CatalogText("This {entity} is locked and cannot be changed.")
#: an expression that could not be evaluated on this record, with why (`ExpressionFailed.reason`)
DEFAULT_FAILED = CatalogText("Its default could not be computed: {reason}.")
FORMULA_FAILED = CatalogText("Cannot be computed: {reason}.")
RULE_UNDECIDED = CatalogText("{message} ({reason})", context="a rule's message and why it could not be checked")


@dataclass
class FieldState:
    visible: bool = True
    required: bool = False
    read_only: bool = False


@dataclass
class EntityLogic:
    entity: EntityDef
    defaults: dict[str, Expression] = field(default_factory=dict)
    formulas: dict[str, Expression] = field(default_factory=dict)
    conditions: dict[str, dict[str, Expression]] = field(default_factory=dict)  # field -> condition -> expression
    rules: list[tuple[RuleDef, Expression]] = field(default_factory=list)
    locked_when: Expression | None = None
    #: whether a formula reads a rollup (itself or through another formula): the database computes rollups after a
    #: flush, so such formulas are computed again then (compile/rollups.py)
    formulas_read_rollups: bool = False
    #: count and sum rollups, as a new record has them before its first flush: 0 (compute_formulas)
    empty_rollups: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """No expressions at all: saving needs no evaluation."""
        return not (self.defaults or self.formulas or self.conditions or self.rules or self.locked_when)


def compile_logic(entity: EntityDef, catalog: Catalog) -> EntityLogic:
    """Compile every expression of `entity` (already checked by `formwork validate`)."""
    variables = entity_variables(entity, catalog)
    logic = EntityLogic(entity)
    for f in entity.fields:
        if f.default_expression:
            logic.defaults[f.name] = compile_expression(
                f.default_expression, variables, expect=field_variable(f, catalog)
            )
        if kind_of(f).computed_by_expression:
            logic.formulas[f.name] = compile_expression(
                f.options["expression"], variables, expect=field_variable(f, catalog)
            )
        found = {
            c: compile_expression(source, variables, expect="boolean") for c in CONDITIONS if (source := f.condition(c))
        }
        if found:
            logic.conditions[f.name] = found
    logic.rules = [(rule, compile_expression(rule.check, variables, expect="boolean")) for rule in entity.rules]
    if entity.locked_when:
        logic.locked_when = compile_expression(entity.locked_when, variables, expect="boolean")
    logic.formulas_read_rollups = _read_rollups(entity, logic.formulas)
    logic.empty_rollups = {
        f.name: empty_value(f) for f in entity.fields if kind_of(f).aggregates_records and empty_value(f) is not None
    }
    return logic


def _read_rollups(entity: EntityDef, formulas: dict[str, Expression]) -> bool:
    """Whether any formula reads a rollup field of its record, directly or through other formulas."""
    reading = {f.name for f in entity.fields if kind_of(f).aggregates_records}
    while True:
        found = {name for name, expression in formulas.items() if expression.names & reading} - reading
        if not found:
            return any(name in reading for name in formulas)
        reading |= found


def record_values(item: Any, entity: EntityDef, session: Any, models: Any) -> dict[str, Any]:
    """A record as expressions see it: its fields, and each reference as the referenced record's fields."""
    values = {name: getattr(item, name, None) for name in STANDARD_COLUMNS}
    for f in entity.fields:
        value = getattr(item, field_type(f.type).attribute(f), None)
        if kind_of(f).refers_to_record:
            target = _set_record(item, f.name) or (
                session.get(models.model(f.target), value) if value is not None else None
            )
            value = None if target is None else flat_values(target, models.model(f.target).__entity__)
        elif kind_of(f).refers_to_many:
            value = [other.id for other in getattr(item, f.name, None) or []]
        values[f.name] = value
    return values


def _set_record(item: Any, relationship: str) -> Any:
    """The record a form just set as a reference (its id is written only when the record is flushed), if any."""
    state = sa.inspect(item, raiseerr=False)
    added = state.attrs[relationship].history.added if state is not None else ()
    return added[0] if added else None


def flat_values(item: Any, entity: EntityDef) -> dict[str, Any]:
    """A referenced record as expressions see it inside the referring one: its own fields, references as ids."""
    values = {name: getattr(item, name, None) for name in STANDARD_COLUMNS}
    values.update({f.name: getattr(item, field_type(f.type).attribute(f), None) for f in entity.fields})
    return values


def where(entity: EntityDef, what: str) -> str:
    return f"{entity.qualified} {what}"


def field_states(logic: EntityLogic, values: dict[str, Any], user: dict[str, Any] | None) -> dict[str, FieldState]:
    """Visible / required / read-only for each field with conditions; a failing condition keeps the field usable."""
    states = {}
    for name, conditions in logic.conditions.items():
        state = FieldState(required=logic.entity.declared_field(name).required)
        for condition, expression in conditions.items():
            try:
                result = expression.evaluate(values, user=user, where=where(logic.entity, f"{name}.{condition}"))
            except ExpressionFailed:
                continue
            if condition == "visible_when":
                state.visible = result
            elif condition == "required_when":
                state.required = state.required or result
            else:
                state.read_only = result
        state.required = state.required and state.visible  # a hidden field is never required
        states[name] = state
    return states


def fill_defaults(
    logic: EntityLogic, item: Any, values: dict[str, Any], actor: Actor, session: Any, models: Any
) -> FieldErrors:
    """Expression defaults of a new record `actor` makes, for the fields left empty; a required field its default
    leaves empty is an error (a reference's default names its record by id, or as the record itself: `unit.building`,
    which must be one `actor` may see and choose)."""
    errors: FieldErrors = {}
    user, choices = actor.user, choice_filter(actor)
    for name, expression in logic.defaults.items():
        if values.get(name) is not None:
            continue
        field = logic.entity.declared_field(name)
        try:
            value = expression.evaluate(values, user=user, where=where(logic.entity, f"{name}.default"))
        except ExpressionFailed as failed:
            errors[name] = [say(DEFAULT_FAILED, reason=failed.reason).localized()]
            continue
        stored, problems = field_type(field.type).assign_default(item, field, value, session, models, actor, choices)
        if problems:
            errors[name] = problems
        elif stored is None and field.required:
            errors[name] = [REQUIRED.localized()]  # as if left empty (a user with no employee)
        else:
            values[name] = flat_values(stored, stored.__entity__) if hasattr(stored, "__entity__") else stored
    return errors


def compute_formulas(logic: EntityLogic, item: Any, values: dict[str, Any]) -> FieldErrors:
    """Every formula, in field order, into `values` and onto `item`. A new record's count and sum rollups read 0
    (their rows are counted after the flush, and its formulas computed again then: compile/rollups.py)."""
    errors: FieldErrors = {}
    for name, empty in logic.empty_rollups.items():
        if values.get(name) is None:
            values[name] = empty
    for name, expression in logic.formulas.items():
        try:
            values[name] = expression.evaluate(values, where=where(logic.entity, f"formula {name}"))
        except ExpressionFailed as failed:
            errors[name] = [say(FORMULA_FAILED, reason=failed.reason).localized()]
            continue
        setattr(item, name, values[name])
    return errors


def save_errors(
    logic: EntityLogic, new: dict[str, Any], old: dict[str, Any] | None, user: dict[str, Any] | None
) -> FieldErrors:
    """Why this save must be refused: locked record, conditions and validation rules, per field."""
    entity = logic.entity
    errors: FieldErrors = {}
    if (
        old is not None
        and logic.locked_when is not None
        and _holds(logic.locked_when, old, user, entity, "locked_when")
    ):
        return {RECORD_ERRORS: [LOCKED.localized().format(entity=entity.label.localized())]}
    for name, state in field_states(logic, new, user).items():
        if state.required and new.get(name) in (None, "", []):
            errors.setdefault(name, []).append(REQUIRED.localized())
    if old is not None:
        for name, state in field_states(logic, old, user).items():
            if state.read_only and new.get(name) != old.get(name):
                errors.setdefault(name, []).append(READ_ONLY_NOW.localized())
    for rule, expression in logic.rules:
        try:
            passed = expression.evaluate(new, user=user, where=where(entity, f"rule '{rule.name}'"))
        except ExpressionFailed as failed:
            undecided = say(RULE_UNDECIDED, message=rule.message, reason=failed.reason)
            errors.setdefault(rule.field or RECORD_ERRORS, []).append(undecided.localized())
            continue
        if not passed:
            errors.setdefault(rule.field or RECORD_ERRORS, []).append(rule.message.localized())
    return errors


def is_locked(logic: EntityLogic, stored: dict[str, Any]) -> bool:
    return logic.locked_when is not None and _holds(logic.locked_when, stored, None, logic.entity, "locked_when")


def _holds(expression: Expression, values: dict[str, Any], user: Any, entity: EntityDef, what: str) -> bool:
    try:
        return bool(expression.evaluate(values, user=user, where=where(entity, what)))
    except ExpressionFailed:
        return False


def employee_of(session: Any, models: Any, username: str) -> Any:
    """The employee who signs in as `username` (core.employee.login), if the core pack is installed."""
    if "core.employee" not in models.models:
        return None
    employee = models.model("core.employee")
    return session.scalar(sa.select(employee).where(employee.login == username).limit(1))


def user_values(user: Any, employee: Any) -> dict[str, Any]:
    """`user` for expressions: id, name, roles, and `employee` (who signs in as this user: its id, so that a
    reference default `user.employee` picks it) with its department."""
    department = str(employee.department) if employee is not None and employee.department is not None else None
    return {
        "id": user.id,
        "name": f"{user.first_name} {user.last_name}".strip() or user.username,
        "roles": [role.name for role in user.roles],
        "department": department,
        "employee": employee.id if employee is not None else None,
    }


def choice_filter(actor: Actor) -> ChoiceFilter:
    """Reference fields' `filter:` compiled for `actor`, as the field types check and offer choices."""

    def compiled(data: Any, target: type) -> Any:
        return compile_filter(data, target, target.__entity__, actor_context(actor))  # type: ignore[attr-defined]

    return compiled


def logic_for(catalog: Catalog) -> dict[str, EntityLogic]:
    return {qualified: compile_logic(entity, catalog) for qualified, entity in catalog.entities.items()}


def formula_readers(catalog: Catalog, logic: dict[str, EntityLogic]) -> dict[str, list[tuple[str, str]]]:
    """For each entity, the (entity, reference field) pairs whose formulas read its records (`account.name`)."""
    readers: dict[str, list[tuple[str, str]]] = {}
    for qualified, entity_logic in logic.items():
        entity = catalog.entities[qualified]
        for expression in entity_logic.formulas.values():
            for path in expression.paths:
                reference = entity.field(path.partition(".")[0])
                if reference is not None and reference.target is not None and kind_of(reference).refers_to_record:
                    pair = (qualified, reference.name)
                    if pair not in readers.setdefault(reference.target, []):
                        readers[reference.target].append(pair)
    return readers
