"""The imports feature's answer to the spreadsheets port (tenancy/spreadsheets.py): its reader, and its kept files.

A file kept here is kept exactly as the entity's import screens keep an upload, so the entity's import preview
(`/<table>/import/preview/`) finds it in the user's session and goes on with the mapping and the dry run.
"""

from __future__ import annotations

from typing import Any

from .reading import MAX_BYTES, read_sheet
from .screens import keep_upload, kept_upload


class ImportSpreadsheets:
    """Reads uploads with the importer's reader (its limits and encodings) and keeps them for an entity's import."""

    max_bytes = MAX_BYTES

    def read(self, filename: str, data: bytes) -> tuple[list[str], list[list[Any]]]:
        sheet = read_sheet(filename, data)  # UnreadableFile is a ValueError with the user's message
        return sheet.headers, [cells for _number, cells in sheet.rows]

    def keep_for_import(self, table: str, filename: str, data: bytes) -> None:
        keep_upload(table, filename, data)

    def kept_for_import(self, table: str) -> tuple[str, bytes] | None:
        return kept_upload(table)
