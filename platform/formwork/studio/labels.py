"""What the Studio says (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "menu": CatalogText("Studio"),
    "entities": CatalogText("Entities"),
    "pack": CatalogText("Pack"),
    "entity": CatalogText("Entity"),
    "draft": CatalogText("Draft"),
    "has_draft": CatalogText("Unpublished draft"),
    "fields_of": CatalogText("Fields of {entity}"),
    "field": CatalogText("Field"),
    "name": CatalogText("Name"),
    "type": CatalogText("Type"),
    "required": CatalogText("Required"),
    "origin": CatalogText("From"),
    "from_pack": CatalogText("Pack {pack}"),
    "own": CatalogText("This company"),
    "drafted": CatalogText("Drafted"),
    "retire": CatalogText("Retire"),
    "retiring": CatalogText("To be retired"),
    "add_field": CatalogText("Add a field"),
    "label_en": CatalogText("Label (English)"),
    "label_zh": CatalogText("Label (Chinese)"),
    "help": CatalogText("Help"),
    "choices": CatalogText("Choices (one value per line)"),
    "name_help": CatalogText("Letters, digits and underscores; x_ is put in front for you."),
    "save_draft": CatalogText("Add to the draft"),
    "drafted_field": CatalogText("The field {field} is in the draft; publish it to show it to everyone."),
    "not_drafted": CatalogText("The field was not added; correct what is marked."),
    "plan": CatalogText("What publishing changes"),
    "no_changes": CatalogText("No table changes."),
    "refusals": CatalogText("Refused"),
    "publish": CatalogText("Publish"),
    "discard": CatalogText("Discard the draft"),
    "published": CatalogText("Published."),
    "not_published": CatalogText("Nothing was published:"),
    "discarded": CatalogText("The draft was discarded."),
    "retire_note": CatalogText(
        "A retired field leaves the forms and the API; its column and data stay in the database."
    ),
    "retired": CatalogText("The field {field} will be retired when the draft is published."),
}
