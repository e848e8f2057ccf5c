"""formula: a value computed with CEL from the record (and its references), stored so lists can sort and filter on it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from marshmallow import fields as ma

from ..meta.model import FieldDef
from .auto_number import Refused
from .base import FieldType

RESULT_TYPES = ("string", "integer", "decimal", "money", "percent", "boolean", "date", "datetime")


class FormulaField(FieldType):
    name = "formula"
    generated = computed_by_expression = True
    properties = {
        "expression": {"type": "string", "description": "CEL over the record, e.g. amount * probability / 100"},
        "result": {"enum": list(RESULT_TYPES), "description": "the type of the computed value"},
        "precision": {"type": "integer", "minimum": 0, "maximum": 10},
    }
    required_properties = ("expression", "result")

    @staticmethod
    def result_type(field: FieldDef) -> FieldType:
        from . import FIELD_TYPES  # the registry imports this module

        return FIELD_TYPES[field.options["result"]]

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return self.result_type(field).sql_type(field)

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        return {field.name: sa.Column(field.name, self.sql_type(field), nullable=True, index=field.indexed or None)}

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return Refused(metadata={"description": f"computed: {field.options['expression']}"})

    def format_value(self, field: FieldDef, value: Any) -> str:
        return self.result_type(field).format_value(field, value)
