"""Literal filter values (from YAML or a browser's JSON) converted to what the column holds.

Each value kind has one converter that either returns the Python value to
bind or raises `ValueError` with a message a business admin can act on.
YAML already turns `2024-05-31` into a `date`, JSON sends a string: both are
accepted. A date given for a datetime column stays a `date` and means that
whole local day (see sql.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from .targets import Target

Converter = Callable[[Any, Target, tzinfo], Any]


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
    raise ValueError(f"expected a text, got {raw!r}")


def _integer(raw: Any, target: Target, zone: tzinfo) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        return int(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    raise ValueError(f"expected a whole number, got {raw!r}")


def _number(raw: Any, target: Target, zone: tzinfo) -> Decimal:
    if isinstance(raw, (int, float, Decimal, str)) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            value = None
        if value is not None and value.is_finite():
            return value
    raise ValueError(f"expected a number, got {raw!r}")


def _boolean(raw: Any, target: Target, zone: tzinfo) -> bool:
    if isinstance(raw, bool):
        return raw
    raise ValueError(f"expected true or false, got {raw!r}")


def _date(raw: Any, target: Target, zone: tzinfo) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2024-05-31, got {raw!r}")


def _datetime(raw: Any, target: Target, zone: tzinfo) -> datetime | date:
    """A naive UTC datetime (how datetime columns are stored), or a date meaning that whole day."""
    if isinstance(raw, str):
        text = raw.strip()
        try:
            raw = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"expected a date like 2024-05-31 or a date and time like 2024-05-31T09:30, got {raw!r}"
            ) from None
    if isinstance(raw, datetime):
        aware = raw if raw.tzinfo is not None else raw.replace(tzinfo=zone)
        return aware.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(raw, date):
        return raw
    raise ValueError(f"expected a date like 2024-05-31 or a date and time like 2024-05-31T09:30, got {raw!r}")


def _time(raw: Any, target: Target, zone: tzinfo) -> time:
    if isinstance(raw, time):
        return raw
    if isinstance(raw, str):
        try:
            return time.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a time like '09:30' (quoted in YAML), got {raw!r}")


def _choice(raw: Any, target: Target, zone: tzinfo) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError(f"expected one of the choices of {target.name}, got {raw!r}")
    value, choices = str(raw), target.choices or []
    if choices and value not in choices:
        raise ValueError(f"'{value}' is not a choice of {target.name}; choices: {', '.join(choices)}")
    return value


def _record_id(raw: Any, target: Target, zone: tzinfo) -> int:
    try:
        return _integer(raw, target, zone)
    except ValueError:
        raise ValueError(
            f"expected the id of a record (a whole number) or a variable such as $employee, got {raw!r}"
        ) from None


def _scalar(raw: Any, target: Target, zone: tzinfo) -> Any:
    if isinstance(raw, (str, int, float, bool)):
        return raw
    raise ValueError(f"expected a text, number or true/false, got {raw!r}")


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
