"""A card moved to another column or place, or added in one: an update (or a create) of the record through the
record lifecycle (views/saving.py), the grouping field set to the column's value and, on a board with a rank, the
rank to the card's place (views/kanban/ranks.py)."""

from __future__ import annotations

from typing import Any

from ...fields import kind_of
from ..saving import Refused, save_values
from .board import EMPTY, BoardQuery
from .labels import TEXT
from .ranks import column_cards, place, renumbered, top_rank


def move_card(query: BoardQuery, runtime: Any, record_id: Any, key: Any, version: Any, before: Any = None) -> list[Any]:
    """Set the grouping field of record `record_id` (one the viewer sees on this board) to column `key`'s value
    and, on a ranked board, place it before the card of id `before` (None: last); `version` is the version the
    viewer saw. Returns the saved records (the moved one first; others when the column was numbered again),
    flushed, not committed."""
    record = query.find(record_id)
    if record is None:
        raise Refused(404, TEXT["not_saved"].localized())
    value, failed = column_value(query, key), TEXT["not_saved"].localized()
    values: dict[str, Any] = {query.grouped.name: value}
    if query.rank is None:
        return [save_values(query, runtime, record, values, version, failed)]
    cards = column_cards(query, value, record)
    index, rank = place(query, cards, before)
    ranks = [(record, rank)] if rank is not None else renumbered(cards, record, index)
    stored = query.column(query.rank).key
    moved = save_values(query, runtime, record, {**values, query.rank: dict(ranks)[record]}, version, failed)
    others = [(card, new) for card, new in ranks if card is not record and getattr(card, stored) != new]
    return [moved, *(save_values(query, runtime, card, {query.rank: new}, None, failed) for card, new in others)]


def add_card(query: BoardQuery, runtime: Any, key: Any, title: Any) -> Any:
    """A new record with the card's title field set to `title` and the grouping field to column `key`'s value (on
    top of the column, where the page shows it, on a ranked board)."""
    value = column_value(query, key)
    values = {query.grouped.name: value}
    if query.rank is not None:
        values[query.rank] = top_rank(query, value)
    if isinstance(title, str) and title.strip():
        values[query.definition.card[0]] = title.strip()
    return save_values(query, runtime, None, values, None, TEXT["not_added"].localized())


def column_value(query: BoardQuery, key: Any) -> Any:
    """The stored value column `key` stands for; a key that names no column of the board is refused (400)."""
    grouped = query.grouped
    if key == EMPTY:
        return None
    if kind_of(grouped).has_choices and isinstance(key, str) and key in {c.value for c in grouped.choices}:
        return key
    if not kind_of(grouped).has_choices and isinstance(key, str) and key.isdigit():
        return int(key)
    raise Refused(400, TEXT["unknown_column"].localized())
