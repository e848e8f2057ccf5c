"""A role's record rules and field rights in words, as the roles screen shows them to a tenant's admin.

The definitions say `own`, `{user_field: owner}` or a structured filter; an admin reads "Sees only: records they
created, or records naming them in Owner" and "Hidden: Phone", in their language. Field and choice names become
the packs' labels; `$user` and the other variables become who they stand for.
"""

from __future__ import annotations

from typing import Any

from ..filters.words import OPERATORS, PERIODS
from ..i18n import CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from .definition import RecordRule, RoleDef
from .records import department_field

TEXT = {
    "all": CatalogText("Sees every record"),
    "only": CatalogText("Sees only: {rules}"),
    "or": CatalogText(", or "),
    "and": CatalogText(" and "),
    "list": CatalogText(", "),
    "own": CatalogText("records they created"),
    "user_field": CatalogText("records naming them in {field}"),
    "department": CatalogText("records of their department"),
    "department_tree": CatalogText("records of their department and the departments below it"),
    "department_through": CatalogText("records whose {field} is in their department"),
    "department_tree_through": CatalogText("records whose {field} is in their department or one below it"),
    "filter": CatalogText("records where {condition}"),
    "any": CatalogText("any of ({conditions})"),
    "not": CatalogText("not ({condition})"),
    "hidden": CatalogText("Hidden: {fields}"),
    "read_only": CatalogText("Read-only: {fields}"),
    "yes": CatalogText("yes"),
    "no": CatalogText("no"),
}
#: the variables a filter compares with, as the role's holders are called
VARIABLES = {
    "$user": CatalogText("them"),
    "$employee": CatalogText("their employee record"),
    "$department": CatalogText("their department"),
    "$today": CatalogText("today"),
}
#: the columns every entity has besides its fields
STANDARD_COLUMNS = {
    "id": CatalogText("ID"),
    "created_at": CatalogText("Created on"),
    "created_by": CatalogText("Created by"),
    "updated_at": CatalogText("Updated on"),
    "updated_by": CatalogText("Updated by"),
}


def rules_in_words(role: RoleDef, entity: EntityDef, catalog: Catalog) -> str:
    """Which records of `entity` the role's holders see, in the request's language ("" without rights)."""
    rules = role.records.get(entity.qualified)
    if rules is None or any(rule.kind == "all" for rule in rules):
        return TEXT["all"].localized()
    parts = [_rule(rule, entity, catalog) for rule in rules]
    return TEXT["only"].localized().format(rules=TEXT["or"].localized().join(parts))


def fields_in_words(role: RoleDef, entity: EntityDef) -> list[str]:
    """ "Hidden: …" and "Read-only: …" for the fields the role keeps from its holders (none: an empty list)."""
    rights = role.fields.get(entity.qualified)
    if rights is None:
        return []
    found = []
    for key, names in (("hidden", rights.hidden), ("read_only", rights.read_only - rights.hidden)):
        if names:
            labels = [_field_label(entity, name) for name in _in_form_order(entity, names)]
            found.append(TEXT[key].localized().format(fields=TEXT["list"].localized().join(labels)))
    return found


def _in_form_order(entity: EntityDef, names: frozenset[str]) -> list[str]:
    order = [f.name for f in entity.fields]
    return sorted(names, key=lambda name: (order.index(name) if name in order else len(order), name))


def _rule(rule: RecordRule, entity: EntityDef, catalog: Catalog) -> str:
    if rule.kind == "own":
        return TEXT["own"].localized()
    if rule.kind == "user_field":
        return TEXT["user_field"].localized().format(field=_path_label(rule.field or "", entity, catalog))
    if rule.kind in ("department", "department_tree"):
        through = department_field(entity, rule.field)
        if rule.field is None or through in (None, "id"):
            return TEXT[rule.kind].localized()
        key = "department_through" if rule.kind == "department" else "department_tree_through"
        return TEXT[key].localized().format(field=_path_label(rule.field, entity, catalog))
    return TEXT["filter"].localized().format(condition=filter_in_words(rule.filter, entity, catalog))


def filter_in_words(data: Any, entity: EntityDef, catalog: Catalog) -> str:
    """A structured filter (docs/filters.md) as a sentence: a list or `all` joins with "and", `any` lists its
    alternatives, `not` negates."""
    if isinstance(data, list):
        return TEXT["and"].localized().join(filter_in_words(part, entity, catalog) for part in data)
    if "all" in data:
        return filter_in_words(list(data["all"]), entity, catalog)
    if "any" in data:
        parts = [filter_in_words(part, entity, catalog) for part in data["any"]]
        return TEXT["any"].localized().format(conditions=TEXT["or"].localized().join(parts))
    if "not" in data:
        return TEXT["not"].localized().format(condition=filter_in_words(data["not"], entity, catalog))
    return _condition(data, entity, catalog)


def _condition(data: dict[str, Any], entity: EntityDef, catalog: Catalog) -> str:
    name, op, value = data["field"], data["op"], data.get("value")
    field = _path_label(name, entity, catalog)
    if op in PERIODS:
        return PERIODS[op].localized().format(field=field)
    if op in ("last_days", "next_days"):
        return OPERATORS[op].localized().format(field=field, days=value)
    shown = _value_of(name, entity, catalog)
    if op == "between":
        low, high = value
        return OPERATORS[op].localized().format(field=field, low=shown(low), high=shown(high))
    if isinstance(value, list):
        return OPERATORS[op].localized().format(field=field, value=TEXT["list"].localized().join(map(shown, value)))
    return OPERATORS[op].localized().format(field=field, value=shown(value))


def _value_of(name: str, entity: EntityDef, catalog: Catalog) -> Any:
    """How to show a value compared with field `name`: a choice by its label, a yes/no, a variable by whom."""
    field = _last_field(name, entity, catalog)
    choices = {c.value: c.label for c in getattr(field, "choices", None) or []}

    def shown(value: Any) -> str:
        if isinstance(value, str) and value in VARIABLES:
            return VARIABLES[value].localized()
        if isinstance(value, bool):
            return TEXT["yes" if value else "no"].localized()
        if value in choices:
            return choices[value].localized()
        return str(value)

    return shown


def _last_field(name: str, entity: EntityDef, catalog: Catalog) -> Any:
    current: EntityDef | None = entity
    found = None
    for part in name.split("."):
        found = current.field(part) if current is not None else None
        current = catalog.entities.get(found.target) if found is not None and found.target else None
    return found


def _path_label(name: str, entity: EntityDef, catalog: Catalog) -> str:
    """`claim.created_by` -> "Claim › Created by": each step's label, following references."""
    labels = []
    current: EntityDef | None = entity
    for part in name.split("."):
        labels.append(_field_label(current, part) if current is not None else part)
        found = current.field(part) if current is not None else None
        current = catalog.entities.get(found.target) if found is not None and found.target else None
    return " › ".join(labels)


def _field_label(entity: EntityDef, name: str) -> str:
    found = entity.field(name)
    if found is not None:
        return Label(found.label).localized()
    standard = STANDARD_COLUMNS.get(name)
    return standard.localized() if standard is not None else name
