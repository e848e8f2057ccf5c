"""The Jinja2 environment print templates run in: sandboxed, escaping, strict, with the formatting filters.

Templates come from packs and tenant definitions, so they run in Jinja's ImmutableSandboxedEnvironment: no
attribute starting with `_`, no function of Python's internals, no changing the lists and mappings they are given.
Everything they print is HTML-escaped unless it is markup already (autoescape), so a record value `<script>`
prints as text. A name or field the template reads that does not exist is an error (StrictUndefined), not an empty
string that would print a form with a blank where the amount should be; None prints empty.

Templates are compiled once per source text (the same template in every tenant with the pack shares it) and their
syntax is checked when definitions are validated (checks.py), so a render can only fail on what the data holds.
"""

from __future__ import annotations

import math
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .. import formatting
from .chinese_amount import chinese_amount

#: how many compiled templates are kept (each pack format is one; tenants with the same packs share them)
CACHED_TEMPLATES = 256


def _blank_or(write: Any) -> Any:
    return lambda value, *args: "" if value is None or value == "" else write(value, *args)


def _amount(write: Any) -> Any:
    """A number filter: nothing for an empty value, and a value that is no number said in words (not Decimal's
    `[<class 'decimal.ConversionSyntax'>]`)."""

    def apply(value: Any, *args: Any) -> Any:
        try:
            number = Decimal(value)
        except (ArithmeticError, TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number") from None
        return write(number, *args)

    return _blank_or(apply)


#: the filters a print template may use, in the tenant's language, currency and time zone (formatting.py)
FILTERS = {
    "money": _amount(formatting.money),
    "number": _amount(formatting.number),
    "percent": _amount(formatting.percent),
    "date": _blank_or(formatting.day),
    "datetime": _blank_or(formatting.moment),
    "time": _blank_or(formatting.clock),
    "chinese_amount": _amount(chinese_amount),
}


def _blank_none(value: Any) -> Any:
    """What `{{ value }}` prints: an empty field prints nothing, not `None`."""
    return "" if value is None else value


#: the largest number a template's arithmetic may make, and the longest string or list a `*` may repeat into:
#: `{{ 9**9**9 }}` or `{{ 'x' * 10**10 }}` would otherwise hold the process that renders (or validates) it
LARGEST_NUMBER = 10**30
LONGEST_REPEAT = 100_000


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, whose `**` and `*` refuse results a document has no use for (Jinja's documented
    hook: `intercepted_binops` and `call_binop`); the operators are not folded when the template compiles."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _too_big(left, right):
            raise SecurityError(f"{left} ** {right} is larger than a print format may compute")
        if operator == "*" and _repeats_too_much(left, right):
            raise SecurityError("a repeated text or list longer than a print format may make")
        return super().call_binop(context, operator, left, right)


def _too_big(base: Any, exponent: Any) -> bool:
    if not isinstance(base, (int, float)) or not isinstance(exponent, (int, float)):
        return False
    if abs(base) <= 1:
        return False
    return exponent > 0 and abs(exponent) * math.log10(abs(base)) > math.log10(LARGEST_NUMBER)


def _repeats_too_much(left: Any, right: Any) -> bool:
    sequence, times = (left, right) if isinstance(right, int) else (right, left)
    return (
        isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and len(sequence) * times > LONGEST_REPEAT
    )


def _environment() -> ImmutableSandboxedEnvironment:
    environment = LimitedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_blank_none)
    environment.filters.update(FILTERS)
    return environment


ENVIRONMENT = _environment()


@lru_cache(maxsize=CACHED_TEMPLATES)
def compiled(source: str) -> Template:
    """The template of `source`, compiled once."""
    return ENVIRONMENT.from_string(source)


def missing(hint: str) -> Any:
    """A value that is an error as soon as the template uses it, saying `hint` (a field the record has not)."""
    return ENVIRONMENT.undefined(hint=hint)


def syntax_error(source: str) -> tuple[int, str] | None:
    """(line in the template, message) of what keeps `source` from compiling (its syntax, an unknown filter), or
    None when it compiles."""
    try:
        compiled(source)
    except TemplateSyntaxError as bad:  # an unknown filter or test too (TemplateAssertionError)
        return (bad.lineno, bad.message or str(bad))
    return None
