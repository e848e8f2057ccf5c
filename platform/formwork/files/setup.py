"""Files in a tenant app: the upload limits in its config, and a clear answer to an oversized request."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..config import Settings
from ..uploads import MEGABYTE
from .labels import TOO_LARGE_REQUEST

#: room in a request for the form's other fields beside the largest file allowed
FORM_ALLOWANCE = MEGABYTE


def install_files(app: Flask, settings: Settings) -> None:
    """The upload limits, and a request body limit so a huge upload is refused before it is read."""
    app.config.update(
        {
            "FORMWORK_MAX_UPLOAD_MB": settings.max_upload_mb,
            "FORMWORK_UPLOAD_TYPES": tuple(settings.upload_types),
            "MAX_CONTENT_LENGTH": int(settings.max_upload_mb * MEGABYTE) + FORM_ALLOWANCE,
        }
    )
    app.register_error_handler(RequestEntityTooLarge, too_large)


def too_large(_error: RequestEntityTooLarge) -> Any:
    """413 with the limit in words (JSON for the API), instead of werkzeug's bare page."""
    from flask import current_app

    message = TOO_LARGE_REQUEST.localized().format(mb=float(current_app.config["FORMWORK_MAX_UPLOAD_MB"]))
    if "/api/" in request.path:
        return jsonify(message={"file": [message]}), 413
    return message, 413
