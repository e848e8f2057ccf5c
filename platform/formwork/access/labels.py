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
    "made": CatalogText("The role {role} was made; tick the rights it gives."),
    "name_missing": CatalogText("Give the role a name."),
    "name_long": CatalogText("A role name is at most {length} characters long."),
    "name_taken": CatalogText("A role named {role} exists already."),
    "rights_of": CatalogText("Rights of {role}"),
    "entity": CatalogText("Entity"),
    "sees": CatalogText("Records and fields"),
    "save": CatalogText("Save the rights"),
    "saved": CatalogText("The rights of {role} are saved."),
    "not_saved": CatalogText("The change could not be saved; nothing was changed."),
    "bad_grid": CatalogText("The form names an entity or a right that does not exist; nothing was changed."),
    "back": CatalogText("All roles"),
    "pack_note": CatalogText(
        "Record rules and hidden fields come from the pack's definition; they apply wherever the role has a right."
    ),
    "people": CatalogText("People and roles"),
    "user": CatalogText("User"),
    "save_roles": CatalogText("Save the roles"),
    "roles_saved": CatalogText("The roles of {user} are saved."),
    "bad_roles": CatalogText("The form names a role that does not exist; nothing was changed."),
    "inactive": CatalogText("inactive"),
    "keep_admin": CatalogText("You cannot take the Admin role from yourself; another admin can."),
}
