"""Definitions -> marshmallow schemas that validate REST API input.

The schemas are keyed by the definition's field names (a reference is given
as the id of the target record); `assign_values` stores loaded data on a
model instance.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_appbuilder.api.convert import Model2SchemaConverter
from marshmallow import RAISE, Schema
from marshmallow import fields as ma

from ..fields import field_type, kind_of
from ..fields.child_table import parent_field_of
from ..fields.simple import UtcDateTime
from ..meta.catalog import Catalog
from ..meta.model import EntityDef, FieldDef


class StrictSchema(Schema):
    """Unknown keys are an error: a typo in a field name must not be ignored silently."""

    class Meta:
        unknown = RAISE


def input_schema(entity: EntityDef, name: str, catalog: Catalog | None = None) -> type[Schema]:
    """The schema of a create (or, loaded partially, an update) request body."""
    fields: dict[str, ma.Field] = {f.name: field_type(f.type).marshmallow_field(f) for f in entity.fields}
    for f in entity.fields:
        if kind_of(f).holds_rows and catalog is not None:
            fields[f.name] = ma.List(
                ma.Nested(row_schema(entity, f, catalog)), metadata={"description": f"rows of {f.target}"}
            )
    fields["version"] = ma.Integer(
        strict=True,
        load_only=True,
        metadata={"description": "the version you read; a stale one is refused with 409"},
    )
    return StrictSchema.from_dict(fields, name=name)


def row_schema(parent: EntityDef, field: FieldDef, catalog: Catalog) -> type[Schema]:
    """One row of a child table: the child's fields without its link to the parent, and its id if it exists."""
    assert field.target is not None  # the definition schema requires a child table's target
    child = catalog.entities[field.target]
    link = parent_field_of(field, child, parent.qualified)
    fields: dict[str, ma.Field] = {
        f.name: field_type(f.type).marshmallow_field(f) for f in child.fields if f.name != link
    }
    fields["id"] = ma.Integer(
        allow_none=True, metadata={"description": "the row's id, to keep and change an existing row"}
    )
    return StrictSchema.from_dict(fields, name=f"{parent.table}_{field.name}_row")


def assign_values(item: Any, entity: EntityDef, data: dict[str, Any], session: Any, models: Any) -> None:
    """Loaded schema data -> the model instance, each field type storing its own way (`owner` -> `owner_id`)."""
    for field in entity.fields:
        if field.name in data:
            field_type(field.type).assign(item, field, data[field.name], session, models)


class ReadSchemaConverter(Model2SchemaConverter):
    """FAB's schemas of what the entity API answers, saying what is sent: moments with their zone (stored naive UTC),
    decimals as the exact text of their digits ("1250000.50"), a reference that may be empty as nullable, rows and many-to-many as arrays."""

    def _column2field(
        self, datamodel: Any, column: Any, nested: bool = True, parent_schema_name: str | None = None
    ) -> ma.Field:
        found = super()._column2field(datamodel, column, nested, parent_schema_name)
        if datamodel.is_relation(column.name):
            return found
        sql_type = datamodel.list_columns[column.name].type
        if isinstance(sql_type, sa.DateTime):
            return UtcDateTime(required=found.required, allow_none=found.allow_none, dump_only=found.dump_only)
        if isinstance(sql_type, sa.Numeric) and not isinstance(sql_type, sa.Float):
            return ma.Decimal(
                as_string=True,
                required=found.required,
                allow_none=found.allow_none,
                metadata={"type": "string", "format": "decimal"},
            )
        return found

    def _column2relation(
        self, datamodel: Any, column: Any, nested: bool = False, parent_schema_name: str | None = None
    ) -> ma.Field:
        found = super()._column2relation(datamodel, column, nested, parent_schema_name)
        if isinstance(found, ma.Nested) and found.many:  # a list of records: documented as an array, as it is sent
            return ma.List(ma.Nested(found.nested), required=found.required)
        if isinstance(found, ma.Nested) and datamodel.is_nullable(column.name):
            found.allow_none = True
        return found
