"""The platform's upload settings: how large a file may be and which name endings a record may carry by default.

Platform settings (config.Settings), read by the core (the request size a tenant app accepts, tenancy/bad_input)
and by the files feature, which checks every upload against them (files/limits.py); `UploadRefused` says why one
was refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .i18n import Label

MEGABYTE = 1024 * 1024
#: the largest upload when FORMWORK_MAX_UPLOAD_MB does not say
DEFAULT_MAX_UPLOAD_MB = 20.0
#: what a record may carry when neither the platform's settings nor the field say otherwise
DEFAULT_UPLOAD_TYPES = (
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".docx",
    ".xlsx",
    ".pptx",
    ".zip",
    ".txt",
    ".csv",
)


class UploadRefused(ValueError):
    """Why an upload is refused, in the user's language: raised by the file field types' checks and by any feature
    that takes files (approval attachments), caught where the upload came in."""

    def __init__(self, label: Label, **values: Any) -> None:
        super().__init__(label.localized().format(**values))
