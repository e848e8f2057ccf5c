"""An uploaded CSV or XLSX file -> a header and numbered rows of cell values.

Rows keep the number a user sees in the file (the header is row 1), so every
error can point at the spot to fix. Limits are checked while reading, so an
oversized file is refused before it costs memory or time.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..i18n import CatalogText

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 300
MAX_CELLS = 1_000_000  # data cells kept in memory, counted as read (a row keeps at most one cell per header)
MAX_LINES = 100_000  # rows read at all, blank ones included: a file of endless empty rows is refused too
MAX_UNPACKED = 100 * 1024 * 1024  # uncompressed bytes of all entries of an xlsx (the 10 MB limit is on the zip)
MAX_RATIO = 200  # uncompressed/compressed size of a large xlsx entry; real sheets stay far below it
RATIO_FROM = 1024 * 1024  # entries smaller than this are not checked for their ratio
KINDS = ("csv", "xlsx")
XLSX_MAGIC = b"PK\x03\x04"

TOO_BIG = CatalogText("The file is larger than {limit} MB.")
TOO_MANY = CatalogText("The file has more than {limit} rows; split it into smaller files.")
NOT_READABLE = CatalogText("The file cannot be read as {kind}: {reason}")
TOO_WIDE = CatalogText("The file has more than {limit} columns.")
TOO_MANY_CELLS = CatalogText("The file has more than {limit} cells; split it into smaller files.")
TOO_PACKED = CatalogText(
    "The XLSX file unpacks to more than {limit} MB or is packed far tighter than a real spreadsheet; it is refused."
)
NO_HEADER = CatalogText("The file has no header row.")
UNKNOWN_KIND = CatalogText("Send a .csv or .xlsx file.")


class UnreadableFile(ValueError):
    """The file cannot be imported at all (kind, size, encoding): nothing row-specific to report."""


@dataclass
class Sheet:
    """The header cells and the non-blank data rows, each with its row number in the file."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # cells beyond the last header are dropped


def cell_at(cells: list[Any], position: int) -> Any:
    """The cell at `position`; None past the end of a short row (rows are not padded, so they cost only their cells)."""
    return cells[position] if position < len(cells) else None


def kind_of(filename: str, data: bytes) -> str:
    """`csv` or `xlsx`, from the file's ending checked against its content (an xlsx is a zip)."""
    ending = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ending == "xlsx" and data.startswith(XLSX_MAGIC):
        return "xlsx"
    if ending in ("csv", "txt") and not data.startswith(XLSX_MAGIC):
        return "csv"
    raise UnreadableFile(UNKNOWN_KIND.localized())


def read_sheet(filename: str, data: bytes) -> Sheet:
    """The sheet of an uploaded file; refuses files over MAX_BYTES or MAX_ROWS data rows."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(TOO_BIG.localized().format(limit=MAX_BYTES // (1024 * 1024)))
    kind = kind_of(filename, data)
    rows = _csv_rows(data) if kind == "csv" else _xlsx_rows(data)
    try:
        return _sheet(rows, MAX_ROWS)
    except (csv.Error, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(NOT_READABLE.localized().format(kind=kind.upper(), reason=exc)) from None


def _sheet(rows: Iterator[tuple[int, list[Any]]], max_rows: int) -> Sheet:
    header = next(rows, None)
    if header is None or not any(_filled(c) for c in header[1]):
        raise UnreadableFile(NO_HEADER.localized())
    headers = [_header_text(c) for c in header[1]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(TOO_WIDE.localized().format(limit=MAX_COLUMNS))
    sheet = Sheet(headers)
    kept = 0
    for number, cells in rows:
        if number > MAX_LINES:
            raise UnreadableFile(TOO_MANY.localized().format(limit=max_rows))
        row = list(cells[: len(headers)])
        if not any(_filled(c) for c in row):
            continue
        if len(sheet.rows) >= max_rows:
            raise UnreadableFile(TOO_MANY.localized().format(limit=max_rows))
        kept += len(row)
        if kept > MAX_CELLS:
            raise UnreadableFile(TOO_MANY_CELLS.localized().format(limit=MAX_CELLS))
        sheet.rows.append((number, row))
    return sheet


def _filled(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or cell.strip() != "")


def _header_text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes); GB18030 for files saved by Chinese Excel."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(NOT_READABLE.localized().format(kind="CSV", reason="unknown text encoding (save it as UTF-8)"))


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    for number, cells in enumerate(reader, start=1):
        yield number, cells


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    _check_unpacked(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(NOT_READABLE.localized().format(kind="XLSX", reason=exc)) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(max_row=MAX_LINES + 1, max_col=MAX_COLUMNS + 1, values_only=True)
        for number, cells in enumerate(rows, start=1):
            yield number, list(cells)
    finally:
        book.close()


def _check_unpacked(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates it: the sizes are read from the zip's directory, and zipfile never
    inflates an entry beyond the size declared there, so these checks bound what reading can cost."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(NOT_READABLE.localized().format(kind="XLSX", reason=exc)) from None
    packed_too_tight = any(
        e.file_size > RATIO_FROM and e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries
    )
    if packed_too_tight or sum(e.file_size for e in entries) > MAX_UNPACKED:
        raise UnreadableFile(TOO_PACKED.localized().format(limit=MAX_UNPACKED // (1024 * 1024)))
