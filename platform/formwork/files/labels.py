"""The words of the attachments panel, its messages and the file API's answers, in English and Chinese."""

from __future__ import annotations

from ..i18n import Label

TEXT = {
    "attachments": Label({"en": "Attachments", "zh": "附件"}),
    "none": Label({"en": "No attachments yet.", "zh": "暂无附件。"}),
    "name": Label({"en": "Name", "zh": "名称"}),
    "size": Label({"en": "Size", "zh": "大小"}),
    "version": Label({"en": "Version", "zh": "版本"}),
    "uploaded_by": Label({"en": "Uploaded by", "zh": "上传人"}),
    "uploaded_at": Label({"en": "Uploaded at", "zh": "上传时间"}),
    "replaced_at": Label({"en": "Replaced at", "zh": "替换时间"}),
    "earlier": Label({"en": "Earlier versions", "zh": "历史版本"}),
    "upload": Label({"en": "Upload", "zh": "上传"}),
    "replace": Label({"en": "Replace", "zh": "替换"}),
    "delete": Label({"en": "Delete", "zh": "删除"}),
    "confirm_delete": Label({"en": "Delete this attachment and all its versions?", "zh": "删除此附件及其所有版本？"}),
    "same_name": Label({"en": "A file with the name of an attachment becomes its new version.",
                        "zh": "与已有附件同名的文件将作为该附件的新版本。"}),
    "field_versions": Label({"en": "Earlier files", "zh": "历史文件"}),
}
UPLOADED = Label({"en": "Attached.", "zh": "已上传附件。"})
DELETED = Label({"en": "Attachment deleted.", "zh": "附件已删除。"})
REFUSED = Label({"en": "Refused", "zh": "已拒绝"})
NO_FILE = Label({"en": "Choose a file to upload.", "zh": "请选择要上传的文件。"})
ONE_FILE = Label({"en": "Choose one file to replace an attachment with.", "zh": "替换附件时只能选择一个文件。"})
TOO_LARGE_REQUEST = Label({"en": "The upload is larger than {mb:g} MB.", "zh": "上传内容超过 {mb:g} MB。"})
