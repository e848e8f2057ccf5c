"""The words of the import screens (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "import": CatalogText("Import"),
    "title": CatalogText("Import {entity}"),
    "file": CatalogText("CSV or XLSX file"),
    "upload": CatalogText("Upload and preview"),
    "template": CatalogText("Download template"),
    "match_on": CatalogText("Update records matching on"),
    "match_none": CatalogText("— only create new records —"),
    "help": CatalogText(
        "The first row names the columns: a field's name or its label in English or Chinese. "
        "Nothing is saved until you confirm, and then every row is saved or none."
    ),
    "mapping": CatalogText("Columns"),
    "column": CatalogText("Column in the file"),
    "field": CatalogText("Field"),
    "skip": CatalogText("— skip —"),
    "sample": CatalogText("First rows"),
    "rows": CatalogText("{count} row(s) in the file."),
    "check": CatalogText("Check (dry run)"),
    "apply": CatalogText("Import now"),
    "again": CatalogText("Upload another file"),
    "row": CatalogText("Row"),
    "message": CatalogText("Problem"),
    "errors": CatalogText("{count} problem(s) found; nothing was saved. Fix the file and upload it again."),
    "ready": CatalogText("Ready: {created} record(s) will be created and {updated} updated."),
    "done": CatalogText("Imported: {created} record(s) created, {updated} updated."),
    "to_list": CatalogText("Back to the list"),
    "checked": CatalogText("{done} of {total} rows checked"),
    "ignored": CatalogText("Ignored columns"),
    "expired": CatalogText("The uploaded file is no longer available; upload it again."),
    "no_file": CatalogText("Choose a file to upload."),
}
