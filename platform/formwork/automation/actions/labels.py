"""What action buttons, their pages and their API say (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "actions": CatalogText("Actions"),
    "run": CatalogText("Run"),
    "cancel": CatalogText("Cancel"),
    "done": CatalogText('"{action}" ran.'),
    "done_many": CatalogText('"{action}" ran on {count} records.'),
    "no_role": CatalogText('Your roles may not run "{action}".'),
    "no_edit": CatalogText('You may not edit these records, so you cannot run "{action}".'),
    "not_now": CatalogText('"{action}" does not apply to this record now ({condition}).'),
    "undecided": CatalogText('Whether "{action}" applies to this record could not be decided: {reason}'),
    "not_found": CatalogText("Not found"),
    "none_selected": CatalogText("Select the records to run the action on."),
    "selected": CatalogText("{count} records selected."),
    "send_object": CatalogText("Send a JSON object."),
    "yes": CatalogText("Yes"),
}
