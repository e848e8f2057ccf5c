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

from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
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


def _environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_blank_none)
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
