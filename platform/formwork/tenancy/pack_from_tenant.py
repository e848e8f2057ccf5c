"""A new version of one of a tenant's packs with the tenant's customizations of it folded in
(`formwork pack from-tenant SLUG PACK`): how an implementer turns what a business admin built in the Studio into
a pack every tenant can install.

The tenant's installed release of the pack is the starting point (its files as stored, not the server's folder).
Fields the tenant added (`x_wechat_id`) become the pack's own (`wechat_id`, `renamed_from: x_wechat_id`: upgrading
the tenant renames its column and keeps the data; other tenants get a new column), and every overlay naming them
follows; `changes`, `labels` and `rules` of an extension are merged into the entity; an overlay of a form, a list
view, a board, a chain… replaces the pack's document of the same kind, entity and name, or is added in a file of
its own. The tenant's own entities (`x.project`) become the pack's (`project`, `renamed_from: x.project`: upgrading
the tenant moves its table, records and what was recorded of them), with their forms, views, chains, automations
the tenant's own roles and dashboards, and every overlay naming them follows (a role keeps its name, so its holders
keep it). Overlays of other packs' entities are left out and named. The result is checked as a pack is,
with the tenant's other releases, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..config import Settings
from ..definitions.checks import TENANT_FIELD_PREFIX, TENANT_PACK
from ..definitions.loader import build_catalog, parse_pack
from ..meta.catalog import PackSources
from ..meta.errors import DefinitionsInvalid
from .customizations import exported_overlays, overlay_pack, target_of
from .errors import TenantError
from .pack_changes import names_replaced
from .registry import Tenant
from .releases import release_catalog

#: the file of the pack version that holds overlays replacing nothing of the pack (new forms, views, chains)
ADDED_FILE = "from_tenant.yaml"


@dataclass
class PackVersion:
    """The files of the new version, what was folded in and what was left out (in words)."""

    name: str
    version: str
    files: PackSources
    folded: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def next_version(version: str) -> str:
    """1.4.2 -> 1.5.0: a pack version with new fields is a minor one."""
    major, minor, *_ = (version.split(".") + ["0", "0"])[:3]
    return f"{major}.{int(minor) + 1}.0"


def pack_from_tenant(settings: Settings, tenant: Tenant, pack: str, version: str | None = None) -> PackVersion:
    """The new version of `pack` with the tenant's customizations of it (TenantError when the tenant lacks the pack
    or a field cannot take its pack name; DefinitionsInvalid when the result does not check)."""
    if pack not in tenant.releases:
        raise TenantError(f"tenant '{tenant.slug}' has no pack '{pack}' (it has {', '.join(tenant.packs)})")
    installed = release_catalog(settings.database_url, ((pack, tenant.releases[pack]),))
    files = [(path, list(yaml.safe_load_all(text))) for path, text in installed.sources[pack].files]
    overlays = exported_overlays(settings, tenant.slug)
    mine = [o for o in overlays if overlay_pack(o) in (pack, TENANT_PACK)]
    result = PackVersion(pack, "", [])
    result.left_out = [
        f"{o['kind']} {target_of(o['kind'], o)} (another pack's: {overlay_pack(o)})" for o in overlays if o not in mine
    ]
    renames = _pack_names(mine, installed.entities) | _entity_names(mine, pack, installed.entities)
    mine = [_renamed(o, renames) for o in mine]
    added: list[dict[str, Any]] = []
    files.append((ADDED_FILE, added))  # first, so an entity taken over is found like the pack's own
    result.folded = [_fold(overlay, pack, files, added, renames) for overlay in mine]
    pack_document = _document(files, "Pack", None, None)
    assert pack_document is not None  # a stored release has its manifest
    result.version = version or next_version(str(pack_document["version"]))
    pack_document["version"] = result.version
    if not added:
        files.pop()
    result.files = [(path, yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)) for path, docs in files]
    _check(settings, tenant, pack, result.files)
    return result


def _fold(
    overlay: dict[str, Any], pack: str, files: list[tuple[str, list[Any]]], added: list[Any], renames: dict[str, str]
) -> str:
    """Fold one overlay into the pack's documents (`added`: the new file's); what was folded, in words."""
    kind = overlay["kind"]
    if kind == "Entity":
        added.insert(0, {**overlay, "renamed_from": f"{TENANT_PACK}.{overlay['name']}"})
        return f"Entity {TENANT_PACK}.{overlay['name']} (as {pack}.{overlay['name']})"
    entity = str(overlay.pop("entity")).split(".", 1)[1] if "entity" in overlay else None
    if kind == "EntityExtension":
        _fold_extension(_document(files, "Entity", entity, None), overlay, renames)
        return f"EntityExtension {pack}.{entity}"
    named = {"entity": entity} if entity else {}  # a dashboard names its pack (`pack:`) only as an overlay
    overlay = {"kind": kind, **named, **{k: v for k, v in overlay.items() if k not in ("kind", "pack")}}
    replaced = _document(files, kind, entity, overlay.get("name", "default"))
    if replaced is None:
        added.append(overlay)
    else:
        replaced.clear()
        replaced.update(overlay)
    return f"{kind} {pack}." + (f"{entity}/{overlay.get('name', 'default')}" if entity else overlay["name"])


def _pack_names(overlays: list[dict[str, Any]], entities: dict[str, Any]) -> dict[str, str]:
    """{x_name: name} of the fields the tenant added; TenantError when the entity already has a field `name`."""
    renames = {}
    for overlay in overlays:
        if overlay["kind"] != "EntityExtension":
            continue
        entity = entities[overlay["entity"]]
        for spec in overlay.get("fields", []):
            name = spec["name"].removeprefix(TENANT_FIELD_PREFIX)
            if entity.field(name) is not None:
                raise TenantError(
                    f"{spec['name']} of {entity.qualified} would become {name}, which the pack already has; "
                    "rename the tenant's field first"
                )
            renames[spec["name"]] = name
    return renames


def _entity_names(overlays: list[dict[str, Any]], pack: str, entities: dict[str, Any]) -> dict[str, str]:
    """{x.project: crm.project} of the tenant's own entities; TenantError when the pack has an entity of the name."""
    names = {}
    for overlay in overlays:
        if overlay["kind"] != "Entity":
            continue
        old, new = f"{TENANT_PACK}.{overlay['name']}", f"{pack}.{overlay['name']}"
        if new in entities:
            raise TenantError(f"{old} would become {new}, which the pack already has; rename the tenant's entity first")
        names[old] = new
    return names


def _renamed(overlay: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """The overlay with every tenant field and entity name its pack name: in field lists, references, conditions and
    formulas alike."""
    if not renames:
        return overlay
    return dict(yaml.safe_load(names_replaced(yaml.safe_dump(overlay, sort_keys=False, allow_unicode=True), renames)))


def _document(
    files: list[tuple[str, list[Any]]], kind: str, entity: str | None, name: str | None
) -> dict[str, Any] | None:
    """The pack's document of `kind` for `entity` named `name` (an entity by its name; the manifest by kind)."""
    for _, documents in files:
        for doc in documents:
            if not isinstance(doc, dict) or doc.get("kind") != kind:
                continue
            if kind == "Pack":
                return doc
            if kind == "Entity" and doc.get("name") == entity:
                return doc
            if str(doc.get("entity", "")).split(".")[-1] == (entity or "") and doc.get("name", "default") == name:
                return doc
    return None


def _fold_extension(entity: dict[str, Any] | None, extension: dict[str, Any], renames: dict[str, str]) -> None:
    assert entity is not None  # the extension was merged over this release's entity when it was stored
    fields = entity["fields"]
    for spec in fields:
        spec.update(extension.get("changes", {}).get(spec["name"], {}))
        if spec["name"] in extension.get("labels", {}):
            spec["label"] = extension["labels"][spec["name"]]
    originals = {new: old for old, new in renames.items()}
    fields += [{**spec, "renamed_from": originals[spec["name"]]} for spec in extension.get("fields", [])]
    if extension.get("rules"):
        entity["rules"] = [*entity.get("rules", []), *extension["rules"]]
    for key in ("label", "plural"):
        if key in extension:
            entity[key] = extension[key]


def _check(settings: Settings, tenant: Tenant, pack: str, files: PackSources) -> None:
    """The new version checked as `formwork validate` checks a pack, with the tenant's other packs as installed."""
    others = release_catalog(
        settings.database_url, tuple((name, tenant.releases[name]) for name in tenant.packs if name != pack)
    )
    documents, errors = parse_pack(files, lambda path: f"{pack} (new version)/{path}")
    for name, stored in others.sources.items():
        docs, errs = parse_pack(list(stored.files), lambda path, n=name: f"{n}/{path}")  # type: ignore[misc]
        documents += docs
        errors += errs
    _, build_errors = build_catalog(documents)
    if errors or build_errors:
        raise DefinitionsInvalid(sorted(set(errors + build_errors)))
