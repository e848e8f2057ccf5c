"""Semantic checks of roles: the entities, fields and rules a Role names must exist and fit.

JSON Schema gives the shape; these give the precise message with the file
and line, so `formwork validate` reports a role's mistakes with every other
definition error of the run.
"""

from __future__ import annotations

from typing import Any

from ..definitions.check_texts import NOT_A_FIELD
from ..fields import kind_of
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.model import EntityDef, qualify
from . import check_texts as says
from .definition import EVERY_ENTITY, FIELD_RULES, PLAIN_RULES, rights_given, rules_of
from .records import DEPARTMENT, EMPLOYEE, department_field

PERSON_TARGET = EMPLOYEE


def check_roles(catalog: Catalog) -> list[DefinitionError]:
    errors = []
    for role in catalog.roles.values():
        data, doc = role.document.data, role.document
        for section in ("rights", "records", "fields"):
            for name, value in (data.get(section) or {}).items():
                if section == "rights" and name == EVERY_ENTITY:
                    continue
                entity = _entity(catalog, name, role.pack, doc, (section, name), errors)
                if entity is None:
                    continue
                if section == "records":
                    errors += _records_errors(entity, value, catalog, doc, (section, name))
                elif section == "fields":
                    errors += _fields_errors(
                        entity, value, "create" in role.rights_on(entity.qualified), doc, (section, name)
                    )
        errors += _rights_needed(data, role.pack, doc)
    return errors


def _entity(catalog: Catalog, name: str, pack: str, doc: Any, path: tuple, errors: list) -> EntityDef | None:
    qualified = qualify(name, pack)
    entity = catalog.entities.get(qualified)
    if entity is None:
        if not catalog.knows_entity(qualified):
            errors.append(doc.error(path, say(says.UNKNOWN_ENTITY, entity=qualified, pack=pack)))
        return None
    if not doc.customization and (problem := catalog.unrequired_entity(pack, qualified)):
        errors.append(doc.error(path, problem))
        return None
    return entity


def _rights_needed(data: dict[str, Any], pack: str, doc: Any) -> list[DefinitionError]:
    """A rule or field right on an entity the role has no right on would never apply: say so."""
    rights = {qualify(n, pack) if n != EVERY_ENTITY else n: r for n, r in (data.get("rights") or {}).items()}
    errors = []
    for section in ("records", "fields"):
        for name in data.get(section) or {}:
            if not rights_given(rights, qualify(name, pack)):
                errors.append(doc.error((section, name), say(says.NO_RIGHTS, entity=qualify(name, pack))))
    return errors


def _fields_errors(
    entity: EntityDef, spec: dict[str, Any], creates: bool, doc: Any, path: tuple
) -> list[DefinitionError]:
    return [doc.error((*path, *sub), message) for sub, message in field_right_problems(entity, spec, creates)]


def field_right_problems(entity: EntityDef, spec: dict[str, Any], creates: bool) -> list[tuple[tuple, str]]:
    """(path inside `spec`, message) for a role's `hidden` and `read_only` fields of `entity`; `creates`: whether
    the role creates its records (then a required field cannot be hidden)."""
    problems: list[tuple[tuple, str]] = []
    for key in ("hidden", "read_only"):
        for i, name in enumerate(spec.get(key, ())):
            field = entity.field(name)
            if field is None:
                problems.append(((key, i), say(NOT_A_FIELD, name=name, entity=entity.qualified)))
            elif field.required and key == "hidden" and creates:
                problems.append(((key, i), say(says.REQUIRED_HIDDEN, name=name, entity=entity.qualified)))
    return problems


def _records_errors(entity: EntityDef, raw: Any, catalog: Catalog, doc: Any, path: tuple) -> list[DefinitionError]:
    items = rules_of(raw)
    errors = []
    for i, rule in enumerate(items):
        where = (*path, i) if isinstance(raw, list) else path
        errors += [doc.error((*where, *sub), message) for sub, message in rule_problems(entity, rule, catalog)]
    return errors


def rule_problems(entity: EntityDef, rule: Any, catalog: Catalog) -> list[tuple[tuple, str]]:
    """(path inside the rule, message) for one record rule of `entity`."""
    if isinstance(rule, str):
        if rule not in PLAIN_RULES:
            return [((), say(says.NOT_A_RULE, rule=rule, rules=", ".join(PLAIN_RULES)))]
        if rule in ("department", "department_tree") and department_field(entity, None) is None:
            missing = say(
                says.NO_DEPARTMENT, entity=entity.qualified, department=DEPARTMENT, employee=EMPLOYEE, rule=rule
            )
            return [((), missing)]
        return []
    if not isinstance(rule, dict):
        return [((), say(says.RULE_SHAPE))]
    if len(rule) == 1 and next(iter(rule)) in FIELD_RULES:
        kind, name = next(iter(rule.items()))
        return [((kind,), message) for message in _field_rule_problems(entity, kind, name)]
    from ..filters import check_filter

    data, prefix = (rule["filter"], ("filter",)) if set(rule) == {"filter"} else (rule, ())
    return [((*prefix, *sub), message) for sub, message in check_filter(data, entity, catalog)]


def _field_rule_problems(entity: EntityDef, kind: str, name: Any) -> list[str]:
    field = entity.field(name) if isinstance(name, str) else None
    if field is None:
        return [say(NOT_A_FIELD, name=name, entity=entity.qualified)]
    if kind == "user_field":
        kind = kind_of(field)
        if kind.refers_to_user or (kind.refers_to_record or kind.refers_to_many) and field.target == PERSON_TARGET:
            return []
        return [say(says.NOT_A_USER_FIELD, name=name, type=field.type, employee=EMPLOYEE)]
    if kind_of(field).refers_to_record and field.target in (DEPARTMENT, EMPLOYEE):
        return []
    return [
        say(
            says.NOT_A_DEPARTMENT_FIELD, name=name, type=field.type, rule=kind, department=DEPARTMENT, employee=EMPLOYEE
        )
    ]
