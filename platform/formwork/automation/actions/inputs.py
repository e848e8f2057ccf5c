"""An action's small form as a marshmallow schema: what the API and the form page accept, and what the tenant's
OpenAPI shows as the action's request body.

One schema class per action, built once, of its inputs' field types' marshmallow fields: required inputs must be
given, a choice must be one of its values, and numbers and dates must be numbers and dates. An input left out is `null` in the steps'
expressions (`input.<name>`), so a step can test for it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from ...fields import field_type
from ...fields.base import INTEGER_LIMIT
from ..definition import ActionDef, InputDef

#: the most records one list action runs on
MOST_RECORDS = 500


def input_field(item: InputDef) -> fields.Field:
    """The marshmallow field of one input: its field type's, as the entity API validates a field of that type."""
    found = field_type(item.type).marshmallow_field(item.as_field)
    if not item.required:
        found.load_default = None
    return found


def schema_name(action: ActionDef) -> str:
    """The component name of the action's body in the OpenAPI document (`CrmOpportunityMarkLostInput`)."""
    words = action.entity.replace(".", "_").split("_") + action.name.split("_")
    return "".join(word.capitalize() for word in words) + "Input"


def input_schema(action: ActionDef) -> type[Schema]:
    """The schema of the action's inputs; an unknown key is refused, as the entity API refuses unknown fields."""
    return _input_schema(schema_name(action), action.inputs)


def selection_schema(action: ActionDef) -> type[Schema]:
    """The body of a list action: the ids of the selected records and the inputs."""
    return _selection_schema(schema_name(action), action.inputs)


# Built once per name and inputs (marshmallow keeps every schema class it sees in its registry, so one per request
# would grow without end); an ActionDef itself holds its steps' mappings and cannot be a key.
@cache
def _input_schema(name: str, inputs: tuple[InputDef, ...]) -> type[Schema]:
    attributes: dict[str, Any] = {item.name: input_field(item) for item in inputs}
    attributes["Meta"] = type("Meta", (), {"unknown": RAISE})
    return type(name, (Schema,), attributes)


@cache
def _selection_schema(name: str, inputs: tuple[InputDef, ...]) -> type[Schema]:
    ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, INTEGER_LIMIT)),
        required=True,
        validate=validate.Length(1, MOST_RECORDS),
        metadata={"description": "the records to run the action on, all or none"},
    )
    required = any(item.required for item in inputs)
    given = fields.Nested(
        _input_schema(name, inputs), required=required, metadata={"description": "the inputs"}, **_empty(required)
    )
    attributes: dict[str, Any] = {"ids": ids, "input": given, "Meta": type("Meta", (), {"unknown": RAISE})}
    return type(name.removesuffix("Input") + "Selection", (Schema,), attributes)


def _empty(required: bool) -> dict[str, Any]:
    return {} if required else {"load_default": dict}


def with_every_input(action: ActionDef, loaded: dict[str, Any]) -> dict[str, Any]:
    """The loaded inputs with each one left out as None: what `input.<name>` reads."""
    return {**dict.fromkeys(item.name for item in action.inputs), **loaded}
