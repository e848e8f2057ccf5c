"""Load pack folders into a validated Catalog, collecting every error of the run."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .catalog import Catalog, PackFiles, PackSources
from .checks import PACK_CHECKS
from .errors import DefinitionError, DefinitionsInvalid
from .jsonschemas import validator
from .kinds import KINDS
from .yamlload import Document, parse_documents

PACK_FILE = "pack.yaml"


def builtin_definitions() -> Path:
    """`definitions/` of this checkout, next to `platform/`."""
    return Path(__file__).resolve().parents[3] / "definitions"


def pack_search_path() -> list[Path]:
    """Built-in packs first, then FORMWORK_PACK_PATH (separated like PATH)."""
    extra = [Path(p) for p in os.environ.get("FORMWORK_PACK_PATH", "").split(os.pathsep) if p]
    return [builtin_definitions(), *extra]


def find_pack_folders(paths: list[Path]) -> list[Path]:
    """A path is a pack (it holds pack.yaml) or a folder of packs."""
    found: list[Path] = []
    for path in paths:
        if (path / PACK_FILE).is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.iterdir() if (p / PACK_FILE).is_file())
    return found


def schema_errors(doc: Document) -> list[DefinitionError]:
    kind = doc.kind
    if not isinstance(doc.data, dict):
        return [doc.error((), "expected a mapping with a 'kind'")]
    if kind not in KINDS:
        expected = ", ".join(sorted(KINDS))
        return [doc.error(("kind",), f"unknown kind {kind!r}; expected one of: {expected}")]
    errors = []
    for err in validator(kind).iter_errors(doc.data):
        errors.append(doc.error(tuple(err.absolute_path), describe_schema_error(err)))
    return errors


def describe_schema_error(err) -> str:
    """jsonschema's message, made specific for the cases implementers meet most."""
    if err.validator == "additionalProperties":
        return f"unexpected property: {err.message.split('(')[-1].rstrip(')')}"
    if err.validator == "oneOf" and err.schema.get("oneOf", [{}])[0].get("type") == "string":
        return f"expected a label: a text, or a mapping like {{en: ..., zh: ...}}; got {err.instance!r}"
    if err.validator == "enum" and list(err.absolute_path)[-1:] == ["type"] and "fields" in err.absolute_path:
        return f"unknown field type {err.instance!r}; expected one of: {', '.join(err.validator_value)}"
    expected = err.schema.get("description") if isinstance(err.schema, dict) else None
    return f"{err.message}; expected {expected}" if expected else err.message


def read_pack(folder: Path) -> tuple[list[Document], list[DefinitionError], PackSources]:
    """Every document of one pack, tagged with the pack's name, and the text of its files (kept as its release)."""
    sources: PackSources = []
    errors: list[DefinitionError] = []
    for file in sorted(folder.rglob("*.y*ml")):
        try:
            sources.append((file.relative_to(folder).as_posix(), file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(DefinitionError(str(file), 1, "", f"cannot read file: {exc}"))
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
        errors.append(DefinitionError(file_name(PACK_FILE), 1, "", f"a pack needs exactly one Pack document, found {len(pack_docs)}"))
    for doc in documents:
        doc.pack = str(name or Path(file_name(PACK_FILE)).parent.name)
    return documents, errors


def build_catalog(documents: list[Document]) -> tuple[Catalog, list[DefinitionError]]:
    catalog, errors = Catalog(), []
    for doc in documents:
        doc_errors = schema_errors(doc)
        if doc_errors:
            errors += doc_errors
            if doc.kind == "Entity" and isinstance(doc.data.get("name"), str):
                catalog.invalid_entities.add(f"{doc.pack}.{doc.data['name']}")
            continue
        kind = KINDS[doc.kind]
        catalog.documents.append(doc)
        errors += kind.register(catalog, kind.build(doc))
    for check in PACK_CHECKS:
        errors += check(catalog)
    return catalog, errors


def load_catalog(paths: list[Path] | None = None) -> tuple[Catalog, list[DefinitionError]]:
    """Read and check every pack found under `paths` (default: the pack search path)."""
    documents, errors, sources = [], [], {}
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
