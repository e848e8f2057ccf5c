"""Tenant customizations: overlay documents kept in the control plane and merged over the tenant's packs.

A business admin changes a tenant without touching packs: an `EntityExtension`
adds fields (named `x_…`, so that no later pack version can add a field of the
same name), changes labels and what a tenant may change of the packs' fields
(`changes`: required, default, choices, conditions…) and adds rules; a `Form` or `ListView` overlay
replaces the pack's form or list view of the same entity and name (or adds one
under a new name). Overlays are stored apart from packs, so a pack upgrade keeps
them; one that no longer fits the packs is left out of the effective
definitions (logged, shown by `formwork plan`) instead of breaking the tenant.
Every addition, change, revert and removal is kept as a version of its own
(`CustomizationVersion`), so an admin's earlier work can be looked up and restored.

A tenant's own definitions belong to the pack `x` (`TENANT_PACK`), which no pack may take: an `Entity` overlay is
an entity of the tenant's own (`x.project`, table x_project, fields of any name), and an overlay of a feature kind that
names no entity (a Dashboard) names the pack of the definition it replaces with `pack:`, or is the tenant's own.

This module reads, checks and merges overlays; tenancy/customize.py changes them
(with their migration), tenancy/state.py merges a tenant's over its releases.

Pipeline: releases → overlays merged (`merge_overlays`) → effective definitions.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import sqlalchemy as sa
import yaml
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from ..config import Settings
from ..definitions import check_texts as says
from ..definitions.checks import CHECKS, TENANT_FIELD_PREFIX, TENANT_PACK
from ..definitions.jsonschemas import extension_schema, field_schema, kind_schema
from ..definitions.loader import describe_schema_error
from ..definitions.schema_messages import NOT_A_MAPPING
from ..i18n import CatalogText, say
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError, DefinitionsInvalid
from ..meta.kinds import KINDS, build_entity, build_form, build_list_view
from ..meta.model import EntityDef, PackDef
from ..meta.yamlload import Document, JsonPath, parse_documents
from .registry import Customization, CustomizationVersion, platform_session

#: the core's kinds a tenant can customize with, in the order they are merged (extensions add the fields forms
#: show); the features' customizable kinds follow (`overlay_kinds`)
CORE_OVERLAY_KINDS = ("Entity", "EntityExtension", "Form", "ListView")
#: the menu group of the tenant's own entities
TENANT_PACK_LABEL = CatalogText("Our own", context="menu group of a tenant's own entities")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Overlay:
    """One overlay document: what it customizes and its canonical YAML (what is stored and compared)."""

    kind: str
    target: str
    document: Document

    @property
    def source(self) -> str:
        return yaml.safe_dump(self.document.data, sort_keys=False, allow_unicode=True)

    @property
    def entity(self) -> str | None:
        """The entity it customizes (an Entity overlay's own); None for a kind that names no entity (a Dashboard)."""
        if self.kind == "Entity":
            return self.target
        return str(self.document.data["entity"]) if names_entity(self.kind) else None

    @property
    def pack(self) -> str:
        """The pack it is filed under until merged (a replacement then takes the replaced definition's)."""
        return overlay_pack(self.document.data)

    def describe(self) -> str:
        return f"{self.kind} {self.target}"


def overlay_kinds() -> tuple[str, ...]:
    """Every kind a tenant can customize with, in merge order: the core's, then the features' customizable kinds."""
    return CORE_OVERLAY_KINDS + tuple(name for name, kind in KINDS.items() if kind.customizable)


def origin(slug: str, kind: str, target: str) -> str:
    """The readable 'file' of a stored overlay in error messages."""
    return f"customization {kind} {target} (tenant {slug})"


@cache
def names_entity(kind: str) -> bool:
    """Whether the kind's documents customize an entity they name (`entity:`), rather than stand on their own."""
    return kind == "EntityExtension" or "entity" in kind_schema(kind).get("properties", {})


def overlay_pack(data: dict[str, Any]) -> str:
    """The pack an overlay's data customizes: its entity's, the one it names (`pack:`), else the tenant's own."""
    return target_of(data["kind"], data).split("/")[0].split(".")[0]


def target_of(kind: str, data: dict[str, Any]) -> str:
    """`crm.account` for an extension; `crm.account/default` for a form or list view; `x.project` for the tenant's own
    entity; `crm.sales` for a kind naming no entity (its `pack:`, else the tenant's own)."""
    if kind == "EntityExtension":
        return str(data["entity"])
    if kind == "Entity":
        return f"{TENANT_PACK}.{data['name']}"
    if not names_entity(kind):
        return f"{data.get('pack', TENANT_PACK)}.{data['name']}"
    return f"{data['entity']}/{data.get('name', 'default')}"


# -- reading and validating ------------------------------------------------------
@cache
def field_validator() -> Draft202012Validator:
    return Draft202012Validator({"$defs": extension_schema()["$defs"], **field_schema()})


@cache
def overlay_validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(extension_schema() if kind == "EntityExtension" else kind_schema(kind))


def overlay_schema_errors(doc: Document) -> list[DefinitionError]:
    if not isinstance(doc.data, dict):
        return [doc.error((), NOT_A_MAPPING)]
    kinds = overlay_kinds()
    if doc.kind not in kinds:
        return [doc.error(("kind",), say(says.CUSTOMIZED_KINDS, kinds=", ".join(kinds), kind=repr(doc.kind)))]
    standing = doc.kind != "Entity" and not names_entity(doc.kind)
    data = {k: v for k, v in doc.data.items() if k != "pack"} if standing else doc.data
    errors = [
        doc.error(tuple(e.absolute_path), describe_schema_error(e))
        for e in overlay_validator(doc.kind).iter_errors(data)
    ]
    if standing and not isinstance(doc.data.get("pack", TENANT_PACK), str):
        errors.append(doc.error(("pack",), "expected the name of the pack whose definition this replaces"))
    entity = doc.data.get("entity")
    if not errors and names_entity(doc.kind) and "." not in str(entity):
        errors.append(doc.error(("entity",), say(says.NAME_WITH_PACK, entity=entity)))
    return errors


def overlays_of(documents: list[Document]) -> tuple[list[Overlay], list[DefinitionError]]:
    """Overlays from parsed documents; schema errors for the others, and for a target customized twice."""
    overlays, errors, seen = [], [], set()
    for doc in documents:
        found = overlay_schema_errors(doc)
        if found:
            errors += found
            continue
        assert doc.kind is not None  # overlay_schema_errors refuses a document of no overlay kind
        overlay = Overlay(doc.kind, target_of(doc.kind, doc.data), doc)
        if (overlay.kind, overlay.target) in seen:
            errors.append(doc.error(("entity",), say(says.CUSTOMIZED_TWICE, overlay=overlay.describe())))
        seen.add((overlay.kind, overlay.target))
        doc.pack, doc.customization = overlay.pack, True
        overlays.append(overlay)
    return overlays, errors


def read_overlays(text: str, file: str) -> list[Overlay]:
    """The overlays in a YAML text (several documents allowed), or DefinitionsInvalid with file and line."""
    documents, errors = parse_documents(text, file)
    overlays, schema_errors = overlays_of(documents)
    if errors or schema_errors:
        raise DefinitionsInvalid(errors + schema_errors)
    return overlays


def sub_document(doc: Document, path: JsonPath) -> Document:
    """The part of `doc` at `path` as a document of its own, keeping its lines (inline overlays of a manifest)."""
    data = doc.data
    for key in path:
        data = data[key]
    lines = {p[len(path) :]: line for p, line in doc.lines.items() if p[: len(path)] == tuple(path)}
    return Document(doc.file, data, lines)


# -- merging ---------------------------------------------------------------------
@dataclass
class ExtendedDocument(Document):
    """An entity's document with an extension merged in. Errors about the added parts point into the extension."""

    extension: Document | None = None
    base_fields: int = 0
    base_rules: int = 0
    #: the pack's fields the extension changes, by their index in `fields`
    changed: dict[int, str] = field(default_factory=dict)

    def error(self, path: JsonPath, message: str) -> DefinitionError:
        assert self.extension is not None
        path = tuple(path)
        if path[:1] == ("fields",) and len(path) > 1 and path[1] in self.changed:
            return self.extension.error(("changes", self.changed[path[1]], *path[2:]), message)
        for key, base in (("fields", self.base_fields), ("rules", self.base_rules)):
            if path[:1] == (key,) and len(path) > 1 and isinstance(path[1], int) and path[1] >= base:
                return self.extension.error((key, path[1] - base, *path[2:]), message)
        return self.extension.error(("entity",), message)


def _change_fields(
    fields: list[dict[str, Any]], changes: dict[str, dict[str, Any]], extension: Document
) -> list[DefinitionError]:
    """Apply an extension's `changes` to the pack's own fields (in place); each changed field must still be a valid
    field of its type (a default of the wrong type, choices a choice field cannot have), reported at the change."""
    errors = []
    for spec in fields:
        change = changes.get(spec["name"])
        if change is None:
            continue
        spec.update(copy.deepcopy(change))
        for error in field_validator().iter_errors(spec):
            path = tuple(error.absolute_path)
            at = ("changes", spec["name"], *path) if path and path[0] in change else ("changes", spec["name"])
            errors.append(extension.error(at, describe_schema_error(error)))
    return errors


def extend_entity(entity: EntityDef, extension: Document) -> tuple[EntityDef | None, list[DefinitionError]]:
    """`entity` with the extension's fields, labels and rules; or the reasons it does not fit."""
    data = extension.data
    errors = []
    for i, spec in enumerate(data.get("fields", [])):
        name = spec["name"]
        if not name.startswith(TENANT_FIELD_PREFIX):
            errors.append(extension.error(("fields", i, "name"), say(says.TENANT_PREFIX, name=name)))
    for key in ("labels", "changes"):
        for name in data.get(key, {}):
            if entity.field(name) is None:
                errors.append(extension.error((key, name), say(says.NOT_A_FIELD, name=name, entity=entity.qualified)))
    if errors:
        return None, errors
    merged = copy.deepcopy(entity.document.data)
    changes = data.get("changes", {})
    errors = _change_fields(merged["fields"], changes, extension)
    if errors:
        return None, errors
    base_fields, base_rules = len(merged["fields"]), len(merged.get("rules", []))
    merged["fields"] += copy.deepcopy(data.get("fields", []))
    if data.get("rules"):
        merged["rules"] = [*merged.get("rules", []), *copy.deepcopy(data["rules"])]
    for key in ("label", "plural"):
        if key in data:
            merged[key] = data[key]
    for spec in merged["fields"]:
        if spec["name"] in data.get("labels", {}):
            spec["label"] = data["labels"][spec["name"]]
    document = ExtendedDocument(
        entity.document.file,
        merged,
        entity.document.lines,
        entity.pack,
        extension=extension,
        base_fields=base_fields,
        base_rules=base_rules,
        changed={i: f["name"] for i, f in enumerate(merged["fields"][:base_fields]) if f["name"] in changes},
    )
    return build_entity(document), []


def tenant_pack(base: Catalog) -> PackDef:
    """The pack of the tenant's own definitions: it requires every installed pack, so its entities may refer to any
    of their entities (the tenant installed them all)."""
    requires = {name: f">={pack.version}" for name, pack in base.packs.items()}
    document = Document("customizations", {"kind": "Pack", "name": TENANT_PACK}, {}, TENANT_PACK)
    return PackDef(TENANT_PACK, "1.0.0", TENANT_PACK_LABEL, requires, document.file, document, icon="fa-shapes")


def _merge_once(base: Catalog, overlays: list[Overlay]) -> tuple[Catalog, list[DefinitionError]]:
    errors: list[DefinitionError] = []
    entities, documents, packs = dict(base.entities), list(base.documents), dict(base.packs)
    # lists of FormDef and of ListViewDef, merged by the same code below
    forms: dict[str, list[Any]] = {k: list(v) for k, v in base.forms.items()}
    views: dict[str, list[Any]] = {k: list(v) for k, v in base.list_views.items()}
    collections = {name: dict(found) for name, found in base.collections.items()}
    featured: list[tuple[Overlay, Any]] = []  # the features' overlays, registered once the catalog is merged
    kinds = overlay_kinds()
    for overlay in sorted(overlays, key=lambda o: kinds.index(o.kind)):
        doc = overlay.document
        if overlay.pack not in packs and overlay.pack != TENANT_PACK:
            errors.append(doc.error(("pack",), say(says.PACK_NOT_INSTALLED, pack=overlay.pack)))
            continue
        if overlay.pack == TENANT_PACK:
            packs.setdefault(TENANT_PACK, tenant_pack(base))
        if overlay.kind == "Entity":
            entities[overlay.target] = build_entity(doc)
            documents.append(doc)
            continue
        if overlay.entity is None:
            collection = collections[KINDS[overlay.kind].collection or ""]
            replaced = _replace_featured(collection, overlay, overlay.pack)
            featured.append((overlay, KINDS[overlay.kind].build(doc)))
            documents = [d for d in documents if all(d is not r.document for r in replaced)] + [doc]
            continue
        entity = entities.get(overlay.entity)
        if entity is None:
            errors.append(doc.error(("entity",), say(says.ENTITY_NOT_INSTALLED, entity=overlay.entity)))
            continue
        if overlay.kind == "EntityExtension":
            extended, found = extend_entity(entity, doc)
            errors += found
            if extended is not None:
                entities[entity.qualified] = extended
                documents = [extended.document if d is entity.document else d for d in documents]
            continue
        if overlay.kind in CORE_OVERLAY_KINDS:
            table, build = (forms, build_form) if overlay.kind == "Form" else (views, build_list_view)
            definition = build(doc)
            # a replacement takes the place of what it replaces (the first list view stays the entity's list)
            existing = table.get(definition.entity, [])
            replaced = [d for d in existing if d.name == definition.name]
            kept = [definition if any(d is r for r in replaced) else d for d in existing]
            table[definition.entity] = kept if replaced else [*existing, definition]
        else:
            replaced = _replace_featured(collections[KINDS[overlay.kind].collection or ""], overlay, entity.pack)
            featured.append((overlay, KINDS[overlay.kind].build(doc)))
        documents = [d for d in documents if all(d is not r.document for r in replaced)] + [doc]
    merged = replace(
        base,
        packs=packs,
        entities=entities,
        forms=forms,
        list_views=views,
        documents=documents,
        collections=collections,
    )
    for overlay, definition in featured:
        errors += KINDS[overlay.kind].register(merged, definition)
    for check in CHECKS:
        errors += check(merged)
    return merged, errors


def _replace_featured(collection: dict[Any, Any], overlay: Overlay, entity_pack: str) -> list[Any]:
    """Take out of `collection` the definition the overlay replaces (the same entity and name; for a kind naming no
    entity, the same pack and name), and give the overlay's document that definition's pack, so that it is filed
    under the same `pack.name`; a new one belongs to its entity's pack. Returns what was replaced."""
    name = overlay.document.data.get("name")
    replaced = [
        (key, d)
        for key, d in collection.items()
        if d.name == name and (d.entity == overlay.entity if overlay.entity else d.pack == overlay.pack)
    ]
    for key, _ in replaced:
        del collection[key]
    overlay.document.pack = replaced[0][1].pack if replaced else entity_pack
    return [d for _, d in replaced]


def merge_overlays(base: Catalog, overlays: list[Overlay]) -> tuple[Catalog, list[DefinitionError]]:
    """`base` with every overlay that fits; the errors say why the others were left out.

    An overlay with an error is dropped and the rest merged again, so a form
    showing a field of a dropped extension is reported too, and what remains
    always checks clean.
    """
    remaining = list(overlays)
    left_out: list[DefinitionError] = []
    while True:
        merged, errors = _merge_once(base, remaining)
        if not errors:
            return merged, sorted(left_out)
        failing = {e.file for e in errors}
        kept = [o for o in remaining if o.document.file not in failing]
        left_out += errors
        if len(kept) == len(remaining):  # errors no overlay caused: the packs alone (never expected)
            return merged, sorted(left_out)
        remaining = kept


# -- the control plane -----------------------------------------------------------
class CustomizationError(Exception):
    """A removal or revert that cannot be done (no such customization or version); nothing was changed."""


CUSTOMIZATION_CHANGED = CatalogText("customization {change}: {kind} {target}")
#: what happened to a customization, as `formwork_customization_version.change` stores it (in English, older rows
#: too), and its words in each reader's language
CHANGE_WORDS = {
    "added": CatalogText("added", context="a customization"),
    "changed": CatalogText("changed", context="a customization"),
    "removed": CatalogText("removed", context="a customization"),
    "follows the pack's renames": CatalogText("follows the pack's renames", context="a customization"),
}
REVERTED = CatalogText("reverted to version {version}", context="a customization")
REVERTED_STORED = re.compile(r"reverted to version (\d+)")


def change_words(change: str) -> str:
    """A stored change (`added`, `reverted to version 3`) in the reader's words; `str()` is what is stored, and a
    change of words this version does not know is shown as stored."""
    if (reverted := REVERTED_STORED.fullmatch(change)) is not None:
        return say(REVERTED, version=int(reverted.group(1)))
    return CHANGE_WORDS.get(change, change)


@dataclass(frozen=True)
class StoredChange:
    """One customization added, changed, reverted or removed (`source` None), as recorded in its history."""

    kind: str
    target: str
    change: str
    source: str | None

    def describe(self) -> str:
        return say(CUSTOMIZATION_CHANGED, change=change_words(self.change), kind=self.kind, target=self.target)


def _rows(session: Session, slug: str) -> list[Customization]:
    return list(
        session.scalars(
            sa.select(Customization)
            .where(Customization.tenant_slug == slug)
            .order_by(Customization.kind, Customization.target)
        )
    )


def overlays_from_sources(
    slug: str, sources: dict[tuple[str, str], str]
) -> tuple[list[Overlay], list[DefinitionError]]:
    """The overlays of stored texts by (kind, target); ones that no longer pass the schema come back as errors."""
    documents, errors = [], []
    for (kind, target), source in sorted(sources.items()):
        docs, errs = parse_documents(source, origin(slug, kind, target))
        documents += docs
        errors += errs
    overlays, schema_errors = overlays_of(documents)
    return overlays, errors + schema_errors


def stored_sources(settings: Settings, slug: str) -> dict[tuple[str, str], str]:
    """The texts of the tenant's stored customizations, by (kind, target)."""
    return {(row.kind, row.target): row.source for row in list_customizations(settings, slug)}


NO_LONGER_FITS = CatalogText("{file} no longer fits and is left out: {message} (line {line}{where})")
AT_PATH = CatalogText(" at {path}", context="where in a customization")


def describe_conflict(error: DefinitionError) -> str:
    """A stored customization the tenant's packs no longer take, in words (English in `str()`, the CLI's)."""
    where = say(AT_PATH, path=error.path) if error.path else ""
    return say(NO_LONGER_FITS, file=error.file, message=error.message, line=error.line, where=where)


def check_overlays(base: Catalog, slug: str, others: dict[tuple[str, str], str], overlays: list[Overlay]) -> None:
    """DefinitionsInvalid if `overlays`, merged with the tenant's `others` (stored texts), do not fit `base`."""
    new = {(o.kind, o.target) for o in overlays}
    kept, _ = overlays_from_sources(slug, {key: source for key, source in others.items() if key not in new})
    _, errors = merge_overlays(base, kept + overlays)
    files = {o.document.file for o in overlays}
    mine = [e for e in errors if e.file in files]
    if mine:
        raise DefinitionsInvalid(mine)


def list_customizations(settings: Settings, slug: str) -> list[Customization]:
    with platform_session(settings.database_url) as session:
        return _rows(session, slug)


def customization_history(settings: Settings, slug: str, target: str | None = None) -> list[CustomizationVersion]:
    """Every recorded version of the tenant's customizations (of `target` only, if given), oldest first per target."""
    query = sa.select(CustomizationVersion).where(CustomizationVersion.tenant_slug == slug)
    if target is not None:
        query = query.where(CustomizationVersion.target == target)
    with platform_session(settings.database_url) as session:
        return list(
            session.scalars(
                query.order_by(CustomizationVersion.kind, CustomizationVersion.target, CustomizationVersion.version)
            )
        )


def exported_overlays(settings: Settings, slug: str) -> list[Any]:
    """The stored overlays as plain data, extensions first (the order they are merged in)."""
    kinds = overlay_kinds()
    rows = sorted(list_customizations(settings, slug), key=lambda r: (kinds.index(r.kind), r.target))
    return [yaml.safe_load(row.source) for row in rows]
