"""What a pack field's page in the Studio says (studio/field_screen.py; translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

CHANGE_TEXT = {
    "title": CatalogText("Change the field {field}"),
    "back": CatalogText("Back to the entity"),
    "help_en": CatalogText("Help (English)"),
    "help_zh": CatalogText("Help (Chinese)"),
    "placeholder_en": CatalogText("Placeholder (English)"),
    "placeholder_zh": CatalogText("Placeholder (Chinese)"),
    "default": CatalogText("Default"),
    "no_default": CatalogText("As the pack has it"),
    "default_help": CatalogText("The value a new record starts with. Left blank, the pack's own default stays."),
    "choices": CatalogText("Choices"),
    "value": CatalogText("Value"),
    "colour": CatalogText("Colour"),
    "no_colour": CatalogText("None"),
    "state": CatalogText("In use"),
    "offered": CatalogText("Offered"),
    "retired": CatalogText("Retired"),
    "up": CatalogText("Up"),
    "down": CatalogText("Down"),
    "new_choice": CatalogText("Add a choice: fill in the last row."),
    "choices_help": CatalogText(
        "Changing a value renames it: publishing rewrites the records that hold it. A choice is never removed: "
        "a retired one stays on the records that hold it and is not offered for new ones."
    ),
    "locked": CatalogText("Locked"),
    "locked_help": CatalogText(
        "Other definitions depend on this field: its labels, help, default, colours and order may change, and "
        "choices may be added, but it cannot stop being required, and the choices they rely on (marked in the "
        "table) cannot be renamed or retired."
    ),
    "choice_locked": CatalogText("Locked:"),
    "save": CatalogText("Put in the draft"),
    "drafted": CatalogText("The change to {field} is in the draft; publish it from the entity's page."),
    "draft_changed": CatalogText(
        "Someone saved this entity's draft since this page was shown; nothing was saved. Open the page again."
    ),
    "not_drafted": CatalogText("The change was not put in the draft; correct what is marked."),
}
