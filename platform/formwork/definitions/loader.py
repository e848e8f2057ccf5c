"""Load pack folders into a validated Catalog, collecting every error of the run."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
from .distributions import ENTRY_POINT_GROUP, PACK_FILE, installed_packs
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

#: a pack's scenario tests (`formwork pack test`, docs/implementers.md): YAML, but not definitions
SCENARIO_FOLDER = "tests"
PACK_PATH_VARIABLE = "FORMWORK_PACK_PATH"


@dataclass(frozen=True)
class PackLocation:
    """A pack folder or a folder of packs, and where it comes from (what `formwork pack list` shows)."""

    path: Path
    #: "built-in folder", "FORMWORK_PACK_PATH folder", "distribution acme-helpdesk 1.2.0"; empty for a folder given
    source: str = ""
    #: the pack name the source declares (a distribution's entry point), which its pack.yaml must give
    declared: str | None = None

    def describe(self) -> str:
        return f"{self.path} ({self.source})" if self.source else str(self.path)


def builtin_definitions() -> Path:
    """`definitions/` of this checkout, next to `platform/`."""
    return Path(__file__).resolve().parents[3] / "definitions"


def pack_locations() -> tuple[list[PackLocation], list[DefinitionError]]:
    """Built-in packs first, then those of installed distributions (entry point group `formwork.packs`), then
    FORMWORK_PACK_PATH (separated like PATH); with an error for each distribution's pack that cannot be found."""
    installed, errors = installed_packs()
    extra = [Path(p) for p in os.environ.get(PACK_PATH_VARIABLE, "").split(os.pathsep) if p]
    return [
        PackLocation(builtin_definitions(), "built-in folder"),
        *(PackLocation(pack.folder, f"distribution {pack.distribution}", pack.name) for pack in installed),
        *(PackLocation(path, f"{PACK_PATH_VARIABLE} folder") for path in extra),
    ], errors


def pack_search_path() -> list[Path]:
    """Where packs are found, in the order of `pack_locations`."""
    return [location.path for location in pack_locations()[0]]


def find_pack_folders(locations: Sequence[PackLocation]) -> list[PackLocation]:
    """Each pack folder under `locations`: a location is a pack (it holds pack.yaml) or a folder of packs. A pack
    reached twice (a `validate` argument also on FORMWORK_PACK_PATH, a link) is read once, or each of its documents
    would be reported as its own duplicate."""
    found: list[PackLocation] = []
    seen: set[Path] = set()
    for folder in _pack_folders(locations):
        if folder.path.resolve() not in seen:
            seen.add(folder.path.resolve())
            found.append(folder)
    return found


def _pack_folders(locations: Sequence[PackLocation]) -> Iterator[PackLocation]:
    for location in locations:
        if (location.path / PACK_FILE).is_file():
            yield location
        elif location.path.is_dir():
            for path in sorted(p for p in location.path.iterdir() if (p / PACK_FILE).is_file()):
                yield PackLocation(path, location.source, location.declared)


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
        if file.relative_to(folder).parts[0] == SCENARIO_FOLDER:
            continue
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


def load_catalog(
    paths: list[Path] | None = None, *, also: Sequence[Path] = ()
) -> tuple[Catalog, list[DefinitionError]]:
    """Read and check every pack found under `paths` (default: the pack search path, installed distributions' packs
    included) and under `also` (the folders `formwork validate` is given besides)."""
    locations, errors = pack_locations() if paths is None else ([PackLocation(path) for path in paths], [])
    documents = []
    sources: dict[str, PackFiles] = {}
    read_from: dict[str, PackLocation] = {}
    for folder in find_pack_folders([*locations, *(PackLocation(path) for path in also)]):
        docs, errs, texts = read_pack(folder.path)
        name = docs[0].pack if docs else None
        if name is not None and name in read_from:
            errors.append(_found_twice(docs, name, read_from[name], folder))
            continue
        documents += docs
        errors += errs + _undeclared(docs, folder)
        if name is not None:
            read_from[name] = folder
            sources[name] = PackFiles(str(folder.path), tuple(texts))
    catalog, build_errors = build_catalog(documents)
    catalog.sources = {name: sources[name] for name in catalog.packs if name in sources}
    return catalog, sorted(set(errors + build_errors))


def _found_twice(docs: list[Document], name: str, first: PackLocation, again: PackLocation) -> DefinitionError:
    """A pack name from two places is one error, and the second is not read: which of the two a tenant would
    install must never depend on the order of the pack path."""
    here = f"here ({again.source})" if again.source else "here"
    return _pack_document(docs).error(
        ("name",),
        f"pack '{name}' is found twice: in {first.describe()} and {here}; a pack comes from one place only, remove one",
    )


def _undeclared(docs: list[Document], folder: PackLocation) -> list[DefinitionError]:
    """A distribution declares its pack by name (its entry point's); a pack.yaml naming another is a mistake."""
    if folder.declared is None or not docs or docs[0].pack == folder.declared:
        return []
    return [
        _pack_document(docs).error(
            ("name",),
            f"{folder.source} declares pack '{folder.declared}' (its entry point of {ENTRY_POINT_GROUP}), "
            f"but this pack is named '{docs[0].pack}'",
        )
    ]


def _pack_document(docs: list[Document]) -> Document:
    """The pack's Pack document, where errors about the whole pack point (its first document if it has none)."""
    return next((doc for doc in docs if doc.kind == "Pack"), docs[0])


def require_catalog(paths: list[Path] | None = None) -> Catalog:
    """The catalog, or DefinitionsInvalid listing every error."""
    catalog, errors = load_catalog(paths)
    if errors:
        raise DefinitionsInvalid(errors)
    return catalog
