"""Record hooks of the example: every colour is stored in one spelling."""

from __future__ import annotations

from typing import Any

from formwork.fields import kind_of

from .color import ColorField


def lowercase_colors(write: Any) -> None:
    """before_save: `#1F6FEB` and `#1f6feb` are one colour; store the lower-case spelling, whoever saves."""
    for field in write.entity.fields:
        value = getattr(write.record, field.name, None)
        if isinstance(kind_of(field), ColorField) and isinstance(value, str):
            setattr(write.record, field.name, value.lower())
