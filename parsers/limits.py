"""Limits against hostile or runaway documents (mostly attachments), in one place.

A document beyond one of these is not parsed: its report gets status ``limit`` and an error
that names the limit, and the batch goes on. The numbers are far above any real report (a
report is 5–40 pages, a few MB; a scanned page at 300 dpi is about 9 megapixels).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

MAX_INPUT_BYTES = 200 * 1024 * 1024  # raw bytes of one document, of any kind
MAX_PAGES = 300  # pages of a PDF with a text layer
MAX_OCR_PAGES = 30  # pages of a scanned PDF, or frames of an image, that are OCR'd
MAX_ZIP_MEMBERS = 5_000  # entries in a DOCX/XLSX container
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024  # declared total of a container's members
MAX_XML_BYTES = 64 * 1024 * 1024  # one member read (word/document.xml), checked while reading
MAX_COMPRESSION_RATIO = 200  # uncompressed / compressed for a member larger than 1 MB
MAX_IMAGE_PIXELS = 60_000_000  # one image or one rendered page (about 7,750 x 7,750)
OCR_RENDER_DPI = 200  # scanned PDF pages are rendered at this resolution for OCR
MAX_SECONDS = 300.0  # wall time for one document (checked between pages and steps; OCR
# takes 3-10 s a page on one core, and only the first page and pages with tables are OCR'd)
MAX_BLOCK_DEPTH = 10_000  # blocks and list items (<div>, <ul>, <li>, <section> …) an HTML page
# over 100 kB may hold one inside another, closed or not: lexbor's parse takes time quadratic in
# that depth (10,000 <div> nested cost 0.2 s, 40,000 2 s, the 200,000 of a 1 MB page a minute;
# 5,000 lists of links, 10,000 deep with their items, 0.5 s); a page under 100 kB parses in
# under a second however it nests
MAX_CELLS = 500_000  # table cells an HTML or text document may hold (a report has under 2,000;
# reading one takes about 600 bytes of memory: a 10 MB page of 800,000 cells peaked at 480 MB)
CONVERT_SECONDS = 120.0  # LibreOffice DOC/WPS -> DOCX conversion (killed after this)


class LimitExceeded(Exception):
    """A document is beyond one of the limits above; the message says which."""


@dataclass(slots=True)
class Deadline:
    """Wall-time budget of one document, checked cooperatively between steps."""

    seconds: float = MAX_SECONDS
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.start)

    def check(self, what: str) -> None:
        if self.left() <= 0:
            raise LimitExceeded(f"took longer than {self.seconds:.0f} s (at {what}); "
                                "the time limit per document is MAX_SECONDS")
