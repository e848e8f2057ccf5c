"""What the automation run log says (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "menu": CatalogText("Automation runs"),
    "log": CatalogText("Scheduled automation runs"),
    "all": CatalogText("All"),
    "empty": CatalogText("No scheduled or date automation has run yet."),
    "automation": CatalogText("Automation"),
    "trigger": CatalogText("Trigger"),
    "slot": CatalogText("Due at"),
    "records": CatalogText("Records done"),
    "steps": CatalogText("Steps run"),
    "status": CatalogText("Outcome"),
    "duration": CatalogText("Duration"),
    "error": CatalogText("Error"),
    "record": CatalogText("Record #{id}"),
    "started": CatalogText("Started"),
    "retry": CatalogText("Retry"),
    "retrying": CatalogText("The run will go on from where it stopped at the worker's next tick."),
    "previous": CatalogText("Previous"),
    "next": CatalogText("Next"),
}
TRIGGER = {
    "schedule": CatalogText("Schedule"),
    "date": CatalogText("Date"),
}
STATUS = {
    "running": CatalogText("Running"),
    "succeeded": CatalogText("Succeeded"),
    "failed": CatalogText("Failed"),
    "pending": CatalogText("Waiting for retry"),
}
