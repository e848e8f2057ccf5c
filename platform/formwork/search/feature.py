"""The global search as a feature: its page and suggestions (SCREENS), the right every pack role gets to use it
(ROLE_RIGHTS) and its box in the top bar (TOP_BAR), declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import ROLE_RIGHTS, SCREENS, TOP_BAR, FeatureRegistry, TopBarPart
from ..meta.catalog import Catalog
from .rights import search_rights


def search_screens(appbuilder: Any, _catalog: Catalog) -> None:
    from .views import register_search

    register_search(appbuilder)


def search_box() -> dict[str, Any] | None:
    from .views import search_box as box

    return box()


def register(registry: FeatureRegistry) -> None:
    registry.add(SCREENS, search_screens, priority=90)
    registry.add(ROLE_RIGHTS, search_rights)
    registry.add(TOP_BAR, TopBarPart("search", "formwork/search/box.html", search_box), priority=10)
