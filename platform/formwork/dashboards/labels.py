"""Every text the dashboard screens show (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "dashboards": CatalogText("Dashboards"),
    "no_dashboard": CatalogText("No dashboard is meant for your roles yet."),
    "not_allowed": CatalogText("You may not see these records."),
    "failed": CatalogText("This card cannot be shown"),
    "no_data": CatalogText("No data"),
    "no_records": CatalogText("No records"),
    "empty": CatalogText("(empty)"),
    "yes": CatalogText("Yes"),
    "no": CatalogText("No"),
    "open_list": CatalogText("Open the list"),
    "loading": CatalogText("Loading…"),
    "count": CatalogText("Count"),
    "sum": CatalogText("Sum"),
    "avg": CatalogText("Average"),
}
