"""What a pivot may group by, and how: a choice, a record (by title), a user (by name), yes/no, a short text, or a
date by year, quarter or month. Each kind says its SQL key (one GROUP BY column), how a key reads, how keys are
ordered, and the filter condition that selects the records of one key (the drill-down to the list)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from babel.dates import format_skeleton
from sqlalchemy.sql.elements import ColumnElement

from ...fields import kind_of, value_kind
from ...i18n import current_locale
from ...meta.model import FieldDef
from .definition import Dimension
from .labels import TEXT

CHOICE, REFERENCE, USER, YES_NO, TEXT_VALUE, DAY = "choice", "reference", "user", "yes_no", "text", "date"


def dimension_kind(field: FieldDef) -> str | None:
    """The kind of dimension `field` makes, None when a pivot cannot group by it (numbers, long texts, lists)."""
    kind, value = kind_of(field), value_kind(field)
    if not kind.stores_column or value.holds_list:
        return None
    if value.has_choices:
        return CHOICE
    if kind.refers_to_record:
        return REFERENCE
    if kind.refers_to_user:
        return USER
    if value.holds_yes_no:
        return YES_NO
    if value.name == "date":
        return DAY
    if value.groupable and value.titles_as_stored:
        return TEXT_VALUE
    return None


def key_expression(column: Any, kind: str, by: str | None, dialect: str) -> ColumnElement[Any]:
    """The GROUP BY expression of a dimension: the column; an empty text is no value; a date's period start."""
    if kind == TEXT_VALUE:
        return sa.func.nullif(column, "")
    if kind != DAY:
        return column
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc(by, sa.cast(column, sa.DateTime)), sa.Date)
    if by == "year":
        return sa.func.strftime("%Y-01-01", column)
    if by == "month":
        return sa.func.strftime("%Y-%m-01", column)
    first_month = (sa.cast(sa.func.strftime("%m", column), sa.Integer) + 2) // 3 * 3 - 2
    return sa.func.printf("%s-%02d-01", sa.func.strftime("%Y", column), first_month)


def as_key(value: Any, kind: str) -> Any:
    """What the query returned as the key it stands for: a date's period start is a date (SQLite answers text)."""
    if value is None or kind != DAY or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def period_end(start: date, by: str) -> date:
    """The last day of the period starting on `start`."""
    months = {"year": 12, "quarter": 3, "month": 1}[by]
    month = start.month - 1 + months
    following = date(start.year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def period_label(start: date, by: str) -> str:
    """`2026`, `2026 Q1` / `2026年第1季度`, `Mar 2026` / `2026年3月` in the reader's language."""
    if by == "year":
        return str(start.year)
    if by == "quarter":
        return TEXT["quarter"].localized().format(year=start.year, quarter=(start.month - 1) // 3 + 1)
    return format_skeleton("yMMM", start, locale=current_locale())


def condition(dimension: Dimension, key: Any) -> dict[str, Any]:
    """The filter condition (docs/filters.md) that selects the records of `key`: what the list of a cell adds."""
    if key is None:
        return {"field": dimension.field, "op": "is_empty"}
    if isinstance(key, date):
        assert dimension.by is not None  # a date dimension has its period (checks)
        return {
            "field": dimension.field,
            "op": "between",
            "value": [key.isoformat(), period_end(key, dimension.by).isoformat()],
        }
    return {"field": dimension.field, "op": "=", "value": key}


def sort_key(kind: str, field: FieldDef, titles: dict[Any, str]) -> Any:
    """How the keys of a dimension are ordered: choices as declared, yes before no, records and people by how they
    read, texts and periods by value; no value last."""
    order = {c.value: i for i, c in enumerate(field.choices)} if kind == CHOICE else {}

    def key(value: Any) -> tuple[int, Any]:
        if value is None:
            return (1, 0)
        if kind == CHOICE:
            return (0, (order.get(value, len(order)), str(value)))
        if kind == YES_NO:
            return (0, not value)
        if kind in (REFERENCE, USER):
            return (0, (titles.get(value, "").casefold(), value))
        return (0, value)

    return key


def key_label(kind: str, field: FieldDef, key: Any, by: str | None, titles: dict[Any, str]) -> str:
    """A key as the reader reads it; "(no value)" for records without one."""
    if key is None:
        return TEXT["empty"].localized()
    if kind == CHOICE:
        choice = next((c for c in field.choices if c.value == key), None)
        return choice.label.localized() if choice else str(key)
    if kind == YES_NO:
        return TEXT["yes" if key else "no"].localized()
    if kind in (REFERENCE, USER):
        return titles.get(key) or f"#{key}"
    if kind == DAY:
        assert by is not None
        return period_label(key, by)
    return str(key)
