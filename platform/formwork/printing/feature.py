"""Printing as a feature: the PrintFormat kind and its checks, the Print menu and routes of the record pages of
entities that have formats, and the PDF route of every entity's API, declared on the registry (formwork/features.py)."""

from __future__ import annotations

from typing import Any

from ..features import (
    DEFINITION_CHECKS,
    DEFINITION_KINDS,
    ENTITY_APIS,
    ENTITY_SCREENS,
    RECORD_PANELS,
    EntityScreens,
    FeatureRegistry,
    RecordPanel,
)
from ..meta.catalog import Catalog
from ..meta.kinds import Kind
from ..meta.partial import Partial
from .api import PrintApi
from .checks import check_print_formats
from .definition import add_print_format, build_print_format, formats_of
from .screens import PrintScreens

PRINT_FORMAT = Kind(
    "PrintFormat",
    "printformat.json",
    build_print_format,
    add_print_format,
    Partial(identity=("name", "entity")),
    collection="print_formats",
    schema_package="formwork.printing",
)


def has_print_format(entity: Any, catalog: Catalog) -> bool:
    """The Print menu and its routes are for entities some print format prints."""
    return bool(formats_of(catalog, entity.qualified))


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, PRINT_FORMAT, priority=60)
    registry.add(DEFINITION_CHECKS, check_print_formats, priority=60)
    registry.add(ENTITY_SCREENS, EntityScreens(PrintScreens, applies=has_print_format), priority=50)
    registry.add(ENTITY_APIS, PrintApi, priority=50)
    registry.add(
        RECORD_PANELS,
        RecordPanel(
            "print",
            "formwork/printing/panel.html",
            lambda view, pk, _item: view.print_widgets(pk),
            applies=has_print_format,
            place="header",
        ),
        priority=5,  # among the header's buttons, after the actions
    )
