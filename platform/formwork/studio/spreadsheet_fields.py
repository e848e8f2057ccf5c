"""The fields of a new entity guessed from a spreadsheet: one per column, named after its header, typed by its values.

A guess, shown to the admin for review before anything is drafted: the name is the header in lower_snake ASCII
(`column_<n>` for a header with no ASCII letter, such as a Chinese one), the label is the header itself (so the
entity's import maps the column back to the field by its label), and the type is the narrowest one every filled cell
of the column fits, as the importer reads cells (imports/convert.py): yes/no words, whole numbers, decimals, dates,
date-times, e-mail addresses, links, phone numbers, a few short values that repeat (a choice), long text, else a
string. Empty cells are ignored; a column without one is required. Nothing here needs Flask.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ..definitions.checks import EXPRESSION_WORDS
from ..fields import FIELD_TYPES
from ..fields.base import INTEGER_LIMIT
from ..fields.text import EMAIL_PATTERN, PHONE_PATTERN
from ..meta.model import STANDARD_COLUMNS
from ..tenancy.spreadsheets import blank, cell_text

#: the identifier limit of the definitions' JSON Schema (`$defs.identifier`), less room for a `_<n>` suffix
NAME_LENGTH = 44
#: a column is a choice when it has at most this many distinct values, each short, each used twice on average
MOST_CHOICES = 12
CHOICE_LENGTH = 40
#: the values kept of a column (its choices, should the admin make it a choice)
KEPT_VALUES = 100
#: a string field holds this many characters (StringField.default_max_length); a longer value makes a text field
STRING_LENGTH = 255
MAX_PRECISION = 10
YES_NO = {"true", "false", "yes", "no", "y", "n", "是", "否", "真", "假", "对", "错", "✓", "✗"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")
WHOLE = re.compile(r"[+-]?(0|[1-9][0-9]*)")
NUMBER = re.compile(r"[+-]?(0|[1-9][0-9]*)(?:\.[0-9]+)?")
#: what marks digits as a phone number rather than a number: a leading + or 0, separators, or a Chinese mobile's form
PHONE_MARK = re.compile(r"\+.*|0[0-9].*|.+[ ()/-].*|1[0-9]{10}")
URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
RESERVED = set(STANDARD_COLUMNS) | EXPRESSION_WORDS


@dataclass
class InferredField:
    """One column's field as guessed: `column` is its position in the file, `values` its distinct filled cells."""

    column: int
    header: str
    name: str
    label_en: str
    label_zh: str
    type: str
    required: bool
    values: list[str] = field(default_factory=list)
    precision: int | None = None


def infer_fields(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[InferredField]:
    """A field for every column with a header, in the file's order, with names unique and none reserved."""
    rows = list(rows)
    taken: set[str] = set(RESERVED)
    fields = []
    for column, header in enumerate(headers):
        if not header.strip():
            continue
        cells = [row[column] if column < len(row) else None for row in rows]
        filled = [cell for cell in cells if not blank(cell)]
        name = unique_name(field_name(header, column), taken)
        taken.add(name)
        type_name, precision = infer_type(filled)
        fields.append(
            InferredField(
                column=column,
                header=header.strip(),
                name=name,
                label_en=header.strip(),
                label_zh=header.strip() if CJK.search(header) else "",
                type=type_name,
                required=bool(rows) and len(filled) == len(cells),
                values=distinct_texts(filled)[:KEPT_VALUES],
                precision=precision,
            )
        )
    return fields


def field_name(header: str, column: int) -> str:
    """The header in lower_snake ASCII (accents dropped); `column_<n>` (n from 1) when no ASCII letter is left."""
    ascii_text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    snake = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not re.search(r"[a-z]", snake):
        return f"column_{column + 1}"
    if snake[0].isdigit():
        snake = f"column_{snake}"
    return snake[:NAME_LENGTH].rstrip("_")


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`… when it is taken or reserved (a standard column, a word of expressions)."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}_{number}"
    return candidate


def infer_type(values: Sequence[Any]) -> tuple[str, int | None]:
    """The type every value fits, and a decimal's precision (the most decimals a value has)."""
    if not values:
        return "string", None
    for type_name, fits in TESTS:
        if type_name in FIELD_TYPES and all(fits(value) for value in values):
            takes_precision = "precision" in FIELD_TYPES[type_name].accepted_properties()
            return type_name, _precision(values) if takes_precision else None
    texts = [cell_text(value) for value in values]
    if any(len(text) > STRING_LENGTH or "\n" in text for text in texts):
        return "text", None
    if _repeats_few(texts):
        return "choice", None
    return "string", None


def distinct_texts(values: Iterable[Any]) -> list[str]:
    """The values as text, each once (compared as the importer compares choices: case and spaces aside)."""
    seen: dict[str, str] = {}
    for value in values:
        text = cell_text(value)
        seen.setdefault(re.sub(r"\s+", "", text).casefold(), text)
    return list(seen.values())


def field_document(inferred: InferredField) -> dict[str, Any]:
    """The field as the Entity document declares it."""
    label = {"en": inferred.label_en or inferred.name}
    if inferred.label_zh:
        label["zh"] = inferred.label_zh
    document: dict[str, Any] = {"name": inferred.name, "type": inferred.type, "label": label}
    if inferred.required:
        document["required"] = True
    if FIELD_TYPES[inferred.type].has_choices:
        document["choices"] = [{"value": value} for value in inferred.values] or [{"value": "-"}]
    if inferred.precision is not None:
        document["precision"] = inferred.precision
    return document


def _is_boolean(cell: Any) -> bool:
    return isinstance(cell, bool) or (isinstance(cell, str) and cell.strip().casefold() in YES_NO)


def _is_integer(cell: Any) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int) or (isinstance(cell, float) and cell.is_integer()):
        return abs(cell) <= INTEGER_LIMIT
    text = cell_text(cell).replace(",", "")
    return WHOLE.fullmatch(text) is not None and abs(int(text)) <= INTEGER_LIMIT


def _is_decimal(cell: Any) -> bool:
    if isinstance(cell, bool):
        return False
    return isinstance(cell, (int, float, Decimal)) or NUMBER.fullmatch(cell_text(cell).replace(",", "")) is not None


def _precision(values: Sequence[Any]) -> int:
    places = 0
    for value in values:
        try:
            exponent = Decimal(cell_text(value).replace(",", "")).as_tuple().exponent
        except InvalidOperation:
            continue
        places = max(places, -exponent if isinstance(exponent, int) else 0)
    return min(max(places, 2), MAX_PRECISION)


def _parses(text: str, formats: Sequence[str]) -> bool:
    for pattern in formats:
        try:
            datetime.strptime(text, pattern)
        except ValueError:
            continue
        return True
    return False


def _is_date(cell: Any) -> bool:
    if isinstance(cell, datetime):
        return cell.time() == time()
    return isinstance(cell, date) or (isinstance(cell, str) and _parses(cell.strip(), DATE_FORMATS))


def _is_datetime(cell: Any) -> bool:
    return isinstance(cell, (datetime, date)) or (
        isinstance(cell, str) and _parses(cell.strip(), DATETIME_FORMATS + DATE_FORMATS)
    )


def _is_email(cell: Any) -> bool:
    return isinstance(cell, str) and re.fullmatch(EMAIL_PATTERN, cell.strip()) is not None


def _is_url(cell: Any) -> bool:
    return isinstance(cell, str) and URL.fullmatch(cell.strip()) is not None


def _is_phone(cell: Any) -> bool:
    """Seven digits or more written as a phone number is (PHONE_MARK), not as a number."""
    text = cell_text(cell)
    return (
        re.fullmatch(PHONE_PATTERN, text) is not None
        and PHONE_MARK.fullmatch(text) is not None
        and sum(c.isdigit() for c in text) >= 7
    )


def _repeats_few(texts: Sequence[str]) -> bool:
    distinct = distinct_texts(texts)
    short = all(len(text) <= CHOICE_LENGTH for text in distinct)
    return short and len(distinct) <= MOST_CHOICES and len(texts) >= 2 * len(distinct) and len(texts) >= 4


#: the types tried in order, narrowest first: the first every filled cell fits is the column's
TESTS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("boolean", _is_boolean),
    ("integer", _is_integer),
    ("date", _is_date),
    ("datetime", _is_datetime),
    ("phone", _is_phone),
    ("decimal", _is_decimal),
    ("email", _is_email),
    ("url", _is_url),
)
