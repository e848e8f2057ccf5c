"""The JSON Schema of each kind, assembled from the files in `meta/schemas/` (a feature's kind: its own `schemas/`).

The Entity schema's `field` definition is built from the field type
registry, so a new field type brings its own schema with it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from ..features import SCHEMA_DEFINITIONS, load_features
from ..filters import FILTER_SCHEMA


def _read(name: str, package: str = "formwork.meta") -> dict[str, Any]:
    """A schema file of `package`'s `schemas/` folder (the core's kinds and the shared `_defs.json` are meta's)."""
    return json.loads(resources.files(package).joinpath("schemas", name).read_text(encoding="utf-8"))


def field_schema() -> dict[str, Any]:
    """One field: `type` picks the schema of that field type (the features' types too: file, image)."""
    from ..fields import FIELD_TYPES

    load_features()
    return {
        "type": "object",
        "required": ["name", "type"],
        "properties": {"type": {"enum": sorted(FIELD_TYPES)}},
        "allOf": [
            {"if": {"properties": {"type": {"const": name}}, "required": ["type"]}, "then": ft.json_schema()}
            for name, ft in sorted(FIELD_TYPES.items())
        ],
    }


def schema_file(name: str) -> dict[str, Any]:
    """A schema of `schemas/` with the shared definitions (for documents that are not pack kinds)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **_read(name), "$defs": _read("_defs.json")}


@cache
def kind_schema(kind: str) -> dict[str, Any]:
    """The complete, self-contained schema of a kind (what `formwork schema export` writes)."""
    from ..meta.kinds import KINDS

    schema = _read(KINDS[kind].schema_file, KINDS[kind].schema_package)
    defs = _read("_defs.json")
    defs["field"] = field_schema()
    defs["filter"] = FILTER_SCHEMA
    defs.update({item.name: item.build() for item in load_features().items(SCHEMA_DEFINITIONS)})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"formwork:{kind}",
        **schema,
        "$defs": defs,
    }


@cache
def extension_schema() -> dict[str, Any]:
    """The complete schema of a tenant's EntityExtension: not a pack kind, but written by `formwork schema export`
    too, so that editors complete customizations as they do packs."""
    schema = schema_file("entityextension.json")
    schema["$defs"].update(field=field_schema(), filter=FILTER_SCHEMA)
    return {"$schema": schema.pop("$schema"), "$id": "formwork:EntityExtension", **schema}


def exported_schema_files() -> dict[str, str]:
    """What `formwork schema export` (and `formwork pack new`, into the pack) writes, file name -> text: each kind's
    schema, and those of tenant manifests and customizations (EntityExtension)."""
    from ..meta.kinds import KINDS

    schemas = {kind.lower(): kind_schema(kind) for kind in KINDS}
    schemas["tenant"] = schema_file("tenant.json")
    schemas["entityextension"] = extension_schema()
    return {
        f"{name}.schema.json": json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        for name, content in schemas.items()
    }


@cache
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(kind_schema(kind))
