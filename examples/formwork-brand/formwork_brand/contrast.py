"""`contrast(color)`: which text colour reads on a background, for formulas such as a badge's text colour."""

from __future__ import annotations

from formwork.expr.functions import FunctionFailed, Param, Signature
from formwork.expr.types import STRING

SIGNATURE = Signature("contrast(color)", (Param("a colour written #rrggbb", frozenset({"string"})),), STRING)


def contrast(color: str) -> str:
    """'dark' text on a light background, 'light' on a dark one (relative luminance, as WCAG defines it)."""
    if len(color) != 7 or not color.startswith("#"):
        raise FunctionFailed(f"contrast() needs a colour written #rrggbb, not '{color}'")
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "dark" if luminance > 0.179 else "light"
