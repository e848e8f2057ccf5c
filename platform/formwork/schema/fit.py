"""Whether stored values fit a column type: widening always keeps them, anything else only when every value fits.

A column type is reduced to a capacity: text holds up to so many characters,
a number up to a magnitude with so many decimals. A type holds another when
its capacity covers the other's; otherwise each way the new type is smaller
(fewer characters, fewer digits before the point, fewer decimals) is a loss,
and the stored values are counted for each, so the plan can say what would
be cut, rounded or not stored at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from ..i18n import say
from . import plan_texts as says

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


@dataclass(frozen=True)
class Loss:
    """One way a stored value may not fit the new type, and what would become of it."""

    words: str  # completes "3 stored value(s) …" (in each reader's language)
    misfits: Callable[[sa.ColumnElement], sa.ColumnElement[bool]]


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


def losses(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> list[Loss]:
    """What changing a column from `old` to `new` (types that convert) could lose; nothing for a widening."""
    before, after = _capacities(old, new)
    found = []
    if after.family == "text" and after.size < before.size:
        found.append(Loss(say(says.CUT, size=int(after.size)), lambda c: sa.func.length(c) > after.size))
    if after.family == "number" and after.size < min(before.size, LARGEST_CHECKED):
        too_large = says.TOO_LARGE_FOR if isinstance(new, sa.Integer) else says.MORE_THAN
        found.append(Loss(say(too_large, range=_range_words(new)), lambda c: sa.func.abs(c) >= after.size))
    if after.family == "number" and after.scale < before.scale:
        rounded = say(says.ROUNDED, decimals=_decimals(after.scale)) if after.scale else say(says.NOT_WHOLE)
        found.append(Loss(rounded, lambda c: c != sa.func.round(c, after.scale)))
    return found


def misfits(column: sa.ColumnElement, found: list[Loss]) -> sa.ColumnElement[bool]:
    """The condition of a stored value that one of the losses `found` would touch."""
    return sa.or_(sa.false(), *(loss.misfits(column) for loss in found))


def change_words(what: str, old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> str:
    """A type change as an administrator reads it, with a verb that says which way it goes.

    `widen` when the new type holds every value the old one does; `shorten` (text) or `reduce` (numbers) when it
    holds less and nothing more; `change` when it holds more of one kind and less of another (a decimal whose
    decimals grow while its digits before the point shrink), and then the digits are given too.
    """
    before, after = _capacities(old, new)
    gains = after.size > before.size or after.scale > before.scale
    loses = after.size < before.size or after.scale < before.scale
    verb = (
        says.WIDEN if not loses else says.CHANGE if gains else says.SHORTEN if after.family == "text" else says.REDUCE
    )
    digits = loses and after.family == "number" and after.size != before.size
    return say(verb, what=what, old=type_words(old, digits), new=type_words(new, digits))


def _capacities(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> tuple[Capacity, Capacity]:
    before, after = capacity(old), capacity(new)
    if before is None or after is None or not after.converts(before):
        raise ValueError(f"{old} and {new} are not compared by capacity")
    return before, after


def type_words(type_: sa.types.TypeEngine, digits: bool = False) -> str:
    """A column type as an administrator reads it: `text of 40 characters`, `decimal with 2 decimals`; with `digits`,
    a decimal also says how many digits it keeps before the point."""
    found = capacity(type_)
    if found is None:
        return str(type_).lower()
    if found.family == "text":
        return says.TEXT if found.size == math.inf else say(says.TEXT_OF, size=int(found.size))
    if isinstance(type_, sa.BigInteger):
        return says.BIG_WHOLE_NUMBER
    if isinstance(type_, sa.Integer):
        return says.WHOLE_NUMBER
    decimals = _decimals(found.scale)
    return (
        say(says.DECIMAL_UP_TO, decimals=decimals, range=_range_words(type_))
        if digits
        else say(says.DECIMAL, decimals=decimals)
    )


def _range_words(type_: sa.types.TypeEngine) -> str:
    """How large a number the type stores: `a whole number`, `14 digits before the point`."""
    if isinstance(type_, sa.BigInteger):
        return says.A_BIG_WHOLE_NUMBER
    if isinstance(type_, sa.Integer):
        return says.A_WHOLE_NUMBER
    return say(says.DIGITS, count=type_.precision - (type_.scale or 0))  # type: ignore[attr-defined]  # a decimal


def _decimals(count: int) -> str:
    return says.NO_DECIMALS if count == 0 else says.ONE_DECIMAL if count == 1 else say(says.DECIMALS, count=count)
