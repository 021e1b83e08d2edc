"""The common shape every source is turned into before extraction.

A document is a sequence of rows of raw cell texts in reading order: table rows from HTML,
pipe-separated lines, one-cell lines, paragraphs. Extraction sees only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Line:
    """One row of cells. ``boundary`` is true when the row is known to be a table row
    (an HTML ``<tr>``, a pipe line with several cells). Otherwise the cells are a run of
    paragraphs or one-cell text lines, which may be the cells of rows spread over lines."""

    cells: list[str]
    boundary: bool
    # The line began with a bare ``|``: a leading pipe (``| 0 | 1 |``), or the end of a blank
    # first cell (`` | 1 |`` with the blank trimmed away). Extraction decides by counting.
    lead_gap: bool = False
    # Indexes of cells whose value is unknown (an HTML value straddling two columns): they
    # hold "" to keep the other cells in their columns; extraction leaves them out.
    unknown: frozenset[int] = frozenset()


@dataclass(slots=True)
class Document:
    origin: str  # html, text, pdf, docx, ocr
    lines: list[Line]
    # Title candidates in order of trust (meta ArticleTitle, <title>, <h1>, first text line).
    titles: list[str] = field(default_factory=list)
    # The page's publish date as the page states it (meta PubDate, firstpublishedtime), if any.
    published: str | None = None
