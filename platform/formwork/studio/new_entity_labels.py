"""What the Studio's new-entity pages say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "new_entity": CatalogText("New entity"),
    "from_spreadsheet": CatalogText("From a spreadsheet"),
    "intro": CatalogText(
        "An entity of your own gets a table, a form, a list in the menu under “Our own” and an API once it is "
        "published. Start it with its title field; add the other fields on its page."
    ),
    "spreadsheet_intro": CatalogText(
        "Upload a CSV or XLSX file with a header row: each column becomes a field, which you review before the "
        "entity is drafted. Once it is published, its rows can be imported."
    ),
    "entity_name": CatalogText("Name"),
    "entity_name_help": CatalogText(
        "Lower-case letters, digits and underscores, starting with a letter, e.g. project."
    ),
    "label_en": CatalogText("Name shown (English)"),
    "label_zh": CatalogText("Name shown (Chinese)"),
    "plural_en": CatalogText("Plural (English)"),
    "plural_zh": CatalogText("Plural (Chinese)"),
    "icon": CatalogText("Icon"),
    "icon_help": CatalogText("Optional: a Font Awesome icon, e.g. fa-folder."),
    "title_field": CatalogText("Title field"),
    "title_help": CatalogText("The field that names a record in lists and pickers."),
    "field_name": CatalogText("Field name"),
    "field_label_en": CatalogText("Field label (English)"),
    "field_label_zh": CatalogText("Field label (Chinese)"),
    "field_type": CatalogText("Type"),
    "required": CatalogText("Required"),
    "create": CatalogText("Create the draft"),
    "file": CatalogText("File"),
    "read_file": CatalogText("Read the columns"),
    "review": CatalogText("Review the fields of {entity}"),
    "review_intro": CatalogText(
        "One field per column of {file} ({rows} rows). Correct the names, labels and types, leave out the "
        "columns you do not want, then create the draft."
    ),
    "include": CatalogText("Include"),
    "column": CatalogText("Column"),
    "values": CatalogText("Values"),
    "bad_name": CatalogText("Use lower-case letters, digits and underscores, starting with a letter (at most 40)."),
    "name_taken": CatalogText("An entity of yours is already called {name}; choose another name."),
    "no_file": CatalogText("Choose a CSV or XLSX file."),
    "no_columns": CatalogText("Include at least one column."),
    "expired": CatalogText("The uploaded file is no longer kept; upload it again."),
    "not_created": CatalogText("Nothing was drafted; correct what is marked."),
    "drafted": CatalogText("The entity {entity} is drafted; publish it to create its table."),
    "drafted_rows": CatalogText(
        "The entity {entity} is drafted. Publish it, then import the {rows} rows of {file} from this page."
    ),
    "import_rows": CatalogText("Import the rows of {file}"),
}
