"""What the printing screens and API say (translated in the platform's catalogs)."""

from __future__ import annotations

from ..i18n import CatalogText

TEXT = {
    "print": CatalogText("Print"),
    "preview": CatalogText("Preview"),
    "failed": CatalogText('The print format "{format}" could not be applied to this record: {error}'),
    "not_allowed": CatalogText("Your roles may not use this print format."),
}
