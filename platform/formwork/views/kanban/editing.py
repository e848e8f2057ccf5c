"""What the Studio's view editor changes of a board (meta/editing.py)."""

from __future__ import annotations

from ...i18n import CatalogText
from ...meta.editing import FIELD, FIELDS, FILTER_PROPERTY, ORDER, ROLES_PROPERTY, EditableProperty, ViewEditing

KANBAN_EDITING = ViewEditing(
    CatalogText("Kanban board"),
    (
        EditableProperty(
            "group_by", FIELD, CatalogText("Columns by"), required=True, accepts=("has_choices", "refers_to_record")
        ),
        EditableProperty("card", FIELDS, CatalogText("Card fields (the first is its title)"), required=True, most=8),
        EditableProperty("sum", FIELD, CatalogText("Sum per column"), accepts=("holds_number",)),
        EditableProperty("order", ORDER, CatalogText("Cards ordered by")),
        FILTER_PROPERTY,
        ROLES_PROPERTY,
    ),
)
