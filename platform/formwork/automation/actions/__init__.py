"""Actions (issue 14): buttons on a record's page and on a list's selected records that run steps, for the roles
they name, and the same as REST endpoints of the entity's API, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ...features import (
    ENTITY_APIS,
    ENTITY_SCREENS,
    RECORD_PANELS,
    EntityScreens,
    FeatureRegistry,
    RecordPanel,
)
from ...meta.catalog import Catalog
from .api import ActionApi
from .screens import ActionScreens


def has_actions(entity: Any, catalog: Catalog) -> bool:
    """The buttons and their routes are for entities some action acts on."""
    return any(action.entity == entity.qualified for action in catalog.collections.get("actions", {}).values())


def register(registry: FeatureRegistry) -> None:
    registry.add(ENTITY_SCREENS, EntityScreens(ActionScreens, applies=has_actions), priority=50)
    registry.add(ENTITY_APIS, ActionApi, priority=50)
    registry.add(
        RECORD_PANELS,
        RecordPanel(
            "actions",
            "formwork/automation/action_buttons.html",
            lambda view, pk, item: view.action_widgets(pk, item),
            applies=has_actions,
            place="header",
        ),
        priority=1,  # the header's first buttons, before the Print menu
    )
