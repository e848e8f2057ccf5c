"""Values between a scenario file and the REST API: what a step sends (`$name` as the record's id, YAML's dates as
ISO text), and whether what the API answers is what a check expects, the way a reader of the record would judge
it (a reference by its id or its title, an exact decimal by its number, a date by its day)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .names import RECORD_VALUE


def sent(value: Any, ids: Mapping[str, int]) -> Any:
    """`value` as JSON the API takes: `$name` the id of that record (names.py checked that it was named)."""
    if isinstance(value, str) and (found := RECORD_VALUE.match(value)):
        return ids[found.group(1)]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, dict):
        return {key: sent(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [sent(item, ids) for item in value]
    return value


def matches(expected: Any, got: Any, ids: Mapping[str, int]) -> bool:
    """Whether the API's `got` is what the scenario expects."""
    if isinstance(expected, str) and RECORD_VALUE.match(expected):
        return _id_of(got) == sent(expected, ids)
    if isinstance(got, dict) and "id" in got and not isinstance(expected, dict):
        return expected == got["id"] or any(expected == value for key, value in got.items() if key != "id")
    if isinstance(expected, bool) or expected is None:
        return got is expected
    if isinstance(expected, int | float | Decimal):
        return _number(got) == _number(expected)
    if isinstance(expected, datetime):
        return isinstance(got, str) and _moment(got) == _moment(expected.isoformat())
    if isinstance(expected, date):
        return got == expected.isoformat()
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(any(matches(item, other, ids) for other in got) for item in expected)
        )
    return bool(expected == got)


def shown(value: Any) -> str:
    """A value as a diff shows it: as the scenario would write it."""
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _moment(text: str) -> datetime | None:
    """An ISO time; one without a zone is UTC, as the API stores it."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
