"""Values crossing the boundary between Python records and CEL.

Representation inside CEL (documented in docs/expressions.md):

- decimal, money, percent → double. CEL has no decimal type; results are
  turned back into `Decimal` quantized to the field's scale, so binary
  rounding noise never reaches the database.
- date → timestamp at midnight UTC. Dates then compare with dates, subtract
  into durations and go through add_days()/add_months() exactly; `today()` is
  the tenant's date, represented the same way.
- datetime → timestamp (an instant). Naive datetimes, as the platform stores
  them, are UTC; results of type datetime come back naive UTC.
- time → text "HH:MM" ("HH:MM:SS" when it has seconds), which orders correctly.
- reference → a map of the referenced record's fields, or null when empty;
  user and many_to_many → ids.

Going in, a value is coerced to its variable's declared type, so that an
integer given for a money field still behaves as a decimal number, as the
checker assumed. Going out, the result is converted to the declared result type.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..i18n import say
from . import check_texts as says
from .functions import A_NUMBER, midnight
from .types import WHOLE_NUMBER, WORDS, Type, Variable

DEFAULT_SCALES = {"money": 2, "percent": 2}


class BadValue(ValueError):
    """A value that cannot be the declared type; `words` (a catalog text, in each reader's language) completes
    "… is not …"."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


def plain(value: Any) -> Any:
    """Any Python value as CEL takes it, without a declared type."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, timedelta)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return midnight(value)
    if isinstance(value, time):
        return _time_text(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return str(value)


def to_cel(value: Any, var: Variable) -> Any:
    """`value` as CEL should see a `var`; raises BadValue."""
    if value is None:
        return None
    kind = var.static.kind
    try:
        if var.type == "time":
            return _time_text(value if isinstance(value, time) else time.fromisoformat(str(value)))
        if kind == "string":
            return value if isinstance(value, str) else str(value)
        if kind == "int":
            return _integer(value)
        if kind == "double":
            if isinstance(value, bool):
                raise BadValue(A_NUMBER)
            return float(value)
        if kind == "bool":
            if not isinstance(value, bool):
                raise BadValue(says.TRUE_OR_FALSE)
            return value
        if kind == "date":
            return midnight(_as_date(value))
        if kind == "timestamp":
            return _utc(datetime.fromisoformat(value) if isinstance(value, str) else _as_datetime(value))
        if kind == "map":
            return _record(value, var)
        if kind == "list":
            item = var.item or (Variable("integer") if var.type == "many_to_many" else Variable("string"))
            return [to_cel(v, item) for v in value] if var.type != "list" or var.item else plain(list(value))
        return plain(value)
    except BadValue:
        raise
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise BadValue(_WORDS.get(kind) or say(says.OF_TYPE, type=var.type)) from exc


_WORDS = {"double": A_NUMBER, **{kind: WORDS[kind] for kind in ("int", "date", "timestamp", "map", "list", "string")}}


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue(WHOLE_NUMBER)
    if not isinstance(value, (int, float, Decimal, str)) and hasattr(value, "id"):
        value = value.id  # a model instance given for a user or many_to_many field: its id
    number = Decimal(value) if isinstance(value, str) else value
    if number != int(number):
        raise BadValue(WHOLE_NUMBER)
    return int(number)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    raise BadValue(WORDS["timestamp"])


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _time_text(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _record(value: Any, var: Variable) -> dict[str, Any]:
    """A referenced record as a map: from a mapping, or from an object's attributes (a model instance)."""
    if isinstance(value, Mapping):
        read = value.get
    elif isinstance(value, (str, bytes, int, float, list, tuple)):
        raise BadValue(WORDS["map"])
    else:

        def read(key: str, default: Any = None) -> Any:
            # A model's reference `owner` is the object; its `owner_id` column is the id a map holds.
            return getattr(value, f"{key}_id") if hasattr(value, f"{key}_id") else getattr(value, key, default)

    if var.fields is None:
        return plain(dict(value)) if isinstance(value, Mapping) else {}
    return {key: to_cel(read(key, None), sub) for key, sub in var.fields.items()}


# -- results ----------------------------------------------------------------------


def from_cel(value: Any, expect: Variable | None, static: Type, zone: tzinfo) -> Any:
    """A CEL result as the Python value of the declared result type; raises BadValue.

    `static` is the checker's type of the result: a `date` is read as a UTC
    calendar date, a timestamp (an instant such as now()) as the tenant's date.
    """
    if expect is None:
        return value
    kind = expect.static.kind
    if value is None:
        if kind == "bool":
            raise BadValue(say(says.GAVE_NOTHING, wanted=says.TRUE_OR_FALSE))
        return None
    if kind == "bool":
        if not isinstance(value, bool):
            raise BadValue(_gave(says.TRUE_OR_FALSE, repr(value)))
        return value
    if kind == "int" or (kind == "map" and expect.type == "reference"):
        found = value.get("id") if isinstance(value, dict) else value
        if isinstance(found, bool) or not isinstance(found, (int, float)) or found != int(found):
            raise BadValue(_gave(WHOLE_NUMBER, repr(value)))
        return int(found)
    if kind == "double":
        scale = expect.scale if expect.scale is not None else DEFAULT_SCALES.get(expect.type, 4)
        return _decimal(value, scale)
    if kind == "string":
        return _text(value, expect)
    if kind in ("date", "timestamp"):
        return _time_result(value, kind, static, zone)
    if kind == "list" and expect.type in ("multi_choice", "many_to_many"):
        if not isinstance(value, list):
            raise BadValue(_gave(WORDS["list"], repr(value)))
        item = Variable("choice", choices=expect.choices) if expect.type == "multi_choice" else Variable("integer")
        return [from_cel(v, item, Type(item.static.kind), zone) for v in value]
    return value


def _gave(wanted: str, value: str) -> str:
    """What the result should have been, and what it was: `a whole number (it gave 2.5)`."""
    return say(says.GAVE, wanted=wanted, value=value)


def _text(value: Any, expect: Variable) -> Any:
    if not isinstance(value, str):
        raise BadValue(_gave(WORDS["string"], repr(value)))
    if expect.choices and value not in expect.choices:
        raise BadValue(_gave(say(says.ONE_OF, choices=", ".join(expect.choices)), f"'{value}'"))
    if expect.type == "time":
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise BadValue(_gave(says.TIME_OF_DAY, f"'{value}'")) from None
    return value


def _decimal(value: Any, scale: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue(_gave(A_NUMBER, repr(value)))
    try:
        return Decimal(repr(value)).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise BadValue(_gave(says.FINITE_NUMBER, repr(value))) from None


def _time_result(value: Any, kind: str, static: Type, zone: tzinfo) -> date | datetime:
    if not isinstance(value, datetime):
        raise BadValue(_gave(_WORDS[kind], repr(value)))
    value = _utc(value)
    is_date = static.kind == "date"
    if kind == "date":
        return value.date() if is_date else value.astimezone(zone).date()
    if is_date:  # a date used as a date and time means its midnight where the tenant is
        value = datetime.combine(value.date(), time(), tzinfo=zone).astimezone(timezone.utc)
    return value.replace(tzinfo=None)
