"""What the search box and the search page say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "search": CatalogText("Search"),
    "placeholder": CatalogText("Search records…"),
    "results_for": CatalogText("Results for “{}”"),
    "nothing": CatalogText("No record matches “{}”."),
    "type_something": CatalogText("Type a name, a number or an e-mail address to find a record."),
    "more": CatalogText("More in the list"),
}
