"""What choice and multi_choice share: a fixed list of values, some of them retired, and former values mapped.

Records may hold a value their definition no longer offers. A retired choice
(`retired: true`) is kept: shown by its label, accepted when a save leaves it
as it is, refused when a record would newly take it. A value that is no choice
at all (stored before the definition dropped it, or written around the
platform) is shown as it is and kept by forms too, so that no save blanks a
value its user did not touch. `map_choices:` names the current value each
former one becomes: the schema plan (schema/choices.py) counts and rewrites
stored values through each type's `stored_outside` and `rewrite_stored`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import validate as mv
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from ..i18n import CatalogText, say
from ..meta.model import Choice, FieldDef
from .base import FieldType, KeepsStoredValue

CHOICES_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {"type": ["string", "integer"]},
            "label": {"$ref": "#/$defs/label"},
            "color": {"$ref": "#/$defs/color"},
            "retired": {
                "type": "boolean",
                "description": "kept for the records that hold it and shown by its label, never offered as a new value",
            },
        },
        "additionalProperties": False,
    },
}
MAP_CHOICES_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": ["string", "integer"]},
    "description": "former values and the current choice each becomes: the schema plan rewrites the stored records",
}
RETIRED = CatalogText('"{value}" is retired; choose another value.')
RETIRED_OPTION = CatalogText("{label} (retired)")
#: the definition checks' messages about a choice field's default and `map_choices`
DEFAULT_RETIRED = CatalogText("default '{value}' is a retired choice, which a new record cannot take")
DEFAULT_NOT_A_CHOICE = CatalogText("default '{value}' is not one of the choices")
STILL_A_CHOICE = CatalogText(
    "'{old}' is still one of the choices; map_choices rewrites values that are no longer choices"
)
MAPPED_TO_RETIRED = CatalogText("'{old}' is mapped to '{new}', which is a retired choice; map it to a current one")
MAPPED_TO_NO_CHOICE = CatalogText("'{old}' is mapped to '{new}', which is not one of the choices")


def badge(choice: Choice) -> Markup:
    """A choice as a coloured label, the way lists show a stage or a status."""
    if not choice.color:
        return Markup("{0}").format(choice.label.localized())
    return Markup('<span class="label fw-badge fw-{0}">{1}</span>').format(choice.color, choice.label.localized())


class KnownChoice(mv.OneOf):
    """One of the field's values, retired ones included (a record may send back the one it holds); the message
    lists only the values a record may newly take."""

    def __init__(self, field: FieldDef) -> None:
        super().__init__([c.value for c in field.choices], error="Must be one of: {choices}.")
        self.choices_text = ", ".join(c.value for c in field.offered_choices)


class ChoiceKind(FieldType):
    """Base of the types whose values come from `choices`."""

    has_choices = True

    properties = {"choices": CHOICES_SCHEMA, "map_choices": MAP_CHOICES_SCHEMA}
    required_properties = ("choices",)

    def values_of(self, value: Any) -> list[str]:
        """The choice values a stored or sent value holds."""
        raise NotImplementedError

    # -- definitions ---------------------------------------------------------
    def definition_errors(self, field: FieldDef) -> list[tuple[tuple[Any, ...], str]]:
        """A constant default is an offered choice; `map_choices` maps former values to offered ones."""
        return _default_errors(self, field) + _map_errors(field)

    # -- writes --------------------------------------------------------------
    def marshmallow_validators(self, field: FieldDef) -> list[Any]:
        return [KnownChoice(field)]

    def change_errors(self, field: FieldDef, value: Any, item: Any | None, models: Any) -> list[str]:
        return self.retired_errors(field, value, None if item is None else getattr(item, self.attribute(field)))

    def retired_errors(self, field: FieldDef, value: Any, stored: Any) -> list[str]:
        """The retired values `value` holds that `stored` does not: a record keeps a retired value, never takes one."""
        retired, kept = {c.value: c for c in field.choices if c.retired}, set(self.values_of(stored))
        taken = dict.fromkeys(v for v in self.values_of(value) if v in retired and v not in kept)
        return [RETIRED.localized().format(value=retired[v].label.localized()) for v in taken]

    # -- screens -------------------------------------------------------------
    def form_kwargs(self, field: FieldDef) -> dict[str, Any]:
        return {"choices": [(c.value, c.label) for c in field.offered_choices], "kind": self, "definition": field}

    # -- schema evolution ----------------------------------------------------
    def stored_outside(
        self, connection: sa.Connection, table: sa.TableClause, column: str, allowed: set[str]
    ) -> dict[str, int]:
        """How many records hold each value that is not in `allowed`."""
        raise NotImplementedError

    def rewrite_stored(
        self, connection: sa.Connection, table: sa.TableClause, column: str, mapping: dict[str, str]
    ) -> None:
        """Replace every stored value `mapping` names with the value it gives."""
        raise NotImplementedError


def _default_errors(kind: ChoiceKind, field: FieldDef) -> list[tuple[tuple[Any, ...], str]]:
    if field.default is None or field.default_expression:
        return []
    offered, known = {c.value for c in field.offered_choices}, {c.value for c in field.choices}
    return [
        (("default",), say(DEFAULT_RETIRED if wrong in known else DEFAULT_NOT_A_CHOICE, value=wrong))
        for wrong in kind.values_of(field.default)
        if wrong not in offered
    ]


def _map_errors(field: FieldDef) -> list[tuple[tuple[Any, ...], str]]:
    """A key is no choice any more (retired ones included); its value is a choice on offer."""
    offered, known = {c.value for c in field.offered_choices}, {c.value for c in field.choices}
    errors: list[tuple[tuple[Any, ...], str]] = []
    for old, new in field.map_choices.items():
        if old in known:
            errors.append((("map_choices", old), say(STILL_A_CHOICE, old=old)))
        elif new not in offered:
            wrong = MAPPED_TO_RETIRED if new in known else MAPPED_TO_NO_CHOICE
            errors.append((("map_choices", old), say(wrong, old=old, new=new)))
    return errors


def kept_label(field: FieldDef, value: str) -> str:
    """How a select shows a stored value it does not offer: a retired choice by its label, marked; others as stored."""
    choice = next((c for c in field.choices if c.value == value), None)
    return value if choice is None else RETIRED_OPTION.localized().format(label=choice.label.localized())


class KeptChoices(KeepsStoredValue, wtforms.SelectField):
    """A choice select that also offers what the edited record holds, so that saving the form unchanged keeps it
    (a browser posts the first option, or nothing, for a value its select does not have)."""

    def __init__(self, *args: Any, kind: ChoiceKind, definition: FieldDef, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.definition, self.stored = kind, definition, None
        self.offered: list[tuple[str, Any]] = list(kwargs["choices"])  # (value, label) pairs: `form_kwargs`

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if data is not unset_value:  # shown from a record: offer what it holds
            self.keep(data)

    def keep(self, stored: Any) -> None:
        self.stored = stored
        offered = {str(value) for value, _ in self.offered}
        self.choices = self.offered + [
            (v, kept_label(self.definition, v)) for v in self.kind.values_of(stored) if v not in offered
        ]

    def pre_validate(self, form: Any) -> None:
        refused = self.kind.retired_errors(self.definition, self.data, self.stored)
        if refused:
            raise ValidationError(" ".join(refused))
        super().pre_validate(form)


class KeptChoiceSelect(KeptChoices):
    """The select of a choice field."""


class KeptChoicesSelect(KeptChoices, wtforms.SelectMultipleField):
    """The select of a multi_choice field."""
