"""Importing a sheet into an entity: every row checked like an API write, then all rows saved or none.

Each row's cells are converted (convert.py), loaded with the entity's
marshmallow input schema, checked with the write rules (read-only fields,
references, uniques, the approval lock) and the entity logic (defaults,
formulas, conditions, rules), then flushed in the one transaction of the
import, so auto numbers, formulas and rollups are computed as on any save and
later rows see earlier ones (a unique value given twice in the file, a
manager added a few rows above). A dry run, or any error, rolls everything
back; otherwise it commits once. With `match_on` (a unique field, or `id`)
a row whose value finds a record the user may see updates that record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from marshmallow import Schema, ValidationError

from ..actor import Actor
from ..compile.lifecycle import RecordConflict, RecordRejected, save_record
from ..compile.logic import RECORD_ERRORS
from ..fields import kind_of
from ..fields.base import INTEGER_LIMIT
from ..i18n import CatalogText
from ..meta.model import EntityDef
from ..rights import visible_condition
from ..tenancy.spreadsheets import blank, cell_text
from .convert import CellError, RecordFinder, convert
from .mapping import ID_COLUMN, ColumnMap
from .reading import Sheet, cell_at

if TYPE_CHECKING:
    from ..tenancy.runtime import TenantRuntime

Progress = Callable[[int, int], None]
FieldErrors = dict[str, list[str]]

MISSING_COLUMN = CatalogText("This required column is missing from the file.")
NO_CREATE = CatalogText("You may not create {entity} records.")
NO_UPDATE = CatalogText("You may not change {entity} records.")
BAD_MATCH = CatalogText("Match on 'id' or on a unique field ({fields}) that is a column of the file.")
NOT_AN_ID = CatalogText("Not an id: '{value}'.")
NO_RECORD = CatalogText("No record with id {value}.")
STOPPED = CatalogText("The database refused this row ({reason}); the import stopped here.")
CONFLICT = CatalogText(
    "it conflicts with stored records: a repeated unique value, a missing reference, or a record changed meanwhile"
)


class ImportRefused(ValueError):
    """The import as asked cannot run (a match field that is not unique): nothing was read or written."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it in the file: the header is row 1
    column: str  # the header of the column, or the field's label when the file has no such column
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (header, why the column is ignored)
    applied: bool = False


@dataclass
class Importer:
    """What one import needs: the tenant runtime (catalog, compiled, session), the entity, the importing actor and
    its rights to create and update (its record rules and field rights come with the actor)."""

    runtime: TenantRuntime
    entity: EntityDef
    schema: type[Schema]
    actor: Actor
    may_create: bool
    may_update: bool

    @cached_property
    def _schema(self) -> Schema:
        """One instance for every row: marshmallow builds a schema's fields on each instantiation."""
        return self.schema()

    @property
    def model(self) -> type:
        return self.runtime.compiled.model(self.entity.qualified)

    def check_match(self, match_on: str | None, columns: ColumnMap) -> None:
        if not match_on:
            return
        unique = [
            f.name
            for f in self.entity.fields
            if f.unique and not (kind_of(f).refers_to_record or kind_of(f).refers_to_many)
        ]
        if match_on not in (ID_COLUMN, *unique) or match_on not in columns.fields:
            raise ImportRefused("match_on", BAD_MATCH.localized().format(fields=", ".join(unique) or "—"))

    def run(
        self, sheet: Sheet, columns: ColumnMap, match_on: str | None, apply: bool, progress: Progress | None = None
    ) -> Outcome:
        """Check (and with `apply`, save) every row; all are saved only when no row has an error."""
        outcome = Outcome(notes=list(columns.notes))
        for done in self.steps(sheet, columns, match_on, apply, outcome):
            if progress is not None:
                progress(done, len(sheet.rows))
        return outcome

    def steps(
        self, sheet: Sheet, columns: ColumnMap, match_on: str | None, apply: bool, outcome: Outcome
    ) -> Iterator[int]:
        """`run` one row at a time, yielding the rows done (the screens stream progress from it); fills `outcome`.

        Closing the generator early rolls back: nothing is saved unless it runs to the end without errors."""
        self.check_match(match_on, columns)
        missing = self._missing_columns(columns, match_on)
        outcome.errors += [
            RowError(1, str(self.entity.field(n).label.localized()), MISSING_COLUMN.localized()) for n in missing
        ]
        session = self.runtime.session()
        finder = RecordFinder(session, self.runtime.compiled, self._visible)
        try:
            for done, (number, cells) in enumerate(sheet.rows, start=1):
                if not self._row(session, finder, number, cells, sheet.headers, columns, match_on, missing, outcome):
                    break
                yield done
            if apply and not outcome.errors:
                session.commit()
                outcome.applied = True
        finally:
            if not outcome.applied:
                session.rollback()

    def _missing_columns(self, columns: ColumnMap, match_on: str | None) -> list[str]:
        """Required fields no column fills: said once for the file (with match_on, only rows that create say it)."""
        if match_on:
            return []
        return [
            name
            for name, f in self._schema.fields.items()
            if f.required and name not in columns.fields and self.entity.field(name) is not None
        ]

    def _row(
        self,
        session: Any,
        finder: RecordFinder,
        number: int,
        cells: list[Any],
        headers: list[str],
        columns: ColumnMap,
        match_on: str | None,
        missing: list[str],
        outcome: Outcome,
    ) -> bool:
        """Check one row and flush it when it is fine; False when the database refused it (the import stops)."""
        values, errors = self._values(finder, cells, columns)
        existing = self._existing(session, cells, columns, values, match_on, errors)
        allowed = self.may_update if existing is not None else self.may_create
        if not allowed:
            errors.setdefault(RECORD_ERRORS, []).append(
                (NO_UPDATE if existing is not None else NO_CREATE)
                .localized()
                .format(entity=self.entity.plural.localized())
            )
        data = self._loaded(values, existing, errors, missing)
        if missing and not errors:
            return True  # checked as far as it can be: it cannot be saved without the missing columns
        if not errors:
            try:
                save_record(self.runtime, self.actor, self.entity, existing, data, session=session)
            except RecordRejected as rejected:
                if not rejected.on_flush:
                    errors = rejected.errors
                else:  # a value filled on flush (a default, a formula) took a unique value: the session is spent
                    outcome.errors.append(
                        RowError(number, "", STOPPED.localized().format(reason=failed_reason(rejected)))
                    )
                    return False
            except RecordConflict as refused:
                outcome.errors.append(RowError(number, "", STOPPED.localized().format(reason=failed_reason(refused))))
                return False
        if errors:
            self._report(outcome, number, errors, headers, columns)
            return True
        if existing is None:
            outcome.created += 1
        else:
            outcome.updated += 1
        return True

    def _values(self, finder: RecordFinder, cells: list[Any], columns: ColumnMap) -> tuple[dict[str, Any], FieldErrors]:
        """The row as an API request body (blank cells are left out), and the cells that mean nothing."""
        values: dict[str, Any] = {}
        errors: FieldErrors = {}
        for position, name in columns.columns.items():
            cell = cell_at(cells, position)
            if name == ID_COLUMN or blank(cell):
                continue
            try:
                values[name] = convert(self.entity.field(name), cell, finder)
            except CellError as wrong:
                errors[name] = [str(wrong)]
        return values, errors

    def _existing(
        self,
        session: Any,
        cells: list[Any],
        columns: ColumnMap,
        values: dict[str, Any],
        match_on: str | None,
        errors: FieldErrors,
    ) -> Any:
        """The visible record the row's match value finds; None when the row creates one."""
        if not match_on:
            return None
        model = self.model
        if match_on == ID_COLUMN:
            position = next(i for i, n in columns.columns.items() if n == ID_COLUMN)
            cell = cell_at(cells, position)
            text = cell_text(cell) if not blank(cell) else ""
            if not text:
                return None
            if not (text.isascii() and text.isdigit()):
                errors[ID_COLUMN] = [NOT_AN_ID.localized().format(value=text)]
                return None
            if int(text) > INTEGER_LIMIT:  # no record can have it, and the database would refuse the number
                errors[ID_COLUMN] = [NO_RECORD.localized().format(value=text)]
                return None
            wanted = model.id == int(text)
        else:
            if values.get(match_on) is None:
                return None
            wanted = getattr(model, match_on) == values[match_on]
        query = sa.select(model).where(wanted)
        rule = self._visible(model)
        if rule is not None:
            query = query.where(rule)
        found = session.scalars(query.limit(1)).first()
        if found is None and match_on == ID_COLUMN:
            errors[ID_COLUMN] = [NO_RECORD.localized().format(value=text)]
        return found

    def _loaded(self, values: dict[str, Any], existing: Any, errors: FieldErrors, missing: list[str]) -> dict[str, Any]:
        """The row loaded by the API's input schema; its messages join `errors` (a cell that could not be read, or a
        column reported missing for the whole file, is not reported again)."""
        try:
            return self._schema.load(values, partial=existing is not None)
        except ValidationError as invalid:
            for name, messages in _flat_messages(invalid.messages).items():
                if name not in errors and name not in missing:
                    errors[name] = messages
            return {}

    def _visible(self, model: type) -> Any:
        """The record-rule condition of `model` for the importing actor, or None."""
        return visible_condition(model, self.actor)

    def _report(
        self, outcome: Outcome, number: int, errors: FieldErrors, headers: list[str], columns: ColumnMap
    ) -> None:
        for name, messages in errors.items():
            column = "" if name == RECORD_ERRORS else (columns.header_of(name, headers) or self._label(name))
            outcome.errors += [RowError(number, column, str(message)) for message in messages]

    def _label(self, name: str) -> str:
        found = self.entity.field(name)
        return found.label.localized() if found is not None else name


def _flat_messages(messages: Any) -> FieldErrors:
    """marshmallow's messages as {field: [text]} (nested lists of a list field joined)."""
    if not isinstance(messages, dict):
        return {RECORD_ERRORS: [str(messages)]}
    flat: FieldErrors = {}
    for name, found in messages.items():
        if isinstance(found, dict):
            flat[name] = [str(m) for value in found.values() for m in (value if isinstance(value, list) else [value])]
        else:
            flat[name] = [str(m) for m in (found if isinstance(found, list) else [found])]
    return flat


def failed_reason(refused: Exception) -> str:
    """Why a row failed on flush, in words: the database's own text (constraint and table names) is not shown."""
    if isinstance(refused, RecordRejected):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in refused.errors.items())
    return CONFLICT.localized()
