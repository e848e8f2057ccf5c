"""What a new release of a pack means for a tenant's customizations.

An upgrade must not silently undo or hide an admin's work. Two things are
looked at, besides the overlays that no longer fit at all (conflicts, which
refuse the upgrade):

- renames: a field or entity the new release renames (`renamed_from:`) is
  renamed in the customizations too, so a customized form or list view keeps
  showing it and an extension keeps its labels; the rewritten overlays are
  stored as new versions with the upgrade;
- take-overs: a release made from a tenant (`formwork pack from-tenant`) declares
  the tenant's own entities (`renamed_from: x.project`) and added fields
  (`renamed_from: x_wechat_id`) its own: the tenant's `Entity` overlay and the
  extension's field are dropped (the pack now defines them; table, column and
  data follow), every overlay naming them follows, and the run logs and
  approvals of definitions that moved pack with their entity are re-keyed; an
  own role or dashboard the release now has, the same, is dropped too (a role
  keeps its name, so its holders keep it);
- hidden fields: a customized form or list view replaces the pack's, so a
  field the new release adds to the pack's form or list view does not appear
  in the customized one; the plan says which, so the admin can add it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..definitions.checks import TENANT_FIELD_PREFIX, TENANT_PACK
from ..i18n import CatalogText, say
from ..meta.catalog import Catalog
from ..meta.kinds import KINDS
from .customizations import names_entity, overlay_kinds

Sources = dict[tuple[str, str], str]
#: the plan's lines about customizations (`formwork tenant upgrade-pack` prints their English, the console shows them
#: in the operator's language)
FOLLOWS_RENAMES = CatalogText("customization {kind} {target} follows the release's renames{moved}")
BECOMES_THE_PACKS = CatalogText("customization Entity {target} becomes the pack's {entity}")
NOW_THE_PACKS = CatalogText("customization {kind} {target} is dropped: the pack now has it as {definition}")
ALL_TAKEN_OVER = CatalogText("customization {kind} {target} is dropped: the pack now has all it added")
NOW_AT = CatalogText(" (now {target})", context="a customization moved by a rename")
HIDES_NEW_FIELDS = CatalogText(
    "customization {kind} {target} replaces the pack's, which now also shows {fields}; add them to the "
    "customization to show them"
)


@dataclass
class Renames:
    """The renames a release declares: entities by qualified name, fields by (new qualified entity, old field)."""

    entities: dict[str, str] = field(default_factory=dict)
    fields: dict[tuple[str, str], str] = field(default_factory=dict)
    #: entities of another pack (the tenant's own) the release takes over, by their former qualified name
    taken_entities: set[str] = field(default_factory=set)
    #: fields a tenant added that the release takes over, by (new qualified entity, former name)
    taken_fields: set[tuple[str, str]] = field(default_factory=set)
    #: the release's definitions of kinds naming no entity (roles, dashboards), by (kind, the target a tenant's own
    #: of that name has): their data, which an own definition folded into the release has too
    own_names: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def field(self, entity: str, name: str) -> str:
        return self.fields.get((entity, name), name)

    def taken(self, entity: str, name: str) -> bool:
        """Whether the field `name` (its new name) of `entity` is one the release took over from the tenant."""
        return any(e == entity and self.field(e, old) == name for e, old in self.taken_fields)


def declared_renames(old: Catalog, new: Catalog, pack: str) -> Renames:
    """The renames of `pack` from `old` to `new`: only those whose old name `old` really has."""
    renames = Renames()
    for entity in new.entities_of(pack):
        before = entity.former_qualified or entity.qualified
        if before.split(".")[0] != pack and before not in new.entities:
            renames.entities[before] = entity.qualified
            renames.taken_entities.add(before)
        elif before != entity.qualified and before in old.entities and entity.qualified not in old.entities:
            renames.entities[before] = entity.qualified
        previous = old.entities.get(before)
        if previous is None:
            continue
        for f in entity.fields:
            if not f.renamed_from or previous.field(f.name):
                continue
            if previous.field(f.renamed_from):
                renames.fields[(entity.qualified, f.renamed_from)] = f.name
            elif f.renamed_from.startswith(TENANT_FIELD_PREFIX):
                renames.fields[(entity.qualified, f.renamed_from)] = f.name
                renames.taken_fields.add((entity.qualified, f.renamed_from))
    renames.own_names = _standalone_definitions(new, pack)
    return renames


def _standalone_definitions(catalog: Catalog, pack: str) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """{(kind, x.name): (pack.name, data)} of `pack`'s definitions of the feature kinds whose documents name no entity."""
    found = {}
    for name in overlay_kinds():
        kind = KINDS.get(name)  # None: the core's EntityExtension, which no pack defines
        if kind is None or kind.collection is None or names_entity(name):
            continue
        for definition in getattr(catalog, kind.collection).values():
            if definition.pack == pack:
                found[(name, f"{TENANT_PACK}.{definition.name}")] = (
                    f"{pack}.{definition.name}",
                    _plain(definition.document.data),
                )
    return found


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in ("kind", "pack")}


def follow_renames(sources: Sources, renames: Renames) -> tuple[Sources, list[str]]:
    """The customizations with the release's renames applied, and what changed, in words."""
    followed: Sources = {}
    notes: list[str] = []
    for (kind, target), source in sources.items():
        if kind == "Entity" and target in renames.taken_entities:
            notes.append(say(BECOMES_THE_PACKS, target=target, entity=renames.entities[target]))
            continue
        data = yaml.safe_load(_taken_names(source, renames))
        release = renames.own_names.get((kind, target))
        if release is not None and _plain(data) == release[1]:
            notes.append(say(NOW_THE_PACKS, kind=kind, target=target, definition=release[0]))
            continue
        old_entity = str(data.get("entity", ""))
        entity = renames.entities.get(old_entity, old_entity)
        if "entity" in data:  # a kind naming no entity (a Role, a Dashboard) must not get one
            data["entity"] = entity
        if kind == "EntityExtension" and not _without_taken_fields(data, renames):
            notes.append(say(ALL_TAKEN_OVER, kind=kind, target=target))
            continue
        # mypy cannot infer a lambda whose defaults bind loop values (here and below)
        rewrite = REWRITES.get(kind, _entity_only)
        rewrite(data, lambda name, entity=entity: renames.field(entity, name))  # type: ignore[misc]
        new_target = entity + target.removeprefix(old_entity)  # `crm.account` or `crm.account/<name>`
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        followed[(kind, new_target)] = text
        if text != source:
            moved = say(NOW_AT, target=new_target) if new_target != target else ""
            notes.append(say(FOLLOWS_RENAMES, kind=kind, target=target, moved=moved))
    return followed, notes


def _taken_names(source: str, renames: Renames) -> str:
    """The overlay's text with the pack's names for what the release took over, wherever it names them (a board's
    card, a reference's target, a condition): the entities' qualified names everywhere, the fields' `x_` names in
    overlays of their entity."""
    if not renames.taken_entities and not renames.taken_fields:
        return source
    source = names_replaced(source, {old: renames.entities[old] for old in renames.taken_entities})
    entity = str(yaml.safe_load(source).get("entity", ""))
    return names_replaced(source, {old: renames.field(e, old) for e, old in renames.taken_fields if e == entity})


def names_replaced(text: str, names: dict[str, str]) -> str:
    """`text` (an overlay's YAML) with each whole name of `names` (a field's, an entity's qualified one) replaced."""
    if not names:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(name) for name in names) + r")\b")
    return pattern.sub(lambda m: names[m.group(1)], text)


def _without_taken_fields(data: dict[str, Any], renames: Renames) -> bool:
    """Drop from an extension the added fields the release took over; whether anything is left in it."""
    entity = str(data["entity"])
    data["fields"] = [spec for spec in data.get("fields", []) if not renames.taken(entity, spec["name"])]
    if not data["fields"]:
        del data["fields"]
    return any(key not in ("kind", "entity") for key in data)


def moved_keys(sources: Sources, renames: Renames) -> list[tuple[str, str, str]]:
    """(kind, former qualified name, new one) of the named definitions that move pack with a taken-over entity: an
    automation or chain of `x.project` is `x.notify` before and `crm.notify` once crm takes the entity over."""
    moved = []
    for kind, target in sources:
        entity, _, name = target.partition("/")
        if name and entity in renames.taken_entities:
            new_pack, old_pack = renames.entities[entity].split(".")[0], entity.split(".")[0]
            moved.append((kind, f"{old_pack}.{name}", f"{new_pack}.{name}"))
    return moved


def _extension(data: dict[str, Any], rename: Callable[[str], str]) -> None:
    for key in ("labels", "changes"):
        if isinstance(data.get(key), dict):
            data[key] = {rename(name): value for name, value in data[key].items()}


def _entity_only(data: dict[str, Any], rename: Callable[[str], str]) -> None:
    """A feature's overlay (a view, a chain, an automation) follows its entity's rename only: the fields it names
    are checked when it is merged, and one that names a renamed field is left out and reported."""


def _form(data: dict[str, Any], rename: Callable[[str], str]) -> None:
    for section in data.get("sections", []):
        section["fields"] = [rename(name) for name in section.get("fields", [])]


def _list_view(data: dict[str, Any], rename: Callable[[str], str]) -> None:
    data["columns"] = [
        {**c, "field": rename(c["field"])} if isinstance(c, dict) else rename(c) for c in data.get("columns", [])
    ]
    if "sort" in data:
        descending = data["sort"].startswith("-")
        data["sort"] = ("-" if descending else "") + rename(data["sort"].lstrip("-"))
    if "search" in data:
        data["search"] = [rename(name) for name in data["search"]]
    if "group_by" in data:
        data["group_by"] = rename(data["group_by"])
    if isinstance(data.get("totals"), dict):
        data["totals"] = {rename(name): how for name, how in data["totals"].items()}
    if "filter" in data:
        data["filter"] = _filter(data["filter"], rename)


def _filter(node: Any, rename: Callable[[str], str]) -> Any:
    """A structured filter with its conditions' fields renamed (nested all/any/not included)."""
    if isinstance(node, list):
        return [_filter(item, rename) for item in node]
    if not isinstance(node, dict):
        return node
    renamed = {key: _filter(value, rename) for key, value in node.items()}
    if isinstance(node.get("field"), str):
        head, _, rest = node["field"].partition(".")
        renamed["field"] = rename(head) + (f".{rest}" if rest else "")
    return renamed


REWRITES: dict[str, Callable[[dict[str, Any], Callable[[str], str]], None]] = {
    "EntityExtension": _extension,
    "Form": _form,
    "ListView": _list_view,
}


def hidden_new_fields(old: Catalog, new: Catalog, pack: str, sources: Sources, renames: Renames) -> list[str]:
    """Fields the new release adds to a pack form or list view that a customized one (replacing it) does not show."""
    notes: list[str] = []
    for (kind, target), source in sorted(sources.items()):
        if kind == "EntityExtension" or not target.startswith(f"{pack}."):
            continue
        entity, _, name = target.partition("/")
        before = next((o for o, n in renames.entities.items() if n == entity), entity)
        shown_before = _shown(old, kind, before, name, lambda f, entity=entity: renames.field(entity, f))  # type: ignore[misc]
        added = [f for f in _shown(new, kind, entity, name, str) if f not in shown_before]
        missing = [f for f in added if f not in _shown_in(kind, yaml.safe_load(source))]
        if missing:
            notes.append(say(HIDES_NEW_FIELDS, kind=kind, target=target, fields=", ".join(missing)))
    return notes


def _shown(catalog: Catalog, kind: str, entity: str, name: str, rename: Callable[[str], str]) -> list[str]:
    """The fields the pack's own form or list view `name` of `entity` shows, renamed into the new release's names."""
    views = catalog.forms.get(entity, []) if kind == "Form" else catalog.list_views.get(entity, [])
    view = next((v for v in views if v.name == name), None)
    if view is None:
        return []
    return [rename(f) for f in _shown_in(kind, view.document.data)]


def _shown_in(kind: str, data: dict[str, Any]) -> list[str]:
    if kind == "Form":
        return [f for section in data.get("sections", []) for f in section.get("fields", [])]
    return [c["field"] if isinstance(c, dict) else c for c in data.get("columns", [])]
