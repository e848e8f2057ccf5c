"""The roles screen's grid: a role's rights per entity (grouped by pack), what it sees and hides in words, and a
posted grid turned into the FAB permissions behind it.

A right is the set of FAB permissions `grants.VIEW_API_PERMISSIONS` names on the entity's screens and API (and,
for `read`, its menu entries), the same mapping a pack role's definition goes through, so what the grid ticks is
what FAB enforces. A pack role keeps its definition and the admin's changes are stored beside it
(tailoring.py); a role the tenant made holds only FAB permissions, read back from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..compile.models import class_name
from ..i18n import Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..meta.yamlload import Document
from .definition import RIGHTS, RoleDef, build_role
from .grants import VIEW_API_PERMISSIONS, entity_menus, permissions_of
from .tailoring import with_roles
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


def grid_rows(role: RoleDef, from_pack: bool, catalog: Catalog) -> list[PackRows]:
    """Every entity of the tenant's packs, pack by pack, with what `role` holds on it and, for a pack role, its
    record rules and field rights in words (as its admins tailored them). A tenant's own role has none: its holders
    see every record its rights reach."""
    groups = []
    for pack in catalog.packs.values():
        rows = []
        for entity in catalog.entities_of(pack.name):
            held = role.rights_on(entity.qualified)
            if not from_pack:
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
        if key == "csrf_token":
            continue
        prefix, _, rest = key.partition(":")
        entity, _, right = rest.rpartition(":")
        if prefix != FIELD_PREFIX or entity not in wanted or right not in RIGHTS:
            raise BadGrid(key)
        wanted[entity].add(right)
    return wanted


def tenant_role(name: str, rights: dict[str, set[str]]) -> RoleDef:
    """A role the tenant made, as the Role document it would be: rights only, no record rules or field rights."""
    data = {"kind": "Role", "name": name, "rights": {e: sorted(r) for e, r in rights.items() if r}}
    return build_role(Document("the roles screen", data))


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


def tenant_role_permissions(
    role: RoleDef, have: set[tuple[str, str]], roles: dict[str, RoleDef], catalog: Catalog
) -> set[tuple[str, str]]:
    """The FAB permissions of a tenant's own role after the grid: what the grid governs (every right on every
    entity, and what features give role holders) as ticked, anything else it holds kept."""
    menus = entity_menus(catalog)
    everything = tenant_role(role.name, {name: set(RIGHTS) for name in catalog.entities})
    governed = permissions_of(everything, with_roles(catalog, {**roles, role.name: everything}), menus)
    governed |= {("menu_access", name) for names in menus.values() for name in names}  # list views for other roles
    return (have - governed) | permissions_of(role, with_roles(catalog, {**roles, role.name: role}), menus)
