"""`formwork validate` for automations and actions: what JSON Schema cannot see (entities, fields, roles, cron, CEL,
and each step's own checks), every error at its file and line."""

from __future__ import annotations

from croniter import croniter

from ..fields import kind_of
from ..filters import check_filter
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..tenancy.directory import BUILTIN_ROLES
from .definition import APPROVAL, CHANGED, DATE, SCHEDULE, ActionDef, AutomationDef
from .prepared import prepare_all


def add_automation(catalog: Catalog, automation: AutomationDef) -> list[DefinitionError]:
    """Automations by `pack.name`."""
    if automation.qualified in catalog.automations:
        assert automation.document is not None
        return [
            automation.document.error(
                ("name",), f"pack {automation.pack} has two automations named '{automation.name}'"
            )
        ]
    catalog.automations[automation.qualified] = automation
    return []


def add_action(catalog: Catalog, action: ActionDef) -> list[DefinitionError]:
    """Actions by `pack.name`; an entity's actions are named apart (the name is the endpoint's last segment)."""
    for other in catalog.actions.values():
        if other.entity == action.entity and other.name == action.name:
            assert action.document is not None
            return [action.document.error(("name",), f"{action.entity} has two actions named '{action.name}'")]
    catalog.actions[action.qualified] = action
    return []


def check_automations(catalog: Catalog) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    for automation in catalog.automations.values():
        errors += _entity_errors(automation, catalog) or _trigger_errors(automation, catalog)
    for action in catalog.actions.values():
        errors += _entity_errors(action, catalog) or _action_errors(action, catalog)
    problems: list[tuple[object, tuple, str]] = []
    prepare_all(catalog, problems)
    for definition, path, message in problems:
        document = getattr(definition, "document", None)
        if document is not None:
            errors.append(document.error(path, message))
    return errors


def _entity_errors(definition: AutomationDef | ActionDef, catalog: Catalog) -> list[DefinitionError]:
    assert definition.document is not None
    if not catalog.knows_entity(definition.entity):
        return [definition.document.error(("entity",), f"entity '{definition.entity}' is not defined")]
    problem = catalog.unrequired_entity(definition.pack, definition.entity)
    return [definition.document.error(("entity",), problem)] if problem else []


def _trigger_errors(automation: AutomationDef, catalog: Catalog) -> list[DefinitionError]:
    doc, trigger = automation.document, automation.trigger
    assert doc is not None
    entity = catalog.entities[automation.entity]
    errors = []
    if trigger.on == CHANGED:
        for index, name in enumerate(trigger.fields):
            if entity.field(name) is None:
                errors.append(doc.error(("trigger", "fields", index), f"{entity.qualified} has no field '{name}'"))
    if trigger.on == DATE:
        found = entity.field(trigger.field or "")
        if found is None or not kind_of(found).holds_date:
            errors.append(
                doc.error(
                    ("trigger", "field"), f"'{trigger.field}' is not a date or datetime field of {entity.qualified}"
                )
            )
    if trigger.on == SCHEDULE and (len((trigger.cron or "").split()) != 5 or not croniter.is_valid(trigger.cron or "")):
        errors.append(
            doc.error(
                ("trigger", "cron"),
                f"{trigger.cron!r} is not a cron expression: five fields, minute hour day month weekday",
            )
        )
    if trigger.on in (DATE, SCHEDULE) and trigger.filter is not None:
        for path, message in check_filter(trigger.filter, entity, catalog):
            errors.append(doc.error(("trigger", "filter", *path), message))
    if trigger.on == APPROVAL:
        chains = catalog.collections.get("chains", {}).values()
        if not any(chain.entity == entity.qualified for chain in chains):
            errors.append(doc.error(("trigger", "on"), f"no approval chain runs on {entity.qualified}"))
    return errors


def _action_errors(action: ActionDef, catalog: Catalog) -> list[DefinitionError]:
    doc = action.document
    assert doc is not None
    known = set(catalog.collections.get("roles", {})) | set(BUILTIN_ROLES)
    errors = [
        doc.error(("roles", index), f"role '{role}' is not defined; known: {', '.join(sorted(known))}")
        for index, role in enumerate(action.roles)
        if role not in known
    ]
    seen: set[str] = set()
    for index, item in enumerate(action.inputs):
        if item.name in seen:
            errors.append(doc.error(("inputs", index, "name"), f"two inputs are named '{item.name}'"))
        seen.add(item.name)
    return errors
