"""A tenant's logo: a small PNG or JPEG image, kept in the registry as a `data:` URI, shown on its print formats.

A manifest names it as an image file beside the manifest (`logo: acme.png`) or as the `data:` URI an export
writes; either way it is checked here: the bytes must be a PNG or a JPEG (by their signature, whatever the name
says) and at most MAX_BYTES, so a print never embeds a document, a script or a huge file.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

MAX_BYTES = 256 * 1024
SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


class LogoRefused(ValueError):
    """The logo is not a PNG or JPEG image of at most MAX_BYTES; the message says what it is instead."""


def logo_uri(written: str, beside: Path) -> str:
    """The logo a manifest writes (a file relative to the manifest's folder `beside`, or a `data:` URI) as the
    `data:` URI the registry keeps."""
    if written.startswith("data:"):
        return data_uri(_decoded(written))
    path = (beside / written).resolve()
    try:
        content = path.read_bytes()
    except OSError as unreadable:
        raise LogoRefused(f"cannot read the logo {written}: {unreadable.strerror or unreadable}") from None
    return data_uri(content)


def data_uri(content: bytes) -> str:
    """`content` as a `data:` URI of its image type; LogoRefused when it is no PNG or JPEG, or too large."""
    if len(content) > MAX_BYTES:
        raise LogoRefused(f"the logo is {len(content) // 1024} KB; a logo is at most {MAX_BYTES // 1024} KB")
    kind = next((kind for kind, signature in SIGNATURES.items() if content.startswith(signature)), None)
    if kind is None:
        raise LogoRefused("the logo is not a PNG or JPEG image")
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


def _decoded(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    if not header.endswith(";base64"):
        raise LogoRefused("a logo written as a data: URI is base64 (data:image/png;base64,…)")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise LogoRefused("the logo's data: URI is not valid base64") from None


def logo_content(uri: str) -> tuple[str, bytes]:
    """(media type, bytes) of a logo the registry keeps, to serve it as an image of its own (tenancy/branding.py)."""
    header, _, _payload = uri.partition(",")
    return header.removeprefix("data:").removesuffix(";base64"), _decoded(uri)
