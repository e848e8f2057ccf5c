"""What the Studio's view editor changes of a timeline (meta/editing.py)."""

from __future__ import annotations

from ...i18n import CatalogText
from ...meta.editing import CHOICE, FIELD, FILTER_PROPERTY, ROLES_PROPERTY, EditableProperty, ViewEditing
from .definition import ZOOMS

TIMELINE_EDITING = ViewEditing(
    CatalogText("Timeline"),
    (
        EditableProperty("start", FIELD, CatalogText("Starts on"), required=True, accepts=("holds_date",)),
        EditableProperty("end", FIELD, CatalogText("Ends on"), required=True, accepts=("holds_date",)),
        EditableProperty(
            "group_by", FIELD, CatalogText("Lanes by"), required=True, accepts=("has_choices", "refers_to_record")
        ),
        EditableProperty("title", FIELD, CatalogText("Bar title")),
        EditableProperty("color_by", FIELD, CatalogText("Coloured by"), accepts=("has_choices",)),
        EditableProperty("zoom", CHOICE, CatalogText("Opens at"), choices=ZOOMS),
        FILTER_PROPERTY,
        ROLES_PROPERTY,
    ),
)
