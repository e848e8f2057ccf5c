"""What is left of a document once the parts JSON Schema refused are taken out: built and checked all the same.

A document with a schema error used to be set aside whole, so a role with a
misspelt right reported that one error and none of the others it has (an
unknown entity, a rule on a missing field) until it was fixed; all errors of a
run are meant to be reported together. So the refused parts are taken out, the
rest is built and checked, and every error of the document is reported at its
line. Errors next to a refused part are left out: they may only follow from it
(a step whose `mode` was refused has no mode to check its `quorum` against).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import DefinitionError
from .yamlload import Document, JsonPath

#: each round takes out at least one node, and what it takes out may leave its parent invalid: as deep as documents go
MAX_ROUNDS = 16
_GONE = object()


@dataclass(frozen=True)
class Partial:
    """How a kind's documents with schema errors are still checked (a row of meta/kinds.KINDS)."""

    #: optional properties that say which definition a document is (defaulted when absent): refused, the
    #: document is not built, or another one would be reported as its duplicate
    identity: tuple[str, ...] = ()
    #: errors under a property's entry that may follow from a refused entry of another with the same key:
    #: {"rights": ("records", "fields")} (a record rule on an entity whose rights were refused)
    linked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class PartDocument(Document):
    """A document without its refused parts; errors it gives inside `near` are kept in `follow_ups`, not reported."""

    near: tuple[JsonPath, ...] = ()
    follow_ups: set[DefinitionError] = field(default_factory=set)

    def error(self, path: JsonPath, message: str) -> DefinitionError:
        error = super().error(path, message)
        if any(tuple(path)[: len(region)] == region for region in self.near):
            self.follow_ups.add(error)
        return error


def unexpected_keys(error: ValidationError) -> list[str]:
    """The properties an `additionalProperties: false` error is about."""
    schema, instance = schema_of(error), instance_of(error)
    declared, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    return [key for key in instance if key not in declared and not any(re.search(p, key) for p in patterns)]


def schema_of(error: ValidationError) -> Mapping[str, Any]:
    """The part of the schema that refused the value; `{}` for a boolean schema, which says no more."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def instance_of(error: ValidationError) -> Any:
    """The value refused. jsonschema's types also allow its "unset" marker, which only errors made by hand carry."""
    return error.instance


def is_name_error(error: ValidationError) -> bool:
    """Whether the error is about a key of a mapping (`propertyNames`): jsonschema puts it at the mapping."""
    return "propertyNames" in error.absolute_schema_path


def checkable_part(doc: Document, validator: Draft202012Validator, partial: Partial) -> PartDocument | None:
    """`doc` without what `validator` refuses, or None when that is the document itself or what names it."""
    data: Any = copy.deepcopy(doc.data)
    near: list[JsonPath] = []
    for _ in range(MAX_ROUNDS):
        refused = [refusal for error in validator.iter_errors(data) for refusal in _refusals(error, partial)]
        if not refused:
            return PartDocument(doc.file, data, doc.lines, doc.pack, near=tuple(near))
        if any(not path or path[0] in partial.identity for path, _ in refused):
            return None
        data = _without(data, [path for path, _ in refused])
        near += [region for _, regions in refused for region in regions]
    return None


def _refusals(error: ValidationError, partial: Partial) -> list[tuple[JsonPath, list[JsonPath]]]:
    """(what to take out, where errors may follow from taking it out) for one schema error."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        return [((*path, key), []) for key in unexpected_keys(error)]  # unknown: nothing reads them
    if is_name_error(error):
        return [((*path, instance_of(error)), [(*path, instance_of(error))])]
    return [(path, _surroundings(path, error, partial))]  # the value refused, or the mapping that misses a property


def _surroundings(path: JsonPath, error: ValidationError, partial: Partial) -> list[JsonPath]:
    """The list of a list item (whose indexes move) or the mapping of a declared property (whose siblings may
    depend on it); an entry of a mapping keyed by names (rights per entity) only itself, and its linked entries."""
    linked = [(other, *path[1:2]) for other in partial.linked.get(str(path[0]), ())] if 0 < len(path) <= 2 else []
    if len(path) > 1 and (isinstance(path[-1], int) or _declared(error)):
        return [path[:-1], *linked]
    return [path, *linked]


def _declared(error: ValidationError) -> bool:
    """Whether the refused value is under a property its mapping's schema declares (the last descent into a key)."""
    descents = [
        k for k in error.absolute_schema_path if k in ("properties", "additionalProperties", "patternProperties")
    ]
    return descents[-1:] == ["properties"]


def _without(data: Any, paths: list[JsonPath]) -> Any:
    for path in paths:
        parent = data
        for key in path[:-1]:
            parent = parent[key]
            if parent is _GONE:
                break
        else:
            parent[path[-1]] = _GONE
    return _compact(data)


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items() if item is not _GONE}
    if isinstance(value, list):
        return [_compact(item) for item in value if item is not _GONE]
    return value
