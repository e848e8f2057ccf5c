"""A filter as rows of field, operator and value joined by all or any: how the Studio's editors (a dashboard card's
filter, a view's records shown) let a business admin write a filter without YAML or JSON.

The rows are posted under a prefix (`card.filter`, `p.filter`): `<prefix>.match` (all or any) and
`<prefix>.<i>.field`, `.op`, `.value` (a row without a field is a blank one, left out). They make the same
structured filter one would write (docs/filters.md): a plain list for all, `{any: [...]}` for any, each value read
by the operator's shape (none, one, a comma-separated list, a count of days) and the field's kind of value (a
number for a number field, true/false for a yes/no field). A filter is shown as rows only when the rows make it
again exactly; any other (one that nests, a value the rows cannot type) is left to the expert's JSON, posted under
the prefix itself with `<prefix>.mode` = text (the rows post `<prefix>.mode` = rows). The checks of `formwork
validate` judge what the rows make; `row_control` says which row an error belongs at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from ..fields import value_kind
from ..filters.operators import COUNT, LIST, NO_VALUE, PAIR, SHAPES
from ..filters.words import OPERATORS, PERIODS
from ..meta.model import EntityDef
from .filter_row_labels import MATCHES, OFFERED_OPERATORS

#: blank rows offered below a filter's rows
BLANK_ROWS = 3
ROW_PARTS = ("field", "op", "value")
#: a check's error inside a filter: `[1].value`, `.any[0].op`, `.all[2].value[1]`
INSIDE = re.compile(r"^(?:\.(?:all|any))?\[(\d+)\]\.?(field|op|value)?")


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FilterRow:
    field: str = ""
    op: str = ""
    value: str = ""


@dataclass(frozen=True)
class FilterRows:
    """A filter as rows: how they are joined and the rows (blank ones left out); `fits` is False for a filter the
    rows cannot show (it is then written as JSON)."""

    match: str = "all"
    rows: tuple[FilterRow, ...] = ()
    fits: bool = True

    @property
    def offered(self) -> list[FilterRow]:
        """The rows as a form shows them: the filter's, then blank ones to add conditions in."""
        return [*self.rows, *(FilterRow() for _ in range(BLANK_ROWS))]


def rows_of(data: Any, entity: EntityDef) -> FilterRows:
    """Filter `data` on `entity` as rows, or (`fits` False) a filter the rows cannot show."""
    if data in (None, [], {}):
        return FilterRows()
    flat = _flat(data)
    if flat is None:
        return FilterRows(fits=False)
    match, conditions = flat
    rows = tuple(FilterRow(str(c["field"]), str(c["op"]), _value_text(c.get("value"))) for c in conditions)
    if [condition_of(row, entity) for row in rows] != conditions:
        return FilterRows(fits=False)
    return FilterRows(match, rows)


def _flat(data: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """(all/any, conditions) for conditions joined one way; None for a filter that nests or is malformed."""
    if isinstance(data, dict) and "field" in data:
        return ("all", [data]) if _is_condition(data) else None
    if isinstance(data, list):
        match, items = "all", data
    elif isinstance(data, dict) and len(data) == 1:
        match, items = next(iter(data.items()))
    else:
        return None
    if match in MATCHES and isinstance(items, list) and all(_is_condition(item) for item in items):
        return match, items
    return None


def _is_condition(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("field"), str) and isinstance(item.get("op"), str)


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_atom_text(v) for v in value)
    return "" if value is None else _atom_text(value)


def _atom_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def filter_of(rows: FilterRows, entity: EntityDef | None) -> Any:
    """The filter the rows make: a list of conditions (all), `{any: [...]}`; None without rows. Without `entity`
    (a new reference whose target is not chosen yet) the values are kept as typed."""
    conditions = [condition_of(row, entity) for row in rows.rows if row.field]
    if not conditions:
        return None
    return {"any": conditions} if rows.match == "any" else conditions


def condition_of(row: FilterRow, entity: EntityDef | None) -> dict[str, Any]:
    """A row as a filter condition, its value read by the operator's shape and the field's kind of value."""
    found: dict[str, Any] = {"field": row.field, "op": row.op}
    shape = SHAPES.get(row.op)
    if shape == NO_VALUE:
        return found
    if shape == COUNT:
        text = row.value.strip()
        found["value"] = int(text) if text.isdigit() else text
    elif shape in (LIST, PAIR):
        found["value"] = [_atom(part.strip(), row.field, entity) for part in row.value.split(",") if part.strip()]
    else:
        found["value"] = _atom(row.value.strip(), row.field, entity)
    return found


def _atom(text: str, name: str, entity: EntityDef | None) -> Any:
    """A typed value as the filter compares it: a number for a number field, true/false for a yes/no field."""
    target = entity.field(name) if entity is not None else None
    kind = value_kind(target) if target is not None else None
    if kind is not None and kind.holds_yes_no and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind is not None and kind.holds_number:
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
    return text


def posted_rows(form: MultiDict[str, str], prefix: str) -> FilterRows:
    """The rows posted under `prefix`, blank ones left out (so a refused post shows them again, numbered as the
    filter they make is)."""
    pattern = re.compile(rf"{re.escape(prefix)}\.(\d+)\.field")
    indexes = sorted({int(found.group(1)) for key in form if (found := pattern.fullmatch(key))})
    rows = [FilterRow(*(form.get(f"{prefix}.{i}.{part}", "") for part in ROW_PARTS)) for i in indexes]
    match = form.get(f"{prefix}.match", "all")
    return FilterRows(match if match in MATCHES else "all", tuple(row for row in rows if row.field))


def posted_as_rows(form: MultiDict[str, str], prefix: str) -> bool:
    """Whether the filter under `prefix` was posted as rows, not as the expert's text (ticked over the rows, or the
    only control of a filter the rows cannot show)."""
    modes = form.getlist(f"{prefix}.mode")
    return "rows" in modes and "text" not in modes


def filter_text(data: Any) -> str:
    """A filter as the expert's text shows it: JSON ("" for none)."""
    return json.dumps(data, ensure_ascii=False, indent=1) if data else ""


def shown_again(form: MultiDict[str, str], prefix: str, entity: EntityDef | None) -> tuple[FilterRows, str]:
    """A posted filter as a refused post shows it again: its rows and the JSON they make, or (posted as text) the
    text as typed, without rows unless none was typed."""
    if posted_as_rows(form, prefix):
        rows = posted_rows(form, prefix)
        return rows, filter_text(filter_of(rows, entity))
    text = form.get(prefix, "")
    return FilterRows(fits=not text.strip()), text


def row_control(inside: str, prefix: str) -> str:
    """The control a check's error at `inside` (the path within the filter: `[1].value`, `.any[0].op`) belongs at:
    that row's part (`p.filter.1.value`), else the rows as a whole (`p.filter`)."""
    found = INSIDE.match(inside)
    if found is None:
        return prefix
    return f"{prefix}.{found.group(1)}.{found.group(2) or 'field'}"


def field_options(entity: EntityDef | None, rows: FilterRows | None = None) -> list[Option]:
    """The fields a row may name (those a filter compares; not a table's rows), and any other the rows name (a
    path through a reference, an unknown field: shown, so the admin sees and changes it); without `entity` (none
    chosen yet) only those."""
    fields = entity.fields if entity is not None else []
    known = [Option(f.name, f"{f.label.localized()} ({f.name})") for f in fields if not value_kind(f).holds_rows]
    named = {o.value for o in known}
    return known + [Option(r.field, r.field) for r in (rows or FilterRows()).rows if r.field not in named]


def operator_options(rows: FilterRows | None = None) -> list[Option]:
    """The operators offered, in words ("… is at least …"), and any other the rows use."""
    blanks = {"field": "…", "value": "…", "days": "N", "low": "…", "high": "…"}
    words = {**OPERATORS, **PERIODS}
    used = [r.op for r in (rows or FilterRows()).rows if r.op not in OFFERED_OPERATORS]
    return [
        Option(op, words[op].localized().format(**blanks) if op in words else op)
        for op in dict.fromkeys((*OFFERED_OPERATORS, *used))
    ]
