"""The condition builder's CEL: rows of (field, operator, value) joined by all/any, written as the CEL a YAML author
writes (`level == 'vip' && employees > 100`), and read back into rows when the text is exactly what the builder
writes (anything else is edited as text).

Which operators a field offers, and how its value is written, follow the field's type inside CEL (the expression
package's own mapping of field types, `field_variable(...).static`), so the builder never compares field type names
and writes only what the static checker of `formwork validate` types the same way. The written text is still checked
by that checker wherever it is stored (a Studio page passes it through `checked_overlays`). The module is plain
Python, with no Flask, so that every Studio page with a condition (form fields, record rules, chain steps) shares it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from ..expr import field_variable
from ..i18n import CatalogText, Label
from ..meta.catalog import Catalog
from ..meta.model import EntityDef

#: operator key -> CEL operator; "empty" and "not_empty" compare with null
CEL_OPERATORS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "in": "in",
    "empty": "==",
    "not_empty": "!=",
}
OPERATOR_WORDS = {
    "eq": CatalogText("="),
    "ne": CatalogText("≠"),
    "lt": CatalogText("<"),
    "gt": CatalogText(">"),
    "le": CatalogText("≤"),
    "ge": CatalogText("≥"),
    "in": CatalogText("is one of"),
    "empty": CatalogText("is empty"),
    "not_empty": CatalogText("is not empty"),
}
NULL_OPERATORS = ("empty", "not_empty")
ORDERED = ("eq", "ne", "lt", "gt", "le", "ge", *NULL_OPERATORS)
#: CEL kind of a field (a choice is a string with choices) -> the operators the builder offers for it
OPERATORS_OF_KIND = {
    "choice": ("eq", "ne", "in", *NULL_OPERATORS),
    "string": ("eq", "ne", *NULL_OPERATORS),
    "int": ORDERED,
    "double": ORDERED,
    "date": ORDERED,
    "timestamp": ORDERED,
    "bool": ("eq", "ne"),
    "map": NULL_OPERATORS,  # a reference: set or not
}
JOINERS = {"all": "&&", "any": "||"}
VALUE_ERRORS = {
    "int": CatalogText("Enter a whole number."),
    "double": CatalogText("Enter a number."),
    "date": CatalogText("Enter a date (YYYY-MM-DD)."),
    "timestamp": CatalogText("Enter a date and time."),
    "bool": CatalogText("Choose yes or no."),
    "choice": CatalogText("Choose one of the field's values."),
    "string": CatalogText("Enter a value."),
}
UNKNOWN_FIELD = CatalogText("Choose a field.")
UNFIT_OPERATOR = CatalogText("This comparison does not fit the field.")


@dataclass(frozen=True)
class Subject:
    """A field a condition may test: its CEL kind ("choice" for a string with choices) and its choices."""

    name: str
    label: Label
    kind: str
    choices: tuple[tuple[str, Label], ...] = ()

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS_OF_KIND[self.kind]


@dataclass(frozen=True)
class Row:
    """One test: `value` as the builder's control holds it (text; a list for "is one of"; None for empty tests)."""

    field: str
    operator: str
    value: str | tuple[str, ...] | None = None


@dataclass(frozen=True)
class Condition:
    match: str  # "all" or "any"
    rows: tuple[Row, ...]


class RowInvalid(ValueError):
    """A row the builder cannot write: `index` is the row, the message says what to correct."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def subjects(entity: EntityDef, catalog: Catalog) -> dict[str, Subject]:
    """The entity's fields a builder row may test, by name (lists and untyped values are left to text mode)."""
    found = {}
    for field in entity.fields:
        static = field_variable(field, catalog).static
        kind = "choice" if static.choices else static.kind
        if kind in OPERATORS_OF_KIND:
            choices = tuple((choice.value, choice.label) for choice in field.choices) if static.choices else ()
            found[field.name] = Subject(field.name, field.label, kind, choices)
    return found


# -- writing ---------------------------------------------------------------------
def write_condition(condition: Condition, known: dict[str, Subject]) -> str:
    """The CEL of `condition` ("" when it has no rows); RowInvalid names the first row that cannot be written."""
    joiner = f" {JOINERS[condition.match]} "
    return joiner.join(_write_row(i, row, known) for i, row in enumerate(condition.rows))


def _write_row(index: int, row: Row, known: dict[str, Subject]) -> str:
    subject = known.get(row.field)
    if subject is None:
        raise RowInvalid(index, UNKNOWN_FIELD.localized())
    if row.operator not in subject.operators:
        raise RowInvalid(index, UNFIT_OPERATOR.localized())
    operator = CEL_OPERATORS[row.operator]
    if row.operator in NULL_OPERATORS:
        return f"{row.field} {operator} null"
    try:
        if row.operator == "in":
            values = row.value if isinstance(row.value, tuple) else ()
            if not values:
                raise ValueError("no values")
            return f"{row.field} in [{', '.join(_literal(subject, value) for value in values)}]"
        return f"{row.field} {operator} {_literal(subject, row.value if isinstance(row.value, str) else '')}"
    except (ValueError, InvalidOperation) as bad:
        raise RowInvalid(index, VALUE_ERRORS[subject.kind].localized()) from bad


def _literal(subject: Subject, value: str) -> str:
    """`value` (as typed or chosen) as a CEL literal of the subject's kind; ValueError when it is not one."""
    text = value.strip()
    if subject.kind == "choice":
        if text not in (choice for choice, _ in subject.choices):
            raise ValueError(text)
        return _quoted(text)
    if subject.kind == "string":
        return _quoted(value)
    if subject.kind == "int":
        number = _number(text)
        if number != number.to_integral_value():
            raise ValueError(text)
        return str(int(number))
    if subject.kind == "double":
        written = format(_number(text), "f")
        return written if "." in written else f"{written}.0"
    if subject.kind == "date":
        return f"date('{date.fromisoformat(text).isoformat()}')"
    if subject.kind == "timestamp":
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return f"timestamp('{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}')"
    if text not in ("true", "false"):  # bool
        raise ValueError(text)
    return text


def _number(text: str) -> Decimal:
    number = Decimal(text)
    if not number.is_finite():
        raise ValueError(text)
    return number


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# -- reading back ----------------------------------------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<symbol>==|!=|<=|>=|&&|\|\||[<>\[\](),]))"
)
_CALLS = ("date", "timestamp")
_SYMBOL_OPERATORS = {"==": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}


class _NotBuilt(ValueError):
    """The text is not one the builder writes."""


def read_condition(text: str, known: dict[str, Subject]) -> Condition | None:
    """The rows of a condition the builder wrote; None for any other text (it opens in text mode)."""
    if not text.strip():
        return Condition("all", ())
    try:
        condition = _Reader(_tokens(text)).condition()
        rewritten = write_condition(condition, known)
    except (_NotBuilt, RowInvalid):
        return None
    return condition if rewritten == text.strip() else None


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, at, end = [], 0, len(text.rstrip())
    while at < end:
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise _NotBuilt(text)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


class _Reader:
    """Rows joined by one joiner: `name op literal`, `name == null`, `name in [literal, …]`."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def _next(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise _NotBuilt("ends early")
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _expect(self, text: str) -> None:
        if self._next()[1] != text:
            raise _NotBuilt(text)

    def condition(self) -> Condition:
        rows, joiners = [self._row()], set()
        while self.at < len(self.tokens):
            joiners.add(self._next()[1])
            rows.append(self._row())
        if len(joiners) > 1 or not joiners <= set(JOINERS.values()):
            raise _NotBuilt("mixed joiners")
        match = "any" if joiners == {"||"} else "all"
        return Condition(match, tuple(rows))

    def _row(self) -> Row:
        kind, field = self._next()
        if kind != "name":
            raise _NotBuilt(field)
        symbol = self._next()[1]
        if symbol == "in":
            self._expect("[")
            values = [self._literal()]
            while self._next()[1] == ",":
                values.append(self._literal())
            self.at -= 1
            self._expect("]")
            return Row(field, "in", tuple(values))
        if symbol not in _SYMBOL_OPERATORS:
            raise _NotBuilt(symbol)
        if self.at < len(self.tokens) and self.tokens[self.at] == ("name", "null") and symbol in ("==", "!="):
            self.at += 1
            return Row(field, "empty" if symbol == "==" else "not_empty")
        return Row(field, _SYMBOL_OPERATORS[symbol], self._literal())

    def _literal(self) -> str:
        kind, text = self._next()
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "number" or (kind == "name" and text in ("true", "false")):
            return text
        if kind == "name" and text in _CALLS:
            self._expect("(")
            kind, inner = self._next()
            self._expect(")")
            if kind != "string":
                raise _NotBuilt(inner)
            return inner[1:-1]
        raise _NotBuilt(text)
