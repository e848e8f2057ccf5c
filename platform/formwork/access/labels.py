"""What the roles screen says (translated in the platform's catalogs); the rules in words are words.py's."""

from __future__ import annotations

from ..i18n import CatalogText

#: the rights in the order the grid shows them (a business reading order: the daily ones first)
GRID_ORDER = ("read", "create", "edit", "delete", "export", "import", "approve")
RIGHT_LABELS = {
    "read": CatalogText("Read", context="role right"),
    "create": CatalogText("Create", context="role right"),
    "edit": CatalogText("Edit", context="role right"),
    "delete": CatalogText("Delete", context="role right"),
    "export": CatalogText("Export", context="role right"),
    "import": CatalogText("Import", context="role right"),
    "approve": CatalogText("Approve", context="role right"),
}
TEXT = {
    "menu": CatalogText("Roles and rights"),
    "roles": CatalogText("Roles"),
    "role": CatalogText("Role"),
    "description": CatalogText("Description"),
    "users": CatalogText("Users"),
    "admin_note": CatalogText("Holds every right; it cannot be changed."),
    "from_pack": CatalogText("From pack {pack}"),
    "own_role": CatalogText("Made by this company: its holders see every record their rights reach."),
    "new_role": CatalogText("New role"),
    "name": CatalogText("Name"),
    "make": CatalogText("Make the role"),
    "made": CatalogText("The role {role} is drafted; tick the rights it gives, then publish the draft."),
    "name_missing": CatalogText("Give the role a name."),
    "name_long": CatalogText("A role name is at most {length} characters long."),
    "name_taken": CatalogText("A role named {role} exists already."),
    "rights_of": CatalogText("Rights of {role}"),
    "entity": CatalogText("Entity"),
    "sees": CatalogText("Records and fields"),
    "save": CatalogText("Add the rights to the draft"),
    "saved": CatalogText("The rights of {role} are in the draft; publish it to apply them."),
    "drafted_role": CatalogText("Not published yet: publish the draft to make the role."),
    "given": CatalogText("may now {rights}"),
    "partly": CatalogText("Permissions it holds that make no whole right are taken, on: {entities}"),
    "taken": CatalogText("may no longer {rights}"),
    "limits_changed": CatalogText("{entity}: which records and fields its holders see changes"),
    "draft_changed": CatalogText("{author} changed this draft since you read it; nothing was saved. Read it again."),
    "refused": CatalogText("Nothing was saved:"),
    "not_saved": CatalogText("The change could not be saved; nothing was changed."),
    "bad_grid": CatalogText("The form names an entity or a right that does not exist; nothing was changed."),
    "back": CatalogText("All roles"),
    "pack_note": CatalogText(
        "Record rules and hidden fields come from the pack's definition unless changed here; they apply wherever the "
        "role has a right."
    ),
    "people": CatalogText("People and roles"),
    "user": CatalogText("User"),
    "save_roles": CatalogText("Save the roles"),
    "roles_saved": CatalogText("The roles of {user} are saved."),
    "bad_roles": CatalogText("The form names a role that does not exist; nothing was changed."),
    "inactive": CatalogText("inactive"),
    "keep_admin": CatalogText("You cannot take the Admin role from yourself; another admin can."),
}
#: the editor of a role's record rules and field rights on one entity (limits.py, limits.html)
LIMIT_TEXT = {
    "change": CatalogText("Change records and fields"),
    "title": CatalogText("{role} on {entity}"),
    "now": CatalogText("Now"),
    "records": CatalogText("Which records its holders see"),
    "records_note": CatalogText("A record is seen when any of these rules lets it be seen."),
    "kind": CatalogText("Rule"),
    "no_rule": CatalogText("(no rule)"),
    "field": CatalogText("Field"),
    "found_by_itself": CatalogText("(found by itself)"),
    "match": CatalogText("The records where"),
    "conditions": CatalogText("Conditions (of a rule of records matching conditions)"),
    "condition": CatalogText("Condition"),
    "operator": CatalogText("Operator"),
    "value": CatalogText("Value"),
    "value_note": CatalogText(
        "Several values are separated by commas; $user, $employee, $department and $today stand for the holder."
    ),
    "kept": CatalogText("As the pack writes it: {words}"),
    "fields": CatalogText("Fields kept from its holders"),
    "hidden": CatalogText("Hidden"),
    "read_only": CatalogText("Read-only"),
    "save": CatalogText("Save the records and fields"),
    "saved": CatalogText("What {role} sees of {entity} is in the draft; publish it to apply it."),
    "reset": CatalogText("Reset to the pack's"),
    "was_reset": CatalogText("The draft has {role} see {entity} as its pack says again."),
    "changed": CatalogText("Changed by this company's admins."),
    "refused": CatalogText("Nothing was saved; see the marked controls."),
    "bad_kind": CatalogText("Choose one of the rules offered."),
    "no_conditions": CatalogText("A filter needs at least one condition."),
}
#: the kinds of rule as the editor offers them
RULE_KINDS = {
    "all": CatalogText("Every record"),
    "own": CatalogText("Records they created"),
    "user_field": CatalogText("Records naming them in a field"),
    "department": CatalogText("Records of their department"),
    "department_tree": CatalogText("Records of their department and those below it"),
    "filter": CatalogText("Records matching conditions"),
    "kept": CatalogText("As the pack writes it"),
}
MATCH_WORDS = {
    "all": CatalogText("all of these hold"),
    "any": CatalogText("any of these holds"),
}
