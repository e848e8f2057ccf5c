"""Which column of the file goes into which field: a header names a field by its name or its label in any language.

Matching ignores case, spaces, underscores and the `*` the template puts on
required columns, so `Hire date`, `hire_date` and `入职日期` all find the same
field. An explicit mapping (header -> field name, or "" to skip the column)
overrides the guess. Fields the platform computes and files cannot be imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..fields import is_fixed, kind_of
from ..i18n import CatalogText, Label
from ..meta.model import EntityDef, FieldDef

ID_COLUMN = "id"

UNKNOWN_COLUMN = CatalogText("No field is called '{header}'; the column is ignored.")
FIXED_COLUMN = CatalogText("'{header}' cannot be imported (it is computed or read-only); the column is ignored.")
TWICE = CatalogText("'{header}' is the second column for {field}; the column is ignored.")


def normalized(text: str) -> str:
    return re.sub(r"[\s_*]+", "", str(text)).casefold()


def importable(entity: EntityDef) -> list[FieldDef]:
    """The fields a file may fill, in the entity's order."""
    return [f for f in entity.fields if kind_of(f).importable and not is_fixed(f)]


def names_of(field: FieldDef) -> set[str]:
    """Every header that means this field."""
    labels = field.label.translations.values() if isinstance(field.label, Label) else [str(field.label)]
    return {normalized(field.name), *(normalized(label) for label in labels)}


@dataclass
class ColumnMap:
    """Column position -> field name (or `id`), and a note on each column left out."""

    columns: dict[int, str] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (header, why it is ignored)

    def header_of(self, name: str, headers: list[str]) -> str | None:
        return next((headers[i] for i, n in self.columns.items() if n == name), None)

    @property
    def fields(self) -> set[str]:
        return set(self.columns.values())


def map_columns(
    entity: EntityDef,
    headers: list[str],
    explicit: dict[str, str] | None = None,
    withheld: set[str] | frozenset[str] = frozenset(),
) -> ColumnMap:
    """Guess each header's field; `explicit` (header -> field name, "" to skip) decides where given. `withheld`:
    fields the user may not change (field rights), treated like computed ones."""
    by_name = {n: f.name for f in importable(entity) if f.name not in withheld for n in names_of(f)}
    by_name[ID_COLUMN] = ID_COLUMN
    fixed = {n for f in entity.fields if f.name not in by_name.values() for n in names_of(f)}
    chosen = {normalized(k): v for k, v in (explicit or {}).items()}
    result = ColumnMap()
    for position, header in enumerate(headers):
        if not header:
            continue
        key = normalized(header)
        name = (chosen[key] or None) if key in chosen else by_name.get(key)
        if name is None and key in chosen:
            continue  # skipped on purpose
        if name is None or name not in by_name.values():
            note = FIXED_COLUMN if key in fixed or normalized(name or "") in fixed else UNKNOWN_COLUMN
            result.notes.append((header, note.localized().format(header=name or header)))
            continue
        if name in result.fields:
            label = entity.field(name).label.localized() if entity.field(name) else name
            result.notes.append((header, TWICE.localized().format(header=header, field=label)))
            continue
        result.columns[position] = name
    return result
