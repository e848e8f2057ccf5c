"""One condition builder as a page shows and posts it: rows (field, operator, value) joined by all/any, or the CEL
as text, under a prefix of its own (`cond.level.required_when`), so that any Studio page can hold several.

A builder posts `<prefix>.mode` (rows or text), `<prefix>.match` (all or any), `<prefix>.text`, and its rows:
`<prefix>.row` lists the row keys in order, `<prefix>.<row>.field`, `.op` and `.value` (several values for "is one
of"). A row without a field is the empty row a page offers for adding one without JavaScript. The CEL is written
and read here, by studio/conditions.py, never in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from ..i18n import localized
from .conditions import JOINERS, Condition, Row, RowInvalid, Subject, read_condition, write_condition


@dataclass(frozen=True)
class Builder:
    """What one builder shows: its CEL, its rows (None when the text is not one the builder writes, or the admin
    chose text mode), and an error at a row (`error_row`) or at the condition (`error_row` None)."""

    prefix: str
    text: str
    condition: Condition | None
    error: str = ""
    error_row: int | None = None

    @property
    def mode(self) -> str:
        return "rows" if self.condition is not None else "text"

    @property
    def rows(self) -> tuple[Row, ...]:
        return self.condition.rows if self.condition is not None else ()

    @property
    def match(self) -> str:
        return self.condition.match if self.condition is not None else "all"

    def failed(self, messages: list[str]) -> Builder:
        """This builder with an error at its condition: the checks' messages about its CEL, in the admin's
        language."""
        return Builder(self.prefix, self.text, self.condition, " ".join(localized(m) for m in messages))


def stored_builder(prefix: str, text: str, known: dict[str, Subject]) -> Builder:
    """A builder opened on a stored condition: as rows when the builder wrote it, as text otherwise."""
    return Builder(prefix, text, read_condition(text, known))


def posted_builder(form: MultiDict[str, str], prefix: str, known: dict[str, Subject]) -> Builder:
    """The builder a page posted, its rows written as CEL (or the text as typed, in text mode)."""
    if form.get(f"{prefix}.mode") == "text":
        return Builder(prefix, form.get(f"{prefix}.text", "").strip(), None)
    match = form.get(f"{prefix}.match", "all")
    condition = Condition(match if match in JOINERS else "all", posted_rows(form, prefix))
    try:
        return Builder(prefix, write_condition(condition, known), condition)
    except RowInvalid as bad:
        return Builder(prefix, "", condition, bad.message, bad.index)


def posted_rows(form: MultiDict[str, str], prefix: str) -> tuple[Row, ...]:
    rows = []
    for key in form.getlist(f"{prefix}.row"):
        field, operator = form.get(f"{prefix}.{key}.field", ""), form.get(f"{prefix}.{key}.op", "")
        if not field:
            continue
        values = tuple(v for v in form.getlist(f"{prefix}.{key}.value") if v != "")
        value: str | tuple[str, ...] | None = values if operator == "in" else form.get(f"{prefix}.{key}.value", "")
        rows.append(Row(field, operator, value))
    return tuple(rows)
