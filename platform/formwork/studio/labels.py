"""What the Studio says (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText
from ..tenancy.drafting import DRAFT_TEXT

#: the permission name of every Studio screen (its menu label is TEXT["menu"]): only the tenant's admins hold it
MENU_NAME = "Studio"

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
    "change_field": CatalogText("Change"),
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
    **DRAFT_TEXT,  # what a draft's panel says: written once, in the core port
    "published": CatalogText("Published."),
    "not_published": CatalogText("Nothing was published:"),
    "discarded": CatalogText("The draft was discarded."),
    "retire_note": CatalogText(
        "A retired field leaves the forms and the API; its column and data stay in the database."
    ),
    "retired": CatalogText("The field {field} will be retired when the draft is published."),
    "draft_changed": CatalogText(
        "{author} changed this draft since you read its plan; nothing was published. Read the plan again."
    ),
    "conflict": CatalogText("Nothing was published: what this draft changes was published by someone else since:"),
    "versions": CatalogText("Versions"),
    "dashboards": CatalogText("Dashboards"),
    "export_yaml": CatalogText("Export as YAML"),
    "older": CatalogText("Older"),
    "newer": CatalogText("Newer"),
    "revision": CatalogText("Version"),
    "when": CatalogText("When"),
    "who": CatalogText("Who"),
    "comment_heading": CatalogText("Comment"),
    "changed": CatalogText("What changed"),
    "compare": CatalogText("Compare"),
    "restore": CatalogText("Restore"),
    "no_revisions": CatalogText("Nothing has been customized yet."),
    "no_differences": CatalogText("The two versions are the same."),
    "compare_title": CatalogText("Version {older} compared with version {newer}"),
    "restore_title": CatalogText("Restore version {number}"),
    "restore_note": CatalogText(
        "Restoring makes the customizations what they were at that version, as a new version. Fields added since "
        "are retired: they leave the forms and the API, and their columns and data are kept."
    ),
    "confirm_restore": CatalogText("Restore this version"),
    "cancel": CatalogText("Cancel"),
    "restored": CatalogText("Version {number} was restored."),
    "not_restored": CatalogText("Nothing was restored:"),
}
