"""Segments to canonical facts: template detection, row matching, column placement, recovery.

Rows are found by their labels (numbering, brackets, spaces and script do not matter); a row
whose label is missing or garbled is placed by the template's order between two recognised
rows. Values are read in column order. Rows that lost empty cells go through
:mod:`parsers.extraction.recover`. Nothing is placed where the answer is not unique: such cells are left
out with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao.parsers.extraction import recover
from nianbao.parsers.document import Document
from nianbao.parsers.model import Fact
from nianbao.parsers.normalize import label_key, nfkc, strip_numbering
from nianbao.parsers.schema import (COLUMN_LABELS, REQUEST_GROUPS, SCHEMAS, TEMPLATE_HEADERS,
                                    TEMPLATE_MARKERS, Col, Row, Table)
from nianbao.parsers.extraction.segments import (BRACKETED, Scan, Segment, Token, raw_printed,
                                                 scan)
from nianbao.parsers.values import BLANK as _BLANK
from nianbao.parsers.values import money_in_wan, read_value, to_number, unit_named_in

_APPEAL_WIDTH = 5
_MARKERS = {t: re.compile("|".join(map(re.escape, m))) for t, m in TEMPLATE_MARKERS.items()}
_HEADERS = {key: t for t, keys in TEMPLATE_HEADERS.items() for key in keys}
_NUMERALS = "一二三四五六七八九十0123456789"
# A label stem this short may be the first half of a header split over two lines.
_SPLIT_HEAD = 8
# The first halves of header words split over two lines (本年新 / 制作数量): their prefixes.
_MARKER_HEADS = frozenset(m[:i] for ms in TEMPLATE_MARKERS.values() for m in ms
                          for i in range(2, len(m)))
# A row's numbering printed as a cell of its own (the 2 of 2.重复申请): 1 to 20, digits only.
_NUMBERING_TOKEN = re.compile(r"^\s*(?:[1-9]|1\d|20)\s*$")
_NUMBERED = re.compile(r"^(\d+)[.、]")
_UNIT_ONLY = re.compile(r"^(?:单位)?(?:亿元|万元|千元|元)$")


@dataclass(slots=True)
class Extraction:
    template: str | None
    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables_seen: set[str] = field(default_factory=set)
    rows_seen: set[tuple[str, str]] = field(default_factory=set)  # labels found, values or not
    numbers_read: set[str] = field(default_factory=set)  # tables with any number in the text
    # (table, row) of rows complete without a trailing number that was the next row's
    # numbering (dropped, reported once per table)
    numbering_dropped: list[tuple[str, str, str]] = field(default_factory=list)
    # rows read with numbers but left out (ambiguous): a blank reading never stands in
    rows_left_out: set[tuple[str, str]] = field(default_factory=set)
    # id() of the columns (Row.cols) whose header prints them in another order than the
    # template's: rows under it that lost cells cannot be placed
    reordered: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Row:
    """A row's values as read: tokens in order, and whether they fill the row exactly."""

    table: str
    row: Row
    tokens: list[Token]
    complete: bool
    fallback: bool = False  # placed by template order, its label not recognised


@lru_cache(maxsize=65536)
def row_key(key: str) -> str:
    """Drop group labels printed before a sub-row's label (（三）不予公开 1.属于国家秘密)."""
    changed = True
    while changed:
        changed = False
        for group in REQUEST_GROUPS:
            if key.startswith(group) and len(key) > len(group):
                key = key[len(group):].lstrip(_NUMERALS)
                changed = True
    return key


@lru_cache(maxsize=65536)
def match_row(key: str, table: Table, exact_too: bool) -> Row | None:
    """The row whose distinctive phrase the label holds; the longest phrase wins."""
    key = row_key(key)
    best: Row | None = None
    best_len = 0
    for row in table.rows:
        if exact_too and key in row.exact:
            return row
        for phrase in row.keys:
            if phrase in key and len(phrase) > best_len:
                best, best_len = row, len(phrase)
    return best


def detect_template(sc: Scan) -> str | None:
    """Which template the tables follow, from their header words (never from the year)."""
    score = {t: 0 for t in TEMPLATE_MARKERS}
    keys = sc.label_keys
    for i, key in enumerate(keys):
        for template in _marker_templates(key):
            score[template] += 1
        if key in _MARKER_HEADS and i + 1 < len(keys):  # a header split over two lines
            alone = _marker_templates(keys[i + 1])
            for template in _marker_templates(key + keys[i + 1]):
                if template not in alone:
                    score[template] += 1
    for seg in sc.segments:
        if seg.labels and row_key(seg.labels[-1].key) == "其他处理" and _has_number(seg.values):
            score["2019"] += 1
    if score["2019"] == score["2021"]:
        return None
    return max(score, key=lambda t: score[t])


@lru_cache(maxsize=65536)
def _marker_templates(key: str) -> tuple[str, ...]:
    """The templates whose header words a label holds (labels repeat across documents)."""
    found = tuple(t for t, pattern in _MARKERS.items() if pattern.search(key))
    header = _HEADERS.get(key)
    return found + (header,) if header is not None and header not in found else found


def _has_number(tokens: list[Token]) -> bool:
    for t in tokens:  # (a loop: called for every segment, faster than any() on a generator)
        cell = t.cell
        if cell is not None and cell.number is not None:
            return True
    return False


_SHOWN = 24  # characters of a cell quoted in a warning


def _shown(raw: str) -> str:
    """A cell's text as a warning quotes it: cut short when long (a run of thousands of
    digits is one cell of unknown value, not a sentence worth repeating)."""
    return raw if len(raw) <= _SHOWN else f"{raw[:_SHOWN]}…({len(raw)} characters)"


def _joined(tokens: list[Token]) -> str:
    return " | ".join(_shown(t.raw) for t in tokens)


def _has_unknown(tokens: list[Token]) -> bool:
    for t in tokens:
        if t.unknown:
            return True
    return False


# The tables a segment's labels are matched in, the table being read first.
_ORDERS = {"active": ("active", "requests"), "requests": ("requests", "active")}
_ORDER = ("active", "requests")


def _match_segment(seg: Segment, tables: dict[str, Table], ctx: str | None
                   ) -> tuple[str, Row] | None:
    order = _ORDERS.get(ctx, _ORDER)  # type: ignore[arg-type]
    labels = seg.labels
    key = ""
    for n in range(1, min(3, len(labels)) + 1):
        key = labels[-n].key + key  # the last n labels' keys, joined
        for name in order:
            row = match_row(key, tables[name], name == ctx)
            if row is not None:
                return name, row
    return None


def extract(doc: Document, template_hint: str | None = None) -> Extraction:
    sc = scan(doc.lines)
    template = detect_template(sc)
    out = Extraction(template)
    if template is None:
        found = bool(_read_rows(sc, SCHEMAS["2019"], Extraction(None)))
        if not found:
            return out
        if template_hint is None:
            out.warnings.append("statistical tables found, but their template (2019 or 2021) "
                                "cannot be told from their headers or the report's year")
            return out
        template = out.template = template_hint
        out.warnings.append(f"template not evident from the tables; assumed {template} "
                            "from the report year")
    tables = SCHEMAS[template]
    rows = _read_rows(sc, tables, out)
    money_units = _money_units(sc, template)
    for table_key in ("active", "requests", "appeals"):
        table = tables[table_key]
        mine = [r for r in rows if r.table == table_key]
        _place_table(table, mine, doc.origin, money_units, out)
    _report_coverage(tables, sc.segments[-1].region if sc.segments else None, out)
    _report_numbering(out)
    return out


def _report_numbering(out: Extraction) -> None:
    """One warning per table for the trailing numbers read as the next row's numbering."""
    by_table: dict[str, list[str]] = {}
    for table, row, raw in out.numbering_dropped:
        by_table.setdefault(table, []).append(f"{row} ({raw})")
    for table, rows in by_table.items():
        out.warnings.append(f"{table}: a number after the last cell of {', '.join(rows)} is "
                            "the next row's numbering, not a cell; left out of the row")


# Words that tell a column's header from its neighbours' (after label_key), for the columns
# printed in one header row: table 二's, and table 三's organisations (自然人 and 总计 span the
# header's rows, so their place among the header cells says nothing of their column's).
_COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "newly_made": ("制作",), "newly_published": ("新公开",), "published_total": ("总数",),
    "issued": ("制发",), "repealed": ("废止",), "in_force": ("有效",),
    "items_prev_year": ("上一年",), "items_change": ("增",), "decisions": ("决定",),
    "commercial": ("商业",), "research": ("科研",), "nonprofit": ("公益",),
    "legal_services": ("法律服务",),
}  # (no word for 采购项目数量: its 项目数 is in 上一年项目数量 too, and 采购总金额 has none)


_WORDS = tuple(_COLUMN_WORDS)
_COLUMN_OF_WORD = {w: i for i, words in enumerate(_COLUMN_WORDS.values()) for w in words}
_ANY_COLUMN_WORD = re.compile("|".join(_COLUMN_OF_WORD))
_HEADER_CELLS = 16  # labels looked at before a row: a header row has fewer cells


@lru_cache(maxsize=65536)
def _columns_named(key: str) -> tuple[int, ...]:
    """The columns a label names (indexes into _WORDS), in the order it prints them: one for a
    header cell, several for a header printed as one run of words (信息内容本年制发件数…, a
    header stacked one character a line)."""
    return tuple(_COLUMN_OF_WORD[w] for w in _ANY_COLUMN_WORD.findall(key))


def _header_order(keys: list[str], row: Row) -> tuple[int, ...] | None:
    """The row's columns in the order the header printed over it names them (indexes into
    ``row.cols``), where it names two or more, each once; ``None`` where it does not. The
    header is the last run of labels naming the row's columns, read back past the row's own
    labels (three at most: a group, a numbering, the label); two other labels in it (自然人,
    总计 between the organisations) are the most a run holds, so page chrome before the table
    (有效性 | 有效) is not part of it."""
    where = {c.key: j for j, c in enumerate(row.cols)}
    order: list[int] = []
    gap = 0
    for key in reversed(keys):
        named = [where[_WORDS[n]] for n in _columns_named(key) if _WORDS[n] in where]
        if not named:
            gap += 1
            if gap > (2 if order else 3):
                break  # (before any column: no header right over the row's labels, most rows)
            continue
        gap = 0
        order.extend(reversed(named))
    order.reverse()
    return tuple(order) if len(order) >= 2 and len(set(order)) == len(order) else None


def _check_order(order: tuple[int, ...] | None, read: _Row | None, out: Extraction) -> None:
    """Where the header prints the row's columns in another order than the template's, the
    values under them could follow either: those cells are left out, with a warning (the
    cells whose column both orders agree on are kept)."""
    if order is None or read is None or not read.complete:
        return
    slots = sorted(order)  # the places these columns have in the template's order
    moved = [(slot, j) for slot, j in zip(slots, order) if slot != j]
    if not moved:
        return
    tokens = read.tokens
    for slot, _ in moved:
        t = tokens[slot]
        tokens[slot] = Token(t.raw, t.cell, t.key, t.lead_gap, True)
    cols = read.row.cols
    out.warnings.append(
        f"{read.table}.{read.row.key}: the header prints the columns "
        f"{'、'.join(cols[j].label for j in order)} in another order than the template's; the "
        f"columns of {', '.join(cols[slot].key for slot, _ in moved)} are ambiguous, left out")


def _blank_in_order(order: tuple[int, ...], blank: _Row | None) -> None:
    """A row printed blank under a header in another order than the template's: its cells are
    null in either order, but the columns the orders disagree on keep their printed text
    (/, 无) only where they all printed the same, as a row that lost blanks does."""
    if blank is None:
        return
    slots = [slot for slot, j in zip(sorted(order), order) if slot != j]
    tokens = blank.tokens
    if len({tokens[slot].raw for slot in slots}) > 1:
        blank.tokens = [Token("", _BLANK, "") if i in slots else t for i, t in enumerate(tokens)]


def _under_sub_label(seg: Segment, table: Table, row: Row) -> bool:
    """The row's label stands alone before a label of no row (其他对外管理服务事项 | 行政检查 |
    2 | 1 | 7): the values may be a sub-row's, printed under the row without its total."""
    labels = seg.labels
    if len(labels) >= 2:
        return (match_row(labels[-2].key, table, True) is row
                and match_row(labels[-1].key, table, True) is None)
    # space-separated text joins the two labels into one cell (其他对外管理服务事项 行政给付 2 1 7)
    words = labels[-1].raw.split() if labels else ()
    return (len(words) >= 2 and len(words[-1]) <= _SUB_LABEL and words[-1][0] not in "(（"
            and not any(c.isdigit() for c in words[-1])
            and match_row(label_key(" ".join(words[:-1])), table, True) is row
            and match_row(label_key(words[-1]), table, True) is None)


_SUB_LABEL = 10  # characters of a sub-row's label at most (行政给付, 扣押财物)


def _drop_split_row(rows: dict[tuple[str, str], _Row], table: str, row: Row, first: Segment,
                    after: Segment, out: Extraction) -> None:
    """A row read from the values under a sub-row's label, followed by another sub-row
    (行政确认 | 3 | 0 | 5): its values are one part of it, never the row's. Left out."""
    if rows.pop((table, row.key), None) is None:
        return
    out.rows_left_out.add((table, row.key))
    parts = "、".join(seg.labels[-1].raw for seg in (first, after) if seg.labels)
    out.warnings.append(f"{table}.{row.key}: printed as sub-rows ({parts} …) without a total of "
                        "its own; the first sub-row's values are not the row's, row left out")


def _read_rows(sc: Scan, tables: dict[str, Table], out: Extraction) -> list[_Row]:
    """Match segments to rows; gather the appeals values; place unlabeled rows by order."""
    rows: dict[tuple[str, str], _Row] = {}
    orders: dict[int, tuple[int, ...]] = {}  # id(row.cols) -> another order its header prints
    blanks: dict[tuple[str, str], _Row] = {}  # rows printed blank: used where nothing better
    appeals: list[Segment] = []
    unmatched: list[tuple[int, str, Segment]] = []  # (position, table, segment)
    sequence: list[tuple[int, str, Row]] = []  # matched rows in document order
    ctx: str | None = None
    last_region: str | None = None
    sub: tuple[int, str, Row, Segment] | None = None  # a row whose values follow a sub-row's
    # label (its position, table, row and segment)
    printed_at = 0  # labels before the values of the last segment printing a value
    keys_from = 0  # labels before this segment's values (Scan.label_keys): those since the
    # segment before are the row's label and any header printed over it
    for pos, seg in enumerate(sc.segments):
        # the labels since the last row that printed a value (a header row padded with blank
        # cells, ``… | 现行有效件数 | |``, is part of the header)
        since, keys_from = printed_at, seg.keys_at
        if raw_printed(seg.values):
            printed_at = seg.keys_at
        if seg.region != last_region:
            ctx = last_region = seg.region
        if ctx == "appeals":
            if not (seg.labels and seg.boundary and all(t.blank for t in seg.values)):
                appeals.append(seg)  # else: the padding cells of a header row
            continue
        hit = _match_segment(seg, tables, ctx)
        if hit is None:
            if not seg.labels and not raw_printed(seg.values):
                if sub is not None:  # the blank cell opening a sub-row (| | 冻结存款 | 5 |)
                    sub = (pos, sub[1], sub[2], sub[3])
                continue
            if ctx in ("active", "requests") and _has_number(seg.values):
                if sub is not None and sub[0] == pos - 1:
                    # another sub-row (and the ones after it): part of the row, never a row
                    # of its own to place by order
                    _drop_split_row(rows, sub[1], sub[2], sub[3], seg, out)
                    sub = (pos, sub[1], sub[2], sub[3])
                    continue
                unmatched.append((pos, ctx, seg))
            sub = None
            continue
        name, row = hit
        ctx = name
        sequence.append((pos, name, row))
        _store(rows, name, row, seg.values, out, seg=seg, spec=tables[name], blanks=blanks)
        sub = (pos, name, row, seg) if _under_sub_label(seg, tables[name], row) else None
        # (rows under one header share their columns' tuple, and so do blocks of the same
        # columns: a block printed without a header of its own keeps the one above it)
        cols = id(row.cols)
        if keys_from - since > 1:  # a header printed over the row sets its columns' order
            order = _header_order(sc.label_keys[max(since, keys_from - _HEADER_CELLS):keys_from],
                                  row)
            if order is not None:  # (else the row's own labels: 三、… | （一）予以公开)
                if list(order) != sorted(order):
                    orders[cols] = order
                    out.reordered.add(cols)
                else:  # the template's order: nothing to check
                    orders.pop(cols, None)
        if (printed := orders.get(cols)) is not None:
            _check_order(printed, rows.get((name, row.key)), out)
            _blank_in_order(printed, blanks.get((name, row.key)))
    _place_by_order(tables, rows, sequence, unmatched, orders, out)
    for key, blank in blanks.items():
        if key not in out.rows_left_out:
            rows.setdefault(key, blank)
    result = list(rows.values())
    if appeals:
        result.extend(_appeal_rows(tables["appeals"], appeals, out))
    for r in result:
        out.tables_seen.add(r.table)
        if _has_number(r.tokens):
            out.numbers_read.add(r.table)
    for region, labels in sc.labels_by_region.items():
        names = (region,) if region in ("active", "requests") else ("active", "requests")
        for key, _ in labels:
            for name in names:  # exact-only labels (总计, 其他) are header words too: skipped
                row = match_row(key, tables[name], False)
                if row is not None:
                    out.tables_seen.add(name)
                    out.rows_seen.add((name, row.key))
        if region == "appeals" and labels:
            out.tables_seen.add("appeals")
    return result


def _fill_gaps(values: list[Token], n: int) -> list[Token]:
    """When exactly the lines that began with a bare pipe are short of a cell, that pipe
    closed a blank first cell: put the blank back."""
    gaps = 0
    for t in values:
        if t.lead_gap:
            gaps += 1
    if not gaps or len(values) + gaps != n:
        return values
    filled: list[Token] = []
    for t in values:
        if t.lead_gap:
            filled.append(Token("", _BLANK, ""))
        filled.append(t)
    return filled


_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _run(values: list[Token]) -> str | None:
    """The digits of a row whose cells are printed run together (规章000: its one cell, of
    unknown value, holding digits alone, see readers.text), else ``None``."""
    if len(values) != 1 or not values[0].unknown:
        return None
    digits = nfkc(values[0].raw)
    return digits if _DIGITS.fullmatch(digits) else None


_UNIT_WORDS = ("件", "个", "项", "条", "次", "元", "万元", "数量")


def _label_tail(seg: Segment | None, row: Row) -> str:
    """What a label printed run together with its cells holds past the row's own label
    (行政处罚警告5 over 罚款7: 警告, the first sub-row's; words in brackets and units aside),
    else "": with no separator there is no telling a sub-row's label from the row's."""
    if seg is None or not seg.labels:
        return ""
    raw = BRACKETED.sub("", seg.labels[-1].raw).strip()
    key, own = label_key(raw), label_key(row.label)
    tail = key[len(own):] if key.startswith(own) else ""
    if len(tail) < 2 or tail in _UNIT_WORDS:
        return ""
    return raw[-len(tail):]  # as printed (行政裁決, not its key)



def _split_run(digits: str, n: int) -> list[Token] | None:
    """The cells of ``n`` columns printed run together as ``digits``, where only one reading
    is possible: one column holds the whole number (no leading zero: 007 is no number), and
    ``n`` zeros are ``n`` zero cells (a number never starts with 0, so a run of zeros is one
    0 a cell). ``None`` for any other run (3012 in three columns: 3 | 0 | 12, 30 | 1 | 2, …)."""
    if n == 1 and (digits[0] != "0" or digits == "0" or digits.startswith("0.")):
        return [Token(digits, read_value(digits), "")]
    if len(digits) == n and digits.count("0") == n:
        return [Token("0", read_value("0"), "")] * n
    return None


def _store(rows: dict[tuple[str, str], _Row], table: str, row: Row, values: list[Token],
           out: Extraction, fallback: bool = False, seg: Segment | None = None,
           spec: Table | None = None, blanks: dict[tuple[str, str], _Row] | None = None
           ) -> None:
    n = len(row.cols)
    if (digits := _run(values)) is not None:
        tail = _label_tail(seg, row)
        if tail:
            after = seg.after.raw.rstrip("0123456789") if seg and seg.after else ""  # (罚款7)
            parts = "、".join(p for p in (tail, after) if p)
            out.warnings.append(
                f"{table}.{row.key}: its label goes on past the row's before its cells run "
                f"together: sub-rows ({parts} …), perhaps, without a total of its own; row "
                "left out")
            out.rows_left_out.add((table, row.key))
            return
        split = _split_run(digits, n)
        if split is None:
            out.warnings.append(
                f"{table}.{row.key}: its {n} cells are printed run together ({_shown(digits)}), "
                "nothing between them: which digits are whose is ambiguous; row left out")
            out.rows_left_out.add((table, row.key))
            return
        values = split
    values = _fill_gaps(values, n)
    if not _has_number(values) and not _has_unknown(values):
        # A row printed blank: every cell present and empty. Kept aside, so that a header's
        # padding under a word like 总计 never stands in for the real row read later.
        if blanks is not None and values and _printed_blank(seg, row):
            blanks.setdefault((table, row.key), _blank_row(table, row, values))
        return  # else a few blanks at unknown positions (a header row's padding)
    if len(values) > n and _has_number(values[n:]) and spec is not None and seg is not None:
        values = _drop_numbering(values, n, row, seg, spec, out)
    if len(values) > n and values[0].blank and not _has_number(values[n:]):
        aligned = _aligned(values, n)
        if aligned is None:
            out.warnings.append(
                f"{table}.{row.key}: {len(values)} cells for {n} columns, every other one "
                f"empty ({_joined(values)}): the cells between the empty "
                f"ones or the first {n} are the row, ambiguous; row left out")
            out.rows_left_out.add((table, row.key))
            return
        values = aligned
    unknown = _has_unknown(values)
    if unknown and (len(values) < n or _has_number(values[n:]) or _has_unknown(values[n:])):
        # cells of unknown value in a row that does not fill the columns (blanks after them
        # are padding): no position is sure
        out.warnings.append(f"{table}.{row.key}: {len(values)} cells for {n} columns, some "
                            "of unknown value; row left out")
        out.rows_left_out.add((table, row.key))
        return
    if len(values) == n or (len(values) > n and not _has_number(values[n:])):
        read = _Row(table, row, values[:n], True, fallback)
        gone = [(c.key, t.raw) for c, t in zip(row.cols, values) if t.unknown] if unknown \
            else None
        if gone:
            unread = [raw for _, raw in gone if raw]
            why = (f"{'they read' if len(unread) > 1 else 'it reads'} "
                   f"{' | '.join(map(_shown, unread))}, not a number" if unread
                   else "the column of a value is ambiguous in the page")
            out.warnings.append(f"{table}.{row.key}: {why}; cells "
                                f"{', '.join(k for k, _ in gone)} left out")
    elif len(values) < n:
        read = _Row(table, row, list(values), False, fallback)
    else:
        out.warnings.append(
            f"{table}.{row.key}: {len(values)} values for {n} columns "
            f"({_joined(values)}); row left out")
        out.rows_left_out.add((table, row.key))
        return
    previous = rows.get((table, row.key))
    if previous is None:
        rows[(table, row.key)] = read
    elif [t.raw for t in previous.tokens] != [t.raw for t in read.tokens]:
        out.warnings.append(f"{table}.{row.key} appears twice with different values; "
                            "kept the first")


def _aligned(values: list[Token], n: int) -> list[Token] | None:
    """A row of at least twice as many cells as columns where every other cell, from the
    first, is empty (| 1 | / | after every cell, a separator line): the cells may be the
    ones between the empty ones, or the first ``n`` with padding after them. When the two
    readings differ in any cell, ``None`` (ambiguous); else ``values``."""
    if len(values) < 2 * n or not all(t.blank for t in values[::2]):
        return values
    between = values[1::2]
    if len(between) < n or _has_number(between[n:]):
        return None
    if any(a.raw != b.raw for a, b in zip(values[:n], between[:n])):
        return None
    return values


def _printed_blank(seg: Segment | None, row: Row) -> bool:
    """Whether blank cells after a row's label are that row printed blank (行政许可 | ||||,
    also fewer blanks than columns: merged or dropped) rather than the padding of a header
    cell. Rows known only by a header word (总计, 其他) count only with their numbering
    ((七)总计, 3.其他), which header cells never carry, or as the only label of a known table
    row besides group labels (a header row has its other column words before it)."""
    if seg is None or not seg.labels:
        return False
    if row.keys:
        return True
    text = nfkc(seg.labels[-1].raw).strip()
    if strip_numbering(text) != text or row_key(seg.labels[-1].key) not in _HEADER_WORDS:
        return True  # numbered, or a word no header prints (其他处理)
    return seg.boundary and all(t.key in REQUEST_GROUPS for t in seg.labels[:-1])


# The words the tables' header cells print (column headings, 合计 and 其它 for 总计 and 其他):
# a row known only by one of them may be a header cell followed by merged cells' padding.
_HEADER_WORDS = frozenset(label_key(w) for w in (*COLUMN_LABELS, "合计", "其它"))


def _blank_row(table: str, row: Row, values: list[Token]) -> _Row:
    """The row's cells, all null. With fewer blanks than columns the positions of the printed
    texts are unknown: each cell keeps the text only when every blank printed the same."""
    n = len(row.cols)
    if len(values) >= n:
        return _Row(table, row, values[:n], True)
    raws = {t.raw for t in values}
    raw = raws.pop() if len(raws) == 1 else ""
    return _Row(table, row, [Token(raw, _BLANK, "")] * n, True)


def _numbering(row: Row | None) -> int | None:
    """The number a row's printed label starts with (2 for 2.重复申请), if any."""
    if row is None or not row.printed:
        return None
    m = _NUMBERED.match(row.printed[-1])
    return int(m.group(1)) if m else None


def _drop_numbering(values: list[Token], n: int, row: Row, seg: Segment, table: Table,
                    out: Extraction) -> list[Token]:
    """A row with one value too many, the last a small integer: the next row's numbering
    glued after the row (0 | 2 | .其他法律…), when the text proves it. Else ``values``
    unchanged (the row is then left out with a warning).

    Proof is a label right after the number that starts with the rest of a numbering (. or
    、) or is the next row's label without its number, and where the table has a row sum,
    the first ``n`` values keep it. Without such a label, the number must be the next row's
    and the row sum must hold only without it."""
    extra = values[n:]
    token = extra[0]
    if any(t.cell is None or t.cell.number is not None for t in extra[1:]):
        return values
    if not _NUMBERING_TOKEN.match(nfkc(token.raw)):
        return values
    number = int(nfkc(token.raw))
    index = table.rows.index(row)
    following = table.rows[index + 1] if index + 1 < len(table.rows) else None
    after = seg.after
    strong = False
    if after is not None:
        text = nfkc(after.raw).strip()
        named = match_row(after.key, table, exact_too=True) if after.key else None
        if text[:1] in (".", "、"):
            expected = _numbering(named)
            strong = expected is None or expected == number
        elif named is not None and named is following and _numbering(following) == number:
            strong = strip_numbering(text) == text  # the label lost its number to the row
    weak = _numbering(following) == number
    if table.key == "requests":
        nums = [0 if t.cell is None or t.cell.number is None else t.cell.number
                for t in values[:n + 1]]
        keeps = {i for i in range(n + 1)
                 if sum((nums[:i] + nums[i + 1:])[:n - 1]) == (nums[:i] + nums[i + 1:])[n - 1]}
        ok = (strong and (n in keeps or not keeps)) or (weak and keeps == {n})
    else:
        ok = strong
    if not ok:
        return values
    out.numbering_dropped.append((table.key, row.key, token.raw))
    return values[:n]


def _place_by_order(tables: dict[str, Table], rows: dict[tuple[str, str], _Row],
                    sequence: list[tuple[int, str, Row]],
                    unmatched: list[tuple[int, str, Segment]],
                    orders: dict[int, tuple[int, ...]], out: Extraction) -> None:
    """Rows whose label is missing or garbled: placed between the recognised rows around them
    when the count of such rows equals the count of template rows missing there."""
    for table_key in ("active", "requests"):
        table = tables[table_key]
        index = {r.key: i for i, r in enumerate(table.rows)}
        known = [(pos, index[row.key]) for pos, name, row in sequence if name == table_key]
        loose = [(pos, seg) for pos, name, seg in unmatched if name == table_key]
        if not loose:
            continue
        bounds = [(-1, -1)] + known + [(10**9, len(table.rows))]
        for (p0, i0), (p1, i1) in zip(bounds, bounds[1:]):
            between = [seg for pos, seg in loose if p0 < pos < p1]
            if not between:
                continue
            gap = [table.rows[i] for i in range(i0 + 1, i1)
                   if (table_key, table.rows[i].key) not in rows]
            if i1 - i0 - 1 == len(between) == len(gap) and all(
                    _may_be(seg, row) for row, seg in zip(gap, between)):
                for row, seg in zip(gap, between):
                    label = " ".join(t.raw for t in seg.labels[-1:]) or "(no label)"
                    out.warnings.append(f"{table_key}.{row.key}: label {label!r} not "
                                        "recognised; row placed by the template's order")
                    _store(rows, table_key, row, seg.values, out, fallback=True)
                    _check_order(orders.get(id(row.cols)), rows.get((table_key, row.key)), out)
            else:
                for seg in between:
                    label = " ".join(t.raw for t in seg.labels[-1:]) or "(no label)"
                    out.warnings.append(
                        f"{table_key}: values under unrecognised label {label!r} left out "
                        f"({_joined(seg.values)})")


def _may_be(seg: Segment, row: Row) -> bool:
    """Whether the label of a segment no row matched may be ``row``'s, damaged: none at all
    (lost, or garbled into signs), or one holding half the characters of a phrase of the
    row's (上年转结 for 上年结转, 行政许口). A label of its own (其他主动公开文件, in the place of a
    规范性文件 row printed blank and gone) is another row, never placed as this one."""
    key = "".join(t.key for t in seg.labels[-2:])
    if not key:
        return True
    chars = set(key)
    return any(len(chars & set(p)) * 2 >= len(set(p)) for p in (*row.keys, *row.exact,
                                                                   label_key(row.label)) if p)


def _appeal_rows(table: Table, segments: list[Segment], out: Extraction) -> list[_Row]:
    n = len(table.rows) * _APPEAL_WIDTH
    runs = [(s, d) for s in segments if (d := _run(s.values)) is not None]
    if len(runs) == 1 and len(runs[0][0].values) == sum(len(s.values) for s in segments):
        split = _split_run(runs[0][1], n)  # the table's only values, run together
        if split is None:
            out.warnings.append(f"appeals: its {n} cells are printed run together "
                                f"({_shown(runs[0][1])}); which digits are whose is "
                                "ambiguous, table left out")
            return []
        segments = [Segment([], split)]
    if sum(len(s.values) for s in segments) > n:  # blank spacer rows around the data row
        segments = [s for s in segments if _has_number(s.values)] or segments[:1]
    values = _fill_gaps([t for s in segments for t in s.values], n)
    while len(values) > n and values[-1].blank:
        values.pop()  # padding after the row (a marker, — or 无, is a cell printed)
    while len(values) > n and values[0].blank:
        values.pop(0)  # a pipe that opened the row, printed as a line of its own
    if len(values) > n and _has_number(values[n:]):
        out.warnings.append(f"appeals: {len(values)} values for {n} cells "
                            f"({_joined(values)}); table left out")
        return []
    if len(values) == n and values[0].lead_gap and values[-1].blank:
        # the row opens with a pipe and ends in a blank: a blank first cell and padding after
        # the row, or the 15 cells as printed; the totals tell, where they tell one reading
        shifted = [Token("", _BLANK, "")] + values[:-1]
        holds, holds_shifted = _appeal_sums_hold(values), _appeal_sums_hold(shifted)
        if holds_shifted and not holds:
            values = shifted
        elif holds and holds_shifted and any(a.raw != b.raw for a, b in zip(values, shifted)):
            out.warnings.append(f"appeals: the row opens with a pipe and ends in a blank "
                                f"({_joined(values)}): a blank first cell or none, both "
                                "readings add up; table left out")
            return []
    complete = len(values) >= n
    if not complete and any(t.unknown for t in values):
        out.warnings.append("appeals: cells of unknown value in a table short of cells; "
                            "table left out")
        return []
    if complete:
        return [_Row("appeals", row, values[i * _APPEAL_WIDTH:(i + 1) * _APPEAL_WIDTH], True)
                for i, row in enumerate(table.rows)]
    # Cells were dropped: one pseudo-row of 15 cells, placed by recovery.
    return [_Row("appeals", table.rows[0], list(values), False)]


def _appeal_sums_hold(values: list[Token]) -> bool:
    """Whether each appeals row's total is the sum of its four parts (blanks as 0)."""
    nums = [t.cell.number if t.cell is not None and t.cell.number is not None else 0
            for t in values]
    return all(sum(nums[i:i + _APPEAL_WIDTH - 1]) == nums[i + _APPEAL_WIDTH - 1]
               for i in range(0, len(nums), _APPEAL_WIDTH))


def _money_units(sc: Scan, template: str) -> dict[str, str | None]:
    """Unit named in the header of each money column (``None``: the header names none)."""
    units: dict[str, str | None] = {
        "art20_9.procurement": None,
        "art20_8.fees": "万元" if template == "2021" else None,
    }
    labels = sc.labels_by_region.get("active", []) + sc.labels_by_region.get(None, [])
    for i, (key, raw) in enumerate(labels):
        nxt_key, nxt_raw = labels[i + 1] if i + 1 < len(labels) else ("", "")
        # a header split over two lines: 采购总 / 金额（万元）, or 采购总金额 / （万元）
        joined = key + nxt_key if len(key) <= _SPLIT_HEAD else key
        if "金额" not in joined:
            continue  # not a money header (most labels: read no further)
        unit = unit_named_in(raw)
        if unit is None and (_UNIT_ONLY.match(nxt_key) or "金额" not in key):
            unit = unit_named_in(nxt_raw) if "金额" in joined else None
        if "采购总金额" in joined or "采购金额" in joined:
            units["art20_9.procurement"] = unit
        elif "收费金额" in joined:
            units["art20_8.fees"] = unit or units["art20_8.fees"]
    return units


def _place_table(table: Table, rows: list[_Row], origin: str,
                 money_units: dict[str, str | None], out: Extraction) -> None:
    placed: dict[str, dict[int, tuple[Token, bool]]] = {}
    partial = [r for r in rows if not r.complete]
    if out.reordered and partial:
        partial = _placeable(partial, out)
    complete = {r.row.key: r.tokens for r in rows if r.complete}
    if partial:
        for key, tokens in complete.items():
            placed[key] = {i: (t, False) for i, t in enumerate(tokens) if not t.unknown}
        _recover(table, rows, partial, placed, out)
    facts = out.facts
    append = facts.append
    name = table.key
    for row in table.rows:
        key = row.key
        tokens = complete.get(key)
        if tokens is not None and key not in placed:  # the common case: read in full
            for col, token in zip(row.cols, tokens):
                if token.unknown:
                    continue  # its value is unknown (_store's warning names it)
                unit = col.unit
                if unit == "万元":
                    append(_money_fact(name, row, col, token, origin, False, money_units))
                else:
                    append(Fact(name, key, col.key, token.cell.value,  # type: ignore[union-attr]
                                token.raw, unit, origin, False))
            continue
        cells = placed.get(key)
        if not cells:
            continue
        for i, col in enumerate(row.cols):
            if i not in cells:
                continue
            token, inferred = cells[i]
            if col.unit == "万元":
                facts.append(_money_fact(name, row, col, token, origin, inferred, money_units))
            else:
                facts.append(Fact(name, row.key, col.key, token.cell.value,  # type: ignore[union-attr]
                                  token.raw, col.unit, origin, inferred))


def _placeable(partial: list[_Row], out: Extraction) -> list[_Row]:
    """The rows short of cells that recovery may place: not those under a header printing
    the columns in another order than the template's, whose values follow one order or the
    other (recovery, which assumes the template's, would find the other order's numbers
    as consistent, every column's identities holding either way). Those are left out."""
    kept = []
    for r in partial:
        if id(r.row.cols) not in out.reordered:
            kept.append(r)
            continue
        out.rows_left_out.add((r.table, r.row.key))
        out.warnings.append(f"{r.table}.{r.row.key}: cells dropped by the rendering under a "
                            "header printing the columns in another order than the template's: "
                            f"the columns of {_joined(r.tokens)} are unknown; row left out")
    return kept


def _money_fact(table: str, row: Row, col: Col, token: Token, origin: str, inferred: bool,
                money_units: dict[str, str | None]) -> Fact:
    """A money cell in 万元, whatever unit the cell or its column header names."""
    cell = token.cell
    assert cell is not None
    unit = cell.unit if cell.unit in ("元", "千元", "万元", "亿元") else money_units.get(row.key)
    value = None if cell.number is None else to_number(money_in_wan(cell.number, unit))
    return Fact(table, row.key, col.key, value, token.raw, "万元" if unit else None, origin,
                inferred)


# --- recovery of rows that lost their empty cells ------------------------------------------

_BALANCE = {"received_new": 1, "carried_over": 1, "closed_total": -1, "carried_forward": -1}


def _numbers(tokens: list[Token]) -> list[recover.Number]:
    return recover.numbers([t.cell.number if t.cell is not None else None for t in tokens])


def _recover(table: Table, rows: list[_Row], partial: list[_Row],
             placed: dict[str, dict[int, tuple[Token, bool]]], out: Extraction) -> None:
    if table.key == "appeals":
        r = partial[0]
        vals = _numbers(r.tokens)
        cands = recover.summed_candidates(vals, len(table.rows), _APPEAL_WIDTH)
        agreed = recover.agreed_cells(vals, cands)
        for col, i in agreed.items():
            row = table.rows[col // _APPEAL_WIDTH]
            placed.setdefault(row.key, {})[col % _APPEAL_WIDTH] = (r.tokens[i], True)
        _warn_left_out("appeals", "(data row)", r.tokens, agreed, out)
        return
    nums = [_numbers(r.tokens) for r in partial]  # read once, used up to thrice
    if table.key == "requests":
        per_row = {r.row.key: recover.summed_candidates(v, 1, len(r.row.cols))
                   for r, v in zip(partial, nums)}
        joint = _joint_requests(table, rows, partial, per_row, nums)
        if all(joint.values()) and not any(t.unknown for r in rows for t in r.tokens):
            # else the identities do not hold or miss cells: judge rows alone
            per_row = joint
    else:
        per_row = {r.row.key: recover.candidates(v, len(r.row.cols))
                   for r, v in zip(partial, nums)}
    for r, vals in zip(partial, nums):
        agreed = recover.agreed_cells(vals, per_row[r.row.key])
        target = placed.setdefault(r.row.key, {})
        for col, i in agreed.items():
            target[col] = (r.tokens[i], True)
        _warn_left_out(table.key, r.row.key, r.tokens, agreed, out)


def _joint_requests(table: Table, rows: list[_Row], partial: list[_Row],
                    per_row: dict[str, list[tuple[int, ...]]],
                    nums: list[list[recover.Number]]
                    ) -> dict[str, list[tuple[int, ...]]]:
    """Narrow the candidates with the balance and closed-sum identities of every column
    (``nums``: the numbers of each row of ``partial``)."""
    n = len(table.rows[0].cols)
    results = {r.key for r in table.rows if r.key not in _BALANCE}

    def coef(key: str) -> tuple[int, int]:
        closed = 1 if key == "closed_total" else (-1 if key in results else 0)
        return (_BALANCE.get(key, 0), closed)

    fixed: list[recover.Number] = [0] * (2 * n)
    for r in rows:
        if r.complete:
            c = coef(r.row.key)
            vec = recover.vector(_numbers(r.tokens), tuple(range(n)), n)
            for k in range(2):
                for j in range(n):
                    fixed[k * n + j] += c[k] * vec[j]
    variables = [(coef(r.row.key), v, per_row[r.row.key]) for r, v in zip(partial, nums)]
    kept = recover.solve_linear(tuple(fixed), variables, n)
    return {r.row.key: k for r, k in zip(partial, kept)}


def _warn_left_out(table: str, row: str, tokens: list[Token], agreed: dict[int, int],
                   out: Extraction) -> None:
    used = set(agreed.values())
    # only numbers count as lost: a blank marker (/, —) whose position is unknown is a null
    lost = [t.raw for i, t in enumerate(tokens)
            if i not in used and t.cell is not None and t.cell.number is not None]
    if lost:
        out.warnings.append(
            f"{table}.{row}: empty cells were dropped by the rendering and the position of "
            f"{' | '.join(lost)} is ambiguous; left out")


def _report_coverage(tables: dict[str, Table], last_region: str | None, out: Extraction
                     ) -> None:
    have = {(f.table, f.row) for f in out.facts}
    have_tables = {table for table, _ in have}
    for key, table in tables.items():
        if key not in out.tables_seen and key not in have_tables:
            out.warnings.append(f"table {key} not found")
            continue
        if key not in out.numbers_read:
            out.warnings.append(f"table {key} is empty: no numbers in it")
            continue
        missing = [r.key for r in table.rows if (key, r.key) not in have
                   and (key, r.key) not in out.rows_seen and (key, r.key) not in out.rows_left_out]
        if not missing or len(missing) == len(table.rows):
            continue
        tail = [r.key for r in table.rows[len(table.rows) - len(missing):]]
        if key == last_region and missing == tail:
            out.warnings.append(f"table {key} stops before row {missing[0]} and the document "
                                "ends there: truncated")
        else:
            out.warnings.append(f"table {key}: rows not found: {', '.join(missing)}")
