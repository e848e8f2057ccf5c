"""What the Studio's view editor changes of a calendar (meta/editing.py); a duration is kept as written."""

from __future__ import annotations

from ...i18n import CatalogText
from ...meta.editing import CHOICE, FIELD, FILTER_PROPERTY, ROLES_PROPERTY, EditableProperty, ViewEditing
from .definition import INITIAL_VIEWS

CALENDAR_EDITING = ViewEditing(
    CatalogText("Calendar"),
    (
        EditableProperty("start", FIELD, CatalogText("Starts on"), required=True, accepts=("holds_date",)),
        EditableProperty("end", FIELD, CatalogText("Ends on"), accepts=("holds_date",)),
        EditableProperty("title", FIELD, CatalogText("Event title"), required=True),
        EditableProperty("color_by", FIELD, CatalogText("Coloured by"), accepts=("has_choices",)),
        EditableProperty("view", CHOICE, CatalogText("Opens in"), choices=INITIAL_VIEWS),
        FILTER_PROPERTY,
        ROLES_PROPERTY,
    ),
)
