"""The platform's upload settings: how large a file may be and which name endings a record may carry by default.

Platform settings (config.Settings), read by the core (the request size a tenant app accepts, tenancy/bad_input)
and by the files feature, which checks every upload against them (files/limits.py).
"""

from __future__ import annotations

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
