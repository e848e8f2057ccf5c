"""The downloadable import template of an entity: an XLSX whose headers are the field labels in the user's language.

The first sheet holds only the header row (required columns marked `*`,
which matching ignores); the second lists each column's type, whether it is
required and what it accepts, so a user can fill the file without asking.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ..i18n import Label
from ..meta.model import EntityDef, FieldDef
from .mapping import importable

GUIDE_TITLE = Label({"en": "Columns", "zh": "列说明"})
GUIDE_HEADERS = [Label({"en": "Column", "zh": "列"}), Label({"en": "Field", "zh": "字段"}),
                 Label({"en": "Required", "zh": "必填"}), Label({"en": "Accepts", "zh": "可填写"})]
YES, NO = Label({"en": "yes", "zh": "是"}), Label({"en": "no", "zh": "否"})
ACCEPTS = {
    "integer": Label({"en": "a whole number", "zh": "整数"}),
    "rating": Label({"en": "a whole number of stars", "zh": "星级（整数）"}),
    "decimal": Label({"en": "a number", "zh": "数字"}),
    "money": Label({"en": "an amount", "zh": "金额"}),
    "percent": Label({"en": "a percentage, 12.5 meaning 12.5 %", "zh": "百分比，12.5 表示 12.5%"}),
    "boolean": Label({"en": "yes / no", "zh": "是 / 否"}),
    "date": Label({"en": "a date, 2024-03-31", "zh": "日期，如 2024-03-31"}),
    "datetime": Label({"en": "a date and time, 2024-03-31 14:30", "zh": "日期时间，如 2024-03-31 14:30"}),
    "time": Label({"en": "a time, 14:30", "zh": "时间，如 14:30"}),
    "reference": Label({"en": "the name or code of a {target} record", "zh": "{target}的名称或编码"}),
    "many_to_many": Label({"en": "names or codes of {target} records, separated by commas", "zh": "{target}的名称或编码，以逗号分隔"}),
    "user": Label({"en": "a user name", "zh": "用户名"}),
    "json": Label({"en": "JSON", "zh": "JSON"}),
    "multi_choice": Label({"en": "several of: {choices} (separated by commas)", "zh": "以下多项（逗号分隔）：{choices}"}),
    "choice": Label({"en": "one of: {choices}", "zh": "以下之一：{choices}"}),
}
TEXT = Label({"en": "text", "zh": "文本"})


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
    sheet.title = "".join(ch for ch in entity.plural.localized() if ch not in ':/\\?*[]')[:31] or "Import"
    sheet.append([header(f, f.name in required) for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    guide = book.create_sheet(GUIDE_TITLE.localized())
    guide.append([h.localized() for h in GUIDE_HEADERS])
    for f in fields:
        guide.append([header(f, f.name in required), f.name, (YES if f.name in required else NO).localized(),
                      accepts(f, targets)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
