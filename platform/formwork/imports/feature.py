"""Imports as a feature: the table of kept import files and `formwork tenant import`, declared on the registry."""

from __future__ import annotations

from ..features import (
    COMMANDS,
    ENTITY_APIS,
    ENTITY_SCREENS,
    SPREADSHEETS,
    TENANT_TABLES,
    EntityScreens,
    FeatureCommand,
    FeatureRegistry,
)
from .api import ImportApi
from .command import import_command
from .screens import ImportScreens
from .spreadsheets import ImportSpreadsheets
from .tables import KEPT_IMPORTS


def register(registry: FeatureRegistry) -> None:
    registry.add(TENANT_TABLES, KEPT_IMPORTS)
    registry.add(COMMANDS, FeatureCommand(import_command, group="tenant"))
    registry.add(ENTITY_SCREENS, EntityScreens(ImportScreens), priority=90)
    registry.add(ENTITY_APIS, ImportApi, priority=90)
    registry.add(SPREADSHEETS, ImportSpreadsheets())
