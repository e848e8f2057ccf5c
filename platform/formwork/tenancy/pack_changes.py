"""What a new release of a pack means for a tenant's customizations.

An upgrade must not silently undo or hide an admin's work. Two things are
looked at, besides the overlays that no longer fit at all (conflicts, which
refuse the upgrade):

- renames: a field or entity the new release renames (`renamed_from:`) is
  renamed in the customizations too, so a customized form or list view keeps
  showing it and an extension keeps its labels; the rewritten overlays are
  stored as new versions with the upgrade;
- hidden fields: a customized form or list view replaces the pack's, so a
  field the new release adds to the pack's form or list view does not appear
  in the customized one; the plan says which, so the admin can add it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..meta.catalog import Catalog

Sources = dict[tuple[str, str], str]


@dataclass
class Renames:
    """The renames a release declares: entities by qualified name, fields by (new qualified entity, old field)."""

    entities: dict[str, str] = field(default_factory=dict)
    fields: dict[tuple[str, str], str] = field(default_factory=dict)

    def field(self, entity: str, name: str) -> str:
        return self.fields.get((entity, name), name)


def declared_renames(old: Catalog, new: Catalog, pack: str) -> Renames:
    """The renames of `pack` from `old` to `new`: only those whose old name `old` really has."""
    renames = Renames()
    for entity in new.entities_of(pack):
        before = f"{pack}.{entity.renamed_from}" if entity.renamed_from else entity.qualified
        if before != entity.qualified and before in old.entities and entity.qualified not in old.entities:
            renames.entities[before] = entity.qualified
        previous = old.entities.get(before)
        if previous is None:
            continue
        for f in entity.fields:
            if f.renamed_from and previous.field(f.renamed_from) and not previous.field(f.name):
                renames.fields[(entity.qualified, f.renamed_from)] = f.name
    return renames


def follow_renames(sources: Sources, renames: Renames) -> tuple[Sources, list[str]]:
    """The customizations with the release's renames applied, and what changed, in words."""
    followed: Sources = {}
    notes = []
    for (kind, target), source in sources.items():
        data = yaml.safe_load(source)
        old_entity = str(data.get("entity", ""))
        entity = renames.entities.get(old_entity, old_entity)
        data["entity"] = entity
        # mypy cannot infer a lambda whose defaults bind loop values (here and below)
        rewrite = REWRITES.get(kind, _entity_only)
        rewrite(data, lambda name, entity=entity: renames.field(entity, name))  # type: ignore[misc]
        new_target = entity + target.removeprefix(old_entity)  # `crm.account` or `crm.account/<name>`
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        followed[(kind, new_target)] = text
        if text != source:
            notes.append(
                f"customization {kind} {target} follows the release's renames"
                + (f" (now {new_target})" if new_target != target else "")
            )
    return followed, notes


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
    notes = []
    for (kind, target), source in sorted(sources.items()):
        if kind == "EntityExtension" or not target.startswith(f"{pack}."):
            continue
        entity, _, name = target.partition("/")
        before = next((o for o, n in renames.entities.items() if n == entity), entity)
        shown_before = _shown(old, kind, before, name, lambda f, entity=entity: renames.field(entity, f))  # type: ignore[misc]
        added = [f for f in _shown(new, kind, entity, name, str) if f not in shown_before]
        missing = [f for f in added if f not in _shown_in(kind, yaml.safe_load(source))]
        if missing:
            notes.append(
                f"customization {kind} {target} replaces the pack's, which now also shows "
                f"{', '.join(missing)}; add them to the customization to show them"
            )
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
