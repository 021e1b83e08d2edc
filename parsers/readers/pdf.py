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
- A line outside ruled tables whose characters leave gaps wider than two characters is a row
  of a table printed without rules: it becomes a row of cells (blank cells leave no trace
  there, so extraction places its numbers by the identities or leaves them out, warning).
- Pages with (almost) no text but an image, text drawn as outlines, or a text layer of
  unmapped glyphs are scans: they are OCR'd (see parsers.readers.ocr), and the document's origin
  becomes ``ocr``.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass
from typing import Any

from nianbao.parsers.readers.attachment import (AttachmentDocument, Unreadable, is_page_number, join_wrapped)
from nianbao.parsers.document import Line
from nianbao.parsers.limits import MAX_OCR_PAGES, MAX_PAGES, Deadline, LimitExceeded
from nianbao.parsers.normalize import collapse

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                   "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3,
                   "edge_min_length": 3}
_SCAN_MAX_CHARS = 10  # a page with fewer characters and an image is a scan
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]"
                      r"|\d+[.．、])")
_MARGIN_SHARE = 0.08  # top and bottom share of a page where page numbers live

Char = dict[str, Any]


@dataclass(slots=True)
class _Item:
    """A table or a text line on a page, to sort in reading order."""

    top: float
    lines: list[Line]


_RAW_NOISE = (" - Is this really a PDF?", "!")


def _damaged(name: str, detail: str) -> str:
    """A damaged PDF in words, the PDF library's own message kept after a colon."""
    for noise in _RAW_NOISE:
        detail = detail.replace(noise, "")
    raw = f"{name}: {detail.strip()[:160]}" if detail.strip() and detail != name else name
    if name in ("PSEOF", "EOFError") or "unexpected eof" in detail.lower():
        return f"a PDF document that cannot be read: it ends too early (cut short?): {raw}"
    return f"a PDF document that cannot be read: it is damaged (no readable objects or page " \
           f"tree): {raw}"


def _open(data: bytes) -> Any:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # parses the page tree: damage shows here
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for bad files
        inner: BaseException = exc
        while isinstance(inner.args[0] if inner.args else None, BaseException):
            inner = inner.args[0]  # pdfplumber wraps pdfminer's error
        name = type(inner).__name__
        detail = str(inner) or name
        if "password" in detail.lower() or "encrypt" in detail.lower() or "Password" in name:
            raise Unreadable("the PDF is encrypted (password protected)") from None
        raise Unreadable(_damaged(name, detail)) from None
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


@dataclass(slots=True)
class _TextLine:
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    cells: list[str]  # one cell, or the cells of a row of a table without rules


def _split_at_gaps(chars: list[Char]) -> list[list[Char]]:
    """A line's characters split where a gap is wider than two characters: the columns of
    a table printed without rules (prose never has such gaps)."""
    parts: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if parts and ch["x0"] - parts[-1][-1]["x1"] <= 2 * max(ch["size"], 1):
            parts[-1].append(ch)
        else:
            parts.append([ch])
    return parts


def _text_lines(chars: list[Char], page_height: float) -> list[_TextLine]:
    """Text lines outside ruled tables; page numbers in the margins dropped."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(ch["top"] - lines[-1][-1]["top"]) <= 0.5 * max(ch["size"], 1):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for group in lines:
        cells = [collapse(_text_of(part)) for part in _split_at_gaps(group)]
        cells = [c for c in cells if c]
        if not cells:
            continue
        top = min(c["top"] for c in group)
        bottom = max(c["bottom"] for c in group)
        in_margin = (top < page_height * _MARGIN_SHARE
                     or bottom > page_height * (1 - _MARGIN_SHARE))
        if in_margin and len(cells) == 1 and is_page_number(cells[0]):
            continue
        out.append(_TextLine(top, bottom, min(c["x0"] for c in group),
                             max(c["x1"] for c in group), max(c["size"] for c in group), cells))
    return out


def _paragraphs(lines: list[_TextLine]) -> list[_Item]:
    """Join lines that wrapped (the line before reaches the right edge of the text, the next
    is close below in the same size and is no numbered heading). A line split at wide gaps
    is a table row without rules, kept as a row of cells."""
    if not lines:
        return []
    right = max(ln.x1 for ln in lines)
    left = min(ln.x0 for ln in lines)
    items: list[_Item] = []
    prev: _TextLine | None = None
    for ln in lines:
        if len(ln.cells) > 1:
            items.append(_Item(ln.top, [Line(ln.cells, True)]))
            prev = None
            continue
        text = ln.cells[0]
        joins = (prev is not None and items and len(lines) >= 2
                 and prev.x1 >= right - 1.5 * prev.size
                 and prev.x1 - left > 0.6 * (right - left)
                 and abs(ln.size - prev.size) < 0.5 and ln.top - prev.bottom < 1.2 * ln.size
                 and not _HEADING.match(text))
        if joins:
            items[-1].lines[0].cells[0] = join_wrapped([items[-1].lines[0].cells[0], text])
        else:
            items.append(_Item(ln.top, [Line([text], False)]))
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
    """A page to OCR: an image (or text drawn as outlines) and almost no characters, or a
    text layer that is mostly unmapped glyphs (``(cid:123)``: a font without a ToUnicode
    map), or a page-sized image carrying far more than its little text."""
    chars = page.chars
    if len(chars) < _SCAN_MAX_CHARS:
        return bool(page.images) or len(page.curves) > 50
    unmapped = sum(1 for c in chars if c["text"].startswith("(cid:")
                   or "\ue000" <= c["text"][:1] <= "\uf8ff")
    if unmapped > 0.3 * len(chars):
        return True
    area = float(page.width * page.height) or 1.0
    covered = sum(max(0.0, float(im["x1"] - im["x0"])) * max(0.0, float(im["bottom"] - im["top"]))
                  for im in page.images)
    return covered > 0.5 * area and len(chars) < 200


def _metadata_title(pdf: Any) -> str | None:
    value: Any = (pdf.metadata or {}).get("Title")
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
        from nianbao.parsers.readers.ocr import ocr_pdf_pages

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
