"""Views as a feature: the view kinds beside list views (a subpackage each, declared in VIEW_KINDS), their checks,
the routes of the entities that have views of a kind, their menu entries and the rights to see them (per role when a
view names roles, list views included), the fields the views filter by (the Studio's locks), and the users' personal list views (their table and routes), declared on the registry (formwork/features.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    ENTITY_SCREENS,
    FIELD_USES,
    ROLE_RIGHTS,
    SCREENS,
    TENANT_TABLES,
    EntityScreens,
    FeatureRegistry,
)
from ..meta.catalog import Catalog
from .audience import roles_check
from .base import views_of
from .calendar import CALENDAR
from .checks import definition_check
from .field_uses import view_field_uses
from .kanban import KANBAN
from .kinds import ViewKind
from .menus import register_view_menus, view_rights
from .personal import PERSONAL_LIST_VIEWS
from .personal_screens import PersonalListViews
from .pivot import PIVOT
from .timeline import TIMELINE

VIEW_KINDS: tuple[ViewKind, ...] = (KANBAN, CALENDAR, PIVOT, TIMELINE)


def has_views(kind: ViewKind) -> Any:
    """A kind's routes are for the entities some view of the kind shows."""

    def applies(entity: Any, catalog: Catalog) -> bool:
        return bool(views_of(catalog, kind.collection, entity.qualified))

    return applies


def register(registry: FeatureRegistry) -> None:
    for kind in VIEW_KINDS:
        registry.add(DEFINITION_KINDS, kind.kind, priority=70)
        registry.add(DEFINITION_CHECKS, definition_check(kind.collection, kind.problems), priority=70)
        registry.add(ENTITY_SCREENS, EntityScreens(kind.screens, applies=has_views(kind)), priority=60)
    registry.add(DEFINITION_CHECKS, roles_check(VIEW_KINDS), priority=70)
    registry.add(TENANT_TABLES, PERSONAL_LIST_VIEWS)
    registry.add(ENTITY_SCREENS, EntityScreens(PersonalListViews), priority=60)
    registry.add(SCREENS, partial(register_view_menus, VIEW_KINDS), priority=80)
    registry.add(ROLE_RIGHTS, partial(view_rights, VIEW_KINDS))
    registry.add(FIELD_USES, partial(view_field_uses, VIEW_KINDS))
