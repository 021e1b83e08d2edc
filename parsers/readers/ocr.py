"""Images and scanned PDF pages to lines of cells, by OCR.

RapidOCR (``rapidocr-onnxruntime``: PaddleOCR's Chinese detection and recognition models
converted to ONNX and shipped inside the wheel) reads the text boxes offline. Tables are
rebuilt from the ruling lines (:mod:`parsers.readers.lattice`): lines are erased before OCR (so a
rule is never read as ``1`` or ``|``), each text box goes to the cell holding its centre, and
a cell keeps the lowest confidence of its boxes. A cell that holds ink but no text that OCR
could read gets confidence 0, so it is left out with a warning rather than read as blank.
"""

from __future__ import annotations

import bisect
import io
import os
import re
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nianbao.parsers.readers.attachment import (AttachmentDocument, Unreadable, Unsupported, is_page_number,
                                join_wrapped)
from nianbao.parsers.document import Line
from nianbao.parsers.readers.lattice import Table, binarize, find_tables, line_masks, rotate, skew_angle
from nianbao.parsers.limits import (MAX_IMAGE_PIXELS, MAX_OCR_PAGES, OCR_RENDER_DPI, Deadline,
                            LimitExceeded)
from nianbao.parsers.values import read_value

INSTALL_HINT = "OCR needs rapidocr-onnxruntime: pip install rapidocr-onnxruntime"
MAX_SIDE = 4000  # OCR works on the page at this size at most (longer side, pixels)
_INK_SHARE = 0.004  # share of a cell's interior that is ink when something is printed there

_engine: Any = None
_lock = threading.Lock()


def engine() -> Any:
    """The shared OCR engine (loaded once, about 0.5 s)."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                raise Unsupported(INSTALL_HINT) from None
            # A wider box around each text (unclip 2.3, default 1.6) reads lone digits in
            # table cells with far higher confidence (0 no longer comes back as o or 。).
            # NIANBAO_OCR_THREADS caps onnxruntime's threads (one per core by default), for
            # workers that run several documents side by side.
            threads = int(os.environ.get("NIANBAO_OCR_THREADS", "-1") or -1)
            _engine = RapidOCR(text_score=0.2, use_cls=False, max_side_len=MAX_SIDE,
                               print_verbose=False, det_unclip_ratio=2.3,
                               intra_op_num_threads=threads)
        return _engine


@dataclass(slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(slots=True)
class OcrPage:
    lines: list[Line] = field(default_factory=list)
    confidence: dict[tuple[int, int], float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# OCR confusions inside numbers: only applied where the whole cell then reads as a number.
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1",
                            "，": ",", "。": "."})
_NUMBERISH = re.compile(r"^[+\-]?\d[\d,.]*(?:件|项|万元|元|亿元)?$")


_SPECKS = ".,·、'`‘’:;"
_DASHES = frozenset("-—–－_一~～")
_ZERO_LIKE = frozenset({"o", "O", "。", "〇", "○", "D", "Q"})


def clean_cell(text: str) -> str:
    """A table cell's OCR text with the usual confusions inside numbers undone: full-width
    digits, O for 0, l for 1; a cell holding only a zero-like mark is 0. Text that does not
    then read as a number is left as it was."""
    text = text.strip()
    if text in _ZERO_LIKE:
        return "0"
    if text and all(c in _DASHES for c in text):
        return "—"  # a dash placeholder; OCR cannot tell - from — or 一 in a table cell
    fixed = unicodedata.normalize("NFKC", text).translate(_DIGIT_FIX).replace(" ", "")
    fixed = fixed.strip(_SPECKS)  # a speck of dirt beside a number reads as . or ,
    if fixed != text and _NUMBERISH.match(fixed):
        return fixed
    return text


def _boxes(gray: np.ndarray) -> list[Box]:
    result, _ = engine()(np.ascontiguousarray(gray))
    out = []
    for points, text, score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        out.append(Box(min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return out


def _rows_of(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into text lines by their vertical centres, each line left to right."""
    rows: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: b.cy):
        if rows:
            last = rows[-1]
            height = max(1.0, np.median([x.y1 - x.y0 for x in last]))
            if abs(b.cy - np.mean([x.cy for x in last])) <= 0.5 * height:
                last.append(b)
                continue
        rows.append([b])
    for row in rows:
        row.sort(key=lambda b: b.x0)
    return rows


def _split_at_gaps(row: list[Box]) -> list[list[Box]]:
    """Boxes of one text line split where the gap is wider than two character heights."""
    height = float(np.median([b.y1 - b.y0 for b in row]))
    parts: list[list[Box]] = []
    for b in row:
        if parts and b.x0 - parts[-1][-1].x1 <= 2 * height:
            parts[-1].append(b)
        else:
            parts.append([b])
    return parts


def _join(boxes: list[Box]) -> str:
    return join_wrapped(["".join(b.text for b in row) for row in _rows_of(boxes)])


def _split_by_cells(b: Box, t: Table) -> list[tuple[Box, Any]]:
    """A box that runs over a cell wall (two wrapped header words read as one line) split
    at the wall, its characters shared by width; most boxes lie in one cell."""
    cuts = [x for x in t.xs if b.x0 + 2 < x < b.x1 - 2]
    spans: list[tuple[float, float, Any]] = []
    for x0, x1 in zip([b.x0, *cuts], [*cuts, b.x1]):
        cell = t.cell_at((x0 + x1) / 2, b.cy)
        if cell is None:
            continue
        if spans and spans[-1][2] is cell:
            spans[-1] = (spans[-1][0], x1, cell)
        else:
            spans.append((x0, x1, cell))
    if len(spans) <= 1:
        return [(b, spans[0][2])] if spans else []
    out, start, width = [], 0, b.x1 - b.x0
    for k, (x0, x1, cell) in enumerate(spans):
        end = len(b.text) if k == len(spans) - 1 else start + round(
            len(b.text) * (x1 - x0) / width)
        piece = b.text[start:end]
        if piece.strip():
            out.append((Box(x0, b.y0, x1, b.y1, piece, b.score), cell))
        start = end
    return out


def _has_ink(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> bool:
    m = max(5, min(x1 - x0, y1 - y0) // 6)  # keep clear of the erased rules' fringes
    inner = ink[y0 + m:y1 - m, x0 + m:x1 - m]
    return inner.size > 0 and float(inner.mean()) / 255 > _INK_SHARE


def _ink_box(ink: np.ndarray, cell: Any) -> tuple[int, int, int, int] | None:
    """Bounding box of the ink inside a cell, or None for an empty cell."""
    m = max(5, min(cell.x1 - cell.x0, cell.y1 - cell.y0) // 6)
    if not _has_ink(ink, cell.x0, cell.y0, cell.x1, cell.y1):
        return None
    ys, xs = np.nonzero(ink[cell.y0 + m:cell.y1 - m, cell.x0 + m:cell.x1 - m])
    return (cell.x0 + m + int(xs.min()), cell.y0 + m + int(ys.min()),
            cell.x0 + m + int(xs.max()) + 1, cell.y0 + m + int(ys.max()) + 1)


def _second_look(clean: np.ndarray, ink: np.ndarray, tables: list[Table],
                 in_cells: dict[int, dict[int, list[Box]]]) -> None:
    """Cells with ink where detection found no text (a lone narrow 1 is easy to miss):
    recognise the inked area directly, in one batch."""
    todo: list[tuple[int, Any, tuple[int, int, int, int]]] = []
    for ti, t in enumerate(tables):
        for row in t.rows:
            for cell in row:
                if id(cell) not in in_cells[ti]:
                    box = _ink_box(ink, cell)
                    if box is not None:
                        todo.append((ti, cell, box))
    if not todo:
        return
    crops = []
    for _, _, (x0, y0, x1, y1) in todo:
        pad = max(6, (y1 - y0) // 2)
        crop = clean[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]
        crops.append(np.ascontiguousarray(np.dstack([crop] * 3)))
    results, _ = engine().text_rec(crops)
    for (ti, cell, (x0, y0, x1, y1)), res in zip(todo, results):
        text, score = str(res[0]).strip(), float(res[1])
        if text:
            in_cells[ti][id(cell)] = [Box(x0, y0, x1, y1, text, score)]


def _misread_numbers(texts: list[str], confs: list[float | None],
                     data: list[bool] | None = None) -> None:
    """Text that is no number in a row of numbers is a misread number when it stands in a
    column of numbers (``data``) or right of a number (rows print their labels first):
    blank it with confidence 0, to be left out with a warning."""
    if not any(t and read_value(t) is not None for t in texts):
        return  # a header row
    seen_number = False
    for i, text in enumerate(texts):
        is_value = bool(text) and read_value(text) is not None
        if text and not is_value and (seen_number or (data is not None and data[i])):
            texts[i] = ""
            confs[i] = 0.0
        seen_number = seen_number or is_value


def read_page(gray: np.ndarray, *, tables_only: bool = False) -> OcrPage:
    """One page image (2-D uint8, white paper) to lines: tables and text in reading order.
    With ``tables_only`` a page without ruled tables is not OCR'd (prose pages of a long
    scanned report: OCR is the slow part)."""
    page = OcrPage()
    bw = binarize(gray)
    angle = skew_angle(bw)
    if abs(angle) > 0.05:
        gray = rotate(gray, angle)
        bw = binarize(gray)
        page.notes.append(f"page deskewed by {angle:.2f} degrees")
    horiz, vert = line_masks(bw)
    tables = find_tables(bw, horiz, vert)
    if tables_only and not tables:
        page.notes.append("no ruled table on the page: not OCR'd")
        return page
    lines_mask = np.zeros_like(bw)
    for t in tables:  # only the tables' rules: strokes of large characters elsewhere stay
        box = (slice(max(0, t.y0 - 6), t.y1 + 7), slice(max(0, t.x0 - 6), t.x1 + 7))
        lines_mask[box] = (horiz | vert)[box]
    clean = gray.copy()
    clean[lines_mask > 0] = 255  # erase the rules: never read a rule as 1 or |
    ink = bw.copy()  # median-filtered: specks are gone; rule fringes lie outside the interior
    ink[lines_mask > 0] = 0
    boxes = _boxes(clean)
    in_cells: dict[int, dict[int, list[Box]]] = {i: {} for i in range(len(tables))}
    outside: list[Box] = []
    for b in boxes:
        b.text = b.text.strip()
        if not b.text:
            continue
        for ti, t in enumerate(tables):
            if t.contains(b.cx, b.cy):
                for part, cell in _split_by_cells(b, t):
                    in_cells[ti].setdefault(id(cell), []).append(part)
                break
        else:
            outside.append(b)
    _second_look(clean, ink, tables, in_cells)
    items = [(float(t.y0), _table_rows(t, in_cells[ti], ink)) for ti, t in enumerate(tables)]
    items += _text_rows(outside, gray.shape[0])
    items.sort(key=lambda it: it[0])
    for _, rows in items:
        for row in rows:
            li = len(page.lines)
            page.lines.append(Line(row.texts, row.boundary))
            for ci, conf in enumerate(row.confs):
                if conf is not None:
                    page.confidence[(li, ci)] = conf
    return page


@dataclass(slots=True)
class _Row:
    texts: list[str]
    confs: list[float | None]  # None: an empty cell, nothing to doubt
    boundary: bool


def _table_rows(t: Table, boxes: dict[int, list[Box]], ink: np.ndarray) -> list[_Row]:
    """One row of cell texts and confidences per table row."""
    rows: list[_Row] = []
    columns: list[list[int]] = []  # per row: the grid column each cell starts in
    for row in t.rows:
        out = _Row([], [], True)
        for cell in row:
            found = boxes.get(id(cell), [])
            out.texts.append(clean_cell(_join(found)))
            if found:
                out.confs.append(min(b.score for b in found))
            elif _has_ink(ink, cell.x0, cell.y0, cell.x1, cell.y1):
                out.confs.append(0.0)  # something is printed there that OCR did not read
            else:
                out.confs.append(None)
        rows.append(out)
        columns.append([bisect.bisect_right(t.xs, cell.x0 + 1) - 1 for cell in row])
    data = _data_columns(rows, columns)
    for out, cols in zip(rows, columns):
        _misread_numbers(out.texts, out.confs, [c in data for c in cols])
    return rows


def _data_columns(rows: list[_Row], columns: list[list[int]]) -> set[int]:
    """Grid columns that hold numbers in more rows than labels (rows with numbers only)."""
    votes: dict[int, int] = {}
    for out, cols in zip(rows, columns):
        if not any(t and read_value(t) is not None for t in out.texts):
            continue  # a header row
        for text, col in zip(out.texts, cols):
            if text:
                votes[col] = votes.get(col, 0) + (1 if read_value(text) is not None else -1)
    return {c for c, v in votes.items() if v > 0}


def _text_rows(outside: list[Box], height: int) -> list[tuple[float, list[_Row]]]:
    """Text outside ruled tables: paragraphs, or rows of a table printed without rules."""
    items: list[tuple[float, list[_Row]]] = []
    for line in _rows_of(outside):
        top = min(b.y0 for b in line)
        parts = _split_at_gaps(line)
        if len(parts) > 1:  # a table row printed without rules: one cell per column
            row = _Row([clean_cell(join_wrapped([b.text for b in part])) for part in parts],
                       [min(b.score for b in part) for part in parts], True)
            _misread_numbers(row.texts, row.confs)
            items.append((top, [row]))
            continue
        text = join_wrapped([b.text for b in line])
        if (top < 0.08 * height or top > 0.92 * height) and is_page_number(text):
            continue
        items.append((top, [_Row([text], [min(b.score for b in line)], False)]))
    return items


def _check_pixels(w: int, h: int, what: str) -> None:
    if w * h > MAX_IMAGE_PIXELS:
        raise LimitExceeded(f"{what} is {w} x {h} pixels; the limit is {MAX_IMAGE_PIXELS:,} "
                            "(MAX_IMAGE_PIXELS)")


def _frames(data: bytes) -> list[np.ndarray]:
    """The image's frames (pages of a TIFF) as grey arrays, after the pixel limit."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
            _check_pixels(img.width, img.height, "the image")
            n = getattr(img, "n_frames", 1)
            if n > MAX_OCR_PAGES:
                raise LimitExceeded(f"the image has {n} frames; the limit for OCR is "
                                    f"{MAX_OCR_PAGES} (MAX_OCR_PAGES)")
            frames = []
            for i in range(n if img.format == "TIFF" else 1):
                img.seek(i)
                frame = ImageOps.exif_transpose(img.convert("RGBA" if img.mode in (
                    "P", "LA", "PA") else img.mode))
                if frame.mode == "RGBA":  # transparent parts are paper
                    bg = Image.new("RGBA", frame.size, (255, 255, 255, 255))
                    frame = Image.alpha_composite(bg, frame)
                frames.append(np.asarray(frame.convert("L")))
            return frames
        except Image.DecompressionBombError as exc:
            raise LimitExceeded(f"the image is too large: {exc}") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise Unreadable(f"an image that cannot be decoded ({exc})") from None


def _document(pages: list[OcrPage]) -> AttachmentDocument:
    doc = AttachmentDocument("ocr", [], [])
    for n, page in enumerate(pages, 1):
        base = len(doc.lines)
        doc.lines.extend(page.lines)
        doc.confidence.update({(base + li, ci): c for (li, ci), c in page.confidence.items()})
        prefix = f"page {n}: " if len(pages) > 1 else ""
        doc.notes.extend(prefix + note for note in page.notes)
    first = next((ln.cells[0] for ln in doc.lines if not ln.boundary and ln.cells[0]), None)
    doc.titles = [_close_bracket(first)] if first else []
    return doc


def _close_bracket(title: str) -> str:
    """A title whose closing bracket OCR lost at the edge (…报告（图片版) gets it back."""
    if title.count("（") > title.count("）") and title.rfind("（") > title.rfind("）"):
        return title + "）"
    return title


def image_document(data: bytes, deadline: Deadline | None = None) -> AttachmentDocument:
    """An image of a report or of its tables, read by OCR."""
    deadline = deadline or Deadline()
    engine()  # fail early, before decoding, when OCR is not installed
    pages = []
    for i, frame in enumerate(_frames(data)):
        deadline.check(f"frame {i + 1}")
        pages.append(read_page(frame))
    return _document(pages)


def ocr_pdf_pages(data: bytes, indexes: list[int], deadline: Deadline) -> dict[int, OcrPage]:
    """Render the given PDF pages (0-based) with pypdfium2 and OCR them."""
    import pypdfium2 as pdfium

    engine()
    out: dict[int, OcrPage] = {}
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise Unreadable(f"a PDF document that cannot be rendered ({exc})") from None
    try:
        scale = OCR_RENDER_DPI / 72
        for i in indexes:
            deadline.check(f"OCR of page {i + 1}")
            page = pdf[i]
            w, h = page.get_size()
            _check_pixels(round(w * scale), round(h * scale), f"page {i + 1} at "
                          f"{OCR_RENDER_DPI} dpi")
            bitmap = page.render(scale=scale, grayscale=True)
            arr = bitmap.to_numpy()
            gray = arr if arr.ndim == 2 else arr[..., 0]
            out[i] = read_page(np.ascontiguousarray(gray), tables_only=i != indexes[0])
            page.close()
    finally:
        pdf.close()
    return out
