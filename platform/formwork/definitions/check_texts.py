"""The semantic checks' messages about entities and their fields, as catalog texts (checks.py, and the tenant's
overlay checks in tenancy/customizations.py fill them in with `i18n.say`).

The English of each is the message `formwork validate` has always printed; the Studio shows the same message at
its control in the admin's language.
"""

from __future__ import annotations

from ..i18n import CatalogText

RESERVED_WORD = CatalogText("'{name}' is a reserved word in expressions; choose another name")
STANDARD_COLUMN = CatalogText("'{name}' is a standard column every entity has; choose another name")
DEFINED_TWICE = CatalogText("field '{name}' is defined twice (first at fields[{first}])")
UNKNOWN_TARGET = CatalogText("reference to unknown entity '{target}'")
UNREQUIRED_TARGET = CatalogText(
    "'{name}' refers to {target}, but pack {pack} does not require pack {other}; "
    'add `requires: {{{other}: ">={version}"}}`'
)
NOT_A_CURRENCY_FIELD = CatalogText("'{name}' is not a choice or text field of {entity}")
NO_PARENT_REFERENCE = CatalogText("{target} needs one reference field to {entity} (name it with parent_field)")
BAD_PATTERN = CatalogText("pattern is not a valid regular expression: {problem}")
COLUMN_TAKEN = CatalogText("reference '{name}' needs the column '{name}_id', which another field uses")
NOT_A_FIELD = CatalogText("'{name}' is not a field of {entity}")
NOT_INDEXABLE = CatalogText("a {type} field cannot be indexed")
TITLE_NOT_A_FIELD = CatalogText("title_field '{name}' is not a field of {entity}")
DESCRIBE_NOT_A_FIELD = CatalogText("describe: '{name}' is not a field of {entity}")
CANNOT_DESCRIBE = CatalogText("describe: a {type} field cannot describe a record where it is picked")
DESCRIBE_HIDDEN = CatalogText("describe: '{name}' is hidden, so pickers may not show it")
DESCRIBE_TWICE = CatalogText("describe: '{name}' is named twice")
UNKNOWN_ENTITY = CatalogText("unknown entity '{name}'")
UNREQUIRED_SOURCE = CatalogText(
    "'{name}' sums records of {source}, but pack {pack} does not require pack {other}, "
    "so a tenant may have no such records"
)
NOT_A_REFERENCE = CatalogText("'{name}' is not a reference from {source} to {entity}")
NEEDS_A_NUMBER = CatalogText("{aggregate} needs a number field of {source}")
FORM_OF_UNKNOWN_ENTITY = CatalogText("form for unknown entity '{entity}'")
TWO_FORMS = CatalogText("{entity} has two forms named '{name}'")
TWICE_IN_FORM = CatalogText("field '{name}' appears twice in the form")
LIST_OF_UNKNOWN_ENTITY = CatalogText("list view for unknown entity '{entity}'")
TWO_LIST_VIEWS = CatalogText("{entity} has two list views named '{name}'")
COLUMN_NOT_A_FIELD = CatalogText("column '{name}' is not a field of {entity}")
CANNOT_SORT = CatalogText("cannot sort by '{name}': not a field of {entity}")
CANNOT_GROUP = CatalogText("cannot group by '{name}': not a field of {entity}")
NO_TOTAL = CatalogText("'{name}' is not a number field of {entity}, so it has no total")
NOT_SEARCHABLE = CatalogText("'{name}' is not a text field of {entity}, so it cannot be searched")
WHERE_IN_EXPRESSION = CatalogText("{message} (line {line}, column {column} of the expression)")
FORMULA_CIRCLE = CatalogText("formulas read each other in a circle: {circle}")
BAD_BACKFILL = CatalogText("backfill {value} is not a valid value: {problem}")
PACK_NOT_REQUIRED = CatalogText("{entity} belongs to pack {pack}, which {other} does not require")
#: the features' checks say these too (dashboards, views, automations, approval chains)
UNKNOWN_ROLE = CatalogText("unknown role '{role}'; roles: {roles}")
NOT_A_DATE_FIELD = CatalogText("'{name}' is not a date or datetime field of {entity}")
NOT_A_CHOICE_FIELD = CatalogText("'{name}' is not a choice field of {entity}")
NOT_A_NUMBER_FIELD = CatalogText("'{name}' is not a number or money field of {entity}")
KEPT_PREFIX = CatalogText("'{name}': names starting with {prefix} are kept for the fields tenants add")
#: tenancy/customizations.py: what a tenant's overlays may do
TENANT_PREFIX = CatalogText(
    "'{name}': fields a tenant adds are named x_… (e.g. x_{name}), so that no later version of the pack can add a "
    "field with the same name"
)
CUSTOMIZED_KINDS = CatalogText("a tenant customizes with {kinds}; got kind {kind}")
NAME_WITH_PACK = CatalogText("name the entity with its pack, e.g. crm.{entity}")
CUSTOMIZED_TWICE = CatalogText("{overlay} is customized twice")
PACK_NOT_INSTALLED = CatalogText("pack '{pack}' is not installed in the tenant")
ENTITY_NOT_INSTALLED = CatalogText("entity '{entity}' is not in the tenant's packs")
