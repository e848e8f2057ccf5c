"""Rights -> FAB permissions, and the FAB roles the packs' roles become in a tenant.

A right on an entity is a set of FAB permissions on its screens
(`{Class}View`), its REST API (`{Class}Api`) and its menu entries, so FAB's
own `@has_access` / `@protect` checks enforce it and the tenant admin sees
the result in FAB's role screens; a list view naming roles has its menu entry
granted to those roles only. A pack role's FAB rights are exactly what
its definition says, plus what features give every pack role (ROLE_RIGHTS:
the approvals' rights, so any holder can act on the approvals assigned to
them; their notifications; the dashboards meant for the role); when the definition
changes, the next install, upgrade or permission sync makes them so again. What the tenant's admins changed on
the roles screen is laid over the definition first (tailoring.py), so a sync keeps their decisions.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from ..compile.models import class_name
from ..definitions.checks import TENANT_PACK
from ..features import ROLE_RIGHTS, load_features
from ..meta.catalog import Catalog
from ..meta.model import EntityDef
from ..tenancy.menu import menu_label
from .definition import EVERY_ENTITY, RoleDef
from .tables import DEFINED_ROLES
from .tailoring import keep_roles, stored_changes, stored_limits, tailored_roles, with_roles

#: right -> (permission on {Class}View, permission on {Class}Api); `read` also opens the entity's menu entries
VIEW_API_PERMISSIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "read": (("can_list", "can_show"), ("can_get", "can_info")),
    "create": (("can_add",), ("can_post",)),
    "edit": (("can_edit",), ("can_put",)),
    "delete": (("can_delete",), ("can_delete",)),
    "approve": (("can_show",), ("can_get",)),
    "export": (("can_export",), ("can_export",)),
    "import": (("can_import",), ("can_import",)),
}


def permissions_of(role: RoleDef, catalog: Catalog, menu_names: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(permission, view or menu name) pairs role holders get; `menu_names` lists each entity's menu entries."""
    wanted: set[tuple[str, str]] = set()
    for feature_rights in load_features().items(ROLE_RIGHTS):
        wanted |= feature_rights(role.name, catalog)
    for entity in _entities(role, catalog):
        rights = role.rights_on(entity.qualified)
        view, api = f"{class_name(entity)}View", f"{class_name(entity)}Api"
        for right in rights:
            on_view, on_api = VIEW_API_PERMISSIONS[right]
            wanted |= {(p, view) for p in on_view} | {(p, api) for p in on_api}
        if "read" in rights:
            others = menus_for_others(entity, role.name, catalog)
            wanted |= {("menu_access", name) for name in menu_names.get(entity.qualified, []) if name not in others}
    return wanted


def menus_for_others(entity: EntityDef, role: str, catalog: Catalog) -> set[str]:
    """The menu entries of `entity`'s list views meant for roles other than `role` (compile/audience.py): not
    granted to its holders. An entry whose name a list view meant for them shares stays theirs."""
    from ..compile.views import listings_of

    names: dict[bool, set[str]] = {True: set(), False: set()}
    for listing in listings_of(entity, catalog).values():
        roles = listing.definition.roles
        names[not roles or role in roles].add(str(menu_label(listing.title)))
    return names[False] - names[True]


def _entities(role: RoleDef, catalog: Catalog) -> list[EntityDef]:
    if EVERY_ENTITY in role.rights:
        return list(catalog.entities.values())
    return [catalog.entities[name] for name in role.rights if name in catalog.entities]


def entity_menus(catalog: Catalog) -> dict[str, list[str]]:
    """Each entity's menu entries (its list views) and their category (the pack), as FAB names them."""
    from ..compile.views import listings_of

    found: dict[str, list[str]] = {}
    for entity in catalog.entities.values():
        listings = list(listings_of(entity, catalog).values())
        names = [str(menu_label(listing.title)) for listing in listings] or [str(menu_label(entity.plural))]
        found[entity.qualified] = [*names, str(menu_label(catalog.packs[entity.pack].label))]
    return found


def ensure_pack_roles(app: Flask) -> list[str]:
    """Make the FAB role of every Role of the tenant's definitions hold exactly its rights (creating the role when
    it is missing, creating permission rows FAB has not made, e.g. `can_import` before an import route exists), and
    take every right from a role a Role of the tenant's own made that is no longer defined (restored away: its
    holders keep the role, which gives nothing); returns the names of the roles created."""
    runtime = app.extensions["formwork"]
    created = []
    with app.app_context():
        security = app.appbuilder.sm
        roles = tailored_roles(runtime.catalog, stored_changes(security.session), stored_limits(security.session))
        keep_roles(app, roles)
        catalog = with_roles(runtime.catalog, roles)
        menus = entity_menus(runtime.catalog)
        known = known_permissions(security)
        for role in roles.values():
            found = security.find_role(role.name) or _former_own_role(security, role, runtime.catalog)
            if found is None:
                found = security.add_role(role.name)
                created.append(role.name)
            set_permissions(security, found, permissions_of(role, catalog, menus), known)
        _forget_undefined(security, roles, known)
        security.session.commit()
    return created


def _forget_undefined(security: Any, roles: dict[str, RoleDef], known: dict[tuple[str, str], Any]) -> None:
    """Record the roles the tenant's own definitions make; empty those made so that are defined no more."""
    session = security.session
    if not sa.inspect(session.connection()).has_table(DEFINED_ROLES.name):
        return
    own = {name for name, role in roles.items() if role.pack == TENANT_PACK}
    recorded = set(session.scalars(sa.select(DEFINED_ROLES.c.role)))
    if own - recorded:
        session.execute(sa.insert(DEFINED_ROLES), [{"role": name} for name in sorted(own - recorded)])
    taken = (recorded - own) & set(roles)  # a pack version took the role over (`pack from-tenant`): it is the pack's
    if taken:
        session.execute(sa.delete(DEFINED_ROLES).where(DEFINED_ROLES.c.role.in_(taken)))
    for name in sorted(recorded - own - taken):
        found = security.find_role(name)
        if found is not None:
            set_permissions(security, found, set(), known)


def _former_own_role(security: Any, role: RoleDef, catalog: Catalog) -> Any:
    """The FAB role a tenant's own role was before roles were definitions (named as the role is labelled, and no
    definition's), renamed to the role's name so its holders keep it; None when there is none."""
    if role.pack != TENANT_PACK or not isinstance(role.document.data.get("label"), str):
        return None
    found = security.find_role(role.document.data["label"])
    if (
        found is None
        or found.name in catalog.roles
        or found.name in (security.auth_role_admin, security.auth_role_public)
    ):
        return None
    found.name = role.name
    return found


def known_permissions(security: Any) -> dict[tuple[str, str], Any]:
    """Every (permission, view or menu name) row FAB holds, by its names."""
    return {(pv.permission.name, pv.view_menu.name): pv for pv in security.session.query(security.permissionview_model)}


def set_permissions(security: Any, role: Any, wanted: set[tuple[str, str]], known: dict[tuple[str, str], Any]) -> None:
    """Grant what is wanted and revoke the rest, in the caller's transaction. A menu entry FAB has not registered
    is skipped; a view permission it has not made (an import route another version adds) is created."""
    have = {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
    if have == wanted:
        return
    granted = []
    for permission, view in sorted(wanted):
        found = known.get((permission, view))
        if found is None and permission != "menu_access":
            found = known[(permission, view)] = security.add_permission_view_menu(permission, view)
        if found is not None:
            granted.append(found)
    role.permissions = granted
    security.session.merge(role)
