"""What the Studio's views section and view editor say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "views": CatalogText("Views"),
    "views_of": CatalogText("Views of {entity}"),
    "back": CatalogText("Back to {entity}"),
    "edit": CatalogText("Edit"),
    "new": CatalogText("New view"),
    "new_title": CatalogText("New {kind} of {entity}"),
    "edit_title": CatalogText("{kind} {view} of {entity}"),
    "view": CatalogText("View"),
    "name": CatalogText("Name"),
    "origin": CatalogText("From"),
    "from_pack": CatalogText("Pack"),
    "own": CatalogText("This company"),
    "drafted": CatalogText("In the draft"),
    "none": CatalogText("No views of this kind yet."),
    "label_en": CatalogText("Label (English)"),
    "label_zh": CatalogText("Label (Chinese)"),
    "nothing": CatalogText("(none)"),
    "add": CatalogText("Add"),
    "up": CatalogText("Up"),
    "down": CatalogText("Down"),
    "remove": CatalogText("Remove"),
    "descending": CatalogText("Descending"),
    "count": CatalogText("Count"),
    "save": CatalogText("Save to the draft"),
    "saved": CatalogText("The view {view} is in the draft; publish it on the entity's page."),
    "not_saved": CatalogText("The view was not saved; correct what is marked."),
    "choose_one": CatalogText("Choose one."),
    "choose_some": CatalogText("Choose at least one."),
    "taken": CatalogText("There is already a view of this kind named {name}."),
    "not_json": CatalogText("Write the filter as JSON: {problem}"),
    "draft_changed": CatalogText("Someone changed this draft since the page was shown; nothing was saved."),
    "publish_note": CatalogText("Saving puts the view in the entity's draft; publishing the draft shows it to users."),
    "roles_note": CatalogText(
        "A view without roles is shown to everyone who may read the entity; a view with roles, to their holders and "
        "the admins only."
    ),
    "for_roles": CatalogText("Meant for"),
    "everyone": CatalogText("Everyone"),
}

#: how a measure of a number field reads, by function (a function without words reads as its name)
MEASURE_WORDS = {
    "sum": CatalogText("Sum of {field}"),
    "avg": CatalogText("Average of {field}"),
    "min": CatalogText("Lowest {field}"),
    "max": CatalogText("Highest {field}"),
}
