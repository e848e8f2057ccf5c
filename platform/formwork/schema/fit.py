"""Whether stored values fit a column type: widening always keeps them, narrowing only when every value fits.

A column type is reduced to a capacity: text holds up to so many characters,
a number up to a magnitude with so many decimals. A type holds another when
its capacity covers the other's; otherwise the stored values are checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

#: bound parameters past a signed 64-bit integer do not exist on SQLite; no stored number gets near it
LARGEST_CHECKED = 2**63


@dataclass(frozen=True)
class Capacity:
    family: str  # "text" or "number"
    size: float  # characters, or the first magnitude a number cannot reach
    scale: int = 0  # decimals a number keeps

    def holds(self, other: Capacity) -> bool:
        return self.family == other.family and self.size >= other.size and self.scale >= other.scale

    def converts(self, other: Capacity) -> bool:
        """Values move between the two types by a plain cast (text to text, number to number)."""
        return self.family == other.family


def capacity(type_: sa.types.TypeEngine) -> Capacity | None:
    """The capacity of a column type; None for types whose values cannot be compared this way (dates, booleans)."""
    if isinstance(type_, sa.String):
        return Capacity("text", type_.length or math.inf)
    if isinstance(type_, sa.BigInteger):
        return Capacity("number", 2**63)
    if isinstance(type_, sa.Integer):
        return Capacity("number", 2**31)
    if isinstance(type_, sa.Numeric) and not isinstance(type_, sa.Float) and type_.precision is not None:
        scale = type_.scale or 0
        return Capacity("number", 10 ** (type_.precision - scale), scale)
    return None


def misfits(column: sa.ColumnElement, target: Capacity) -> sa.ColumnElement[bool]:
    """The condition of a stored value that does not fit `target`."""
    if target.family == "text":
        return sa.func.length(column) > target.size if target.size != math.inf else sa.false()
    too_many_decimals = column != sa.func.round(column, target.scale)
    if target.size >= LARGEST_CHECKED:
        return too_many_decimals
    return sa.or_(sa.func.abs(column) >= target.size, too_many_decimals)


def type_words(type_: sa.types.TypeEngine) -> str:
    """A column type as an administrator reads it: `text of 40 characters`, `decimal with 2 decimals`."""
    found = capacity(type_)
    if found is None:
        return str(type_).lower()
    if found.family == "text":
        return "text" if found.size == math.inf else f"text of {int(found.size)} characters"
    if isinstance(type_, sa.BigInteger):
        return "big whole number"
    if isinstance(type_, sa.Integer):
        return "whole number"
    return f"decimal with {found.scale} decimals"
