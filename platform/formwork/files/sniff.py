"""What a file really is, from its first bytes: a renamed .exe must not pass as a .png."""

from __future__ import annotations

SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),  # also docx, xlsx, pptx
]
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def sniff(data: bytes) -> str | None:
    """The MIME type the content says, or None for text and unknown formats."""
    for signature, offset, content_type in SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return content_type
    return None
