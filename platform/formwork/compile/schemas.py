"""Definitions -> marshmallow schemas that validate REST API input.

The schemas are keyed by the definition's field names (a reference is given
as the id of the target record); `to_attributes` maps loaded data onto model
attributes.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema
from marshmallow import fields as ma

from ..fields import field_type
from ..meta.model import EntityDef


class StrictSchema(Schema):
    """Unknown keys are an error: a typo in a field name must not be ignored silently."""

    class Meta:
        unknown = RAISE


def input_schema(entity: EntityDef, name: str) -> type[Schema]:
    """The schema of a create (or, loaded partially, an update) request body."""
    fields: dict[str, ma.Field] = {f.name: field_type(f.type).marshmallow_field(f) for f in entity.fields}
    fields["version"] = ma.Integer(
        load_only=True,
        metadata={"description": "the version you read; a stale one is refused with 409"},
    )
    return StrictSchema.from_dict(fields, name=name)


def to_attributes(entity: EntityDef, data: dict[str, Any]) -> dict[str, Any]:
    """Loaded schema data -> model attribute values (`owner` -> `owner_id`)."""
    result = {}
    for field in entity.fields:
        if field.name in data:
            result[field_type(field.type).attribute(field)] = data[field.name]
    return result
