"""The NoOverlap kind's texts: definition checks and what a refused save says, in the reader's language."""

from __future__ import annotations

from ..i18n import CatalogText

CANNOT_COMPETE = CatalogText("a {type} field cannot be one of the fields records compete by (per)")
SPAN_OF_TWO_TYPES = CatalogText("'{start}' and '{end}' must both be dates or both be datetimes")
#: a refused save, on the from field, when the definition gives no message of its own
TAKEN = CatalogText("This time is already taken by {title}.")
#: after a definition's own message: which record is in the way
TAKEN_BY = CatalogText("{message} ({title})")
