"""A card's place within its column, on a board with a `rank` field: the moved card takes a rank between its new
neighbours', so one save places it; when there is no room between them (equal ranks, neighbours without a rank,
an integer gap of one) the column's shown cards are numbered again, each a save through the record lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ...fields import kind_of
from .board import CARDS_PER_COLUMN, BoardQuery

#: the distance between the ranks of cards numbered again, and between a card added on top and the first one
STEP = Decimal(1024)


def column_cards(query: BoardQuery, value: Any, moved: Any) -> list[Any]:
    """The cards the viewer sees in the column of grouping value `value`, in the board's order, without `moved`."""
    found = sa.select(query.model).where(in_column(query, value), query.model.id != moved.id, *query.conditions())
    return list(query.session.scalars(found.order_by(*query.order()).limit(CARDS_PER_COLUMN)))


def place(query: BoardQuery, cards: Sequence[Any], before: Any) -> tuple[int, Decimal | None]:
    """Where the moved card goes among `cards` (before the card of id `before`; at the end when `before` is None or
    not among them) and the rank that puts it there, or None when the column must be numbered again."""
    ids = [card.id for card in cards]
    index = ids.index(before) if before in ids else len(cards)
    above = rank_of(query, cards[index - 1]) if index > 0 else None
    below = rank_of(query, cards[index]) if index < len(cards) else None
    if (index > 0 and above is None) or (index < len(cards) and below is None):
        return index, None
    if above is None and below is None:
        return index, Decimal(0)
    if above is None:
        return index, below - STEP  # type: ignore[operator]  # below is set: the column is not empty
    if below is None:
        return index, above + STEP
    middle = rounded(query, (above + below) / 2)
    return index, middle if above < middle < below else None


def top_rank(query: BoardQuery, value: Any) -> Decimal:
    """The rank of a card added on top of the column of grouping value `value`."""
    lowest = query.session.scalar(
        sa.select(sa.func.min(rank_column(query))).where(in_column(query, value), *query.conditions())
    )
    return Decimal(0) if lowest is None else Decimal(lowest) - STEP


def in_column(query: BoardQuery, value: Any) -> Any:
    """The records of the column of grouping value `value` (None: the column without a value)."""
    group = query.group_column
    return group.is_(None) if value is None else group == value


def renumbered(cards: Sequence[Any], moved: Any, index: int) -> list[tuple[Any, Decimal]]:
    """(card, rank) for the column with `moved` at `index`, numbered STEP apart from the top."""
    ordered = [*cards[:index], moved, *cards[index:]]
    return [(card, STEP * (position + 1)) for position, card in enumerate(ordered)]


def rank_of(query: BoardQuery, card: Any) -> Decimal | None:
    value = getattr(card, rank_column(query).key)
    return None if value is None else Decimal(value)


def rank_column(query: BoardQuery) -> Any:
    return query.column(query.definition.rank or "")


def rounded(query: BoardQuery, value: Decimal) -> Decimal:
    """`value` as the rank field stores it: whole for an integer field, to its places for a decimal one."""
    field = query.entity.field(query.definition.rank or "")
    assert field is not None  # checked: the rank is a number field of the entity
    return value.quantize(Decimal(1).scaleb(-kind_of(field).scale(field)))
