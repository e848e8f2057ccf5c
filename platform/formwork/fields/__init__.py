"""The field type registry: the core's field types, then those the features add once they are loaded (file and
image from files/, an installed extension's)."""

from __future__ import annotations

from ..features import FIELD_TYPES as ADDED_FIELD_TYPES
from ..features import FeatureRegistry, when_loaded
from ..meta.model import FieldDef
from .auto_number import AutoNumberField
from .base import FieldType
from .child_table import ChildTableField
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
        StringField,
        TextField,
        RichTextField,
        IntegerField,
        DecimalField,
        MoneyField,
        PercentField,
        BooleanField,
        DateField,
        DateTimeField,
        TimeField,
        ChoiceField,
        MultiChoiceField,
        ReferenceField,
        EmailField,
        PhoneField,
        UrlField,
        JsonField,
        RatingField,
        ManyToManyField,
        UserField,
        AutoNumberField,
        FormulaField,
        RollupField,
        ChildTableField,
    )
}


def _take_added_types(registry: FeatureRegistry) -> None:
    """Field types that features (an installed extension's) add, by their name; a name taken is refused."""
    for added in registry.items(ADDED_FIELD_TYPES):
        known = FIELD_TYPES.get(added.name)
        if known is not None and type(known) is not type(added):
            raise ValueError(
                f"field type '{added.name}' is defined twice: by {type(known).__module__} and {type(added).__module__}"
            )
        FIELD_TYPES[added.name] = added


when_loaded(_take_added_types)


def field_type(name: str) -> FieldType:
    return FIELD_TYPES[name]


def kind_of(field: FieldDef) -> FieldType:
    """The type of `field`, to ask what it is (`kind_of(f).holds_file`) instead of comparing its name."""
    return FIELD_TYPES[field.type]


def value_kind(field: FieldDef) -> FieldType:
    """The type of the value `field` holds: a formula's result type, a rollup's number, otherwise `kind_of(field)`.
    Asked where the value is used (summed, grouped, charted) rather than where it is entered."""
    return FIELD_TYPES[field.value_type]


__all__ = ["FIELD_TYPES", "FieldType", "field_type", "kind_of", "value_kind"]


def is_fixed(field) -> bool:
    """A field no form or API call may change: read-only by definition, or computed by the platform."""
    return field.read_only or FIELD_TYPES[field.type].generated
