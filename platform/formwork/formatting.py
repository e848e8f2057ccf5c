"""Numbers, money, dates and times as the reader expects them: in their language and the tenant's time zone.

One place for it, so a list, a show page, a total, a CSV export and the
approval timeline never disagree. Field types own *what* they show and call
these for *how* (their `format_value`). Everything goes through Babel's CLDR
data: grouping and decimal signs, the currency's symbol as the language
writes it (CNY is "CN¥" in English, where "¥" would be read as yen, and "¥"
in Chinese), date patterns ("Jan 2, 2026" / "2026年1月2日").

Datetimes are stored as naive UTC; they are shown in the tenant's time zone
(`FORMWORK_TIMEZONE`), and "today" is the tenant's today.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers

from .i18n import current_locale

DEFAULT_CURRENCY = "CNY"


@cache
def _babel_locale(language: str) -> Locale:
    """Babel parses a locale's name on every call (a tenth of a millisecond, most of formatting a number): a page
    of a thousand numbers parses each language once."""
    return Locale.parse(language)


def _reader_locale() -> Locale:
    return _babel_locale(current_locale())


def tenant_setting(name: str, default: str) -> str:
    """A tenant app setting, or `default` outside an app (scripts, unit tests)."""
    from flask import current_app, has_app_context

    return (current_app.config.get(name) or default) if has_app_context() else default


def tenant_currency() -> str:
    return tenant_setting("FORMWORK_CURRENCY", DEFAULT_CURRENCY)


def tenant_zone() -> ZoneInfo:
    return ZoneInfo(tenant_setting("FORMWORK_TIMEZONE", "UTC"))


def number(value: Any, scale: int = 0) -> str:
    """`1,234,567.50`: grouped, with exactly `scale` decimals."""
    pattern = "#,##0." + "0" * scale if scale else "#,##0"
    return numbers.format_decimal(Decimal(value), format=pattern, locale=_reader_locale())


def percent(value: Any, scale: int = 2) -> str:
    """A percentage stored as 12.5 (meaning 12.5 %): `12.5%`, trailing zeros dropped."""
    pattern = "#,##0." + "#" * scale + "%" if scale else "#,##0%"
    return numbers.format_percent(Decimal(value) / 100, format=pattern, locale=_reader_locale())


def money(value: Any, currency: str | None = None) -> str:
    """An amount in a currency (the tenant's when none is given), with the currency's own decimals."""
    return numbers.format_currency(Decimal(value), currency or tenant_currency(), locale=_reader_locale())


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) datetime in the tenant's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tenant_zone())


def to_utc(wall_clock: datetime) -> datetime:
    """A time typed in the tenant's time zone as it is stored: naive UTC."""
    return wall_clock.replace(tzinfo=tenant_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def local_day(value: date | datetime) -> date:
    """The calendar day of a date, or of a stored datetime in the tenant's time zone."""
    return to_local(value).date() if isinstance(value, datetime) else value


def day(value: date | datetime) -> str:
    """`Jan 2, 2026` / `2026年1月2日`; a datetime is taken on the tenant's calendar."""
    return dates.format_date(local_day(value), "medium", locale=_reader_locale())


def clock(value: time | datetime) -> str:
    """`23:30`: a time of day, to the minute, 24-hour in every language (as office software shows it)."""
    return dates.format_time(value, "HH:mm", locale=_reader_locale())


def moment(value: datetime) -> str:
    """A stored datetime in the tenant's time zone, to the minute: `Jan 3, 2026, 07:30` / `2026年1月3日 07:30`."""
    local = to_local(value)
    pattern = dates.get_datetime_format("medium", locale=_reader_locale()).replace("'", "")
    return pattern.replace("{1}", day(local.date())).replace("{0}", clock(local.time()))


def local_time(value: datetime | None) -> str:
    """A stored UTC time in the tenant's time zone, to the minute, or nothing when there is none (screens' cells)."""
    return "" if value is None else moment(value)


def tenant_today() -> date:
    return datetime.now(tenant_zone()).date()


def relative_day(value: date | datetime | None, today: date | None = None) -> str:
    """`today`, `in 3 days`, `2 weeks ago`: how soon or late a day is, at a glance."""
    from flask_babel import gettext

    if value is None:
        return ""
    delta = (local_day(value) - (today or tenant_today())).days
    named = {0: gettext("today"), 1: gettext("tomorrow"), -1: gettext("yesterday")}
    if delta in named:
        return named[delta]
    return dates.format_timedelta(timedelta(days=delta), granularity="day", add_direction=True, locale=_reader_locale())


def _blank_or(write: Any) -> Any:
    return lambda value, *args: "" if value is None or value == "" else write(value, *args)


#: Jinja filters of every tenant app, so templates write values as the screens do: `{{ row.at|fw_datetime }}`
TEMPLATE_FILTERS = {
    "fw_number": _blank_or(number),
    "fw_money": _blank_or(money),
    "fw_percent": _blank_or(percent),
    "fw_date": _blank_or(day),
    "fw_datetime": _blank_or(moment),
    "fw_time": _blank_or(clock),
    "fw_relative": _blank_or(relative_day),
}
