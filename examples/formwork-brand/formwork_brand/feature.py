"""What the extension declares on Formwork's feature registry (docs/extending.md)."""

from __future__ import annotations

from formwork.features import CEL_FUNCTIONS, FIELD_TYPES, SERVER_ACTIONS, CelFunction, FeatureRegistry

from .actions import INVERT
from .color import ColorField
from .contrast import SIGNATURE, contrast
from .hooks import lowercase_colors


def register(registry: FeatureRegistry) -> None:
    registry.add(FIELD_TYPES, ColorField())
    registry.add(CEL_FUNCTIONS, CelFunction("contrast", SIGNATURE, contrast))
    registry.on_record("before_save", lowercase_colors)
    registry.add(SERVER_ACTIONS, INVERT)
