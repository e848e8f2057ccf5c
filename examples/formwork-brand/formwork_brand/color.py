"""The `color` field type: a colour as `#rrggbb`, picked with the browser's colour input."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from marshmallow import validate as mv
from wtforms import validators as wv

from formwork.fields import FieldType
from formwork.fields.widgets import TextWidget
from formwork.meta.model import FieldDef

PATTERN = r"^#[0-9a-fA-F]{6}$"
MESSAGE = "A colour is written #rrggbb, e.g. #1f6feb."


class ColorField(FieldType):
    name = "color"
    default_schema = {"type": "string", "pattern": PATTERN}
    indexable = True
    plain_input = "color"

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.String(7)

    def marshmallow_validators(self, field: FieldDef) -> list[Any]:
        return [mv.Regexp(re.compile(PATTERN), error=MESSAGE)]

    def widget(self, field: FieldDef) -> Any:
        return TextWidget("color")

    def form_validators(self, field: FieldDef, ctx: Any) -> list[Any]:
        return [*super().form_validators(field, ctx), wv.Regexp(PATTERN, message=MESSAGE)]
