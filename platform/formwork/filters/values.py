"""Literal filter values (from YAML or a browser's JSON) converted to what the column holds.

Each value kind has one converter that either returns the Python value to
bind or raises `ValueRefused` (a `ValueError`) with a message a business admin can act on.
YAML already turns `2024-05-31` into a `date`, JSON sends a string: both are
accepted. A date given for a datetime column stays a `date` and means that
whole local day (see sql.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from ..i18n import CatalogText, say
from . import check_texts as says
from .targets import Target

Converter = Callable[[Any, Target, tzinfo], Any]


class ValueRefused(ValueError):
    """A value the column cannot hold; `message` says what was expected (in each reader's language)."""

    def __init__(self, text: CatalogText, /, **values: Any) -> None:
        self.message = say(text, **values)
        super().__init__(self.message)


def literal(raw: Any, target: Target, zone: tzinfo = timezone.utc) -> Any:
    """`raw` as a value of `target`'s column; `$$x` stands for the text `$x`."""
    if isinstance(raw, str) and raw.startswith("$$"):
        raw = raw[1:]
    return KINDS[target.group.value](raw, target, zone)


def _text(raw: Any, target: Target, zone: tzinfo) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        return str(raw)
    raise ValueRefused(says.EXPECTED_TEXT, value=repr(raw))


def _integer(raw: Any, target: Target, zone: tzinfo) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        return int(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    raise ValueRefused(says.EXPECTED_WHOLE_NUMBER, value=repr(raw))


def _number(raw: Any, target: Target, zone: tzinfo) -> Decimal:
    if isinstance(raw, (int, float, Decimal, str)) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            value = None
        if value is not None and value.is_finite():
            return value
    raise ValueRefused(says.EXPECTED_NUMBER, value=repr(raw))


def _boolean(raw: Any, target: Target, zone: tzinfo) -> bool:
    if isinstance(raw, bool):
        return raw
    raise ValueRefused(says.EXPECTED_BOOLEAN, value=repr(raw))


def _date(raw: Any, target: Target, zone: tzinfo) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValueRefused(says.EXPECTED_DATE, value=repr(raw))


def _datetime(raw: Any, target: Target, zone: tzinfo) -> datetime | date:
    """A naive UTC datetime (how datetime columns are stored), or a date meaning that whole day."""
    if isinstance(raw, str):
        text = raw.strip()
        try:
            raw = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueRefused(says.EXPECTED_DATETIME, value=repr(raw)) from None
    if isinstance(raw, datetime):
        aware = raw if raw.tzinfo is not None else raw.replace(tzinfo=zone)
        return aware.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(raw, date):
        return raw
    raise ValueRefused(says.EXPECTED_DATETIME, value=repr(raw))


def _time(raw: Any, target: Target, zone: tzinfo) -> time:
    if isinstance(raw, time):
        return raw
    if isinstance(raw, str):
        try:
            return time.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValueRefused(says.EXPECTED_TIME, value=repr(raw))


def _choice(raw: Any, target: Target, zone: tzinfo) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueRefused(says.EXPECTED_CHOICE, name=target.name, value=repr(raw))
    value, choices = str(raw), target.choices or []
    if choices and value not in choices:
        raise ValueRefused(says.NOT_A_CHOICE, value=value, name=target.name, choices=", ".join(choices))
    return value


def _record_id(raw: Any, target: Target, zone: tzinfo) -> int:
    try:
        return _integer(raw, target, zone)
    except ValueError:
        raise ValueRefused(says.EXPECTED_RECORD_ID, value=repr(raw)) from None


def _scalar(raw: Any, target: Target, zone: tzinfo) -> Any:
    if isinstance(raw, (str, int, float, bool)):
        return raw
    raise ValueRefused(says.EXPECTED_SCALAR, value=repr(raw))


KINDS: dict[str, Converter] = {
    "text": _text,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "choice": _choice,
    "id": _record_id,
    "user": _record_id,
    "scalar": _scalar,
}
