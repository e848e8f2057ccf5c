"""What the Studio's view editor may change of a view kind's documents, declared by the kind itself.

A kind whose definitions are views of an entity (a list view, a board, a calendar…) carries a `ViewEditing` on its
`Kind`: its title and its editable properties, each the document's key, the kind of value it holds and its label.
The Studio builds its editor from these rows (studio/view_form.py), so a new view kind brings its editor with its
declaration, and the Studio imports no feature. What a row does not say (a calendar's duration, a list's page size)
is kept as the document has it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import CatalogText, Label

#: one field of the entity (a select)
FIELD = "field"
#: fields of the entity in an order the admin chooses (a card's fields, a list's columns)
FIELDS = "fields"
#: a field and a direction, as the documents write it: `amount`, or `-amount` for descending
ORDER = "order"
#: one of the property's fixed `choices`
CHOICE = "choice"
#: a pivot's dimensions: fields, and date fields by year, quarter or month (`{field: close_date, by: month}`)
DIMENSIONS = "dimensions"
#: a pivot's measures: `count`, or the sum, average, lowest or highest of a number field (`{sum: amount}`)
MEASURES = "measures"
#: a list's totals: number fields, each summed or averaged (`{amount: sum}`)
TOTALS = "totals"
#: a structured filter (docs/filters.md), edited as rows or written as JSON
FILTER = "filter"
#: the roles a view is for, among the tenant's roles (none: everyone who may read the entity)
ROLES = "roles"


@dataclass(frozen=True)
class EditableProperty:
    """One key of a view document the editor changes. `accepts`: the field capabilities (FieldType flags) a field
    must have one of to be offered (none: any field); `choices`: a CHOICE's values, the periods a date DIMENSION is
    grouped by, the functions of MEASURES and TOTALS; `most`: how many values a list may hold."""

    key: str
    value: str
    label: Label
    required: bool = False
    accepts: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    most: int | None = None


@dataclass(frozen=True)
class ViewEditing:
    """How the Studio edits the views of one kind: `title` names the kind, `properties` what it changes."""

    title: Label
    properties: tuple[EditableProperty, ...]


FILTER_PROPERTY = EditableProperty("filter", FILTER, CatalogText("Records shown"))
#: every view kind's `roles:` (compile/audience.py says who sees a view that names roles)
ROLES_PROPERTY = EditableProperty("roles", ROLES, CatalogText("For the roles (none ticked: everyone)"))

LIST_VIEW_EDITING = ViewEditing(
    CatalogText("List"),
    (
        EditableProperty("columns", FIELDS, CatalogText("Columns"), required=True),
        EditableProperty("sort", ORDER, CatalogText("Sorted by")),
        EditableProperty("group_by", FIELD, CatalogText("Counted by"), accepts=("groupable", "has_choices")),
        EditableProperty("totals", TOTALS, CatalogText("Totals"), accepts=("holds_number",), choices=("sum", "avg")),
        FILTER_PROPERTY,
        ROLES_PROPERTY,
    ),
)
