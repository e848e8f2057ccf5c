"""No overlap as a feature: the NoOverlap kind, its checks and the record hook that enforces it, declared on the
registry (formwork/features.py)."""

from __future__ import annotations

from ..features import DEFINITION_CHECKS, DEFINITION_KINDS, FeatureRegistry
from ..meta.catalog import Catalog
from ..meta.errors import DefinitionError
from ..meta.kinds import Kind
from ..meta.partial import Partial
from .checks import check_no_overlaps
from .definition import NoOverlapDef, build_no_overlap
from .guard import refuse_overlaps


def add_no_overlap(catalog: Catalog, rule: NoOverlapDef) -> list[DefinitionError]:
    if rule.qualified in catalog.no_overlaps:
        return [rule.document.error(("name",), f"pack {rule.pack} has two NoOverlap definitions named '{rule.name}'")]
    catalog.no_overlaps[rule.qualified] = rule
    return []


NO_OVERLAP = Kind(
    "NoOverlap",
    "nooverlap.json",
    build_no_overlap,
    add_no_overlap,
    Partial(),
    collection="no_overlaps",
    schema_package="formwork.overlaps",
)


def register(registry: FeatureRegistry) -> None:
    registry.add(DEFINITION_KINDS, NO_OVERLAP, priority=60)
    registry.add(DEFINITION_CHECKS, check_no_overlaps, priority=60)
    registry.on_record("after_save", refuse_overlaps, priority=10)
