"""Every text the pivot screens show (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "empty": CatalogText("(no value)"),
    "yes": CatalogText("Yes"),
    "no": CatalogText("No"),
    "total": CatalogText("Total"),
    "all": CatalogText("All"),
    "apply": CatalogText("Apply"),
    "export": CatalogText("Export to Excel"),
    "open_list": CatalogText("Open the list"),
    "quarter": CatalogText("{year} Q{quarter}"),
    "count": CatalogText("Count"),
    "sum": CatalogText("Sum of {field}"),
    "avg": CatalogText("Average {field}"),
    "min": CatalogText("Lowest {field}"),
    "max": CatalogText("Highest {field}"),
    "no_records": CatalogText("No records."),
    "drill": CatalogText("Open the records of this cell"),
    "pivot_failed": CatalogText("This pivot cannot be shown: {problem}"),
    "hidden_dimension": CatalogText("This pivot groups by {field}, which you may not see."),
    "no_measure": CatalogText("Every measure of this pivot is of a field you may not see."),
    "too_many": CatalogText("More than {limit} groups: pick a filter to see fewer."),
}
