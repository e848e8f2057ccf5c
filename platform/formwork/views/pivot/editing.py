"""What the Studio's view editor changes of a pivot (meta/editing.py): dimensions with the periods a date is grouped
by, measures with the functions a number field is measured by."""

from __future__ import annotations

from ...i18n import CatalogText
from ...meta.editing import DIMENSIONS, FIELDS, FILTER_PROPERTY, MEASURES, ROLES_PROPERTY, EditableProperty, ViewEditing
from .definition import FIELD_MEASURES, PERIODS

PIVOT_EDITING = ViewEditing(
    CatalogText("Pivot table"),
    (
        EditableProperty("rows", DIMENSIONS, CatalogText("Rows"), required=True, choices=PERIODS, most=2),
        EditableProperty("columns", DIMENSIONS, CatalogText("Columns"), choices=PERIODS, most=1),
        EditableProperty("measures", MEASURES, CatalogText("Measures"), choices=FIELD_MEASURES, most=6),
        EditableProperty(
            "page_filters",
            FIELDS,
            CatalogText("Filters above the table"),
            accepts=("has_choices", "refers_to_one", "holds_yes_no"),
            most=6,
        ),
        FILTER_PROPERTY,
        ROLES_PROPERTY,
    ),
)
