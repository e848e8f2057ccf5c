"""Relative date ranges (today, this month, last 30 days …) as half-open [start, end) date pairs.

Ranges are computed from the caller's `today` (never the database clock), so
a filter means the same thing on SQLite and PostgreSQL and tests can fix the
date. Half-open ranges work for date and datetime columns alike: a datetime
column compares with the local midnights of `start` and `end`.
"""

from __future__ import annotations

from datetime import date, timedelta

DateRange = tuple[date, date]

#: operator -> (calendar unit, offset in units from the current one)
PERIODS: dict[str, tuple[str, int]] = {
    "today": ("day", 0),
    "yesterday": ("day", -1),
    "tomorrow": ("day", 1),
    "this_week": ("week", 0),
    "last_week": ("week", -1),
    "next_week": ("week", 1),
    "this_month": ("month", 0),
    "last_month": ("month", -1),
    "next_month": ("month", 1),
    "this_quarter": ("quarter", 0),
    "last_quarter": ("quarter", -1),
    "next_quarter": ("quarter", 1),
    "this_year": ("year", 0),
    "last_year": ("year", -1),
    "next_year": ("year", 1),
}
#: operators that take a number of days: the N days ending / starting today, today included
DAY_COUNTS = ("last_days", "next_days")
MAX_DAYS = 36600  # a century: larger counts are typos and would overflow `date`

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period(name: str, today: date, first_weekday: int = 0) -> DateRange:
    """The range of the period operator `name` (e.g. `last_month`) around `today`."""
    unit, offset = PERIODS[name]
    if unit == "day":
        start = today + timedelta(days=offset)
        return start, start + timedelta(days=1)
    if unit == "week":
        start = today - timedelta(days=(today.weekday() - first_weekday) % 7) + timedelta(weeks=offset)
        return start, start + timedelta(weeks=1)
    size = _MONTHS[unit]
    first = (today.year * 12 + today.month - 1) // size * size + offset * size
    return _month_start(first), _month_start(first + size)


def day_count(name: str, days: int, today: date) -> DateRange:
    """`last_days 7`: the 7 days ending today; `next_days 7`: the 7 days starting today."""
    if name == "last_days":
        return today - timedelta(days=days - 1), today + timedelta(days=1)
    return today, today + timedelta(days=days)


def _month_start(months: int) -> date:
    """The first day of the month numbered `months` since year 0 (January = 0)."""
    return date(months // 12, months % 12 + 1, 1)
