"""Texts with `{name}` placeholders, as notification texts and automations' messages write them: checked when
definitions are validated, filled when sent. Only bare names: no attribute or index access, no conversion, no
format spec, so a text can never reach into Python objects; filling walks the parsed text and inserts each value
as text, never calling `str.format`."""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Mapping

_PARSER = string.Formatter()


def placeholder_problems(text: str, known: Collection[str], unknown: Callable[[str], str]) -> list[str]:
    """What is wrong with `text`'s placeholders: a brace that opens nothing, a name not in `known` (`unknown(name)`
    says so), a format or conversion."""
    try:
        parsed = list(_PARSER.parse(text))
    except ValueError as bad:
        return [f"{bad}; write a literal brace as {{{{ or }}}}"]
    problems = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in known:
            problems.append(unknown(name))
        elif spec or conversion:
            problems.append(f"placeholder {{{name}}} takes no format or conversion; write it as {{{name}}}")
    return problems


def placeholders(text: str) -> set[str]:
    """The names `text` uses (none when it does not parse)."""
    try:
        return {name for _literal, name, _spec, _conversion in _PARSER.parse(text) if name is not None}
    except ValueError:
        return set()


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value (empty when absent); a text that does not parse stays as
    written."""
    try:
        parsed = list(_PARSER.parse(text))
    except ValueError:
        return text
    return "".join(literal + (values.get(name, "") if name is not None else "") for literal, name, _, _ in parsed)
