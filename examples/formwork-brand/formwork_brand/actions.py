"""A server action of the example: what a YAML step cannot compute, done in Python on one record."""

from __future__ import annotations

from typing import Any

from formwork.features import ServerAction


def invert_background(call: Any) -> str:
    """Swap a swatch's background for its complement (`#0d1117` -> `#F2EEE8`), saved through the record lifecycle, so
    the colour field checks it, the record hook lower-cases it and the `text_tone` formula follows."""
    before = call.record.background
    inverted = "#" + "".join(f"{255 - int(before[i : i + 2], 16):02X}" for i in (1, 3, 5))
    call.save({"background": inverted})
    return f"{before} -> {call.record.background}"


INVERT = ServerAction("brand.invert_background", invert_background, entities=("brand.swatch",))
