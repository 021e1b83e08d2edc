"""PDF to lines of cells: ruled tables rebuilt from the page's lines and characters, text
outside them as paragraphs, in reading order.

pdfplumber (MIT, pure Python on pdfminer.six) finds tables from ruling lines and rectangle
edges and reports merged cells once (the covered slots are ``None``), which is exactly the
line model of :mod:`parsers.document`; PyMuPDF is faster but AGPL, which this MIT project
cannot ship. Pages are rendered for OCR with pypdfium2, which pdfplumber already depends on.

- A table that runs over a page break is two tables on two pages; its rows are read on in
  order, so extraction sees one table (rows are anchored on their labels).
- A cell's text that wrapped over several lines is joined (without a space between Chinese
  characters, as ``<br>`` inside an HTML cell reads).
- Page numbers in the top and bottom margins are dropped: a bare ``3`` must not pose as a
  value of the table it interrupts.
- Pages with (almost) no text but an image are scans: they are OCR'd (see parsers.ocr), and
  the document's origin becomes ``ocr``.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass
from typing import Any

from parsers.attachment import (AttachmentDocument, Unreadable, is_page_number, join_wrapped)
from parsers.document import Line
from parsers.limits import MAX_OCR_PAGES, MAX_PAGES, Deadline, LimitExceeded
from parsers.normalize import collapse

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                   "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3,
                   "edge_min_length": 3}
_SCAN_MAX_CHARS = 10  # a page with fewer characters and an image is a scan
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")
_MARGIN_SHARE = 0.08  # top and bottom share of a page where page numbers live

Char = dict[str, Any]


@dataclass(slots=True)
class _Item:
    """A table or a text line on a page, to sort in reading order."""

    top: float
    lines: list[Line]


def _open(data: bytes) -> Any:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # parses the page tree: damage shows here
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for bad files
        name = type(exc).__name__
        detail = str(exc) or name
        if "password" in detail.lower() or "encrypt" in detail.lower() or "Password" in name:
            raise Unreadable("the PDF is encrypted (password protected)") from None
        raise Unreadable(f"a PDF document that cannot be read ({name}: {detail[:160]})") from None
    return pdf


def _text_of(chars: list[Char]) -> str:
    """Characters of one cell or line as text: lines by position, spaces where gaps are."""
    if not chars:
        return ""
    chars = sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: c["top"]):
        if rows and abs(ch["top"] - rows[-1][0]["top"]) <= 0.5 * max(ch["size"], 1):
            rows[-1].append(ch)
        else:
            rows.append([ch])
    parts: list[str] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        text = ""
        prev: Char | None = None
        for ch in row:
            if prev is not None and ch["x0"] - prev["x1"] > 0.3 * ch["size"]:
                text += " "
            text += ch["text"]
            prev = ch
        parts.append(text)
    return join_wrapped(parts)


def _inside(ch: Char, box: tuple[float, float, float, float]) -> bool:
    x = (ch["x0"] + ch["x1"]) / 2
    y = (ch["top"] + ch["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _table_lines(table: Any, chars: list[Char]) -> list[Line]:
    """One line per table row: its cells once each (covered slots skipped), text joined."""
    rows = [[c for c in row.cells if c is not None] for row in table.rows]
    cells = [c for row in rows for c in row]
    tops = [row[0][1] if row else 0.0 for row in rows]
    found: dict[tuple[float, float, float, float], list[Char]] = {c: [] for c in cells}
    for ch in chars:
        y = (ch["top"] + ch["bottom"]) / 2
        i = bisect.bisect_right(tops, y) - 1
        box = next((c for c in (rows[i] if i >= 0 else []) if _inside(ch, c)), None)
        if box is None:  # a merged cell from a row above
            box = next((c for c in cells if _inside(ch, c)), None)
        if box is not None:
            found[box].append(ch)
    return [Line([_text_of(found[c]) for c in row], True) for row in rows if row]


def _text_lines(chars: list[Char], page_height: float) -> list[tuple[float, float, float, float,
                                                                        float, str]]:
    """(top, bottom, x0, x1, size, text) of each text line outside tables; page numbers in
    the margins dropped."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(ch["top"] - lines[-1][-1]["top"]) <= 0.5 * max(ch["size"], 1):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for group in lines:
        text = collapse(_text_of(group))
        if not text:
            continue
        top = min(c["top"] for c in group)
        bottom = max(c["bottom"] for c in group)
        in_margin = top < page_height * _MARGIN_SHARE or bottom > page_height * (1 - _MARGIN_SHARE)
        if in_margin and is_page_number(text):
            continue
        size = max(c["size"] for c in group)
        out.append((top, bottom, min(c["x0"] for c in group), max(c["x1"] for c in group),
                    size, text))
    return out


def _paragraphs(lines: list[tuple[float, float, float, float, float, str]]) -> list[_Item]:
    """Join lines that wrapped (the line before reaches the right edge of the text, the next
    is close below in the same size and is no numbered heading)."""
    if not lines:
        return []
    right = max(ln[3] for ln in lines)
    left = min(ln[2] for ln in lines)
    items: list[_Item] = []
    prev = None
    for ln in lines:
        top, bottom, x0, x1, size, text = ln
        joins = (prev is not None and items and len(lines) >= 2
                 and prev[3] >= right - 1.5 * prev[4] and prev[3] - left > 0.6 * (right - left)
                 and abs(size - prev[4]) < 0.5 and top - prev[1] < 1.2 * size
                 and not _HEADING.match(text))
        if joins:
            items[-1].lines[0].cells[0] = join_wrapped([items[-1].lines[0].cells[0], text])
        else:
            items.append(_Item(top, [Line([text], False)]))
        prev = ln
    return items


def _page_items(page: Any) -> list[_Item]:
    chars = [c for c in page.chars if c["text"].strip()]
    tables = [t for t in page.find_tables(_TABLE_SETTINGS)
              if sum(1 for r in t.rows for c in r.cells if c is not None) > 1]
    boxes = [t.bbox for t in tables]
    outside: list[Char] = []
    per_table: list[list[Char]] = [[] for _ in tables]
    for ch in chars:
        for i, box in enumerate(boxes):
            if _inside(ch, box):
                per_table[i].append(ch)
                break
        else:
            outside.append(ch)
    items = [_Item(t.bbox[1], _table_lines(t, cs)) for t, cs in zip(tables, per_table)]
    items += _paragraphs(_text_lines(outside, float(page.height)))
    items.sort(key=lambda it: it.top)
    return items


def _is_scan(page: Any) -> bool:
    return len(page.chars) < _SCAN_MAX_CHARS and bool(page.images)


def _metadata_title(pdf: Any) -> str | None:
    value = (pdf.metadata or {}).get("Title")
    if isinstance(value, bytes):
        for enc in ("utf-16", "utf-8", "gb18030"):
            try:
                value = value.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    return collapse(value) if isinstance(value, str) and value.strip() else None


def pdf_document(data: bytes, deadline: Deadline | None = None) -> AttachmentDocument:
    """Lines of a PDF; scanned pages are OCR'd. Raises Unreadable, LimitExceeded,
    Unsupported (OCR not installed)."""
    deadline = deadline or Deadline()
    pdf = _open(data)
    with pdf:
        n = len(pdf.pages)
        if n > MAX_PAGES:
            raise LimitExceeded(f"the PDF has {n} pages; the limit is {MAX_PAGES} (MAX_PAGES)")
        doc = AttachmentDocument("pdf", [], [])
        scans: list[int] = []
        pages_lines: list[list[Line] | int] = []
        for i, page in enumerate(pdf.pages):
            deadline.check(f"page {i + 1} of {n}")
            try:
                if _is_scan(page):
                    scans.append(i)
                    pages_lines.append(i)
                    continue
                pages_lines.append([ln for it in _page_items(page) for ln in it.lines])
            except Exception as exc:  # noqa: BLE001 - a damaged page: note it, read the rest
                doc.notes.append(f"page {i + 1} cannot be read ({type(exc).__name__}); skipped")
                pages_lines.append([])
            finally:
                page.close()
        meta_title = _metadata_title(pdf)
    if scans:
        if len(scans) > MAX_OCR_PAGES:
            raise LimitExceeded(f"the PDF has {len(scans)} scanned pages; the limit for OCR is "
                                f"{MAX_OCR_PAGES} (MAX_OCR_PAGES)")
        from parsers.ocr import ocr_pdf_pages

        ocr_pages = ocr_pdf_pages(data, scans, deadline)
        doc.origin = "ocr"
        doc.notes.append(f"{len(scans)} of {n} pages are scans without text: read by OCR")
    for entry in pages_lines:
        if isinstance(entry, int):
            page_result = ocr_pages[entry]
            base = len(doc.lines)
            doc.lines.extend(page_result.lines)
            doc.confidence.update({(base + li, ci): conf
                                   for (li, ci), conf in page_result.confidence.items()})
            doc.notes.extend(f"page {entry + 1}: {note}" for note in page_result.notes)
        else:
            doc.lines.extend(entry)
    first = next((ln.cells[0] for ln in doc.lines if not ln.boundary and ln.cells[0]), None)
    doc.titles = [t for t in (first, meta_title) if t]
    return doc
