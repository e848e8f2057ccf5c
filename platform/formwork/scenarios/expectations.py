"""A step's `error:`: the refusal it must meet (a status, a message at a field, a text in the message), compared
with the API's answer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .api import Answer


def unmet(expected: Mapping[str, Any], answer: Answer) -> list[str]:
    """What of `expected` the answer does not show; empty when the step was refused as written."""
    wanted = ", ".join(f"{key} {value!r}" for key, value in expected.items())
    if answer.ok:
        return [f"expected it to be refused ({wanted}), but it succeeded: {answer}"]
    problems = []
    status = expected.get("status", 400 if "field" in expected else None)
    if status is not None and answer.status != status:
        problems.append(f"status: expected {status}, got {answer}")
    field = expected.get("field")
    if field is not None and field not in set(_keys(answer.message)):
        problems.append(f"field: expected a message on '{field}', got {answer}")
    text = expected.get("message")
    if text is not None and not any(text in said for said in _texts(answer.message)):
        problems.append(f"message: expected it to contain {text!r}, got {answer}")
    return problems


def _keys(message: Any) -> Iterator[str]:
    """The fields a refusal's message names, child rows' fields too (`{lines: {0: {amount: [...]}}}`)."""
    if isinstance(message, dict):
        for key, value in message.items():
            yield str(key)
            yield from _keys(value)


def _texts(message: Any) -> Iterator[str]:
    if isinstance(message, str):
        yield message
    elif isinstance(message, dict):
        for value in message.values():
            yield from _texts(value)
    elif isinstance(message, list):
        for value in message:
            yield from _texts(value)
