"""Text field types: string, text, email, phone and url."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import sqlalchemy as sa
import wtforms
from marshmallow import validate as mv
from wtforms import validators as wv

from ..meta.model import FieldDef
from .base import FieldType, length_validators, storable_text

PHONE_PATTERN = r"^\+?[0-9 ()./-]{3,32}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class StringField(FieldType):
    name = "string"
    searchable = searched_by_default = filtered_by_default = names_records = listed_as_is = True
    keys_seeds = groupable = titles_as_stored = True
    default_max_length: ClassVar[int | None] = 255
    properties = {
        "max_length": {"type": "integer", "minimum": 1, "maximum": 10000},
        "pattern": {"type": "string", "description": "a regular expression the whole value must match"},
    }
    default_schema = {"type": "string"}

    def max_length(self, field: FieldDef) -> int | None:
        return field.options.get("max_length", self.default_max_length)

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.String(self.max_length(field))

    def marshmallow_validators(self, field: FieldDef) -> list[Any]:
        not_blank = [mv.Length(min=1, error="This field is required.")] if field.required else []
        lengths, patterns = length_validators(field, self.default_max_length)[0], self.pattern_validators(field)[0]
        return [storable_text, *not_blank, *lengths, *patterns]

    def form_validators(self, field: FieldDef, ctx: Any) -> list[Any]:
        return (
            super().form_validators(field, ctx)
            + length_validators(field, self.default_max_length)[1]
            + self.pattern_validators(field)[1]
        )

    def pattern_validators(self, field: FieldDef) -> tuple[list[Any], list[Any]]:
        pattern = field.options.get("pattern")
        if not pattern:
            return [], []
        message = f"Does not match the expected format ({pattern})."
        anchored = rf"^(?:{pattern})$"
        escaped = message.replace("{", "{{").replace("}", "}}")  # marshmallow formats its messages
        return [mv.Regexp(re.compile(anchored), error=escaped)], [wv.Regexp(anchored, message=message)]


class TextField(StringField):
    name = "text"
    searched_by_default = names_records = indexable = groupable = titles_as_stored = False
    default_max_length = None
    form_class = wtforms.TextAreaField

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.Text()

    def widget(self, field: FieldDef) -> Any:
        from .widgets import TextAreaWidget

        return TextAreaWidget()


class _PatternField(StringField):
    """A string with a fixed format of its own (e-mail, phone)."""

    groupable = False
    properties = {"max_length": StringField.properties["max_length"]}
    pattern: ClassVar[str]
    message: ClassVar[str]

    def pattern_validators(self, field: FieldDef) -> tuple[list[Any], list[Any]]:
        return (
            [mv.Regexp(re.compile(self.pattern), error=self.message)],
            [wv.Regexp(self.pattern, message=self.message)],
        )


class EmailField(_PatternField):
    name = "email"
    holds_email_address = True
    listed_as_is = False  # lists show it lower-cased
    default_max_length = 254
    pattern = EMAIL_PATTERN
    message = "Not a valid e-mail address."

    def format_value(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else str(value).lower()


class PhoneField(_PatternField):
    name = "phone"
    searched_by_default = filtered_by_default = listed_as_is = False
    default_max_length = 32
    pattern = PHONE_PATTERN
    message = "Not a valid phone number."


class UrlField(StringField):
    name = "url"
    searched_by_default = filtered_by_default = names_records = listed_as_is = groupable = False
    default_max_length = 2048
    properties = {"max_length": StringField.properties["max_length"]}

    def pattern_validators(self, field: FieldDef) -> tuple[list[Any], list[Any]]:
        return [mv.URL(require_tld=False)], [wv.URL(require_tld=False)]
