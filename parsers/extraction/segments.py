"""Lines of cells to *segments*: the labels of a table row and the values that follow them.

Every rendering reduces to this: a pipe line ``规章 | 1 | 1 | 8 |``, an HTML ``<tr>``, or the
same cells one per line all give the labels [规章] and the values [1, 1, 8]. A new segment
starts at a label that follows values, and at the start of a line known to be a table row.
Section headings met on the way set the *region* (the table being read) of what follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao.parsers.document import Line
from nianbao.parsers.normalize import label_key, nfkc
from nianbao.parsers.values import BLANK, Cell, read_value

# Labels longer than this (normalised) are prose, not table labels or headings.
MAX_LABEL = 48
# A remark in brackets, eight characters or more (after NFKC): 规章（设区的市…应提供相关数据）,
# 其他主动公开文件（除规范性文件以外…）, the caption （本列数据的勾稽关系为：…） glued to a header.
# A label is matched by the words outside its remarks, since a remark may name other rows;
# numbering （一）, units （单位：万元） and bracketed words of the label (危及（三安全一稳定）)
# are shorter and stay.
_REMARK = re.compile(r"\([^()]{8,}\)")
# A cell meant as a number that does not read as one: digits mixed with the letters an OCR
# engine or a text layer put in their place (52o, S20, 1O件), or a lone sign read for a 0 or
# a 1 (o, l, 口, 〇, ○). It holds a cell of unknown value, never a label: read as a word, it
# left its row printed blank, a null where the page has a number.
_GARBLED = re.compile(r"(?=[^A-Za-z]*[A-Za-z])(?=\D*\d)[0-9A-Za-z.,+\-]{2,12}"
                      r"(?:件|个|项|次|万元|元)?|[oOlI口〇○]")
# In tables 二 and 三, a text too long for a label whose words outside its remarks are this
# short is a label with a long remark, not prose.
MAX_REMARKED_HEAD = 20


@dataclass(slots=True)
class Token:
    raw: str
    cell: Cell | None  # set for value cells
    key: str  # label_key of a label; "" for values
    lead_gap: bool = False  # a blank cell may stand before this value (see Line.lead_gap)
    unknown: bool = False  # a cell whose value is unknown (see Line.unknown): never a fact

    @property
    def blank(self) -> bool:
        return self.cell is not None and self.cell.number is None and self.raw == ""


@dataclass(slots=True)
class Segment:
    labels: list[Token]
    values: list[Token] = field(default_factory=list)
    region: str | None = None
    boundary: bool = False  # the segment started a table row
    index: int = 0  # position in the document
    # The label that came right after the values (``None``: a value, prose or the end came
    # first). Tells a next row's numbering glued after the last value (0 2 | .其他…).
    after: Token | None = None
    # How many labels the document had before these values (Scan.label_keys): the labels
    # since the segment before are the header rows printed over this row, if any.
    keys_at: int = 0


@dataclass(slots=True)
class Scan:
    segments: list[Segment]
    label_keys: list[str]  # every short label in order: template markers, headers, units
    labels_by_region: dict[str | None, list[tuple[str, str]]]  # region -> (key, raw) of labels


@lru_cache(maxsize=65536)
def heading_region(key: str) -> str | None | bool:
    """The table a section heading opens; ``None`` for a section after the tables; ``False``
    when the text is not a heading. The appeals table's first header cell (行政复议) opens
    it too, for reports that print no heading."""
    if key == "行政复议" or ("行政复议" in key and "行政诉讼" in key):
        return "appeals"
    if "收到和处理政府信息公开申请" in key:
        return "requests"
    if "主动公开政府信息情况" in key or key == "主动公开政府信息":
        return "active"
    if "存在的主要问题" in key or "其他需要报告的事项" in key or key.startswith("存在问题"):
        return None
    return False


_PROSE = "prose"
# A comma or full stop outside brackets: a sentence (a label's remark may hold them: （二）部分公开
# （区分处理的，只计这一情形，…）, its bracket closed on the next line or not at all).
_SENTENCE_MARKS = re.compile("[，,。；;]")
BRACKETED = re.compile(r"[(（][^()（）]*(?:[)）]|$)")
_REMARK_REGIONS = ("active", "requests")  # outside the tables, a long text stays prose


@lru_cache(maxsize=65536)
def classify(raw: str) -> tuple[Token, str | None | bool | tuple[str]] | str:
    """One cell, read once per distinct text: ``(value token, False)``, ``(label token,
    heading region, (region,) for a table's first header cell, or False)``, or ``_PROSE`` for
    a long text. Tokens are shared: read-only."""
    cell = read_value(raw)
    if cell is not None and not cell.unknown:
        return Token(raw, cell, ""), False
    if cell is not None or _GARBLED.fullmatch(nfkc(raw).strip()):  # too long, or garbled
        return Token(raw, BLANK, "", False, True), False
    key = label_key(raw)
    if len(key) > MAX_LABEL or (_SENTENCE_MARKS.search(raw) and _SENTENCE_MARKS.search(
            BRACKETED.sub("", raw))):
        return _PROSE  # (a sentence naming a row, 行政许可处理决定数量12件，…。, is no label)
    if "(" in raw or "（" in raw:
        key = _outside_remarks(raw) or key  # a bare remark keeps its own words
    # a sentence is no heading (本年度，受理申请0件，没有…引起的行政复议和行政诉讼事件。)
    region = heading_region(key) if "。" not in raw else False
    if region is False:
        opened = _FIRST_HEADERS.get(key) or (
            "active" if _ARTICLE_20.fullmatch(key) else None)
        if opened is not None:
            return Token(raw, None, key), (opened,)
    return Token(raw, None, key), region


# The first header cell of a table, which opens it where no heading did (a page that starts
# inside the tables, a heading garbled or cut off), and stays a label: 第二十条第（一）项 (its key
# 条第一项), 申请人情况.
_ARTICLE_20 = re.compile(r"条第[一二三四五六七八九十]{1,2}项")
_FIRST_HEADERS = {"申请人情况": "requests"}


def _outside_remarks(raw: str) -> str:
    """The key of the words outside a label's remarks in brackets ("" if none are left)."""
    text = nfkc(raw)
    bare = _REMARK.sub("", text)
    return label_key(bare) if bare != text else ""


@lru_cache(maxsize=4096)
def remarked(raw: str) -> Token | None:
    """A long text inside tables 二 and 三 that is a short label with a long remark in brackets
    (规章（设区的市…应提供相关数据）): a label token keyed by the words outside the remark."""
    key = _outside_remarks(raw)
    return Token(raw, None, key) if key and len(key) <= MAX_REMARKED_HEAD else None


# A cell as scan reads it (see :func:`_scan_entry`): its token; the region a heading opens,
# (region,) for a table's first header cell, or False; (key, raw) of a label, None for a
# value. Kept for cells met before: labels, headings and small numbers repeat from report to
# report.
_ScanEntry = tuple[Token, str | None | bool | tuple[str], tuple[str, str] | None]
_ENTRIES: dict[str, _ScanEntry | str] = {}
_MAX_ENTRIES = 1 << 15


def _scan_entry(raw: str) -> _ScanEntry | str:
    """:func:`classify` laid out for :func:`scan`: ``(token, False, None)`` for a value,
    ``(token, heading region or False, (key, raw))`` for a label, or ``_PROSE``."""
    kind = classify(raw)
    if kind is _PROSE:
        entry: _ScanEntry | str = _PROSE
    else:
        token, found = kind  # type: ignore[misc]
        entry = (token, False, None) if token.cell is not None else (token, found,
                                                                     (token.key, raw))
    if len(_ENTRIES) >= _MAX_ENTRIES:
        _ENTRIES.clear()
    _ENTRIES[raw] = entry
    return entry


def raw_printed(tokens: list[Token]) -> bool:
    """Whether any of the tokens prints something (a blank cell's raw is "")."""
    for t in tokens:  # (a loop: called for every segment)
        if t.raw:
            return True
    return False


def scan(lines: list[Line]) -> Scan:
    segments: list[Segment] = []
    label_keys: list[str] = []
    by_region: dict[str | None, list[tuple[str, str]]] = {}
    labels: list[Token] = []
    current: Segment | None = None
    closed: Segment | None = None  # the last segment, while what follows it is unknown
    region: str | None = None
    bucket: list[tuple[str, str]] | None = None  # by_region[region], once a label needs it
    entry_of = _ENTRIES.get
    add_value = None  # current.values.append

    for line in lines:
        boundary = line.boundary
        if boundary:
            if current is not None:
                segments.append(current)
                closed, current = current, None
            labels = []
        lead_gap, unknown = line.lead_gap, line.unknown
        for i, raw in enumerate(line.cells):
            entry = entry_of(raw) or _scan_entry(raw)
            if entry is _PROSE:
                label = remarked(raw) if region in _REMARK_REGIONS else None
                if label is None:
                    if current is not None:
                        segments.append(current)
                        current = None
                    labels = []
                    closed = None
                    continue
                token, found, pair = label, False, (label.key, raw)
            else:
                token, found, pair = entry  # type: ignore[misc]
                if pair is None:  # a value
                    if current is None:
                        if raw:  # (a blank cell opening a row keeps what came before open)
                            closed = None
                        current = Segment(labels[:], [], region, boundary, len(segments),
                                          None, len(label_keys))
                        add_value = current.values.append
                    if i == 0 and lead_gap:
                        token = Token(raw, token.cell, "", True)
                    elif unknown and i in unknown:
                        token = Token(raw, token.cell, "", False, True)
                    add_value(token)  # type: ignore[misc]
                    continue
            if current is not None:
                segments.append(current)
                if current.labels or raw_printed(current.values):
                    closed = current  # (else a blank cell opening this row: the row before)
                current = None
                labels = []
            if closed is not None:
                closed.after = token
                closed = None
            label_keys.append(token.key)
            if found is not False:
                if type(found) is not tuple:  # a heading
                    region = found  # type: ignore[assignment]
                    bucket = None
                    labels = []
                    continue
                if region is None:  # a table's first header cell: opens it, a label still
                    region = found[0]
                    bucket = None
            if bucket is None:
                bucket = by_region.setdefault(region, [])
            bucket.append(pair)  # type: ignore[arg-type]
            labels.append(token)
    if current is not None:
        segments.append(current)
    return Scan(segments, label_keys, by_region)
