"""What the form designer, its condition builder and its preview say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "forms": CatalogText("Forms"),
    "design": CatalogText("Design"),
    "designer": CatalogText("Form {form} of {entity}"),
    "back": CatalogText("Back to {entity}"),
    "no_tab": CatalogText("Sections on no tab"),
    "tab": CatalogText("Tab"),
    "section": CatalogText("Section"),
    "label_en": CatalogText("Label (English)"),
    "label_zh": CatalogText("Label (Chinese)"),
    "columns": CatalogText("Columns", context="form section"),
    "on_tab": CatalogText("On tab"),
    "add_section": CatalogText("Add a section"),
    "remove_section": CatalogText("Remove the section"),
    "add_tab": CatalogText("Add a tab"),
    "remove_tab": CatalogText("Remove the tab"),
    "palette": CatalogText("Fields not on the form"),
    "palette_help": CatalogText("Drag a field into a section, or choose the section and press Add."),
    "empty_palette": CatalogText("Every field is on the form."),
    "move_to": CatalogText("Move {field} to section"),
    "move": CatalogText("Move"),
    "add": CatalogText("Add"),
    "up": CatalogText("Up"),
    "down": CatalogText("Down"),
    "remove": CatalogText("Take off the form"),
    "conditions": CatalogText("Conditions"),
    "conditions_of": CatalogText("Conditions of {field}"),
    "visible_when": CatalogText("Visible when"),
    "required_when": CatalogText("Required when"),
    "read_only_when": CatalogText("Read-only when"),
    "match_all": CatalogText("all of these hold"),
    "match_any": CatalogText("any of these holds"),
    "rows_mode": CatalogText("Builder"),
    "text_mode": CatalogText("Text (CEL)"),
    "add_row": CatalogText("Add a condition"),
    "remove_row": CatalogText("Remove"),
    "choose_field": CatalogText("Field…"),
    "not_rows": CatalogText("This condition cannot be shown as rows; edit it as text."),
    "yes": CatalogText("Yes"),
    "no": CatalogText("No"),
    "has_value": CatalogText("has a value"),
    "save": CatalogText("Save to the draft"),
    "saved": CatalogText("The form and its conditions are in the draft; publish them on the entity's page."),
    "not_saved": CatalogText("Nothing was saved; correct what is marked."),
    "draft_changed": CatalogText(
        "Someone saved, published or discarded this entity's draft since this page was shown: nothing was saved. "
        "Open the page again to start from the draft as it is now."
    ),
    "preview": CatalogText("Preview"),
    "preview_help": CatalogText(
        "Type test values: the draft's conditions hide, require and lock fields as the form will. Read-only "
        "conditions are tried on these values as if they were the stored record."
    ),
    "section_label": CatalogText("Section {number}"),
}
