"""Images and scanned PDF pages to lines of cells, by OCR.

RapidOCR (``rapidocr-onnxruntime``: PaddleOCR's Chinese detection and recognition models
converted to ONNX and shipped inside the wheel) reads the text offline. Tables are rebuilt
from the ruling lines (:mod:`parsers.readers.lattice`), which are erased before OCR (a rule
is never read as ``1`` or ``|``). Text is placed by geometry, not by the detection model:
each cell's interior is cut into its text lines by its ink, and each line is recognised from
its own crop, so a text never runs over a rule into the next cell (the detector, run over
the whole page, joined neighbouring numbers into one token such as ``132012220`` when the
grid was not found). Two numbers side by side in one cell (a rule the grid lacks) are left
out, never joined. Only strips outside tables that are not plain text lines go to the
detector. A cell that holds ink but no text OCR could read gets confidence 0, so it is left
out with a warning rather than read as blank.
"""

from __future__ import annotations

import bisect
import functools
import io
import os
import re
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field
from statistics import median  # numpy's, on lists of a few boxes, took 20 times as long
from typing import Any

import numpy as np

from nianbao.parsers.readers.attachment import (AttachmentDocument, Unreadable, Unsupported, is_page_number,
                                join_wrapped)
from nianbao.parsers.document import Line
from nianbao.parsers.readers.lattice import (Table, binarize, components, find_tables, line_masks,
                                            rotate, skew_angle)
from nianbao.parsers.limits import (MAX_IMAGE_PIXELS, MAX_OCR_PAGES, OCR_RENDER_DPI, Deadline,
                            LimitExceeded)
from nianbao.parsers.schema import (COLUMN_LABELS, HEADER_GROUPS, REQUEST_GROUPS, SCHEMAS,
                                    TABLE_TITLES)
from nianbao.parsers.values import read_value

INSTALL_HINT = "OCR needs rapidocr-onnxruntime: pip install rapidocr-onnxruntime"
MAX_SIDE = 4000  # the detection model works on strips at this size at most (longer side)
MAX_WIDTH = 2600  # wider pages (beyond 300 dpi A4) are scaled down first
_LINE_JOIN = 1.6  # pieces of ink rows within this many character heights are one line
_WORD_GAP = 1.2  # a blank this many character heights wide separates two texts in a line
_TALL = 2.2  # ink rows outside tables taller than this many lines go to the detector
_DUST = 0.3  # ink smaller than this many character heights both ways is no character
_SPECK_AREA = 4  # ink components smaller than this (pixels) are specks
_BATCH = 32  # crops recognised together at most
_BATCH_PIXELS = 48 * 600  # and at most this many input pixels a channel (48 x width x
# crops): on one core large batches were slower, not faster (a page-sized image of tables:
# 3.4 CPU s recognising with batches up to 32 x 800 pixels, 1.5 s with this budget), and
# their working memory took the peak past 400 MB
_SLACK = 1.1  # crops batched together differ in width by at most this factor (+0.5 of the
# height): the narrower ones are padded to the widest, and padding costs as much as text
_REC_HEIGHT = 48  # the recognition model's input height
_LOW_HEIGHT = 32  # and the height of a first look at labels (:func:`_read`): 0.44 of the
# pixels; 28 read about as many labels right, 24 far fewer
_DIGIT_HEIGHT = 0.85  # lines of ink less high than this many character heights are digits
# (mostly 0.7-0.84 of the page's character height on the generated pictures, lines of
# labels 0.85 and more)
_SAME_PRINT = 4  # grey levels (3 x 3 blurred) two prints of one text may differ by, per
# pixel of character height beyond 8, at most 48: JPEG noise and anti-aliasing moved a
# print by up to 40 at 16 pixels; two numbers of one size differed by 136 or more at 16
# pixels, 77 at 10, but 26 at 7 (there noise hides the stroke between a 6 and an 8)
_INKY = 224  # a print's dark pixels (below 128) are at least this dark in the other print
# (a stroke one print has and the other lacks: a longer stroke, a decimal point)
_PAD = 0.55  # paper above and below a text line, in line heights, and
_PAD_X = 0.3  # left and right of it. The recogniser scales each crop to 48 pixels high and
# its cost grows with the width that gives (labels were 86 % of the pixels it read): these
# pads, against 0.4 all round before, cut that width by 17 % over the generated pictures
# (11 kinds, 3 seeds each) with as many facts read and no silent misread; 0.7 above and
# below shrank digits until 11011.8 read as 111.8, and less than 0.4 read worse at 96 dpi
_JUNK_SCORE = 0.5  # a line outside tables read wholly below this is marks, not text (the
# confidence below which ocr_verify leaves a cell out)

_engine: Any = None
_lock = threading.Lock()


def engine() -> Any:
    """The shared OCR engine (loaded once, about 0.5 s, with its characters' look-alikes:
    :func:`_fold_table`)."""
    global _engine, _folds
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                raise Unsupported(INSTALL_HINT) from None
            # A wider box around each text (unclip 2.3, default 1.6) reads lone digits in
            # table cells with far higher confidence (0 no longer comes back as o or 。).
            # NIANBAO_OCR_THREADS sets onnxruntime's threads; by default one per core this
            # process may run on (onnxruntime counts the machine's cores, and a worker pinned
            # to one core then ran twice as slowly, its threads taking turns).
            threads = int(os.environ.get("NIANBAO_OCR_THREADS", "0") or 0) or _cores()
            _engine = RapidOCR(text_score=0.2, use_cls=False, max_side_len=MAX_SIDE,
                               print_verbose=False, det_unclip_ratio=2.3,
                               intra_op_num_threads=threads, inter_op_num_threads=1)
            _folds = _folds_of(list(_engine.text_rec.postprocess_op.character))
        return _engine


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


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
    """Text boxes found by the detection model (used only where no grid says where text
    lies: strips outside tables that do not look like plain text lines)."""
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
            height = max(1.0, median([x.y1 - x.y0 for x in last]))
            if abs(b.cy - sum(x.cy for x in last) / len(last)) <= 0.5 * height:
                last.append(b)
                continue
        rows.append([b])
    for row in rows:
        row.sort(key=lambda b: b.x0)
    return rows


def _split_at_gaps(row: list[Box]) -> list[list[Box]]:
    """Boxes of one text line split where the gap is wider than two character heights."""
    height = float(median([b.y1 - b.y0 for b in row]))
    parts: list[list[Box]] = []
    for b in row:
        if parts and b.x0 - parts[-1][-1].x1 <= 2 * height:
            parts[-1].append(b)
        else:
            parts.append([b])
    return parts


def _join(boxes: list[Box]) -> str:
    return join_wrapped(["".join(b.text for b in row) for row in _rows_of(boxes)])


# --- where the text lies: ink runs, no detection model -------------------------------------


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in a 1-D profile, runs closer than ``gap`` joined."""
    idx = np.flatnonzero(profile)
    if not idx.size:
        return []
    cut = np.flatnonzero(np.diff(idx) > gap)
    starts = np.concatenate(([idx[0]], idx[cut + 1]))
    ends = np.concatenate((idx[cut], [idx[-1]])) + 1
    return list(zip(starts.tolist(), ends.tolist()))


def _bands(ink: np.ndarray, height: float) -> list[tuple[int, int]]:
    """Text lines of an ink area by its row profile; pieces of one line (二, 三, a dash over
    a digit) are joined while the whole stays within a line's height."""
    bands = _runs(ink.any(axis=1), 1)
    out: list[tuple[int, int]] = []
    for y0, y1 in bands:
        if out and y1 - out[-1][0] <= _LINE_JOIN * height:
            out[-1] = (out[-1][0], y1)
        else:
            out.append((y0, y1))
    return out


def _text_height(ink: np.ndarray, areas: list[tuple[int, int, int, int]]) -> float:
    """The page's character height: the usual height of a line of ink in its cells."""
    heights = []
    for x0, y0, x1, y1 in areas:
        for a, b in _runs(ink[y0:y1, x0:x1].any(axis=1), 1):
            if b - a >= 3:
                heights.append(b - a)
    return float(np.percentile(heights, 75)) if heights else 20.0


@dataclass(slots=True)
class _Piece:
    """One text line (or part of one) to recognise: its place on the page and its crop."""

    x0: int
    y0: int
    x1: int
    y1: int
    key: Any  # the table cell (id) it lies in, or None outside tables


def _pieces(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int, height: float,
            key: Any) -> list[_Piece]:
    """The text lines in an area, each cut where a gap is wider than a character (numbers
    side by side in a cell without a rule between them stay apart)."""
    area = ink[y0:y1, x0:x1]
    out = []
    for a, b in _bands(area, height):
        for c, d in _runs(area[a:b].any(axis=0), max(2, round(_WORD_GAP * height))):
            if max(b - a, d - c) < _DUST * height:
                continue  # dust, or a rule's fringe left after deskewing: no character
            out.append(_Piece(x0 + c, y0 + a, x0 + d, y0 + b, key))
    return out


def _single_glyph(p: _Piece) -> bool:
    """A piece one narrow character wide (a lone digit)."""
    return p.x1 - p.x0 < 0.85 * (p.y1 - p.y0)


def _crop(clean: np.ndarray, p: _Piece) -> np.ndarray:
    """The piece on white, padded as the recogniser expects (``_PAD`` and ``_PAD_X`` of
    the line's height). A lone narrow character is printed twice: alone, a 0 reads as o or
    。 with confidence near 0.5; doubled, 00 reads right with confidence near 1."""
    h, w = p.y1 - p.y0, p.x1 - p.x0
    pad, pad_x = max(3, round(_PAD * h)), max(3, round(_PAD_X * h))
    glyph = clean[p.y0:p.y1, p.x0:p.x1]
    if _single_glyph(p):
        gap = max(2, round(0.3 * h))
        glyph = np.hstack([glyph, np.full((h, gap), 255, np.uint8), glyph])
        w = glyph.shape[1]
    out = np.full((h + 2 * pad, w + 2 * pad_x), 255, np.uint8)
    out[pad:pad + h, pad_x:pad_x + w] = glyph
    return out


def _undouble(text: str, score: float) -> tuple[str, float]:
    """The reading of a doubled glyph: the character when both copies read alike; else
    the text with a confidence low enough to leave it out."""
    t = unicodedata.normalize("NFKC", text)
    if len(t) == 2 and t[0] == t[1]:
        return t[0], score
    if len(t) == 1:  # the copies read as one character (a wide mark)
        return t, min(score, 0.4)
    return text, min(score, 0.3)


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and confidence of each crop (grey, one text line). Each text is read once for
    all its prints (:func:`_prints`), in the batches of :func:`_batches`."""
    if not crops:
        return []
    same = _prints(crops)
    out = _run(crops, _batches(crops, [k for k in range(len(crops)) if same[k] == k],
                               _REC_HEIGHT), _REC_HEIGHT)
    return [out[same[k]] for k in range(len(crops))]


def _batches(crops: list[np.ndarray], todo: list[int], height: int
             ) -> list[tuple[list[int], float]]:
    """The crops ``todo`` (indexes) in batches to read at ``height``, each with the width
    (over the height) its crops are padded to. Crops are batched by width and padded only
    to the widest of their batch: RapidOCR pads every crop to 320 pixels, which made
    recognising short numbers several times slower than it needs to be. Batches are kept
    small (``_BATCH_PIXELS``): one core reads small batches faster, in less memory."""
    ratios = [c.shape[1] / c.shape[0] for c in crops]
    order = sorted(todo, key=ratios.__getitem__)
    out = []
    i = 0
    while i < len(order):
        j = i + 1
        while (j < len(order) and j - i < _BATCH
               and ratios[order[j]] <= _SLACK * ratios[order[i]] + 0.5
               and (j - i + 1) * ratios[order[j]] * height ** 2 <= _BATCH_PIXELS):
            j += 1
        idx = order[i:j]
        out.append((idx, max(ratios[k] for k in idx)))
        i = j
    return out


def _run(crops: list[np.ndarray], batches: list[tuple[list[int], float]], height: int
         ) -> dict[int, tuple[str, float]]:
    """Text and confidence of the crops of each batch, scaled to ``height`` pixels and
    padded to the batch's width."""
    rec = engine().text_rec
    out: dict[int, tuple[str, float]] = {}
    for idx, widest in batches:
        batch = np.stack([_normalised(crops[k], widest, height) for k in idx])
        out.update(zip(idx, _decode(rec.session(batch)[0])))
    return out


def _read(pieces: list[_Piece], crops: list[np.ndarray], height: float
          ) -> list[tuple[str, float]]:
    """Text and confidence of each piece's crop, as :func:`recognise` reads them, in
    less time. Labels are most of what a page of tables prints (88 % of the width
    recognised) and the recogniser's cost grows with the square of the height it reads
    at: each cell (or line outside tables) is first read at ``_LOW_HEIGHT``, and that
    reading is kept only where the cell's whole text is then one of the templates' labels
    (:func:`_known_label`). Everything else, numbers always, is read at the model's full
    height, each crop padded as in :func:`recognise`'s batches of all the crops, so it
    reads as it did there (batched otherwise, the padding moved the confidence of marginal
    cells across the thresholds of ocr_verify). Low readings kept unchecked were wrong
    (tried before: at 40 pixels facts went missing silently, at 32 they were misread).
    Cells with a lone narrow glyph (a digit, doubled by :func:`_crop`) or a line less high
    than Chinese characters (``_DIGIT_HEIGHT``: digits) are not read low."""
    if not crops:
        return []
    same = _prints(crops)
    cells: dict[Any, list[int]] = {}
    for k, p in enumerate(pieces):
        # outside tables, the pieces of one line of ink (三、 and 收到和处理…情况)
        cells.setdefault(("line", p.y0, p.y1) if p.key is None else p.key, []).append(k)
    looked = [ks for ks in cells.values() if not any(
        _single_glyph(pieces[k]) or pieces[k].y1 - pieces[k].y0 < _DIGIT_HEIGHT * height
        for k in ks)]
    low = _run(crops, _batches(crops, sorted({same[k] for ks in looked for k in ks}),
                               _LOW_HEIGHT), _LOW_HEIGHT)
    out: dict[int, tuple[str, float]] = {}
    for ks in looked:
        found = [Box(pieces[k].x0, pieces[k].y0, pieces[k].x1, pieces[k].y1, *low[same[k]])
                 for k in ks]
        if _known_label(_join(found)):
            out.update((k, low[same[k]]) for k in ks)
    need = {same[k] for k in range(len(pieces)) if k not in out}
    batches = _batches(crops, [k for k in range(len(crops)) if same[k] == k], _REC_HEIGHT)
    full = _run(crops, [([k for k in idx if k in need], widest) for idx, widest in batches
                        if any(k in need for k in idx)], _REC_HEIGHT)
    return [out[k] if k in out else full[same[k]] for k in range(len(pieces))]


# Quotes OCR tells apart by their width or side only: one sign for the comparison.
_QUOTES = str.maketrans({c: '"' for c in "“”‘’'「」『』"})
# Printed by the national templates beside the labels and headers of parsers.schema (the
# corner of table 二, a caption), though extraction needs no entry for them.
_HEADINGS = ("信息内容", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")


def _label_key(text: str) -> str:
    """A text as compared with the known labels: full-width forms as their ASCII ones
    (OCR reads （ as ( and back at random), quotes as one sign."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


@functools.cache
def _known_labels() -> frozenset[str]:
    """Every label, printed label, block heading, column heading and table title of the
    templates (:mod:`parsers.schema`), and the templates' other headings, as
    :func:`_label_key` gives them."""
    texts = {*_HEADINGS, *HEADER_GROUPS, *COLUMN_LABELS, *REQUEST_GROUPS,
             *(t for t, _ in TABLE_TITLES.values())}
    for tables in SCHEMAS.values():
        for table in tables.values():
            for row in table.rows:
                texts |= {row.label, *row.printed, *row.keys, *row.exact}
                if row.block:
                    texts.add(row.block)
    return frozenset(_label_key(t) for t in texts)


def _known_label(text: str) -> bool:
    """Whether a cell's text, read at low resolution, is one of the templates' labels."""
    return bool(text) and _label_key(text) in _known_labels()


def _prints(crops: list[np.ndarray]) -> list[int]:
    """For each crop, the first crop that prints the same text (itself if none), read for
    all of them. A clean screenshot prints every 0 with the same pixels; JPEG and WebP noise
    and anti-aliasing make each print differ by a few grey levels, and reading every one of
    them cost a lossy page-sized image a second more than its PNG. Two crops are prints of
    one text when they have the same size, differ after a 3 x 3 blur by no more than noise
    (:func:`_tolerance`), and each one's dark pixels are inky in the other (``_INKY``: a
    stroke or dot one of them lacks is never blurred away)."""
    import cv2

    first: dict[bytes, int] = {}
    read: dict[tuple[int, ...], _Prints] = {}  # the crops to be read, by size
    out: list[int] = []
    for k, c in enumerate(crops):
        j = first.setdefault(c.tobytes() + bytes(str(c.shape), "ascii"), k)
        if j != k:
            out.append(out[j])  # the same pixels as an earlier crop
            continue
        tol = _tolerance(c)
        if not tol:
            out.append(k)  # characters too small to tell noise from a stroke
            continue
        blur = cv2.blur(c, (3, 3))
        # blur averaged over blocks: blocks differ by no more than the pixels in them, so
        # comparing these first drops no print of the same text (and keeps a page of
        # hundreds of different numbers of one size from comparing each pair in full)
        coarse = cv2.resize(blur, (max(1, c.shape[1] // 4), max(1, c.shape[0] // 4)),
                            interpolation=cv2.INTER_AREA).astype(np.int16).ravel()
        blur16 = blur.astype(np.int16)
        dark = c < 128
        ink = c < _INKY
        seen = read.setdefault(c.shape, _Prints())
        found = k
        for i in seen.near(coarse, tol):
            r_blur, r_dark, r_ink = seen.looks[i]
            if (int(np.abs(r_blur - blur16).max()) <= tol
                    and not (dark & ~r_ink).any() and not (r_dark & ~ink).any()):
                found = seen.index[i]
                break
        if found == k:
            seen.add(k, coarse, (blur16, dark, ink))
        out.append(found)
    return out


def _tolerance(crop: np.ndarray) -> int:
    """Grey levels (blurred) two prints of one text in crops of this size may differ by:
    ``_SAME_PRINT`` per pixel of character height beyond 8 (a crop is the line's height and
    ``_PAD`` of it above and below), at most 48; none for smaller characters."""
    return min(48, max(0, _SAME_PRINT * (round(crop.shape[0] / (1 + 2 * _PAD)) - 8)))


@dataclass(slots=True)
class _Prints:
    """The crops of one size to be read: their indexes, coarse looks (one row each; the
    rows beyond the last are room to grow) and full looks (blurred, dark and inky pixels)."""

    index: list[int] = field(default_factory=list)
    coarse: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.int16))
    looks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def near(self, coarse: np.ndarray, tol: int) -> list[int]:
        """The crops whose coarse look is within ``tol`` grey levels of this one (and one
        more: block averages are rounded to whole grey levels)."""
        n = len(self.index)
        if not n:
            return []
        diff = np.abs(self.coarse[:n] - coarse).max(axis=1)
        return np.flatnonzero(diff <= tol + 1).tolist()

    def add(self, k: int, coarse: np.ndarray,
            look: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        n = len(self.index)
        if n == len(self.coarse):
            grown = np.zeros((max(8, 2 * n), coarse.size), np.int16)
            grown[:n] = self.coarse[:n]
            self.coarse = grown
        self.coarse[n] = coarse
        self.index.append(k)
        self.looks.append(look)


_folds: tuple[list[str], dict[int, np.ndarray], list[int]] | None = None


def _fold_table() -> tuple[list[str], dict[int, np.ndarray], list[int]]:
    """The recogniser's characters and their look-alikes (:func:`_folds_of`)."""
    if _folds is None:
        engine()
    assert _folds is not None
    return _folds


def _folds_of(chars: list[str]) -> tuple[list[str], dict[int, np.ndarray], list[int]]:
    """The characters, and for each character that has look-alikes of the same meaning (0
    and full-width ０, ( and （) the indexes of all of them, and each one's first look-alike.
    Made when the engine loads (0.05 s for its 6,625 characters), not by a page read."""
    canon: dict[str, list[int]] = {}
    for i, c in enumerate(chars):
        canon.setdefault(unicodedata.normalize("NFKC", c), []).append(i)
    groups = {i: np.array(ix) for ix in canon.values() if len(ix) > 1 for i in ix}
    cls = list(range(len(chars)))
    for ix in canon.values():
        for i in ix:
            cls[i] = ix[0]
    return chars, groups, cls


def _decode(preds: np.ndarray) -> list[tuple[str, float]]:
    """CTC greedy decoding where look-alikes of the same meaning share their probability:
    the model splits a 0 between 0 and ０, which RapidOCR reports as confidence 0.5."""
    chars, groups, cls = _fold_table()
    out = []
    for p in preds:
        best = p.argmax(axis=1)
        text, confs, last = [], [], -1
        for t, a in enumerate(best.tolist()):
            c = cls[a]
            if a == 0 or c == last:  # blank, or the same character again
                last = c if a != 0 else -1
                if a != 0 and confs:
                    confs[-1] = max(confs[-1], float(p[t, groups[a]].sum() if a in groups
                                                     else p[t, a]))
                continue
            last = c
            text.append(chars[a])
            confs.append(float(p[t, groups[a]].sum() if a in groups else p[t, a]))
        out.append(("".join(text).strip(), float(np.mean(confs)) if confs else 0.0))
    return out


def _normalised(crop: np.ndarray, ratio: float, h: int = _REC_HEIGHT) -> np.ndarray:
    """A crop as the recogniser's input (3 x h x h*ratio, values -1..1), padded on the
    right with paper: RapidOCR pads with grey, which lowers the confidence of a short text
    batched with longer ones."""
    import cv2

    width = max(1, int(h * ratio))
    w = min(width, int(np.ceil(h * crop.shape[1] / crop.shape[0])))
    line = np.full((h, width), 255, np.uint8)
    line[:, :w] = cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR if crop.shape[0] < h
                             else cv2.INTER_AREA)
    x = line.astype(np.float32) * (2 / 255) - 1
    return np.broadcast_to(x, (3, h, width))


def _strips(ink: np.ndarray, height: float) -> list[tuple[int, int]]:
    """Rows of ink outside tables: text lines, or taller things (a seal, a figure)."""
    return _bands(ink, height)


def read_page(gray: np.ndarray, *, tables_only: bool = False) -> OcrPage:
    """One page image (2-D uint8, white paper) to lines: tables and text in reading order.
    With ``tables_only`` a page without ruled tables is not OCR'd (prose pages of a long
    scanned report: OCR is the slow part).

    Text is found from the page's ink, not by the detection model: inside a table, each
    cell's interior is cut into its text lines and each line recognised on its own, so a
    text can never run over a rule into the next cell. Outside tables, strips that are one
    line of text high are cut the same way; taller strips go to the detection model."""
    page = OcrPage()
    if gray.shape[1] > MAX_WIDTH:  # beyond 300 dpi: detail the recogniser does not need
        import cv2

        k = MAX_WIDTH / gray.shape[1]
        gray = cv2.resize(gray, (MAX_WIDTH, max(1, round(gray.shape[0] * k))),
                          interpolation=cv2.INTER_AREA)
    bw = binarize(gray)
    horiz, vert = line_masks(bw)
    angle = skew_angle(bw, horiz)
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
        lines_mask[box] = horiz[box] | vert[box]
    del horiz, vert  # page-sized masks: freed as soon as they are used (peak memory)
    clean = gray.copy()
    clean[lines_mask > 0] = 255  # erase the rules: never read a rule as 1 or |
    bw[lines_mask > 0] = 0
    del lines_mask
    ink = _despeckle(bw)
    del bw
    interiors = [(cell, _interior(cell)) for t in tables for row in t.rows for cell in row]
    height = _text_height(ink, [a for _, a in interiors] or [(0, 0, ink.shape[1],
                                                              ink.shape[0])])
    pieces: list[_Piece] = []
    for cell, (x0, y0, x1, y1) in interiors:
        if x1 > x0 and y1 > y0:
            pieces += _pieces(ink, x0, y0, x1, y1, height, id(cell))
    outside = ink.copy()
    for t in tables:
        outside[max(0, t.y0 - 3):t.y1 + 4, max(0, t.x0 - 3):t.x1 + 4] = 0
    boxes: list[Box] = []
    for y0, y1 in _strips(outside, height):
        if y1 - y0 <= _TALL * height:
            pieces += _pieces(outside, 0, y0, outside.shape[1], y1, height, None)
        else:  # not one line of text: let the detector find what is there
            strip = np.where(outside[y0:y1] > 0, clean[y0:y1], 255).astype(np.uint8)
            for b in _boxes(strip):
                boxes.append(Box(b.x0, b.y0 + y0, b.x1, b.y1 + y0, b.text, b.score))
    del ink, outside
    texts = _read(pieces, [_crop(clean, p) for p in pieces], height)
    del clean
    in_cells: dict[int, list[Box]] = {}
    for p, (text, score) in zip(pieces, texts):
        if _single_glyph(p):
            text, score = _undouble(text, score)
        box = Box(p.x0, p.y0, p.x1, p.y1, text, score)
        if p.key is None:
            if text:
                boxes.append(box)
        else:
            in_cells.setdefault(p.key, []).append(box)
    items = [(float(t.y0), _table_rows(t, in_cells)) for t in tables]
    text_items, junk = _text_rows([b for b in boxes if b.text.strip()], gray.shape[0])
    items += text_items
    if junk:
        page.notes.append(f"{junk} line{'s' if junk > 1 else ''} outside the tables held only "
                          "marks OCR could not read (specks, smudges); left out")
    items.sort(key=lambda it: it[0])
    for _, rows in items:
        for row in rows:
            li = len(page.lines)
            page.lines.append(Line(row.texts, row.boundary))
            for ci, conf in enumerate(row.confs):
                if conf is not None:
                    page.confidence[(li, ci)] = conf
    return page


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


def _interior(cell: Any) -> tuple[int, int, int, int]:
    """A cell without its rules' fringes (2 pixels beyond the erased rule on each side)."""
    m = 3
    return cell.x0 + m, cell.y0 + m, cell.x1 - m + 1, cell.y1 - m + 1


def _despeckle(ink: np.ndarray) -> np.ndarray:
    """Ink without specks (components of a few pixels: scanner dust, JPEG noise); a decimal
    point between digits is still read, from the page, as the crop spans it."""
    import cv2

    n, labels, stats = components(ink)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < _SPECK_AREA)
    small = small[small > 0]
    if small.size:
        keep = np.full(n, 255, np.uint8)  # a lookup by label: np.isin sorted a copy of
        keep[small] = 0  # the whole label array (tens of MB on a 300 dpi page)
        keep[0] = 0
        return keep[labels]
    return ink


@dataclass(slots=True)
class _Row:
    texts: list[str]
    confs: list[float | None]  # None: an empty cell, nothing to doubt
    boundary: bool


def _table_rows(t: Table, boxes: dict[int, list[Box]]) -> list[_Row]:
    """One row of cell texts and confidences per table row."""
    rows: list[_Row] = []
    columns: list[list[int]] = []  # per row: the grid column each cell starts in
    for row in t.rows:
        out = _Row([], [], True)
        for cell in row:
            text, conf = _cell_text(boxes.get(id(cell), []))
            out.texts.append(text)
            out.confs.append(conf)
        rows.append(out)
        columns.append([bisect.bisect_right(t.xs, cell.x0 + 1) - 1 for cell in row])
    data = _data_columns(rows, columns)
    for out, cols in zip(rows, columns):
        _misread_numbers(out.texts, out.confs, [c in data for c in cols])
    return rows


def _cell_text(found: list[Box]) -> tuple[str, float | None]:
    """A cell's text and confidence from its recognised lines: None for an empty cell, 0
    for ink OCR could not read, or for two numbers side by side in one cell (a rule the
    grid lacks: reading them as one number would be a wrong number)."""
    if not found:
        return "", None
    if any(not b.text for b in found):
        return "", 0.0
    for line in _rows_of(found):
        if sum(read_value(clean_cell(b.text)) is not None for b in line) > 1:
            return "", 0.0
    return clean_cell(_join(found)), min(b.score for b in found)


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


def _text_rows(outside: list[Box], height: int) -> tuple[list[tuple[float, list[_Row]]], int]:
    """Text outside ruled tables: paragraphs, or rows of a table printed without rules; and
    how many lines were left out as marks OCR could not read (every piece below
    ``_JUNK_SCORE``: specks on a scan read as ``*`` and ``1`` made a row that extraction
    took for the end of the table above it, and the whole table was lost)."""
    items: list[tuple[float, list[_Row]]] = []
    junk = 0
    for line in _rows_of(outside):
        top = min(b.y0 for b in line)
        if all(b.score < _JUNK_SCORE for b in line) and not any(
                len(b.text) > 1 and read_value(clean_cell(b.text)) is None for b in line):
            junk += 1  # no word in it, and nothing read with any confidence
            continue
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
    return items, junk


def _check_pixels(w: int, h: int, what: str) -> None:
    if w * h > MAX_IMAGE_PIXELS:
        raise LimitExceeded(f"{what} is {w} x {h} pixels; the limit is {MAX_IMAGE_PIXELS:,} "
                            "(MAX_IMAGE_PIXELS)")


def _frames(data: bytes) -> list[np.ndarray]:
    """The image's frames (pages of a TIFF) as grey arrays, after the pixel limit. Each
    frame is converted to one channel once (transparency composited on paper in the grey
    array), never through RGBA copies: four bytes a pixel, three times over, for a
    page-long screenshot. (libjpeg's own grey decoding saved memory but gave slightly other
    pixels, and a scan's OCR readings changed with them.)"""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
            _check_pixels(img.width, img.height, "the image")
            n = getattr(img, "n_frames", 1)
            if n > MAX_OCR_PAGES:
                raise LimitExceeded(f"the image has {n} frames; the limit for OCR is "
                                    f"{MAX_OCR_PAGES} (MAX_OCR_PAGES)")
            turn = _TRANSPOSE.get(img.getexif().get(0x0112, 1))
            frames = []
            for i in range(n if img.format == "TIFF" else 1):
                img.seek(i)
                gray = _grey(img)
                frames.append(gray if turn is None else _turn(gray, turn))
            img.close()
            return frames
        except Image.DecompressionBombError as exc:
            raise LimitExceeded(f"the image is too large: {exc}") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise Unreadable(f"an image that cannot be decoded ({exc})") from None


# EXIF orientation -> (quarter turns anticlockwise, then mirror left-right)
_TRANSPOSE = {2: (0, True), 3: (2, False), 4: (2, True), 5: (1, True), 6: (3, False),
              7: (3, True), 8: (1, False)}


def _turn(gray: np.ndarray, how: tuple[int, bool]) -> np.ndarray:
    """A frame turned upright as its EXIF orientation says (as ImageOps.exif_transpose)."""
    k, mirror = how
    out = np.rot90(gray, k) if k else gray
    return np.ascontiguousarray(out[:, ::-1] if mirror else out)


def _grey(img: Any) -> np.ndarray:
    """One frame as a grey array, transparent parts as paper."""
    mode = img.mode
    if mode == "P" and "transparency" in img.info:
        img = img.convert("PA")  # the palette's transparent index as alpha
        mode = "PA"
    if mode in ("LA", "PA", "RGBA", "La", "RGBa"):
        alpha = np.asarray(img.getchannel("A"), dtype=np.uint16)
        base = img.convert("RGB" if mode == "PA" else mode[:-1].upper()).convert("L") \
            if mode != "LA" else img.getchannel("L")
        grey = np.asarray(base, dtype=np.uint16)
        del base
        # paper where transparent: g * a + 255 * (255 - a), divided by 255, rounded
        return ((grey * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return np.asarray(img.convert("L"))
    return np.asarray(img if mode == "L" else img.convert("L"))


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


def images_document(images: list[bytes], deadline: Deadline | None = None
                    ) -> AttachmentDocument:
    """Several images of one report (a JPEG per table, a table split over two images) read
    as one document, in the order given, as the pages of a PDF are: a table that runs on
    into the next image continues there."""
    deadline = deadline or Deadline()
    engine()
    pages = []
    for n, data in enumerate(images, 1):
        for i, frame in enumerate(_frames(data)):
            deadline.check(f"image {n} frame {i + 1}")
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
