"""The role checks' messages as catalog texts (checks.py fills them in with `i18n.say`): `formwork validate` prints
their English, the roles screen and the Studio show them in the admin's language. The English of each is the
message the checks have always given."""

from __future__ import annotations

from ..i18n import CatalogText

UNKNOWN_ENTITY = CatalogText(
    "unknown entity '{entity}' (write `name` for an entity of pack {pack}, `pack.name` for one of a pack it requires)"
)
NO_RIGHTS = CatalogText("the role has no rights on {entity}, so this never applies; add it under `rights`")
REQUIRED_HIDDEN = CatalogText("'{name}' is required, so a role that creates {entity} records cannot have it hidden")
NOT_A_RULE = CatalogText(
    "'{rule}' is not a record rule; expected one of {rules}, {{user_field: f}}, {{department: f}}, "
    "{{department_tree: f}} or a structured filter"
)
NO_DEPARTMENT = CatalogText(
    "{entity} has no reference to {department} or {employee}; name the field that places a record in a "
    "department: {{{rule}: <field>}}"
)
RULE_SHAPE = CatalogText("a record rule is a name (all, own, department, department_tree) or a mapping")
NOT_A_USER_FIELD = CatalogText(
    "'{name}' is a {type} field; user_field takes a user field or a reference (or link) to {employee}"
)
NOT_A_DEPARTMENT_FIELD = CatalogText(
    "'{name}' is a {type} field; {rule} takes a reference to {department} or {employee}"
)
