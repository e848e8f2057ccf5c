"""The functions business rules need beyond CEL's own: dates, text, rounding, null handling.

Each function is declared once, with its `Signature` (which the checker uses
to report wrong argument counts and types when a definition is validated) and
its Python implementation (which CEL calls while an expression runs). The
implementations close over the evaluation's clock and time zone, so `today()`
is the tenant's today and tests can fix the time.

Dates are CEL timestamps at midnight UTC (see `values`), so every function
here takes and returns `datetime`s in UTC.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..features import CEL_FUNCTIONS as ADDED_FUNCTIONS
from ..features import FeatureRegistry, when_loaded
from ..i18n import CatalogText, say
from . import check_texts as says
from .types import DATE, DOUBLE, INT, STRING, TIMESTAMP, WORDS, Type

TIME = frozenset({"date", "timestamp"})
NUMBER = frozenset({"int", "uint", "double"})
ANY = frozenset({"any"})


@dataclass(frozen=True)
class Param:
    label: str  # what the argument is, in words: "a date", "a whole number of days" (a CatalogText: translated)
    kinds: frozenset[str]


@dataclass(frozen=True)
class Signature:
    """How a function may be called. `result` is a Type, or a function of the argument types."""

    usage: str  # shown in messages: "add_days(date, days)" (a CatalogText: its words translated)
    params: tuple[Param, ...]
    result: Type | Callable[[list[Type]], Type]
    optional: int = 0  # trailing parameters that may be left out
    variadic: bool = False  # the last parameter may repeat

    def arity(self) -> tuple[int, int | None]:
        """(fewest, most) arguments; most is None for a variadic function."""
        return len(self.params) - self.optional, None if self.variadic else len(self.params)


class FunctionFailed(Exception):
    """Raised by an implementation; `empty` says it failed because a value was null. `message` is the reason a user
    sees (a text of check_texts.py filled in, or an extension's own words)."""

    def __init__(self, message: str, empty: bool = False) -> None:
        super().__init__(message)
        self.message, self.empty = message, empty


def _same_as_first(args: list[Type]) -> Type:
    return args[0] if args else Type("dyn")


def _first_known(args: list[Type]) -> Type:
    return next((t for t in args if t.kind not in ("null", "dyn")), args[0] if args else Type("dyn"))


A_DATE, A_NUMBER, TEXT, A_VALUE = WORDS["date"], CatalogText("a number"), WORDS["string"], WORDS["dyn"]
SIGNATURES: dict[str, Signature] = {
    "today": Signature("today()", (), DATE),
    "now": Signature("now()", (), TIMESTAMP),
    "date": Signature(
        CatalogText("date(text or date and time)"),
        (Param(CatalogText("text like '2024-01-31' or a date and time"), frozenset({"string", *TIME})),),
        DATE,
    ),
    "add_days": Signature(
        CatalogText("add_days(date, days)"),
        (Param(A_DATE, TIME), Param(CatalogText("a whole number of days"), frozenset({"int"}))),
        _same_as_first,
    ),
    "add_months": Signature(
        CatalogText("add_months(date, months)"),
        (Param(A_DATE, TIME), Param(CatalogText("a whole number of months"), frozenset({"int"}))),
        _same_as_first,
    ),
    "days_between": Signature(CatalogText("days_between(from, to)"), (Param(A_DATE, TIME), Param(A_DATE, TIME)), INT),
    "lower": Signature(CatalogText("lower(text)"), (Param(TEXT, frozenset({"string"})),), STRING),
    "upper": Signature(CatalogText("upper(text)"), (Param(TEXT, frozenset({"string"})),), STRING),
    "trim": Signature(CatalogText("trim(text)"), (Param(TEXT, frozenset({"string"})),), STRING),
    "round": Signature(
        CatalogText("round(number, digits)"),
        (Param(A_NUMBER, NUMBER), Param(CatalogText("a whole number of digits"), frozenset({"int"}))),
        DOUBLE,
        optional=1,
    ),
    "coalesce": Signature(
        CatalogText("coalesce(value, fallback, …)"),
        (Param(A_VALUE, ANY), Param(A_VALUE, ANY)),
        _first_known,
        variadic=True,
    ),
}


#: the Python bodies of the functions features add (an installed extension's); their signatures join SIGNATURES
ADDED_BODIES: dict[str, Callable[..., Any]] = {}


def _take_added_functions(registry: FeatureRegistry) -> None:
    """Functions that features add; one may not take the name of a built-in function."""
    for added in registry.items(ADDED_FUNCTIONS):
        if added.name in SIGNATURES and added.name not in ADDED_BODIES:
            raise ValueError(f"CEL function '{added.name}' is built in; an extension may not redefine it")
        SIGNATURES[added.name] = added.signature
        ADDED_BODIES[added.name] = added.body


when_loaded(_take_added_functions)


# -- implementations ----------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "timestamp"
    return type(value).__name__


def _check(name: str, args: tuple[Any, ...]) -> None:
    """Refuse null and wrongly typed arguments with a message a user can act on."""
    params = SIGNATURES[name].params
    for position, value in enumerate(args):
        param = params[min(position, len(params) - 1)]
        if param.kinds == ANY:
            continue
        if value is None:
            raise FunctionFailed(say(says.GIVEN_EMPTY, name=name), empty=True)
        kind = _kind(value)
        if kind not in param.kinds and not (kind == "timestamp" and "date" in param.kinds):
            raise FunctionFailed(say(says.NEEDS_ARGUMENT, name=name, wanted=param.label, position=position + 1))


def midnight(day: date) -> datetime:
    """The CEL value of a date: its midnight, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def add_months(value: datetime, months: int) -> datetime:
    """Calendar months; a day past the new month's end becomes its last day (Jan 31 + 1 = Feb 28/29)."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise FunctionFailed(says.PAST_YEAR_9999)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def round_half_up(value: float | int, digits: int = 0) -> float:
    """Rounding as people do it (2.675 → 2.68), not banker's rounding of binary floats."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def parse_date(value: str | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return midnight(value.astimezone(zone).date())
    try:
        return midnight(date.fromisoformat(value))
    except ValueError:
        raise FunctionFailed(say(says.NOT_A_DATE, text=f"date('{value}')")) from None


def implementations(now: datetime, zone: tzinfo, failures: list[FunctionFailed]) -> dict[str, Callable[..., Any]]:
    """The Python side of every function in SIGNATURES, for one evaluation at `now` in `zone`.

    CEL reports a failing Python function only as text, so each failure is also
    appended to `failures`, where the caller finds the original message.
    """
    today = midnight(now.astimezone(zone).date())

    def checked(name: str, body: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                _check(name, args)
                return body(*args)
            except FunctionFailed as exc:
                failures.append(exc)
                raise
            except (ArithmeticError, ValueError) as exc:
                failures.append(FunctionFailed(say(says.FUNCTION_FAILED, name=name, problem=str(exc))))
                raise failures[-1] from exc

        return call

    bodies: dict[str, Callable[..., Any]] = {
        "today": lambda: today,
        "now": lambda: now,
        "date": lambda value: parse_date(value, zone),
        "add_days": lambda value, days: value + timedelta(days=days),
        "add_months": add_months,
        "days_between": lambda start, end: (end - start) // timedelta(days=1),
        "lower": str.lower,
        "upper": str.upper,
        "trim": str.strip,
        "round": round_half_up,
        "coalesce": lambda *values: next((v for v in values if v is not None), None),
        **ADDED_BODIES,
    }
    return {name: checked(name, body) for name, body in bodies.items()}


class _QuietOwnFailures(logging.Filter):
    """`cel` logs a warning whenever a Python function raises; ours are reported by `Expression`, once."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(message.startswith(f"Python function '{name}' failed") for name in SIGNATURES)


logging.getLogger("cel").addFilter(_QuietOwnFailures())
