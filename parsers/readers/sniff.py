"""What kind of document a byte string is, from its first bytes (never from its name)."""

from __future__ import annotations

import io
import re
import zipfile

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

# Kinds read as text; ATTACHMENTS are read by their own modules; the others are unsupported.
READABLE = ("html", "text")
ATTACHMENTS = ("pdf", "docx", "doc", "image")
DESCRIPTIONS = {
    "pdf": "a PDF document",
    "docx": "a Word document (DOCX)",
    "doc": "a Word 97-2003 or WPS document (DOC/WPS)",
    "xlsx": "a spreadsheet (XLSX)",
    "xls": "a spreadsheet (XLS/ET)",
    "ppt": "a presentation (PPT/DPS)",
    "ofd": "an OFD document",
    "zip": "a ZIP container that is not a Word document (no readable word/document.xml)",
    "ole": "an old Office document (DOC/WPS/XLS)",
    "image": "an image",
    "gzip": "a gzip archive",
    "binary": "binary data",
}


def _zip_kind(data: bytes) -> str:
    """docx / xlsx / ofd by the container's members (read from its directory only)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


_OLE_STREAMS = ((_utf16("WordDocument"), "doc"), (_utf16("Workbook"), "xls"),
                (_utf16("Book\x00"), "xls"), (_utf16("PowerPoint Document"), "ppt"))


def _ole_kind(data: bytes) -> str:
    """doc / xls / ppt by the stream names in the compound file's directory."""
    for name, kind in _OLE_STREAMS:
        if name in data:
            return kind
    return "ole"


def _is_bmp(head: bytes) -> bool:
    """``BM``, the file size, then four reserved zero bytes: plain "BM…" text is not a BMP."""
    return (head[:2] == b"BM" and len(head) >= 26 and head[6:10] == b"\0\0\0\0"
            and int.from_bytes(head[2:6], "little") >= 26)


def sniff(data: bytes, content_type: str | None = None) -> str:
    """``html``, ``text``, an attachment kind (``ATTACHMENTS``) or the kind of an
    unsupported file (see ``DESCRIPTIONS``)."""
    head = data[:4096]
    if _is_bmp(head):
        return "image"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return _zip_kind(data)
            if kind == "ole":
                return _ole_kind(data)
            return kind
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        return "binary"
    if _HTML.search(head if not utf16 else head.decode("utf-16", "ignore").encode()):
        return "html"
    if content_type and "html" in content_type.lower() and b"<" in head:
        return "html"
    return "text"
