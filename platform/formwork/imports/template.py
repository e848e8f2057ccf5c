"""The downloadable import template of an entity: an XLSX whose headers are the field labels in the user's language.

The first sheet holds only the header row (required columns marked `*`,
which matching ignores); the second lists each column's type, whether it is
required and what it accepts, so a user can fill the file without asking.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ..i18n import CatalogText
from ..meta.model import EntityDef, FieldDef
from .mapping import importable

GUIDE_TITLE = CatalogText("Columns", context="import template")
GUIDE_HEADERS = [CatalogText("Column"), CatalogText("Field"), CatalogText("Required"), CatalogText("Accepts")]
YES, NO = CatalogText("yes"), CatalogText("no")
ACCEPTS = {
    "integer": CatalogText("a whole number"),
    "rating": CatalogText("a whole number of stars"),
    "decimal": CatalogText("a number"),
    "money": CatalogText("an amount"),
    "percent": CatalogText("a percentage, 12.5 meaning 12.5 %"),
    "boolean": CatalogText("yes / no"),
    "date": CatalogText("a date, 2024-03-31"),
    "datetime": CatalogText("a date and time, 2024-03-31 14:30"),
    "time": CatalogText("a time, 14:30"),
    "reference": CatalogText("the name or code of a {target} record"),
    "many_to_many": CatalogText("names or codes of {target} records, separated by commas"),
    "user": CatalogText("a user name"),
    "json": CatalogText("JSON"),
    "multi_choice": CatalogText("several of: {choices} (separated by commas)"),
    "choice": CatalogText("one of: {choices}"),
}
TEXT = CatalogText("text")


def header(field: FieldDef, required: bool) -> str:
    return f"{field.label.localized()}{' *' if required else ''}"


def accepts(field: FieldDef, catalog_labels: dict[str, str]) -> str:
    text = ACCEPTS.get(field.type, TEXT).localized()
    choices = ", ".join(c.label.localized() for c in field.offered_choices)
    return text.format(target=catalog_labels.get(field.target or "", field.target or ""), choices=choices)


def template_xlsx(entity: EntityDef, required: set[str], withheld: set[str], targets: dict[str, str]) -> bytes:
    """The template's bytes; `required`: fields the API requires, `withheld`: fields the user may not set,
    `targets`: referenced entities' labels."""
    fields = [f for f in importable(entity) if f.name not in withheld]
    book = Workbook()
    sheet = book.active
    sheet.title = "".join(ch for ch in entity.plural.localized() if ch not in ":/\\?*[]")[:31] or "Import"
    sheet.append([header(f, f.name in required) for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    guide = book.create_sheet(GUIDE_TITLE.localized())
    guide.append([h.localized() for h in GUIDE_HEADERS])
    for f in fields:
        guide.append(
            [
                header(f, f.name in required),
                f.name,
                (YES if f.name in required else NO).localized(),
                accepts(f, targets),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
