"""The reference field type: many-to-one to another entity, in any pack."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from marshmallow import fields as ma
from sqlalchemy.orm import relationship

from ..meta.model import FieldDef
from .base import FieldType


class ReferenceField(FieldType):
    """Stored as `<name>_id`; the relationship `<name>` is what screens show and pick."""

    name = "reference"
    properties = {"target": {"type": "string", "pattern": r"^([a-z][a-z0-9_]*\.)?[a-z][a-z0-9_]*$"}}

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = super().json_schema()
        schema["required"] = ["name", "type", "target"]
        return schema

    def attribute(self, field: FieldDef) -> str:
        return f"{field.name}_id"

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        target = ctx.entity_of(field.target)
        column = sa.Column(
            self.attribute(field),
            sa.Integer,
            sa.ForeignKey(f"{target.table}.id", ondelete="RESTRICT", use_alter=True),
            nullable=not field.required,
            index=True,
        )
        remote = ctx.class_name(target)
        return {
            self.attribute(field): column,
            field.name: relationship(remote, foreign_keys=[column], lazy="select"),
        }

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return ma.Integer(
            data_key=field.name,
            required=field.required,
            allow_none=not field.required,
            strict=True,
            metadata={"description": f"id of a {field.target}"},
        )

    def form_field(self, field: FieldDef, ctx: Any) -> None:
        # Flask-AppBuilder converts the relationship into a searchable select.
        return None

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else str(value)
