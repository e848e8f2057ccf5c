"""The JSON Schema of a filter, for embedding in the schemas of kinds that hold filters.

Filters nest, so the schema refers to itself as `#/$defs/filter`: a host
schema must place `FILTER_SCHEMA` at `$defs.filter` and point at it with
`{"$ref": "#/$defs/filter"}`. `FILTER_DOCUMENT` is the same schema standing
alone (for validating a filter a browser sends). The schema gives editors
structure and operator names; `check_filter` gives the precise messages.
"""

from __future__ import annotations

from typing import Any

from .operators import OPERATORS

REF = {"$ref": "#/$defs/filter"}
SCALAR = ["string", "number", "boolean", "null"]

FILTER_SCHEMA: dict[str, Any] = {
    "title": "Filter",
    "description": "A condition {field, op, value}, or all: [...] / any: [...] / not: ...; a plain list means all.",
    "type": ["object", "array"],
    "items": REF,
    "properties": {
        "all": {"type": "array", "items": REF, "description": "every item holds"},
        "any": {"type": "array", "items": REF, "description": "at least one item holds"},
        "not": {**REF, "description": "the filter does not hold"},
        "field": {
            "type": "string",
            "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,3}$",
            "description": "a field or standard column; follow references with '.', e.g. owner.department",
        },
        "op": {"enum": list(OPERATORS), "description": "the operator; which ones apply depends on the field's type"},
        "value": {
            "type": [*SCALAR, "array"],
            "items": {"type": SCALAR},
            "description": "a value, a list (in, not_in, between) or a variable: $user, $employee, $department, $today",
        },
    },
    "additionalProperties": False,
    # A mapping is either a condition (field + op) or exactly one of all/any/not.
    "if": {"type": "object", "anyOf": [{"required": ["all"]}, {"required": ["any"]}, {"required": ["not"]}]},
    "then": {"maxProperties": 1, "propertyNames": {"enum": ["all", "any", "not"]}},
    "else": {"required": ["field", "op"]},
}

FILTER_DOCUMENT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "formwork:filter",
    **REF,
    "$defs": {"filter": FILTER_SCHEMA},
}
