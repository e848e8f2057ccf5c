"""The views' menu entries (beside the entity's list views, in its pack's menu) and the rights to see them.

A view opens with the entity's `can_list`; its menu entry is a `menu_access` right of its own, which every pack
role that may read the entity gets (the ROLE_RIGHTS slot) unless the view names roles and not that one, so a user's
menu lists exactly the views they may open (the tenant's admins, holding every right, all of them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..compile.models import class_name
from ..meta.catalog import Catalog
from ..tenancy.menu import EndpointUrl, menu_label
from .base import ViewDef
from .kinds import ViewKind


def all_views(kinds: Sequence[ViewKind], catalog: Catalog) -> Iterator[tuple[ViewKind, ViewDef]]:
    """Every view of every kind, kind by kind, each kind's in the order the packs declare them."""
    for kind in kinds:
        for view in getattr(catalog, kind.collection).values():
            yield kind, view


def register_view_menus(kinds: Sequence[ViewKind], appbuilder: Any, catalog: Catalog) -> None:
    """A menu entry per view, in the menu category of its entity's pack (made by the entities' screens)."""
    for kind, view in all_views(kinds, catalog):
        entity = catalog.entities.get(view.entity)
        if entity is None:
            continue
        appbuilder.add_link(
            kind.menu_name(view.qualified),
            label=menu_label(view.label),
            href=EndpointUrl(f"{class_name(entity)}View.{kind.endpoint}", name=view.qualified),
            icon=kind.icon,
            category=menu_label(catalog.packs[entity.pack].label),
        )


def view_rights(kinds: Sequence[ViewKind], role: str, catalog: Catalog) -> set[tuple[str, str]]:
    """(permission, menu name) pairs the holders of pack role `role` get: the views of the entities it may read,
    meant for everyone or for `role`."""
    found = catalog.roles.get(role)
    if found is None:
        return set()
    return {
        ("menu_access", kind.menu_name(view.qualified))
        for kind, view in all_views(kinds, catalog)
        if "read" in found.rights_on(view.entity) and (not view.roles or role in view.roles)
    }
