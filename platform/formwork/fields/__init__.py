"""The field type registry: the one place that lists every field type."""

from __future__ import annotations

from .auto_number import AutoNumberField
from .base import FieldType
from .child_table import ChildTableField
from .file import FileField, ImageField
from .formula import FormulaField
from .numbers import DecimalField, IntegerField, MoneyField, PercentField, RatingField
from .reference import ManyToManyField, ReferenceField, UserField
from .rich import RichTextField
from .rollup import RollupField
from .simple import BooleanField, ChoiceField, DateField, DateTimeField, TimeField
from .structured import JsonField, MultiChoiceField
from .text import EmailField, PhoneField, StringField, TextField, UrlField

FIELD_TYPES: dict[str, FieldType] = {
    cls.name: cls()
    for cls in (
        StringField, TextField, RichTextField, IntegerField, DecimalField, MoneyField, PercentField, BooleanField,
        DateField, DateTimeField, TimeField, ChoiceField, MultiChoiceField, ReferenceField, EmailField, PhoneField,
        UrlField, JsonField, RatingField, ManyToManyField, UserField, AutoNumberField,
        FormulaField, RollupField, ChildTableField, FileField, ImageField,
    )
}


def field_type(name: str) -> FieldType:
    return FIELD_TYPES[name]


__all__ = ["FIELD_TYPES", "FieldType", "field_type"]


def is_fixed(field) -> bool:
    """A field no form or API call may change: read-only by definition, or computed by the platform."""
    return field.read_only or FIELD_TYPES[field.type].generated
