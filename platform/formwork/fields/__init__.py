"""The field type registry: the one place that lists every field type."""

from __future__ import annotations

from .base import FieldType
from .numbers import DecimalField, IntegerField, MoneyField
from .reference import ReferenceField
from .simple import BooleanField, ChoiceField, DateField, DateTimeField
from .text import EmailField, PhoneField, StringField, TextField, UrlField

FIELD_TYPES: dict[str, FieldType] = {
    cls.name: cls()
    for cls in (
        StringField, TextField, IntegerField, DecimalField, MoneyField, BooleanField,
        DateField, DateTimeField, ChoiceField, ReferenceField, EmailField, PhoneField, UrlField,
    )
}


def field_type(name: str) -> FieldType:
    return FIELD_TYPES[name]


__all__ = ["FIELD_TYPES", "FieldType", "field_type"]
