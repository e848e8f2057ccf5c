"""The roles screen's grid: a role's rights per entity (grouped by pack), what it sees and hides in words, and a
posted grid turned into the FAB permissions behind it.

A right is the set of FAB permissions `grants.VIEW_API_PERMISSIONS` names on the entity's screens and API (and,
for `read`, its menu entries), the same mapping every Role definition goes through, so what the grid ticks is what
FAB enforces once the draft is published (role_drafts.py). A role the tenant made before roles were definitions
holds only FAB permissions: its grid reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..compile.models import class_name
from ..definitions.checks import TENANT_PACK
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..meta.yamlload import Document
from .definition import RIGHTS, RoleDef, build_role
from .grants import VIEW_API_PERMISSIONS
from .words import TEXT, fields_in_words, rules_in_words

#: a checkbox of the grid: `right:<pack.entity>:<right>`
FIELD_PREFIX = "right"


@dataclass(frozen=True)
class EntityRow:
    entity: EntityDef
    held: tuple[str, ...]
    #: which records holders see, and the fields kept from them, in words ("" / [] without any right)
    rules: str
    fields: list[str]

    def box(self, right: str) -> str:
        return f"{FIELD_PREFIX}:{self.entity.qualified}:{right}"


@dataclass(frozen=True)
class PackRows:
    label: Label
    rows: list[EntityRow]


class BadGrid(ValueError):
    """A posted grid naming an entity or right that does not exist: refused whole."""


def grid_rows(role: RoleDef, defined: bool, catalog: Catalog) -> list[PackRows]:
    """Every entity of the tenant's packs, pack by pack, with what `role` holds on it and, for a role that is a
    definition, its record rules and field rights in words. A role made before roles were definitions has none: its
    holders see every record its rights reach."""
    groups = []
    for pack in catalog.packs.values():
        rows = []
        for entity in catalog.entities_of(pack.name):
            held = role.rights_on(entity.qualified)
            if not defined:
                rules, fields = (TEXT["all"].localized() if held else ""), []
            elif held:
                rules, fields = rules_in_words(role, entity, catalog), fields_in_words(role, entity)
            else:
                rules, fields = "", []
            rows.append(EntityRow(entity, held, rules, fields))
        if rows:
            groups.append(PackRows(pack.label, rows))
    return groups


def posted_rights(form: Any, catalog: Catalog) -> dict[str, set[str]]:
    """entity -> rights ticked in a posted grid (an unticked box is not posted); BadGrid for an unknown name."""
    wanted: dict[str, set[str]] = {name: set() for name in catalog.entities}
    for key in form:
        if key in ("csrf_token", "edits"):
            continue
        prefix, _, rest = key.partition(":")
        entity, _, right = rest.rpartition(":")
        if prefix != FIELD_PREFIX or entity not in wanted or right not in RIGHTS:
            raise BadGrid(key)
        wanted[entity].add(right)
    return wanted


def tenant_role(name: str, rights: dict[str, set[str]]) -> RoleDef:
    """A role the tenant made before roles were definitions, as the Role of its own it becomes: rights only."""
    data = {"kind": "Role", "name": name, "rights": {e: sorted(r) for e, r in rights.items() if r}}
    return build_role(Document("the roles screen", data, pack=TENANT_PACK))


def permission_names(role: Any) -> set[tuple[str, str]]:
    """A FAB role's permissions as (permission, view or menu) names."""
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def partly_held(permissions: set[tuple[str, str]], catalog: Catalog) -> list[EntityDef]:
    """The entities whose screens or API a role holds permissions on that make no whole right: a role made before
    roles were definitions may hold such, which its definition does not give."""
    held = rights_held(permissions, catalog)
    found = []
    for name, entity in catalog.entities.items():
        view, api = f"{class_name(entity)}View", f"{class_name(entity)}Api"
        covered = {
            (p, target)
            for right in held[name]
            for target, names in zip((view, api), VIEW_API_PERMISSIONS[right], strict=True)
            for p in names
        }
        if {p for p in permissions if p[1] in (view, api)} - covered:
            found.append(entity)
    return found


def rights_held(permissions: set[tuple[str, str]], catalog: Catalog) -> dict[str, set[str]]:
    """The rights a role the tenant made holds, read from its FAB permissions: those whose permissions it has all."""
    held: dict[str, set[str]] = {}
    for name, entity in catalog.entities.items():
        view, api = f"{class_name(entity)}View", f"{class_name(entity)}Api"
        held[name] = {
            right
            for right, (on_view, on_api) in VIEW_API_PERMISSIONS.items()
            if {(p, view) for p in on_view} | {(p, api) for p in on_api} <= permissions
        }
    return held
