"""The Studio as a feature: its drafts table, where its tenant app publishes, and its screen, declared on the
registry (formwork/features.py)."""

from __future__ import annotations

from ..features import APP_SETUP, SCREENS, TENANT_TABLES, FeatureRegistry
from .drafts import STUDIO_DRAFTS
from .publishing import remember_place
from .screens import register_screens


def register(registry: FeatureRegistry) -> None:
    registry.add(TENANT_TABLES, STUDIO_DRAFTS)
    registry.add(APP_SETUP, remember_place)
    registry.add(SCREENS, register_screens, priority=95)
