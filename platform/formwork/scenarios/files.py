"""Scenario files: which files of a pack are scenario tests, and reading one into scenarios or the errors that say,
at their line, what was expected (the scenario schema first, then the names it uses, names.py)."""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..definitions.loader import PACK_FILE, SCENARIO_FOLDER, describe_schema_error, unexpected_property
from ..meta.errors import DefinitionError
from ..meta.partial import instance_of, schema_of, unexpected_keys
from ..meta.yamlload import Document, JsonPath, parse_documents, read_text
from .model import CHECK_KINDS, STEP_KINDS, Check, Place, Scenario, Step, User
from .names import name_errors

#: a scenario file says so on its first level; other YAML in `tests/` (fixtures, data) is not read
SCENARIO_KEY = re.compile(r"^scenarios?\s*:", re.MULTILINE)


def pack_of(path: Path) -> Path | None:
    """The pack folder a file in `<pack>/tests/` belongs to; None for a file anywhere else."""
    folder = path.parent
    if folder.name != SCENARIO_FOLDER or not (folder.parent / PACK_FILE).is_file():
        return None
    return folder.parent


def is_scenario_file(path: Path) -> bool:
    """A YAML file in a pack's `tests/` whose first level has `scenario:` or `scenarios:`."""
    if path.suffix not in (".yaml", ".yml") or pack_of(path) is None:
        return False
    text, _ = read_text(path)
    return text is not None and SCENARIO_KEY.search(text) is not None


def scenario_files(pack: Path) -> list[Path]:
    """The pack's scenario files, by name."""
    return sorted(path for path in (pack / SCENARIO_FOLDER).glob("*.y*ml") if is_scenario_file(path))


def read_scenarios(path: Path) -> tuple[list[Scenario], list[DefinitionError]]:
    """The scenarios of one file, or every error found in it (then no scenario: a half-read one would mislead)."""
    text, errors = read_text(path)
    if text is None:
        return [], errors
    documents, errors = parse_documents(text, str(path))
    if errors:
        return [], errors
    if len(documents) != 1:
        return [], [DefinitionError(str(path), 1, "", f"expected one YAML document, found {len(documents)}")]
    document = documents[0]
    errors = [error for err in validator().iter_errors(document.data) for error in _located(document, err)]
    if errors:
        return [], sorted(errors)
    scenarios = [_scenario(document, path) for path in _scenario_paths(document.data)]
    return (scenarios, []) if not (errors := name_errors(scenarios)) else ([], errors)


def read_pack_scenarios(pack: Path) -> tuple[list[Scenario], list[DefinitionError]]:
    """Every scenario of the pack's files, and the errors of the files that cannot be read (the others still run)."""
    scenarios: list[Scenario] = []
    errors: list[DefinitionError] = []
    for path in scenario_files(pack):
        found, refused = read_scenarios(path)
        scenarios += found
        errors += refused
    return scenarios, errors


@cache
def scenario_schema() -> dict[str, Any]:
    """The scenario files' JSON Schema (also written by `formwork schema export`, for editors)."""
    schema: dict[str, Any] = json.loads(
        resources.files("formwork.scenarios").joinpath("schemas", "scenario.json").read_text(encoding="utf-8")
    )
    return schema


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(scenario_schema())


def _located(document: Document, err: ValidationError) -> list[DefinitionError]:
    """A schema error at the line of what it is about: each unexpected property at its own."""
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties":
        known = list(schema_of(err).get("properties", {}))
        return [document.error((*path, key), unexpected_property(key, known)) for key in unexpected_keys(err)]
    if err.validator == "anyOf" and isinstance(err.instance, dict):
        return [document.error(path, _no_kind(err))]
    return [document.error(path, describe_schema_error(err))]


def _no_kind(err: ValidationError) -> str:
    """A step or check without the key that says what it is (`crate:`): the key it most likely misspells."""
    kinds = [branch["required"][0] for branch in schema_of(err)["anyOf"]]
    keys = list(instance_of(err))
    close = [(key, found[0]) for key in keys if (found := difflib.get_close_matches(key, kinds, n=1))]
    expected = f"expected {schema_of(err).get('description')}"
    return f"unexpected property '{close[0][0]}' (did you mean '{close[0][1]}'?); {expected}" if close else expected


def _scenario_paths(data: dict[str, Any]) -> list[JsonPath]:
    if "scenarios" in data:
        return [("scenarios", i) for i in range(len(data["scenarios"]))]
    return [()]


def _scenario(document: Document, at: JsonPath) -> Scenario:
    data: Any = document.data
    for key in at:
        data = data[key]

    def place(*path: str | int) -> Place:
        return Place(document.file, document.line_of(path))

    givens: list[tuple[JsonPath, dict[str, Any]]] = [((), document.data.get("given", {}))] if at else []
    givens.append((at, data.get("given", {})))  # after the file's, which all its scenarios share
    return Scenario(
        name=data["scenario"],
        place=place(*at),
        packs=tuple(data.get("packs", ())),
        users=tuple(
            User(user["name"], tuple(user.get("roles", ())), place(*where, "given", "users", i))
            for where, given in givens
            for i, user in enumerate(given.get("users", ()))
        ),
        records=tuple(
            Step("create", {"create": record["entity"], **record}, place(*where, "given", "records", i))
            for where, given in givens
            for i, record in enumerate(given.get("records", ()))
        ),
        steps=tuple(
            Step(_kind(step, STEP_KINDS), step, place(*at, "when", i)) for i, step in enumerate(data.get("when", ()))
        ),
        checks=tuple(
            Check(_kind(check, CHECK_KINDS), check, place(*at, "then", i))
            for i, check in enumerate(data.get("then", ()))
        ),
    )


def _kind(mapping: dict[str, Any], kinds: tuple[str, ...]) -> str:
    """The first kind key of a step or check (the schema made sure it has one; names.py that it has only one)."""
    return next(key for key in kinds if key in mapping)
