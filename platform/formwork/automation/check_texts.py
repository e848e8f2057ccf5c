"""The automation checks' messages as catalog texts (checks.py, prepared.py and the steps fill them in with
`i18n.say`): `formwork validate` prints their English, the automation editor shows them at their controls in the
admin's language. The English of each is the message the checks have always given."""

from __future__ import annotations

from ..i18n import CatalogText

TWO_AUTOMATIONS = CatalogText("pack {pack} has two automations named '{name}'")
TWO_ACTIONS = CatalogText("{entity} has two actions named '{name}'")
ENTITY_NOT_DEFINED = CatalogText("entity '{entity}' is not defined")
NO_SUCH_FIELD = CatalogText("{entity} has no field '{name}'")
NOT_A_CRON = CatalogText("{cron} is not a cron expression: five fields, minute hour day month weekday")
NO_CHAIN_ON = CatalogText("no approval chain runs on {entity}")
ROLE_NOT_DEFINED = CatalogText("role '{role}' is not defined; known: {roles}")
TWO_INPUTS = CatalogText("two inputs are named '{name}'")
UNKNOWN_STEP = CatalogText("unknown step '{kind}'; one of: {kinds}")
COMPUTED = CatalogText("{entity}.{name} is computed; a step cannot set it")
CHAIN_NOT_DEFINED = CatalogText("approval chain '{chain}' is not defined")
NOT_A_CHILD_TABLE = CatalogText("'{name}' is not a child table")
NOT_A_REFERENCE = CatalogText("'{name}' is not a reference to a record")
NOT_PEOPLE = CatalogText("'{name}' is not a user field or an employee reference")
NOT_PEOPLE_OR_ADDRESSES = CatalogText("'{name}' is not a user field, an employee reference or an e-mail field")
NOT_A_GROUP = CatalogText("'{name}' is not a reference employees belong to")
UNKNOWN_PLACEHOLDER = CatalogText("unknown placeholder {{{name}}}; use a field of the entity or {{record}}")
