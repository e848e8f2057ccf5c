"""Views as a feature: the KanbanView kind and its checks, the board routes of the entities that have boards, their
menu entries and the rights to see them, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    ENTITY_SCREENS,
    ROLE_RIGHTS,
    SCREENS,
    EntityScreens,
    FeatureRegistry,
)
from ..meta.catalog import Catalog
from ..meta.kinds import Kind
from ..meta.partial import Partial
from .checks import check_kanban_views
from .definition import add_kanban_view, boards_of, build_kanban_view
from .menus import board_rights, register_board_menus
from .screens import KanbanScreens

KANBAN_VIEW = Kind(
    "KanbanView",
    "kanbanview.json",
    build_kanban_view,
    add_kanban_view,
    Partial(identity=("name", "entity")),
    collection="kanban_views",
    schema_package="formwork.views",
)


def has_board(entity: Any, catalog: Catalog) -> bool:
    """The board routes are for entities some board shows."""
    return bool(boards_of(catalog, entity.qualified))


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, KANBAN_VIEW, priority=70)
    registry.add(DEFINITION_CHECKS, check_kanban_views, priority=70)
    registry.add(ENTITY_SCREENS, EntityScreens(KanbanScreens, applies=has_board), priority=60)
    registry.add(SCREENS, register_board_menus, priority=80)
    registry.add(ROLE_RIGHTS, board_rights)
