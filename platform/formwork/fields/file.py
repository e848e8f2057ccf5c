"""file and image: uploads stored by the platform (files/), with size and type limits and content sniffing.

The column keeps `{key, name, size, content_type}`; the bytes live in the
tenant's file store. Screens upload through the form and link to the
download route, which checks the user's right to see the record.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, ClassVar

import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import fields as ma

from ..files.sniff import IMAGE_TYPES, sniff
from ..meta.model import FieldDef
from .auto_number import Refused
from .base import FieldType

MEGABYTE = 1024 * 1024
EXTENSION_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                   ".webp": "image/webp", ".pdf": "application/pdf", ".docx": "application/zip",
                   ".xlsx": "application/zip", ".pptx": "application/zip", ".zip": "application/zip"}


class Upload:
    """A file chosen in a form, checked but not stored yet (stored when the record is saved)."""

    def __init__(self, data: bytes, name: str, content_type: str) -> None:
        self.data, self.name, self.content_type = data, name, content_type


class UploadField(wtforms.FileField):
    def __init__(self, label: Any, definition: FieldDef, kind: "FileField", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.definition, self.kind = definition, kind

    def process_formdata(self, valuelist: list[Any]) -> None:
        upload = valuelist[0] if valuelist else None
        if upload is None or not getattr(upload, "filename", ""):
            self.data = None
            return
        data = upload.read(self.kind.max_size(self.definition) + 1)
        self.data = None
        self.data = self.kind.check(self.definition, data, PurePath(upload.filename).name)

    def populate_obj(self, obj: Any, name: str) -> None:
        if isinstance(self.data, Upload):  # no new file chosen: the stored one stays
            from flask import current_app

            from ..files import store_for

            stored = store_for(current_app).save(self.data.data, self.data.name, self.data.content_type)
            setattr(obj, name, stored.as_data())


class FileField(FieldType):
    name = "file"
    default_max_mb: ClassVar[int] = 10
    properties = {
        "max_size_mb": {"type": "number", "minimum": 0.01, "maximum": 100},
        "accept": {"type": "array", "items": {"enum": sorted(EXTENSION_TYPES)},
                   "description": "the file name endings allowed, e.g. [.pdf, .docx]"},
    }

    def max_size(self, field: FieldDef) -> int:
        return int(float(field.options.get("max_size_mb", self.default_max_mb)) * MEGABYTE)

    def accepted(self, field: FieldDef) -> list[str]:
        return list(field.options.get("accept", []))

    def check(self, field: FieldDef, data: bytes, name: str) -> Upload:
        """The upload, or ValueError saying why it is refused."""
        if len(data) > self.max_size(field):
            raise ValueError(f"The file is larger than {self.max_size(field) // 1024:,} KB.")
        extension = PurePath(name).suffix.lower()
        accepted = self.accepted(field)
        if accepted and extension not in accepted:
            raise ValueError(f"Only {', '.join(accepted)} files are accepted.")
        found = sniff(data)
        expected = EXTENSION_TYPES.get(extension)
        if expected and found != expected:
            raise ValueError("The file's content does not match its name.")
        return Upload(data, name, found or "application/octet-stream")

    def sql_type(self, field: FieldDef) -> sa.types.TypeEngine:
        return sa.JSON()

    def marshmallow_field(self, field: FieldDef) -> ma.Field:
        return Refused(metadata={"description": "uploaded through the record's form"})

    def form_field(self, field: FieldDef, ctx: Any) -> Any:
        return UploadField(field.label, field, self, description=field.help or "")

    def format_value(self, field: FieldDef, value: Any) -> str:
        if not value:
            return ""
        from flask import request, url_for

        view = request.endpoint.split(".")[0] if request.endpoint else ""
        url = url_for(f"{view}.stored_file", field=field.name, key=value["key"])
        return Markup('<a href="{0}">{1}</a> <span class="text-muted">({2:,} KB)</span>').format(
            url, value["name"], max(1, value["size"] // 1024))


class ImageField(FileField):
    name = "image"
    default_max_mb = 5
    properties = {"max_size_mb": FileField.properties["max_size_mb"]}

    def check(self, field: FieldDef, data: bytes, name: str) -> Upload:
        upload = super().check(field, data, name)
        if upload.content_type not in IMAGE_TYPES:
            raise ValueError("This is not a PNG, JPEG, GIF or WebP image.")
        return upload

    def format_value(self, field: FieldDef, value: Any) -> str:
        if not value:
            return ""
        from flask import request, url_for

        view = request.endpoint.split(".")[0] if request.endpoint else ""
        url = url_for(f"{view}.stored_file", field=field.name, key=value["key"])
        return Markup('<img src="{0}" alt="{1}" style="max-height: 64px">').format(url, value["name"])
