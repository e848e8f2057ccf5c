"""The names an expression written on an entity may use, from its definition."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..fields import FIELD_TYPES
from ..meta.model import STANDARD_COLUMNS, EntityDef, FieldDef
from .types import Variable

if TYPE_CHECKING:
    from ..meta.catalog import Catalog

#: The signed-in user: `user.id`, `user.name`, `'sales' in user.roles`, `user.department` (its name), and
#: `user.employee`, the id of the employee who signs in as this user (a reference default's value: `user.employee`).
USER = Variable(
    "map",
    fields={
        "id": Variable("integer"),
        "name": Variable("string"),
        "roles": Variable("list", item=Variable("string")),
        "department": Variable("string"),
        "employee": Variable("integer"),
    },
)

#: Types of the standard columns; a column added to STANDARD_COLUMNS later is usable, untyped, until listed here.
_STANDARD_TYPES = {
    "id": "integer",
    "created_at": "datetime",
    "created_by": "integer",
    "updated_at": "datetime",
    "updated_by": "integer",
    "version": "integer",
}
_SCALES = {"decimal": 4, "money": 2, "percent": 2}


def field_variable(field: FieldDef, catalog: Catalog | None = None, *, depth: int = 1) -> Variable:
    """The variable of one field; also the `expect` of a default or formula computed for it.

    A reference is a map of its target's fields, `depth` levels deep; below
    that, a reference is the referenced record's id.
    """
    kind = FIELD_TYPES.get(field.type)  # a formula's result may be "any", which no field type is
    if kind is not None and kind.computed_by_expression:  # read, and computed, as its declared result type
        return field_variable(replace(field, type=str(field.options.get("result", "any"))), catalog, depth=depth)
    if kind is not None and kind.has_choices:
        return Variable(field.type, choices=tuple(c.value for c in field.choices))
    if field.type in _SCALES:
        return Variable(field.type, scale=int(field.options.get("precision", _SCALES[field.type])))
    if kind is not None and kind.refers_to_record:
        target = catalog.entities.get(field.target or "") if catalog is not None else None
        if depth <= 0:
            return Variable("integer")
        if target is None:
            return Variable("reference")
        return Variable("reference", fields=record_variables(target, catalog, depth=depth - 1))
    return Variable(field.value_type)


def record_variables(entity: EntityDef, catalog: Catalog | None, *, depth: int = 1) -> dict[str, Variable]:
    """The standard columns and fields of one record of `entity`."""
    found = {name: Variable(_STANDARD_TYPES.get(name, "any")) for name in STANDARD_COLUMNS}
    for field in entity.fields:
        found[field.name] = field_variable(field, catalog, depth=depth)
    return found


def entity_variables(entity: EntityDef, catalog: Catalog | None = None) -> dict[str, Variable]:
    """Every name an expression on `entity` may use: its fields, standard columns, and `user`.

    A field named `user` hides the signed-in user in that entity's expressions.
    """
    return {"user": USER, **record_variables(entity, catalog)}
