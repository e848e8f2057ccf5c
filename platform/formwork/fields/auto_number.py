"""auto_number: a readable number such as EXP-2026-00042, unique per tenant, given on insert."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from marshmallow import fields as ma

from ..meta.model import FieldDef
from .base import FieldType

COUNTER = re.compile(r"\{(#+)\}")
DATE_PARTS = {"{YYYY}": "%Y", "{YY}": "%y", "{MM}": "%m", "{DD}": "%d"}


class Refused(ma.Field):
    """A field the API shows but never takes: the platform fills it in."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        raise ValidationError("This field is filled in automatically.")


def period_of(fmt: str, today: date) -> str:
    """The format with its date parts filled in: a new period starts a new counter."""
    for token, code in DATE_PARTS.items():
        fmt = fmt.replace(token, today.strftime(code))
    return fmt


def render_number(fmt: str, today: date, counter: int) -> str:
    return COUNTER.sub(lambda m: str(counter).zfill(len(m.group(1))), period_of(fmt, today))


class AutoNumberField(FieldType):
    name = "auto_number"
    generated = numbered = True
    searchable = keys_seeds = titles_as_stored = True
    properties = {
        "format": {
            "type": "string",
            "pattern": r"\{#+\}",
            "description": "text with {#####} for the counter and optional {YYYY} {YY} {MM} {DD}, e.g. EXP-{YYYY}-{#####}",
        }
    }
    required_properties = ("format",)

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.String(64)

    def columns(self, field: FieldDef, ctx: Any) -> dict[str, Any]:
        return {field.name: sa.Column(field.name, self.sql_type(field), unique=True, index=True, nullable=True)}

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return Refused(metadata={"description": f"set on insert, format {field.options['format']}"})
