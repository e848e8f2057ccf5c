"""One condition on one column as a SQLAlchemy expression that is never NULL.

SQL's three-valued logic would make `not (name contains 'x')` drop records
whose name is empty, and `stage != won` drop records without a stage: not
what a business admin means. So every positive comparison on a nullable
column is guarded with `IS NOT NULL` (true or false, never NULL), and the
negative operators (`!=`, `not_in`, `is_not_empty`) are `NOT` of their
positive twin. `not:` in a filter therefore always means "the rest".

Dates and datetimes compare as spans: a date given for a datetime column
(or `$today`, or `this_month`) is the half-open range between local
midnights, converted to UTC because datetime columns hold naive UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from .context import FilterContext
from .dates import DAY_COUNTS, PERIODS, DateRange, day_count, period
from .targets import Target

MISSING = object()  # a variable without a value (a user with no employee record)
NEGATIONS = {"!=": "=", "not_in": "in", "is_not_empty": "is_empty"}


@dataclass(frozen=True)
class Span:
    """The values a filter value stands for: [low, high] when closed, else [low, high)."""

    low: Any
    high: Any
    closed: bool = True

    @property
    def point(self) -> bool:
        return self.closed and self.low == self.high


COMPARE: dict[str, Callable[[Any, Span], ColumnElement[bool]]] = {
    "=": lambda c, s: c == s.low if s.point else sa.and_(c >= s.low, c < s.high if not s.closed else c <= s.high),
    "<": lambda c, s: c < s.low,
    "<=": lambda c, s: c <= s.high if s.closed else c < s.high,
    ">": lambda c, s: c > s.high if s.closed else c >= s.high,
    ">=": lambda c, s: c >= s.low,
}


def condition(
    op: str, column: Any, target: Target, value: Any, ctx: FilterContext, nullable: bool
) -> ColumnElement[bool]:
    """`column <op> value`, where `value` is already converted (a list for in, a pair for between)."""
    if op in NEGATIONS:
        return sa.not_(condition(NEGATIONS[op], column, target, value, ctx, nullable))
    if op == "is_empty":
        return sa.or_(column.is_(None), column == "") if target.group.value == "text" else column.is_(None)
    expr = _positive(op, column, target, value, ctx)
    return sa.and_(column.is_not(None), expr) if nullable else expr


def _positive(op: str, column: Any, target: Target, value: Any, ctx: FilterContext) -> ColumnElement[bool]:
    if value is MISSING or (op == "between" and MISSING in value):
        return sa.false()
    if op == "contains":
        return column.icontains(value, autoescape=True)
    if op == "starts_with":
        return column.istartswith(value, autoescape=True)
    if op in PERIODS:
        return _within(column, target, period(op, ctx.today, ctx.first_weekday), ctx)
    if op in DAY_COUNTS:
        return _within(column, target, day_count(op, value, ctx.today), ctx)
    if op == "between":
        low, high = (span(v, target, ctx) for v in value)
        return sa.and_(COMPARE[">="](column, low), COMPARE["<="](column, high))
    if op == "in":
        spans = [span(v, target, ctx) for v in value]
        points = [s.low for s in spans if s.point]
        parts = ([column.in_(points)] if points else []) + [COMPARE["="](column, s) for s in spans if not s.point]
        return sa.or_(*parts) if parts else sa.false()
    return COMPARE[op](column, span(value, target, ctx))


def span(value: Any, target: Target, ctx: FilterContext) -> Span:
    """A date compared with a datetime column is that whole local day."""
    if target.group.value == "datetime" and isinstance(value, date) and not isinstance(value, datetime):
        return Span(utc_midnight(value, ctx), utc_midnight(value + timedelta(days=1), ctx), closed=False)
    return Span(value, value)


def _within(column: Any, target: Target, days: DateRange, ctx: FilterContext) -> ColumnElement[bool]:
    start, end = days
    if target.group.value == "datetime":
        start, end = utc_midnight(start, ctx), utc_midnight(end, ctx)
    return COMPARE["="](column, Span(start, end, closed=False))


def utc_midnight(day: date, ctx: FilterContext) -> datetime:
    """The start of `day` in the context's time zone, as the naive UTC datetime columns hold."""
    return datetime.combine(day, time.min, tzinfo=ctx.zone).astimezone(timezone.utc).replace(tzinfo=None)
