"""A cell of a file -> the value the REST API would be sent for that field.

Spreadsheets hold numbers as floats, dates as datetimes or day counts, and
people type yes/是, choice labels and the names of referenced records. Each
is turned into what the entity's marshmallow input schema loads, so the
schema, the write rules and the entity logic then decide exactly as for an
API call. A cell that cannot be understood raises `CellError` with a message
for the user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from ..fields import kind_of
from ..fields.base import INTEGER_LIMIT
from ..formatting import to_utc
from ..i18n import CatalogText
from ..meta.model import FieldDef
from ..tenancy.spreadsheets import cell_text
from .mapping import normalized

TRUE = {"true", "yes", "y", "1", "是", "真", "对", "✓", "x"}
FALSE = {"false", "no", "n", "0", "否", "假", "错", "✗"}
LIST_SEPARATORS = re.compile(r"\s*[,;，；、]\s*")
EXCEL_EPOCH = datetime(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")

MESSAGES = {
    "integer": CatalogText("Not a whole number: '{value}'."),
    "number": CatalogText("Not a number: '{value}'."),
    "boolean": CatalogText("Not yes or no: '{value}'."),
    "date": CatalogText("Not a date (write 2024-03-31): '{value}'."),
    "datetime": CatalogText("Not a date and time (write 2024-03-31 14:30): '{value}'."),
    "time": CatalogText("Not a time (write 14:30): '{value}'."),
    "choice": CatalogText("'{value}' is not one of: {choices}."),
    "json": CatalogText("Not valid JSON: '{value}'."),
    "not_found": CatalogText("No {target} is '{value}'."),
    "ambiguous": CatalogText("Several {target} are '{value}'; give its code or id instead."),
    "no_user": CatalogText("No user is called '{value}'."),
}


class CellError(ValueError):
    """A cell whose content means nothing for its field."""


def fail(kind: str, **values: Any) -> CellError:
    return CellError(MESSAGES[kind].localized().format(**values))


def is_id(text: str) -> bool:
    """Whether `text` can be a record's id: ASCII digits ("²" passes isdigit but not int) within the integer range."""
    return text.isascii() and text.isdigit() and int(text) <= INTEGER_LIMIT


def as_integer(field: FieldDef, cell: Any, _find: Any) -> int:
    if isinstance(cell, bool):
        raise fail("integer", value=cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    text = cell_text(cell).replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise fail("integer", value=cell_text(cell))


def as_decimal(field: FieldDef, cell: Any, _find: Any) -> str:
    if isinstance(cell, bool):
        raise fail("number", value=cell)
    text = cell_text(cell) if not isinstance(cell, float) else repr(cell)
    text = re.sub(r"^[^\d+\-.]+", "", text.replace(",", "")).rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise fail("number", value=cell_text(cell)) from None
    if not number.is_finite():
        raise fail("number", value=cell_text(cell))
    return str(number)


def as_boolean(field: FieldDef, cell: Any, _find: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    text = cell_text(cell).casefold()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise fail("boolean", value=cell_text(cell))


def as_date(field: FieldDef, cell: Any, _find: Any) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 1 <= cell < 2958466:
        return (EXCEL_EPOCH + timedelta(days=int(cell))).date().isoformat()  # an Excel day number
    return _parsed(cell_text(cell), DATE_FORMATS, "date").date().isoformat()


def as_datetime(field: FieldDef, cell: Any, _find: Any) -> str:
    """A time as the file says it, in the tenant's time zone (as screens show it and XLSX exports write it),
    stored as UTC: an export imported again keeps its times."""
    return to_utc(_wall_clock(cell)).isoformat()


def _wall_clock(cell: Any) -> datetime:
    if isinstance(cell, datetime):
        return cell
    if isinstance(cell, date):
        return datetime.combine(cell, time())
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 1 <= cell < 2958466:
        return (EXCEL_EPOCH + timedelta(days=float(cell))).replace(microsecond=0)
    return _parsed(cell_text(cell), DATETIME_FORMATS + DATE_FORMATS, "datetime")


def as_time(field: FieldDef, cell: Any, _find: Any) -> str:
    if isinstance(cell, time):
        return cell.isoformat()
    if isinstance(cell, datetime):
        return cell.time().isoformat()
    if isinstance(cell, float) and 0 <= cell < 1:  # a fraction of a day
        return (EXCEL_EPOCH + timedelta(days=cell)).time().replace(microsecond=0).isoformat()
    return _parsed(cell_text(cell), ("%H:%M:%S", "%H:%M"), "time").time().isoformat()


def _parsed(text: str, patterns: tuple[str, ...], kind: str) -> datetime:
    """The text read with the first of `patterns` that fits; a cell error naming the expected `kind` otherwise."""
    for pattern in patterns:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise fail(kind, value=text)


def as_choice(field: FieldDef, cell: Any, _find: Any) -> str:
    """A choice by its value or its label in any language; a retired one too, which a record may keep (the write
    rules refuse it as a new value), though the message lists only the choices on offer."""
    wanted = normalized(cell_text(cell))
    for choice in field.choices:
        if wanted == normalized(choice.value) or any(
            wanted == normalized(t) for t in choice.label.translations.values()
        ):
            return choice.value
    shown = ", ".join(
        f"{c.value} ({c.label.localized()})" if c.label.localized() != c.value else c.value
        for c in field.offered_choices
    )
    raise fail("choice", value=cell_text(cell), choices=shown)


def as_choices(field: FieldDef, cell: Any, find: Any) -> list[str]:
    return [as_choice(field, part, find) for part in LIST_SEPARATORS.split(cell_text(cell)) if part]


def as_reference(field: FieldDef, cell: Any, find: Callable[[FieldDef, str], int]) -> int:
    return find(field, cell_text(cell))


def as_references(field: FieldDef, cell: Any, find: Callable[[FieldDef, str], int]) -> list[int]:
    return [find(field, part) for part in LIST_SEPARATORS.split(cell_text(cell)) if part]


def as_json(field: FieldDef, cell: Any, _find: Any) -> Any:
    try:
        return json.loads(cell_text(cell))
    except ValueError:
        raise fail("json", value=cell_text(cell)) from None


def as_text(field: FieldDef, cell: Any, _find: Any) -> str:
    return cell_text(cell)


CONVERTERS: dict[str, Callable[[FieldDef, Any, Any], Any]] = {
    "integer": as_integer,
    "rating": as_integer,
    "decimal": as_decimal,
    "money": as_decimal,
    "percent": as_decimal,
    "boolean": as_boolean,
    "date": as_date,
    "datetime": as_datetime,
    "time": as_time,
    "choice": as_choice,
    "multi_choice": as_choices,
    "reference": as_reference,
    "user": as_reference,
    "many_to_many": as_references,
    "json": as_json,
}


def convert(field: FieldDef, cell: Any, find: Callable[[FieldDef, str], int]) -> Any:
    """The API value of a non-blank cell for `field`."""
    return CONVERTERS.get(field.type, as_text)(field, cell, find)


class RecordFinder:
    """Finds the record a cell names (title, a unique field, or id) or the user (user name), once per distinct text.

    `visible(model)` gives the condition of records the user may see (record rules), or None.
    """

    def __init__(self, session: Any, models: Any, visible: Callable[[type], Any]) -> None:
        self.session, self.models, self.visible = session, models, visible
        self.found: dict[tuple[str, str], int] = {}

    def __call__(self, field: FieldDef, text: str) -> int:
        key = (field.type, field.target or "", text)
        if key not in self.found:
            self.found[key] = self._user(text) if kind_of(field).refers_to_user else self._record(field, text)
        return self.found[key]

    def _user(self, text: str) -> int:
        from flask_appbuilder.security.sqla.models import User

        found = self.session.scalar(sa.select(User.id).where(User.username == text))
        if found is None and is_id(text):
            found = self.session.scalar(sa.select(User.id).where(User.id == int(text)))
        if found is None:
            raise fail("no_user", value=text)
        return int(found)

    def _record(self, field: FieldDef, text: str) -> int:
        model = self.models.model(field.target)
        entity = model.__entity__
        names = [entity.title_field] if entity.title_field else []
        names += [f.name for f in entity.fields if f.unique and kind_of(f).names_records and f.name not in names]
        rule = self.visible(model)
        for name in names:
            query = sa.select(model.id).where(getattr(model, name) == text)
            if rule is not None:
                query = query.where(rule)
            ids = list(self.session.scalars(query.limit(2)))
            if len(ids) > 1:
                raise fail("ambiguous", target=entity.label.localized(), value=text)
            if ids:
                return int(ids[0])
        if is_id(text):
            query = sa.select(model.id).where(model.id == int(text))
            if rule is not None:
                query = query.where(rule)
            if self.session.scalar(query) is not None:
                return int(text)
        raise fail("not_found", target=entity.label.localized(), value=text)
