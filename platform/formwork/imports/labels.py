"""The words of the import screens, in English and Chinese."""

from __future__ import annotations

from ..i18n import Label

TEXT = {
    "import": Label({"en": "Import", "zh": "导入"}),
    "title": Label({"en": "Import {entity}", "zh": "导入{entity}"}),
    "file": Label({"en": "CSV or XLSX file", "zh": "CSV 或 XLSX 文件"}),
    "upload": Label({"en": "Upload and preview", "zh": "上传并预览"}),
    "template": Label({"en": "Download template", "zh": "下载模板"}),
    "match_on": Label({"en": "Update records matching on", "zh": "按此字段匹配并更新已有记录"}),
    "match_none": Label({"en": "— only create new records —", "zh": "— 仅新建记录 —"}),
    "help": Label({"en": "The first row names the columns: a field's name or its label in English or Chinese. "
                          "Nothing is saved until you confirm, and then every row is saved or none.",
                   "zh": "第一行为列名：字段名或其中英文标签。确认之前不会保存任何数据，确认后全部行一起保存，否则都不保存。"}),
    "mapping": Label({"en": "Columns", "zh": "列对应"}),
    "column": Label({"en": "Column in the file", "zh": "文件中的列"}),
    "field": Label({"en": "Field", "zh": "字段"}),
    "skip": Label({"en": "— skip —", "zh": "— 跳过 —"}),
    "sample": Label({"en": "First rows", "zh": "前几行"}),
    "rows": Label({"en": "{count} row(s) in the file.", "zh": "文件共 {count} 行。"}),
    "check": Label({"en": "Check (dry run)", "zh": "检查（试运行）"}),
    "apply": Label({"en": "Import now", "zh": "确认导入"}),
    "again": Label({"en": "Upload another file", "zh": "重新上传文件"}),
    "row": Label({"en": "Row", "zh": "行"}),
    "message": Label({"en": "Problem", "zh": "问题"}),
    "errors": Label({"en": "{count} problem(s) found; nothing was saved. Fix the file and upload it again.",
                     "zh": "发现 {count} 个问题，未保存任何数据。请修改文件后重新上传。"}),
    "ready": Label({"en": "Ready: {created} record(s) will be created and {updated} updated.",
                    "zh": "检查通过：将新建 {created} 条、更新 {updated} 条记录。"}),
    "done": Label({"en": "Imported: {created} record(s) created, {updated} updated.",
                   "zh": "导入完成：新建 {created} 条，更新 {updated} 条记录。"}),
    "to_list": Label({"en": "Back to the list", "zh": "返回列表"}),
    "checked": Label({"en": "{done} of {total} rows checked", "zh": "已检查 {done} / {total} 行"}),
    "ignored": Label({"en": "Ignored columns", "zh": "已忽略的列"}),
    "expired": Label({"en": "The uploaded file is no longer available; upload it again.",
                      "zh": "上传的文件已失效，请重新上传。"}),
    "no_file": Label({"en": "Choose a file to upload.", "zh": "请选择要上传的文件。"}),
}
