"""Field types whose value is a structure: multi_choice (a list of choice values) and json."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import ValidationError
from marshmallow import fields as ma
from marshmallow import validate as mv

from ..meta.model import FieldDef
from .base import FieldType
from .simple import CHOICES_SCHEMA, badge
from .widgets import TextAreaWidget


class MultiChoiceField(FieldType):
    """Several values from a fixed list (tags, skills), stored as a JSON list."""

    name = "multi_choice"
    properties = {"choices": CHOICES_SCHEMA}
    default_schema = {"type": "array", "items": {"type": ["string", "integer"]}}
    form_class = wtforms.SelectMultipleField
    required_properties = ("choices",)

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.JSON()

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        values = [c.value for c in field.choices]
        return ma.List(
            ma.String(validate=mv.OneOf(values, error="Must be one of: {choices}.")),
            required=field.required and field.default is None,
            allow_none=not field.required,
            load_default=field.default,
            metadata={"description": field.help or field.label},
        )

    def form_kwargs(self, field: FieldDef) -> dict[str, Any]:
        return {"choices": [(c.value, c.label) for c in field.choices]}

    def widget(self, field: FieldDef) -> Any:
        from flask_appbuilder.fieldwidgets import Select2ManyWidget

        return Select2ManyWidget()

    def format_value(self, field: FieldDef, value: Any) -> str:
        if not value:
            return ""
        choices = {c.value: c for c in field.choices}
        return Markup(" ").join(badge(choices[v]) if v in choices else Markup("{0}").format(v) for v in value)


class JsonTextField(wtforms.TextAreaField):
    """A textarea holding JSON; invalid JSON is a form error, not a 500."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else json.dumps(self.data, ensure_ascii=False, indent=2)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = json.loads(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(f"Not valid JSON: {exc}") from None


class JsonValue(ma.Raw):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, (dict, list)):
            raise ValidationError("Must be a JSON object or list.")
        return value


class JsonField(FieldType):
    """Free-form structured data for integrations; any JSON object or list."""

    name = "json"
    default_schema = {"type": ["object", "array"]}
    form_class = JsonTextField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.JSON()

    def marshmallow_class(self, field: FieldDef) -> type[ma.Field]:
        return JsonValue

    def widget(self, field: FieldDef) -> Any:
        return TextAreaWidget(rows=6)

    def format_value(self, field: FieldDef, value: Any) -> str:
        if value is None:
            return ""
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "..."
