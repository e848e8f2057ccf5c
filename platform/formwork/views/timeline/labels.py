"""Every text the timeline screens show (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "empty": CatalogText("(no value)"),
    "open_list": CatalogText("Open the list"),
    "day": CatalogText("Day"),
    "week": CatalogText("Week"),
    "month": CatalogText("Month"),
    "zoom": CatalogText("Zoom"),
    "drag_help": CatalogText(
        "Drag a bar to move it by days, or drag its end to change the end; the list below the chart does the same "
        "from the keyboard."
    ),
    "records": CatalogText("Records on this timeline"),
    "title": CatalogText("Title"),
    "starts": CatalogText("Starts"),
    "ends": CatalogText("Ends"),
    "reschedule": CatalogText("Reschedule"),
    "no_bars": CatalogText("No records to show: none has a start date, or the filter keeps none."),
    "more": CatalogText("Only the first {shown} records are shown; open the list for the rest."),
    "not_saved": CatalogText("The record was not rescheduled."),
    "bad_date": CatalogText("Give the dates as YYYY-MM-DD (and the times as HH:MM)."),
    "saved": CatalogText("Rescheduled."),
    "timeline_failed": CatalogText("This timeline cannot be shown: {problem}"),
}
