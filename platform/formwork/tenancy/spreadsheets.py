"""Uploaded spreadsheets: the port through which a feature reads a CSV/XLSX file and hands it to an entity's import.

The Studio makes a new entity from a spreadsheet: it infers the fields from the file's columns, and once the entity
is published its rows are imported by the entity's own import screens (the dry run, then the import). The Studio does
not know how files are read or kept for an import; it calls `spreadsheets()`, answered by the feature in the
SPREADSHEETS slot (the imports feature). With no such feature loaded the answer is None and the Studio offers no
spreadsheet.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Protocol

from ..features import SPREADSHEETS, load_features


def blank(cell: Any) -> bool:
    """Whether a spreadsheet cell holds nothing (None, or only spaces)."""
    return cell is None or (isinstance(cell, str) and cell.strip() == "")


def cell_text(cell: Any) -> str:
    """A cell as text: 13800000000.0 (how Excel keeps a phone number) reads 13800000000, a date its ISO form."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    return str(cell).strip()


class Spreadsheets(Protocol):
    """What the imports feature answers (imports/spreadsheets.py). `read` gives the header and the non-blank rows of
    an upload, raising ValueError with a message for the user when it cannot be read (kind, size, encoding);
    `keep_for_import` keeps it for the signed-in user's import into `table`, where that entity's import preview
    finds it; `kept_for_import` is the name and content of the file kept so, None when there is none (or it expired)."""

    max_bytes: int

    def read(self, filename: str, data: bytes) -> tuple[list[str], list[list[Any]]]: ...

    def keep_for_import(self, table: str, filename: str, data: bytes) -> None: ...

    def kept_for_import(self, table: str) -> tuple[str, bytes] | None: ...


def spreadsheets() -> Spreadsheets | None:
    """Whoever reads and keeps spreadsheets: the feature in the SPREADSHEETS slot with the lowest priority, or None."""
    answering = load_features().items(SPREADSHEETS)
    return answering[0] if answering else None
