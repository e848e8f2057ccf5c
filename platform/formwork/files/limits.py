"""The checks every upload passes before a byte of it is stored: size, allowed name endings, content matching the name.

One set of rules for file and image fields, record attachments and approval
attachments. Limits come from the platform's settings (FORMWORK_MAX_UPLOAD_MB,
FORMWORK_UPLOAD_TYPES; their defaults in formwork/uploads.py), narrowed per
field by `max_size_mb` and `accept`.
The type a file is stored and served with is the one sniffed here, never the
one the browser claimed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..i18n import CatalogText
from ..uploads import DEFAULT_MAX_UPLOAD_MB, DEFAULT_UPLOAD_TYPES, MEGABYTE, UploadRefused
from .sniff import ACTIVE_TYPES, is_plain_text, sniff

TEXT = "text/plain"
#: the content each ending must have (`text/plain`: readable text without markup)
EXTENSION_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".docx": "application/zip",
    ".xlsx": "application/zip",
    ".pptx": "application/zip",
    ".zip": "application/zip",
    ".txt": TEXT,
    ".csv": TEXT,
}
SERVED_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
}
MAX_NAME = 200

TOO_LARGE = CatalogText("The file is larger than {kb:,} KB.")
NOT_ACCEPTED = CatalogText("Only {endings} files are accepted.")
MISMATCH = CatalogText("The file's content does not match its name.")
NO_NAME = CatalogText("The file has no name.")


@dataclass(frozen=True)
class Upload:
    """A checked upload, not stored yet: its bytes, a safe name and the type its content showed."""

    data: bytes
    name: str
    content_type: str


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    accepted: tuple[str, ...]


def platform_limits() -> Limits:
    """The platform's limits from the running app's config (the defaults outside an app)."""
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    megabytes = float(config.get("FORMWORK_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    return Limits(int(megabytes * MEGABYTE), tuple(config.get("FORMWORK_UPLOAD_TYPES", DEFAULT_UPLOAD_TYPES)))


def narrowed(max_mb: float | None, accept: Sequence[str] | None) -> Limits:
    """A field's limits: its own size and endings, never beyond the platform's size."""
    base = platform_limits()
    size = base.max_bytes if max_mb is None else min(base.max_bytes, int(float(max_mb) * MEGABYTE))
    return Limits(size, tuple(accept) if accept else base.accepted)


def clean_name(name: str) -> str:
    """The last part of a client's file name (either slash), without control characters, at most MAX_NAME long."""
    last = PurePosixPath(name.replace("\\", "/")).name
    printable = "".join(c for c in last if unicodedata.category(c)[0] != "C").strip()
    if len(printable) > MAX_NAME:
        suffix = PurePosixPath(printable).suffix[:20]
        printable = printable[: MAX_NAME - len(suffix)] + suffix
    return printable


def read_limited(stream: Any, limits: Limits) -> bytes:
    """At most one byte more than allowed, so an oversized upload is known without reading all of it."""
    return stream.read(limits.max_bytes + 1)


def check_upload(data: bytes, name: str, limits: Limits) -> Upload:
    """The upload, or UploadRefused saying why (size, ending, content that does not match the ending)."""
    name = clean_name(name)
    if not name:
        raise UploadRefused(NO_NAME)
    if len(data) > limits.max_bytes:
        raise UploadRefused(TOO_LARGE, kb=limits.max_bytes // 1024)
    extension = PurePosixPath(name).suffix.lower()
    if extension not in limits.accepted:
        raise UploadRefused(NOT_ACCEPTED, endings=", ".join(limits.accepted))
    return Upload(data, name, _content_type(data, extension))


def _content_type(data: bytes, extension: str) -> str:
    """The type the content shows, when it is what the ending promises."""
    expected, found = EXTENSION_TYPES.get(extension), sniff(data)
    if expected == TEXT:
        if not is_plain_text(data):
            raise UploadRefused(MISMATCH)
        return SERVED_TYPES.get(extension, TEXT)
    if expected is None:  # an ending the platform's settings allow without a known signature
        if found in ACTIVE_TYPES:
            raise UploadRefused(MISMATCH)
        return found or "application/octet-stream"
    if found != expected:
        raise UploadRefused(MISMATCH)
    return SERVED_TYPES.get(extension, found)


def checked_uploads(chosen: Sequence[Any], limits: Limits) -> list[Upload]:
    """Every chosen file (werkzeug FileStorage) checked, before any is stored: one refused refuses them all."""
    return [
        check_upload(read_limited(upload.stream, limits), upload.filename or "", limits)
        for upload in chosen
        if upload is not None and upload.filename
    ]
