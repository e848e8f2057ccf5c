"""Every text the history, the comments and the timeline show, translated in the platform's catalogs."""

from __future__ import annotations

from ..i18n import CatalogText

ACTION = {
    "create": CatalogText("Created"),
    "update": CatalogText("Changed"),
    "delete": CatalogText("Deleted"),
}

TEXT = {
    "timeline": CatalogText("Activity"),
    "empty": CatalogText("Nothing has happened to this record yet."),
    "comment": CatalogText("Comment"),
    "comment_placeholder": CatalogText("Write a comment; @name mentions a colleague"),
    "send": CatalogText("Add comment"),
    "commented": CatalogText("commented"),
    "approval": CatalogText("Approval"),
    "system": CatalogText("System"),
    "capped": CatalogText("Showing the latest {count} entries; the REST API has all of them."),
    "saved": CatalogText("Comment added."),
    "refused": CatalogText("Not saved"),
}
