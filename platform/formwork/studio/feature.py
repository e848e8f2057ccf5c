"""The Studio as a feature: its drafts table, where its tenant app publishes, and its screen, declared on the
registry (formwork/features.py); it keeps the drafts of other features' screens too (DRAFTING)."""

from __future__ import annotations

from ..features import APP_SETUP, DRAFTING, SCREENS, TENANT_TABLES, FeatureRegistry
from .automation_screen import register_automation_editor
from .chain_screen import register_chain_editor
from .designer_screen import register_form_designer
from .drafting import StudioDrafting
from .drafts import STUDIO_DRAFTS
from .publishing import remember_place
from .screens import register_screens
from .view_screen import register_view_editor


def register(registry: FeatureRegistry) -> None:
    registry.add(TENANT_TABLES, STUDIO_DRAFTS)
    registry.add(APP_SETUP, remember_place)
    registry.add(DRAFTING, StudioDrafting())
    registry.add(SCREENS, register_screens, priority=95)
    registry.add(SCREENS, register_form_designer, priority=97)
    registry.add(SCREENS, register_chain_editor, priority=99)
    registry.add(SCREENS, register_view_editor, priority=98)
    registry.add(SCREENS, register_automation_editor, priority=99)
