"""The organization chart as a feature: its screen, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import SCREENS, FeatureRegistry
from ..meta.catalog import Catalog


def organization_screen(appbuilder: Any, catalog: Catalog) -> None:
    from .views import register_organization

    register_organization(appbuilder, catalog)


def register(registry: FeatureRegistry) -> None:
    registry.add(SCREENS, organization_screen, priority=20)
