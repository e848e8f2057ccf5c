"""What an export writes for a value: a typed spreadsheet cell or a raw CSV value; and how its file is named.

A workbook gets values it computes with: numbers (money with its currency's
symbol and two decimals, percents as percents), dates and times, each with a
number format, so a sum in Excel or WPS works on an exported column. A CSV
gets the raw values the import (imports/convert.py) reads back: `38980000.00`,
`2026-12-07`, a time in the tenant's time zone as `2026-12-07 09:30:00`,
`true`/`false`; choices are written by their label in the reader's language,
which reads better than the stored value and which the import accepts in any
language. Which writer a value gets follows the type of the value the field
holds (`value_kind`: a formula's result, a rollup's number), found along the
type's class hierarchy, so an extension's subtype of a number is a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from babel.numbers import get_currency_symbol

from .. import formatting
from ..fields import kind_of, value_kind
from ..fields.base import FieldType
from ..fields.choices import ChoiceKind
from ..fields.numbers import DecimalField, IntegerField, MoneyField, PercentField
from ..fields.simple import BooleanField, DateField, DateTimeField, TimeField
from ..i18n import Label, current_locale
from ..meta.model import FieldDef

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
#: a rollup keeps two decimals (Numeric(18, 2)) whatever the field it sums
ROLLUP_DECIMALS = 2


@dataclass(frozen=True)
class Formatted:
    """A spreadsheet cell: its value and the number format it is shown with."""

    value: Any
    number_format: str


Writer = Callable[[FieldDef, Any, Any, bool], Any]
"""(field, value that is not None, record, spreadsheet?) -> the cell."""


def decimals(field: FieldDef, kind: FieldType) -> int:
    """The decimals the field's value is kept with: a decimal type's precision, none for a whole number."""
    if not isinstance(kind, DecimalField):
        return 0
    return ROLLUP_DECIMALS if kind_of(field).aggregates_records else kind.scale(field)


def number_format(places: int) -> str:
    """`#,##0.00`: grouped, with exactly `places` decimals."""
    return "#,##0." + "0" * places if places else "#,##0"


def raw_number(value: Any, places: int) -> str:
    """`38980000.00`: no grouping, a point, exactly `places` decimals (never `3.898E+7`)."""
    return f"{Decimal(value):.{places}f}"


def number(field: FieldDef, value: Any, _record: Any, spreadsheet: bool) -> Any:
    places = decimals(field, value_kind(field))
    return Formatted(value, number_format(places)) if spreadsheet else raw_number(value, places)


def money(field: FieldDef, value: Any, record: Any, spreadsheet: bool) -> Any:
    """An amount; in a workbook shown with its currency's symbol as the reader's language writes it (CN¥ / ¥)."""
    places = decimals(field, value_kind(field))
    if not spreadsheet:
        return raw_number(value, places)
    currency_field = field.options.get("currency_field")
    currency = (getattr(record, currency_field, None) if currency_field else None) or field.options.get("currency")
    symbol = get_currency_symbol(currency or formatting.tenant_currency(), locale=current_locale())
    return Formatted(value, '"' + symbol.replace('"', "") + '"' + number_format(places))


def percent(field: FieldDef, value: Any, _record: Any, spreadsheet: bool) -> Any:
    """Stored as 12.5 (meaning 12.5 %): a workbook holds 0.125 shown as `12.50%`; a CSV the stored 12.50."""
    places = decimals(field, value_kind(field))
    if not spreadsheet:
        return raw_number(value, places)
    return Formatted(Decimal(value) / 100, number_format(places) + "%")


def day(_field: FieldDef | None, value: date | datetime, _record: Any, spreadsheet: bool) -> Any:
    found = formatting.local_day(value)
    return Formatted(found, DATE_FORMAT) if spreadsheet else found.isoformat()


def local_moment(_field: FieldDef | None, value: datetime, _record: Any, spreadsheet: bool) -> Any:
    """A stored (UTC) time as the tenant's wall clock, as screens show it and the import reads it."""
    local = formatting.to_local(value).replace(tzinfo=None)
    return Formatted(local, DATETIME_FORMAT) if spreadsheet else local.isoformat(sep=" ", timespec="seconds")


def clock(_field: FieldDef, value: time, _record: Any, spreadsheet: bool) -> Any:
    return Formatted(value, TIME_FORMAT) if spreadsheet else value.isoformat(timespec="seconds")


def yes_no(_field: FieldDef, value: Any, _record: Any, spreadsheet: bool) -> Any:
    return bool(value) if spreadsheet else ("true" if value else "false")


def choice_labels(field: FieldDef, value: Any, _record: Any, _spreadsheet: bool) -> str:
    """The labels in the reader's language, a list joined by ", " (how the import splits it); a value no longer
    among the choices as it is stored."""
    labels = {c.value: c.label.localized() for c in field.choices}
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(v), str(v)) for v in values)


#: the writer for each type of value; a type not here (text, references) is exported as the screen shows it
WRITERS: dict[type[FieldType], Writer] = {
    MoneyField: money,
    PercentField: percent,
    DecimalField: number,
    IntegerField: number,
    DateTimeField: local_moment,
    DateField: day,
    TimeField: clock,
    BooleanField: yes_no,
    ChoiceKind: choice_labels,
}


def writer(kind: FieldType) -> Writer | None:
    """The writer of the nearest class of `kind` that has one (a rating is an integer, money a decimal)."""
    return next((WRITERS[cls] for cls in type(kind).__mro__ if cls in WRITERS), None)


UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def attachment(name: str, fallback: str) -> str:
    """A Content-Disposition naming the download `name` in any language (RFC 6266 / RFC 5987 `filename*`), with
    `fallback` in ASCII for clients that read only `filename`."""
    clean = UNSAFE_IN_NAMES.sub("", name).strip() or fallback
    ascii_name = "".join(ch for ch in UNSAFE_IN_NAMES.sub("", fallback) if ch.isascii()).strip() or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"


def named_download(title: Label, suffix: str, ending: str) -> str:
    """The Content-Disposition of `<title>-<suffix>.<ending>` (`客户-2026-12-07.xlsx` for a Chinese reader), falling
    back to the English title (`Accounts-2026-12-07.xlsx`)."""
    return attachment(f"{title.localized()}-{suffix}.{ending}", fallback=f"{title}-{suffix}.{ending}")
