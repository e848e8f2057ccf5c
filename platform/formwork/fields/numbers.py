"""Number field types: integer, decimal and money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
import wtforms
from marshmallow import fields as ma
from marshmallow import validate as mv
from wtforms import validators as wv

from .. import formatting
from ..meta.model import FieldDef
from .base import INTEGER_LIMIT, FieldType, range_validators

RANGE_PROPERTIES: dict[str, Any] = {"min": {"type": "number"}, "max": {"type": "number"}}


class _NumberField(FieldType):
    holds_number = keys_seeds = True
    properties = RANGE_PROPERTIES
    default_schema = {"type": "number"}

    def limit(self, field: FieldDef) -> float:
        return INTEGER_LIMIT

    def marshmallow_validators(self, field: FieldDef) -> list[Any]:
        return range_validators(field, self.limit(field))[0]

    def form_validators(self, field: FieldDef, ctx: Any) -> list[Any]:
        return super().form_validators(field, ctx) + range_validators(field, self.limit(field))[1]


class IntegerField(_NumberField):
    name = "integer"
    titles_as_stored = native_in_spreadsheets = True
    default_schema = {"type": "integer"}
    form_class = wtforms.IntegerField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Integer()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return WholeNumber

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else formatting.number(value)


class WholeNumber(ma.Integer):
    """An integer that must be sent as one: `2.589e-42` or `"7"` is refused, not rounded or parsed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class JsonDecimal(ma.Decimal):
    """A decimal sent as a JSON number (or its text): the OpenAPI document's `minimum`/`maximum` are numbers, which
    clients and schemathesis read (marshmallow's `as_string` wrote them as text). 15 significant digits
    (`DecimalField.limit`) are exact in a double."""

    # a JSON number on purpose, where marshmallow declares text or Decimal
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:  # type: ignore[override]
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


class DecimalField(_NumberField):
    name = "decimal"
    native_in_spreadsheets = True
    default_scale: ClassVar[int] = 4
    properties = {**RANGE_PROPERTIES, "precision": {"type": "integer", "minimum": 0, "maximum": 10}}
    form_class = wtforms.DecimalField

    def scale(self, field: FieldDef) -> int:
        return int(field.options.get("precision", self.default_scale))

    def limit(self, field: FieldDef) -> float:
        """15 significant digits: what every backend stores exactly (SQLite keeps NUMERIC as a double)."""
        return float(10 ** (15 - self.scale(field)) - 1)

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Numeric(18, self.scale(field), asdecimal=True)

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        result = super().marshmallow_field(field)
        assert isinstance(result, ma.Decimal)  # marshmallow_class gives JsonDecimal
        result.places = Decimal(1).scaleb(-self.scale(field))
        return result

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return JsonDecimal

    def form_kwargs(self, field: FieldDef) -> dict[str, Any]:
        return {"places": self.scale(field)}

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else formatting.number(value, self.scale(field))


class MoneyField(DecimalField):
    """An amount with two decimals in a currency: the field's own, a currency field's, or the tenant's default."""

    name = "money"
    holds_money = True
    default_scale = 2
    properties = {
        **RANGE_PROPERTIES,
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "a fixed ISO 4217 code, e.g. USD"},
        "currency_field": {"$ref": "#/$defs/identifier", "description": "a field of the record holding the ISO code"},
    }

    def format_value(self, field: FieldDef, value: Any, currency: str | None = None) -> str:
        if value is None:
            return ""
        return formatting.money(value, currency or field.options.get("currency"))


class PercentField(DecimalField):
    """A percentage written as 12.5 (meaning 12.5 %), shown as `12.5%`."""

    name = "percent"
    default_scale = 2

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else formatting.percent(value, self.scale(field))


class RatingField(IntegerField):
    """Stars from 0 to `max` (default 5)."""

    name = "rating"
    titles_as_stored = native_in_spreadsheets = False  # shown as stars
    properties = {"max": {"type": "integer", "minimum": 1, "maximum": 10}}

    def stars(self, field: FieldDef) -> int:
        return int(field.options.get("max", 5))

    def marshmallow_validators(self, field: FieldDef) -> list[Any]:
        return [mv.Range(min=0, max=self.stars(field))]

    def limit(self, field: FieldDef) -> float:
        return self.stars(field)

    def form_validators(self, field: FieldDef, ctx: Any) -> list[Any]:
        return FieldType.form_validators(self, field, ctx) + [wv.NumberRange(min=0, max=self.stars(field))]

    def format_value(self, field: FieldDef, value: Any) -> str:
        if value is None:
            return ""
        return "★" * int(value) + "☆" * (self.stars(field) - int(value))
