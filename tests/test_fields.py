"""The field type registry: each type knows its column, marshmallow field, form field, JSON Schema and formatting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator
from marshmallow import ValidationError

from formwork.definitions.jsonschemas import kind_schema
from formwork.fields import FIELD_TYPES, field_type
from formwork.i18n import Label
from formwork.meta.kinds import build_field

ISSUE_TYPES = {
    "string",
    "text",
    "integer",
    "decimal",
    "money",
    "boolean",
    "date",
    "datetime",
    "choice",
    "reference",
    "email",
    "phone",
    "url",
}


def make(data: dict):
    return build_field(data, 0, "crm")


def load(data: dict, value):
    field = make(data)
    return field_type(field.type).marshmallow_field(field).deserialize(value)


def test_every_type_is_registered_and_has_a_schema() -> None:
    assert set(FIELD_TYPES) >= ISSUE_TYPES
    enum = kind_schema("Entity")["$defs"]["field"]["properties"]["type"]["enum"]
    assert set(enum) == set(FIELD_TYPES)


@pytest.mark.parametrize(
    "data, valid",
    [
        ({"name": "a", "type": "string", "max_length": 20}, True),
        ({"name": "a", "type": "boolean", "max_length": 20}, False),
        ({"name": "a", "type": "choice"}, False),
        ({"name": "a", "type": "choice", "choices": [{"value": "x", "label": {"en": "X", "zh": "某"}}]}, True),
        ({"name": "a", "type": "reference"}, False),
        ({"name": "a", "type": "reference", "target": "crm.account"}, True),
        ({"name": "a", "type": "integer", "min": 0, "max": 9, "default": 3}, True),
        ({"name": "a", "type": "integer", "default": "three"}, False),
        ({"name": "Bad Name", "type": "string"}, False),
    ],
)
def test_json_schema_of_each_type(data: dict, valid: bool) -> None:
    validator = Draft202012Validator(kind_schema("Entity"))
    document = {"kind": "Entity", "name": "x", "fields": [data]}
    assert validator.is_valid(document) is valid


def test_columns() -> None:
    def sql_type(data):
        field = make(data)
        return field_type(field.type).sql_type(field)

    assert isinstance(sql_type({"name": "a", "type": "string", "max_length": 40}), sa.String)
    assert sql_type({"name": "a", "type": "string", "max_length": 40}).length == 40
    assert isinstance(sql_type({"name": "a", "type": "text"}), sa.Text)
    money = sql_type({"name": "a", "type": "money"})
    assert (money.precision, money.scale) == (18, 2)
    assert sql_type({"name": "a", "type": "decimal", "precision": 1}).scale == 1
    assert isinstance(sql_type({"name": "a", "type": "date"}), sa.Date)
    assert isinstance(sql_type({"name": "a", "type": "boolean"}), sa.Boolean)


def test_api_values_are_validated_and_converted() -> None:
    assert load({"name": "a", "type": "money"}, "12.5") == Decimal("12.50")
    assert load({"name": "a", "type": "date"}, "2026-11-27") == date(2026, 11, 27)
    assert load({"name": "a", "type": "email"}, "li@example.com") == "li@example.com"
    assert load({"name": "a", "type": "phone"}, "+86 138 0000 0000") == "+86 138 0000 0000"
    for data, bad in [
        ({"name": "a", "type": "email"}, "li@"),
        ({"name": "a", "type": "phone"}, "call me"),
        ({"name": "a", "type": "url"}, "example"),
        ({"name": "a", "type": "integer", "max": 100}, 101),
        ({"name": "a", "type": "string", "max_length": 3}, "abcd"),
        ({"name": "a", "type": "choice", "choices": [{"value": "x"}]}, "y"),
        ({"name": "a", "type": "reference", "target": "crm.account"}, "1"),
    ]:
        with pytest.raises(ValidationError):
            load(data, bad)


def test_list_formatting() -> None:
    def show(data, value):
        field = make(data)
        return field_type(field.type).format_value(field, value)

    assert (
        show({"name": "a", "type": "money"}, Decimal("1234567.5")) == "CN¥1,234,567.50"
    )  # the default currency (English)
    assert show({"name": "a", "type": "money", "currency": "EUR"}, Decimal("2")) == "€2.00"
    assert show({"name": "a", "type": "money", "currency": "CHF"}, Decimal("2")) == "CHF2.00"
    assert show({"name": "a", "type": "boolean"}, True) == "✓"
    assert show({"name": "a", "type": "date"}, date(2026, 1, 2)) == "Jan 2, 2026"
    choice = {"name": "a", "type": "choice", "choices": [{"value": "won", "label": {"en": "Closed won", "zh": "赢单"}}]}
    assert show(choice, "won") == "Closed won"
    assert show(choice, None) == ""


def test_labels_follow_the_language() -> None:
    label = Label({"en": "Account", "zh": "客户"})
    assert str(label) == "Account"
    assert label.get("zh") == "客户"
    assert Label("Plain").get("zh") == "Plain"
    assert Label(None, "Fallback") == "Fallback"
    assert Label({"en": "<b>", "zh": "<i>"}).__html__() == "&lt;b&gt;"
