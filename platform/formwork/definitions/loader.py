"""Load pack folders into a validated Catalog, collecting every error of the run."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from functools import reduce
from pathlib import Path

from jsonschema.exceptions import ValidationError

from ..i18n import say
from ..meta.catalog import Catalog, PackFiles, PackSources
from ..meta.errors import DefinitionError, DefinitionsInvalid
from ..meta.kinds import KINDS
from ..meta.partial import PartDocument, checkable_part, instance_of, is_name_error, schema_of, unexpected_keys
from ..meta.yamlload import Document, parse_documents, read_text
from .checks import PACK_CHECKS, entity_width_problem
from .jsonschemas import validator
from .schema_messages import (
    AND_THEN,
    DID_YOU_MEAN,
    NOT_A_LABEL,
    NOT_A_MAPPING,
    UNEXPECTED_PROPERTY,
    UNKNOWN_FIELD_TYPE,
    UNKNOWN_KIND,
    WHAT_IS_EXPECTED,
    schema_message,
)

PACK_FILE = "pack.yaml"


def builtin_definitions() -> Path:
    """`definitions/` of this checkout, next to `platform/`."""
    return Path(__file__).resolve().parents[3] / "definitions"


def pack_search_path() -> list[Path]:
    """Built-in packs first, then FORMWORK_PACK_PATH (separated like PATH)."""
    extra = [Path(p) for p in os.environ.get("FORMWORK_PACK_PATH", "").split(os.pathsep) if p]
    return [builtin_definitions(), *extra]


def find_pack_folders(paths: list[Path]) -> list[Path]:
    """A path is a pack (it holds pack.yaml) or a folder of packs. A pack reached twice (a `validate` argument also
    on FORMWORK_PACK_PATH, a link) is read once, or each of its documents would be reported as its own duplicate."""
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in _pack_folders(paths):
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            found.append(folder)
    return found


def _pack_folders(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if (path / PACK_FILE).is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.iterdir() if (p / PACK_FILE).is_file())


def schema_errors(doc: Document) -> list[DefinitionError]:
    kind = doc.kind
    if not isinstance(doc.data, dict):
        return [doc.error((), NOT_A_MAPPING)]
    if kind not in KINDS:
        expected = ", ".join(sorted(KINDS))
        return [doc.error(("kind",), say(UNKNOWN_KIND, kind=repr(kind), kinds=expected))]
    if kind == "Entity" and (too_wide := _width_error(doc)):
        return [too_wide]
    return [error for err in validator(kind).iter_errors(doc.data) for error in _located_errors(doc, err)]


def _width_error(doc: Document) -> DefinitionError | None:
    """An entity too wide for a table, measured before JSON Schema, which takes a second per thousand fields."""
    fields = doc.data.get("fields")
    if not isinstance(fields, list):
        return None
    problem = entity_width_problem([f.get("type") if isinstance(f, dict) else None for f in fields])
    return doc.error(("fields",), problem) if problem else None


def _located_errors(doc: Document, err: ValidationError) -> list[DefinitionError]:
    """A schema error at the line of what it is about: each unexpected property, each wrong key, at its own."""
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties":
        known = list(schema_of(err).get("properties", {}))
        return [doc.error((*path, key), unexpected_property(key, known)) for key in unexpected_keys(err)]
    if is_name_error(err):
        path = (*path, instance_of(err))
    return [doc.error(path, describe_schema_error(err))]


def unexpected_property(key: str, known: list[str]) -> str:
    """An unknown property, with the known one it most likely misspells."""
    close = difflib.get_close_matches(key, known, n=1)
    return say(DID_YOU_MEAN, key=key, close=close[0]) if close else say(UNEXPECTED_PROPERTY, key=key)


def describe_schema_error(err: ValidationError) -> str:
    """jsonschema's message, made specific for the cases implementers meet most."""
    if err.validator == "additionalProperties":
        known = list(schema_of(err).get("properties", {}))
        unexpected = [unexpected_property(key, known) for key in unexpected_keys(err)]
        return reduce(lambda first, then: say(AND_THEN, first=first, then=then), unexpected) if unexpected else ""
    if err.validator == "oneOf" and schema_of(err).get("oneOf", [{}])[0].get("type") == "string":
        return say(NOT_A_LABEL, value=repr(err.instance))
    if err.validator == "enum" and list(err.absolute_path)[-1:] == ["type"] and "fields" in err.absolute_path:
        return say(UNKNOWN_FIELD_TYPE, value=repr(err.instance), types=", ".join(schema_of(err).get("enum", [])))
    expected = err.schema.get("description") if isinstance(err.schema, dict) else None
    message = schema_message(err)
    return say(WHAT_IS_EXPECTED, message=message, expected=expected) if expected else message


def read_pack(folder: Path) -> tuple[list[Document], list[DefinitionError], PackSources]:
    """Every document of one pack, tagged with the pack's name, and the text of its files (kept as its release)."""
    sources: PackSources = []
    errors: list[DefinitionError] = []
    for file in sorted(folder.rglob("*.y*ml")):
        text, unreadable = read_text(file)
        errors += unreadable
        if text is not None:
            sources.append((file.relative_to(folder).as_posix(), text))
    documents, parse_errors = parse_pack(sources, lambda path: str(folder / path))
    return documents, errors + parse_errors, sources


def parse_pack(sources: PackSources, file_name: Callable[[str], str]) -> tuple[list[Document], list[DefinitionError]]:
    """The documents of a pack's files (as read from its folder, or as stored for a release), tagged with its name.

    `file_name` gives the name errors show for a path inside the pack.
    """
    documents, errors = [], []
    for path, text in sources:
        docs, errs = parse_documents(text, file_name(path))
        documents += docs
        errors += errs
    pack_docs = [d for d in documents if d.kind == "Pack"]
    name = pack_docs[0].data.get("name") if pack_docs else None
    if len(pack_docs) != 1:
        errors.append(
            DefinitionError(
                file_name(PACK_FILE), 1, "", f"a pack needs exactly one Pack document, found {len(pack_docs)}"
            )
        )
    for doc in documents:
        doc.pack = str(name or Path(file_name(PACK_FILE)).parent.name)
    return documents, errors


def build_catalog(documents: list[Document]) -> tuple[Catalog, list[DefinitionError]]:
    catalog, errors, parts = Catalog(), [], []
    for doc in documents:
        doc_errors = schema_errors(doc)
        errors += doc_errors
        built = _checkable_part(doc) if doc_errors else doc
        if built is None:
            if doc.kind == "Entity" and isinstance(doc.data.get("name"), str):
                catalog.invalid_entities.add(f"{doc.pack}.{doc.data['name']}")
            continue
        if isinstance(built, PartDocument):
            parts.append(built)
        else:
            catalog.documents.append(doc)
        assert doc.kind is not None  # schema_errors refuses a document of no known kind, so it built nothing
        kind = KINDS[doc.kind]
        errors += kind.register(catalog, kind.build(built))
    for check in PACK_CHECKS:
        errors += check(catalog)
    follow_ups = {error for part in parts for error in part.follow_ups}
    return catalog, [error for error in errors if error not in follow_ups]


def _checkable_part(doc: Document) -> PartDocument | None:
    """What of a document with schema errors its kind still builds and checks (see meta/partial.py)."""
    partial = KINDS[doc.kind].partial if doc.kind is not None and doc.kind in KINDS else None
    if partial is None or not isinstance(doc.data, dict):
        return None
    return checkable_part(doc, validator(doc.kind), partial)


def load_catalog(paths: list[Path] | None = None) -> tuple[Catalog, list[DefinitionError]]:
    """Read and check every pack found under `paths` (default: the pack search path)."""
    documents, errors = [], []
    sources: dict[str, PackFiles] = {}
    for folder in find_pack_folders(paths or pack_search_path()):
        docs, errs, texts = read_pack(folder)
        documents += docs
        errors += errs
        if docs:
            sources.setdefault(docs[0].pack, PackFiles(str(folder), tuple(texts)))
    catalog, build_errors = build_catalog(documents)
    catalog.sources = {name: sources[name] for name in catalog.packs if name in sources}
    return catalog, sorted(set(errors + build_errors))


def require_catalog(paths: list[Path] | None = None) -> Catalog:
    """The catalog, or DefinitionsInvalid listing every error."""
    catalog, errors = load_catalog(paths)
    if errors:
        raise DefinitionsInvalid(errors)
    return catalog
