"""rollup: count, sum, min, max or avg over the records that refer to this one (the lines of an order).

Stored, so lists sort and filter on it; compile/rollups.py keeps it correct
whenever a referring record is added, changed, moved or deleted.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from marshmallow import fields as ma

from ..meta.model import FieldDef
from .auto_number import Refused
from .base import FieldType

AGGREGATES = ("count", "sum", "min", "max", "avg")


def rollup_source(field: FieldDef) -> tuple[str, str]:
    """(referring entity, its reference field) from `source: pack.entity.field`."""
    entity, _, reference = str(field.options["source"]).rpartition(".")
    return entity, reference


def empty_value(field: FieldDef) -> Any:
    """The value over no referring records (a record just created): 0 for count and sum, none for min, max and avg."""
    return 0 if field.options["aggregate"] in ("count", "sum") else None


class RollupField(FieldType):
    name = "rollup"
    generated = aggregates_records = True
    properties = {
        "source": {
            "type": "string",
            "pattern": r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
            "description": "pack.entity.field: the records whose reference field points at this record",
        },
        "aggregate": {"enum": list(AGGREGATES)},
        "field": {"$ref": "#/$defs/identifier", "description": "the number field aggregated (not for count)"},
        "filter": {"$ref": "#/$defs/filter", "description": "only the referring records this filter keeps"},
    }
    required_properties = ("source", "aggregate")

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        if field.options["aggregate"] == "count":
            return sa.Integer()
        return sa.Numeric(18, 2)

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        return {
            field.name: sa.Column(
                field.name, self.sql_type(field), nullable=True, default=empty_value(field), index=field.indexed or None
            )
        }

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return Refused(metadata={"description": f"{field.options['aggregate']} over {field.options['source']}"})

    def format_value(self, field: FieldDef, value: Any) -> str:
        if value is None:
            return "0" if field.options["aggregate"] in ("count", "sum") else ""
        if field.options["aggregate"] == "count":
            return f"{int(value):,}"
        return f"{value:,.2f}"
