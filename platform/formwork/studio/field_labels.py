"""What the add-field form says about each control (translated in the platform's catalogs).

A control of a key no text is written for (a property of an extension's field type) is named by its key, humanized.
"""

from __future__ import annotations

from ..i18n import CatalogText, humanize

#: the two inputs of a text written in both languages
TWO_LANGUAGES = {
    "label": (CatalogText("Label (English)"), CatalogText("Label (Chinese)")),
    "help": (CatalogText("Help (English)"), CatalogText("Help (Chinese)")),
    "placeholder": (CatalogText("Placeholder (English)"), CatalogText("Placeholder (Chinese)")),
}
CONTROL_TEXT = {
    "required": CatalogText("Required"),
    "unique": CatalogText("Unique (no two records have the same value)"),
    "indexed": CatalogText("Indexed (for lists that filter or sort by it)"),
    "read_only": CatalogText("Read-only"),
    "hidden": CatalogText("Hidden on screens (kept for the API)"),
    "visible_when": CatalogText("Shown when"),
    "required_when": CatalogText("Required when"),
    "read_only_when": CatalogText("Read-only when"),
    "default": CatalogText("Default"),
    "choices": CatalogText("Choices"),
    "target": CatalogText("Refers to"),
    "filter": CatalogText("Only records matching"),
    "on_delete": CatalogText("When the referred record is deleted"),
    "expression": CatalogText("Formula"),
    "result": CatalogText("Result type"),
    "precision": CatalogText("Decimal places"),
    "source": CatalogText("Sum up records of (entity.reference)"),
    "aggregate": CatalogText("Aggregate"),
    "field": CatalogText("Field summed up"),
    "min": CatalogText("Smallest value"),
    "max": CatalogText("Largest value"),
    "max_length": CatalogText("Longest text (characters)"),
    "pattern": CatalogText("Pattern (regular expression)"),
    "currency": CatalogText("Currency (ISO code, e.g. CNY)"),
    "currency_field": CatalogText("Currency from the field"),
    "format": CatalogText("Number format, e.g. EXP-{YYYY}-{#####}"),
    "max_size_mb": CatalogText("Largest file (MB)"),
    "accept": CatalogText("File types allowed"),
}
FORM_TEXT = {
    "value": CatalogText("Value"),
    "choice_en": CatalogText("Label (English)"),
    "choice_zh": CatalogText("Label (Chinese)"),
    "color": CatalogText("Colour"),
    "no_value": CatalogText("—"),
    "add_choice": CatalogText("Add a choice"),
    "default_on": CatalogText("Ticked for a new record"),
    "default_expr": CatalogText("Or computed by an expression"),
    "filter_on": CatalogText("The conditions compare fields of {entity}."),
    "filter_choose": CatalogText(
        "Choose the entity it refers to (for a rollup: the records it sums up), then refresh the fields to pick from."
    ),
    "refresh": CatalogText("Refresh fields"),
    "summed_of": CatalogText("The number fields of {entity}; a count needs none."),
    "summed_choose": CatalogText(
        "Choose the records it sums up, then refresh the fields to pick from; a count needs none."
    ),
    "editor_help": CatalogText("CEL, e.g. amount * 1.1; type a letter to complete the entity's field names."),
    "gives": CatalogText("Gives {type}."),
    "not_checked": CatalogText("The expression could not be checked just now."),
    "completions": CatalogText("Field names"),
}


def control_text(key: str) -> str:
    """The text naming the control of `key`, in the reader's language."""
    text = CONTROL_TEXT.get(key)
    return text.localized() if text is not None else humanize(key)
