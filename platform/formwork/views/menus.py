"""The boards' menu entries (beside the entity's list views, in its pack's menu) and the rights to see them.

A board opens with the entity's `can_list`; its menu entry is a `menu_access` right of its own, which every pack
role that may read the entity gets (the ROLE_RIGHTS slot), so a user's menu lists exactly the boards they may open.
"""

from __future__ import annotations

from typing import Any

from ..compile.models import class_name
from ..meta.catalog import Catalog
from ..tenancy.menu import EndpointUrl, menu_label


def menu_name(qualified: str) -> str:
    """A board's menu entry, which is also the name of its `menu_access` right."""
    return f"Kanban {qualified}"


def register_board_menus(appbuilder: Any, catalog: Catalog) -> None:
    """A menu entry per board, in the menu category of its entity's pack (made by the entities' screens)."""
    for board in catalog.kanban_views.values():
        entity = catalog.entities.get(board.entity)
        if entity is None:
            continue
        appbuilder.add_link(
            menu_name(board.qualified),
            label=menu_label(board.label),
            href=EndpointUrl(f"{class_name(entity)}View.kanban", name=board.qualified),
            icon="fa-columns",
            category=menu_label(catalog.packs[entity.pack].label),
        )


def board_rights(role: str, catalog: Catalog) -> set[tuple[str, str]]:
    """(permission, menu name) pairs the holders of pack role `role` get: the boards of the entities it may read."""
    found = catalog.roles.get(role)
    if found is None:
        return set()
    return {
        ("menu_access", menu_name(board.qualified))
        for board in catalog.kanban_views.values()
        if "read" in found.rights_on(board.entity)
    }
