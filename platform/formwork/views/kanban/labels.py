"""Every text the board screens show (translated in the platform's catalogs)."""

from __future__ import annotations

from ...i18n import CatalogText

TEXT = {
    "empty": CatalogText("(no value)"),
    "move_to": CatalogText("Move to…"),
    "move_up": CatalogText("↑ Up one place"),
    "move_down": CatalogText("↓ Down one place"),
    "add": CatalogText("Add"),
    "add_card": CatalogText("New card in this column"),
    "count": CatalogText("Cards"),
    "sum": CatalogText("Sum"),
    "more": CatalogText("Only the first {shown} of {count} cards are shown; open the list for the rest."),
    "not_saved": CatalogText("The card was not moved."),
    "not_added": CatalogText("The card was not added."),
    "unknown_column": CatalogText("There is no such column on this board."),
    "board_failed": CatalogText("This board cannot be shown: {problem}"),
    "open_list": CatalogText("Open the list"),
    "drag_help": CatalogText("Drag a card to another column, or use its Move to… menu."),
    "sort_help": CatalogText("Drag a card to another column or place, or use its Move to… menu."),
}
