"""file and image: uploads stored by the platform (files/), with size and type limits and content sniffing.

The column keeps `{key, name, size, content_type}`; the bytes live in the
tenant's file store. Screens upload through the form and link to the
download route (`stored_file`, files/screens.py), which checks the user's
right to see the record. The files feature adds both types to the core's
table of field types (files/feature.py), as an extension adds its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
import wtforms
from markupsafe import Markup
from marshmallow import fields as ma

from ..compile.actors import request_actor
from ..fields.auto_number import Refused
from ..fields.base import FieldType
from ..i18n import CatalogText
from ..meta.model import FieldDef
from .lifecycle import save_upload
from .limits import (
    EXTENSION_TYPES,
    Limits,
    Upload,
    UploadRefused,
    check_upload,
    narrowed,
    read_limited,
)
from .sniff import IMAGE_TYPES

NOT_AN_IMAGE = CatalogText("This is not a PNG, JPEG, GIF or WebP image.")


class UploadField(wtforms.FileField):
    def __init__(self, label: Any, definition: FieldDef, kind: "FileField", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.definition, self.kind = definition, kind

    def process_formdata(self, valuelist: list[Any]) -> None:
        upload = valuelist[0] if valuelist else None
        if upload is None or not getattr(upload, "filename", ""):
            self.data = None
            return
        self.data = None
        self.data = self.kind.check(
            self.definition, read_limited(upload.stream, self.kind.limits(self.definition)), upload.filename
        )

    def populate_obj(self, obj: Any, name: str) -> None:
        """Stored with the record's transaction: the bytes go again if the save does not commit, and the file it
        replaces is kept as a version (files/lifecycle.py)."""
        if isinstance(self.data, Upload):  # no new file chosen: the stored one stays
            from flask import current_app

            session = current_app.extensions["formwork"].session()
            setattr(obj, name, save_upload(session, self.data, request_actor().username))


class FileField(FieldType):
    name = "file"
    holds_file = True
    default_max_mb: ClassVar[int] = 10
    properties = {
        "max_size_mb": {"type": "number", "minimum": 0.01, "maximum": 100},
        "accept": {
            "type": "array",
            "items": {"enum": sorted(EXTENSION_TYPES)},
            "description": "the file name endings allowed, e.g. [.pdf, .docx]",
        },
    }

    def limits(self, field: FieldDef) -> Limits:
        """The field's `max_size_mb` (else the type's default) and `accept` (else the platform's endings), within
        the platform's largest upload (files/limits.py)."""
        return narrowed(field.options.get("max_size_mb", self.default_max_mb), field.options.get("accept"))

    def max_size(self, field: FieldDef) -> int:
        return self.limits(field).max_bytes

    def check(self, field: FieldDef, data: bytes, name: str) -> Upload:
        """The upload, or ValueError (UploadRefused) saying why it is refused."""
        return check_upload(data, name, self.limits(field))

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
            url, value["name"], max(1, value["size"] // 1024)
        )


class ImageField(FileField):
    name = "image"
    default_max_mb = 5
    properties = {"max_size_mb": FileField.properties["max_size_mb"]}

    def check(self, field: FieldDef, data: bytes, name: str) -> Upload:
        upload = super().check(field, data, name)
        if upload.content_type not in IMAGE_TYPES:
            raise UploadRefused(NOT_AN_IMAGE)
        return upload

    def format_value(self, field: FieldDef, value: Any) -> str:
        if not value:
            return ""
        from flask import request, url_for

        view = request.endpoint.split(".")[0] if request.endpoint else ""
        url = url_for(f"{view}.stored_file", field=field.name, key=value["key"])
        return Markup('<img src="{0}" alt="{1}" style="max-height: 64px">').format(url, value["name"])
