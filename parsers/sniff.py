"""What kind of document a byte string is, from its first bytes (never from its name)."""

from __future__ import annotations

import re

_MAGIC = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"RIFF", "image"),
    (b"\x1f\x8b", "gzip"),
)
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|meta|div|p|br|title)[\s>/]", re.I)

# Kinds this version reads; the others are reported as unsupported.
READABLE = ("html", "text")
DESCRIPTIONS = {
    "pdf": "a PDF document",
    "zip": "a ZIP container (DOCX/XLSX/WPS)",
    "ole": "an old Office document (DOC/WPS/XLS)",
    "image": "an image",
    "gzip": "a gzip archive",
    "binary": "binary data",
}


def sniff(data: bytes, content_type: str | None = None) -> str:
    """``html``, ``text``, or the kind of an unsupported file (see ``DESCRIPTIONS``)."""
    head = data[:4096]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        return "binary"
    if _HTML.search(head if not utf16 else head.decode("utf-16", "ignore").encode()):
        return "html"
    if content_type and "html" in content_type.lower() and b"<" in head:
        return "html"
    return "text"
