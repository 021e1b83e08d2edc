"""What the attachment readers (PDF, Word, images) share: their document type and errors.

An attachment becomes the same :class:`~parsers.document.Document` as an HTML page: one line
per table row with the row's physical cells (a merged cell once, blank cells as ``""``) and
one-cell lines for paragraphs, in reading order. Readers add notes (warnings about what they
could not read) and, for OCR, the confidence of each cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.parsers.document import Document, Line
from nianbao.parsers.normalize import collapse


class Unsupported(Exception):
    """A document this installation cannot read (the message says what would be needed)."""


class Unreadable(Exception):
    """A damaged or encrypted document."""


@dataclass(slots=True)
class AttachmentDocument(Document):
    """A document read from an attachment, with what the reader has to say about it."""

    notes: list[str] = field(default_factory=list)
    # OCR only: confidence (0..1) of each cell, by (line index, cell index).
    confidence: dict[tuple[int, int], float] = field(default_factory=dict)


_ASCII_WORD = re.compile(r"[0-9A-Za-z]")


def join_wrapped(parts: list[str]) -> str:
    """The text of a cell whose content wrapped over several lines, as one string.

    Chinese text is joined without a space (as a ``<br>`` inside an HTML cell reads); two
    Latin words or numbers keep a space between them.
    """
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]):
            out += " "
        out += part
    return collapse(out)


def paragraph(text: str) -> Line | None:
    """A one-cell paragraph line, or ``None`` for blank text."""
    text = collapse(text)
    return Line([text], False) if text else None


_PAGE_NUMBER = re.compile(r"^[\s\-—–_·.]*(?:第\s*)?\d{1,4}(?:\s*页)?"
                          r"(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[\s\-—–_·.]*$")


def is_page_number(text: str) -> bool:
    """``- 3 -``, ``第3页``, ``3/12``, ``第 3 页 共 12 页``: a page number, not a value."""
    return bool(_PAGE_NUMBER.match(text.strip()))
