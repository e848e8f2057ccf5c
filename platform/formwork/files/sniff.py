"""What a file really is, from its first bytes: a renamed .exe or a page of HTML must not pass as a .png or a .txt."""

from __future__ import annotations

SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),  # also docx, xlsx, pptx
    (b"MZ", 0, "application/x-msdownload"),  # Windows programs
    (b"\x7fELF", 0, "application/x-executable"),
    (b"\xca\xfe\xba\xbe", 0, "application/x-mach-binary"),
    (b"#!", 0, "text/x-script"),
]
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
#: what a browser would run or render as a page if it ever guessed the type: never accepted under a harmless name
ACTIVE_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-mach-binary",
    "text/x-script",
    "text/html",
    "image/svg+xml",
}
#: markup a browser sniffs as a page (HTML, SVG, XML with scripts), looked for near the start of text files
MARKUP = (
    (b"<!doctype html", "text/html"),
    (b"<html", "text/html"),
    (b"<script", "text/html"),
    (b"<body", "text/html"),
    (b"<iframe", "text/html"),
    (b"<svg", "image/svg+xml"),
    (b"<?xml", "image/svg+xml"),
)
LOOK_AHEAD = 1024


def sniff(data: bytes) -> str | None:
    """The MIME type the content says, or None for plain text and unknown formats."""
    for signature, offset, content_type in SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return content_type
    head = data[:LOOK_AHEAD].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return next((content_type for marker, content_type in MARKUP if marker in head), None)


def is_plain_text(data: bytes) -> bool:
    """UTF-8 (or GB 18030, common in Chinese offices) without NUL bytes and without markup a browser would render."""
    if b"\x00" in data[: LOOK_AHEAD * 8] or sniff(data) is not None:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False
