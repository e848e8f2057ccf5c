"""Every text the calendar screens show (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "open_list": CatalogText("Open the list"),
    "help_move": CatalogText("Drag an event to move it, or drag its end to change how long it lasts."),
    "help_keyboard": CatalogText("Without a mouse: open an event (Tab, then Enter) and change its dates in the form."),
    "help_add": CatalogText("Click a day or select a time range to add a record there."),
    "legend": CatalogText("Colours"),
    "capped": CatalogText("Only the first {shown} events of this range are shown; open the list for the rest."),
    "not_saved": CatalogText("The event was not moved."),
    "bad_range": CatalogText("Give the range as start and end dates (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)."),
    "bad_time": CatalogText("Give the event's start and end as dates or times (YYYY-MM-DDTHH:MM:SS)."),
    "calendar_failed": CatalogText("This calendar cannot be shown: {problem}"),
    "calendar": CatalogText("Calendar"),
}
