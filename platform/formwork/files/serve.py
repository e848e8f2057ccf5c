"""Sending a stored file: raster images inline, everything else as a download, never sniffed by the browser.

The type sent is the one sniffed at upload. `X-Content-Type-Options: nosniff`
keeps a browser from guessing a page or script out of a file, and the
sandbox CSP keeps anything opened directly from running in the app's origin.
"""

from __future__ import annotations

from typing import Any

from flask import abort, send_file
from werkzeug.wrappers import Response

from ..tenancy.file_store import FileStore
from .sniff import IMAGE_TYPES


def send_stored(store: FileStore, key: str, name: str, content_type: str) -> Response:
    try:
        content: Any = store.open(key)
    except FileNotFoundError:
        abort(404)
    inline = content_type in IMAGE_TYPES
    response = send_file(content, mimetype=content_type, as_attachment=not inline, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
