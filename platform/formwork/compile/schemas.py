"""Definitions -> marshmallow schemas that validate REST API input.

The schemas are keyed by the definition's field names (a reference is given
as the id of the target record); `assign_values` stores loaded data on a
model instance.
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


def assign_values(item: Any, entity: EntityDef, data: dict[str, Any], session: Any, models: Any) -> None:
    """Loaded schema data -> the model instance, each field type storing its own way (`owner` -> `owner_id`)."""
    for field in entity.fields:
        if field.name in data:
            field_type(field.type).assign(item, field, data[field.name], session, models)
