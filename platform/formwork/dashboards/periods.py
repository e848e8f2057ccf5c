"""Over-time charts: the first day of a record's day, week or month, in SQL, on SQLite and PostgreSQL.

The database does the grouping so a chart over a year of records is one
query returning twelve rows. PostgreSQL has `date_trunc`; SQLite has date
modifiers and `strftime`. Both give the period's first day (weeks start on
Monday, as ISO and PostgreSQL have it); datetimes fall into their UTC day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

PERIODS = ("day", "week", "month")


def period_start(column: Any, by: str, dialect: str) -> ColumnElement[Any]:
    """The first day of the period `by` that `column` (a date or datetime) falls in."""
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc(by, sa.cast(column, sa.DateTime)), sa.Date)
    return {
        "day": sa.func.date(column),
        "week": sa.func.date(column, "weekday 0", "-6 days"),
        "month": sa.func.strftime("%Y-%m-01", column),
    }[by]


def as_date(value: Any) -> date:
    """What the query returned for a period (a date on PostgreSQL, ISO text on SQLite) as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def next_period(start: date, by: str) -> date:
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def every_period(starts: Iterable[date], by: str) -> list[date]:
    """Every period from the first to the last of `starts`, so a line chart shows empty periods as zero."""
    ordered = sorted(set(starts))
    if not ordered:
        return []
    periods, current = [], ordered[0]
    while current <= ordered[-1]:
        periods.append(current)
        current = next_period(current, by)
    return periods
