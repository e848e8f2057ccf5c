"""What the personal list views say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "mine": CatalogText("My views"),
    "save_as": CatalogText("Save as my view"),
    "name": CatalogText("Name"),
    "columns": CatalogText("Columns"),
    "save": CatalogText("Save"),
    "delete": CatalogText("Delete"),
    "none": CatalogText("You have no views of this list yet."),
    "keeps": CatalogText("The view keeps this list's sort and filters, and the columns you tick."),
    "saved": CatalogText("Your view {name} was saved."),
    "deleted": CatalogText("Your view {name} was deleted."),
    "not_saved": CatalogText("Your view was not saved; correct what is marked."),
    "no_name": CatalogText("Give the view a name."),
    "long_name": CatalogText("A name of at most {length} characters."),
    "no_columns": CatalogText("Choose at least one column."),
    "not_a_column": CatalogText("'{field}' is not a column you may show."),
    "not_a_sort": CatalogText("This list cannot be sorted by '{field}'."),
    "title": CatalogText("Save {list} as my view"),
}
