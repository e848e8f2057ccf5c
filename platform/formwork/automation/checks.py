"""`formwork validate` for automations and actions: what JSON Schema cannot see (entities, fields, roles, cron, CEL,
and each step's own checks), every error at its file and line."""

from __future__ import annotations

from croniter import croniter

from ..definitions.check_texts import NOT_A_DATE_FIELD
from ..fields import kind_of
from ..filters import check_filter
from ..i18n import say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..tenancy.directory import BUILTIN_ROLES
from . import check_texts as says
from .definition import APPROVAL, CHANGED, DATE, SCHEDULE, ActionDef, AutomationDef
from .prepared import prepare_all


def add_automation(catalog: Catalog, automation: AutomationDef) -> list[DefinitionError]:
    """Automations by `pack.name`."""
    if automation.qualified in catalog.automations:
        assert automation.document is not None
        return [
            automation.document.error(("name",), say(says.TWO_AUTOMATIONS, pack=automation.pack, name=automation.name))
        ]
    catalog.automations[automation.qualified] = automation
    return []


def add_action(catalog: Catalog, action: ActionDef) -> list[DefinitionError]:
    """Actions by `pack.name`; an entity's actions are named apart (the name is the endpoint's last segment)."""
    for other in catalog.actions.values():
        if other.entity == action.entity and other.name == action.name:
            assert action.document is not None
            return [action.document.error(("name",), say(says.TWO_ACTIONS, entity=action.entity, name=action.name))]
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
        return [definition.document.error(("entity",), say(says.ENTITY_NOT_DEFINED, entity=definition.entity))]
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
                errors.append(
                    doc.error(("trigger", "fields", index), say(says.NO_SUCH_FIELD, entity=entity.qualified, name=name))
                )
    if trigger.on == DATE:
        found = entity.field(trigger.field or "")
        if found is None or not kind_of(found).holds_date:
            errors.append(
                doc.error(("trigger", "field"), say(NOT_A_DATE_FIELD, name=trigger.field, entity=entity.qualified))
            )
    if trigger.on == SCHEDULE and (len((trigger.cron or "").split()) != 5 or not croniter.is_valid(trigger.cron or "")):
        errors.append(doc.error(("trigger", "cron"), say(says.NOT_A_CRON, cron=repr(trigger.cron))))
    if trigger.on in (DATE, SCHEDULE) and trigger.filter is not None:
        for path, message in check_filter(trigger.filter, entity, catalog):
            errors.append(doc.error(("trigger", "filter", *path), message))
    if trigger.on == APPROVAL:
        chains = catalog.collections.get("chains", {}).values()
        if not any(chain.entity == entity.qualified for chain in chains):
            errors.append(doc.error(("trigger", "on"), say(says.NO_CHAIN_ON, entity=entity.qualified)))
    return errors


def _action_errors(action: ActionDef, catalog: Catalog) -> list[DefinitionError]:
    doc = action.document
    assert doc is not None
    known = set(catalog.collections.get("roles", {})) | set(BUILTIN_ROLES)
    errors = [
        doc.error(("roles", index), say(says.ROLE_NOT_DEFINED, role=role, roles=", ".join(sorted(known))))
        for index, role in enumerate(action.roles)
        if role not in known
    ]
    seen: set[str] = set()
    for index, item in enumerate(action.inputs):
        if item.name in seen:
            errors.append(doc.error(("inputs", index, "name"), say(says.TWO_INPUTS, name=item.name)))
        seen.add(item.name)
    return errors
