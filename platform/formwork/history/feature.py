"""History as a feature: the record history and comments, recorded on every save and served by an API,
declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import (
    ENTITY_SCREENS,
    RECORD_PANELS,
    SCREENS,
    SESSION_SETUP,
    TENANT_TABLES,
    EntityScreens,
    FeatureRegistry,
    RecordPanel,
)
from ..meta.catalog import Catalog
from .recording import install_history
from .tables import CHANGES, COMMENTS
from .views import HistoryScreens

#: history's session listener runs after every other: it records the values the others filled in on flush too
LAST = 1000


def history_api(appbuilder: Any, _catalog: Catalog) -> None:
    from .api import register_history_api

    register_history_api(appbuilder)


def register(registry: FeatureRegistry) -> None:
    registry.add(TENANT_TABLES, CHANGES)
    registry.add(TENANT_TABLES, COMMENTS)
    registry.add(SESSION_SETUP, install_history, priority=LAST)
    registry.add(SCREENS, history_api, priority=50)
    registry.add(ENTITY_SCREENS, EntityScreens(HistoryScreens), priority=40)
    registry.add(
        RECORD_PANELS,
        RecordPanel(
            "history",
            "formwork/history/timeline.html",
            lambda view, _pk, item: {"history": view.history_timeline(item)},
        ),
        priority=40,
    )
