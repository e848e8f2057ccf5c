"""A card moved to another column, or added in one: an update (or a create) of the record through the record
lifecycle (views/saving.py), the grouping field set to the column's value."""

from __future__ import annotations

from typing import Any

from ...fields import kind_of
from ..saving import Refused, save_values
from .board import EMPTY, BoardQuery
from .labels import TEXT


def move_card(query: BoardQuery, runtime: Any, record_id: Any, key: Any, version: Any) -> Any:
    """Set the grouping field of record `record_id` (one the viewer sees on this board) to column `key`'s value;
    `version` is the version the viewer saw. Returns the saved record, flushed, not committed."""
    record = query.find(record_id)
    if record is None:
        raise Refused(404, TEXT["not_saved"].localized())
    values = {query.grouped.name: column_value(query, key)}
    return save_values(query, runtime, record, values, version, TEXT["not_saved"].localized())


def add_card(query: BoardQuery, runtime: Any, key: Any, title: Any) -> Any:
    """A new record with the card's title field set to `title` and the grouping field to column `key`'s value."""
    values = {query.grouped.name: column_value(query, key)}
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
