"""Files as a feature: the file and image field types, earlier file versions and attachments, their store, upload
limits, lifecycle, routes and API, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..features import (
    APP_SETUP,
    ENTITY_APIS,
    ENTITY_SCREENS,
    FIELD_TYPES,
    RECORD_PANELS,
    SCREENS,
    SESSION_SETUP,
    TENANT_TABLES,
    EntityScreens,
    FeatureRegistry,
    RecordPanel,
)
from ..meta.catalog import Catalog
from .api import RecordFileFieldApi, register_files_api
from .fields import FileField, ImageField
from .lifecycle import install_file_lifecycle
from .screens import RecordFileScreens
from .tables import ATTACHMENT_VERSIONS, ATTACHMENTS, FILE_VERSIONS


def upload_limits(app: Any, settings: Settings, _tenant: Any) -> None:
    """The upload limits, set before any screen or API that stores a file is added."""
    from .setup import install_files

    install_files(app, settings)


def files_api(appbuilder: Any, _catalog: Catalog) -> None:
    register_files_api(appbuilder)


def register(registry: FeatureRegistry) -> None:
    registry.add(FIELD_TYPES, FileField())
    registry.add(FIELD_TYPES, ImageField())
    for table in (FILE_VERSIONS, ATTACHMENTS, ATTACHMENT_VERSIONS):
        registry.add(TENANT_TABLES, table)
    registry.add(SESSION_SETUP, install_file_lifecycle)
    registry.add(APP_SETUP, upload_limits)
    registry.add(SCREENS, files_api, priority=40)
    registry.add(ENTITY_SCREENS, EntityScreens(RecordFileScreens), priority=20)
    registry.add(ENTITY_APIS, RecordFileFieldApi, priority=20)
    registry.add(
        RECORD_PANELS,
        RecordPanel("files", "formwork/files/panel.html", lambda view, _pk, item: {"files": view.files_panel(item)}),
        priority=30,
    )
