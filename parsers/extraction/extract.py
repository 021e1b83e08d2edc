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
from nianbao.parsers.schema import REQUEST_GROUPS, SCHEMAS, TEMPLATE_MARKERS, Col, Row, Table
from nianbao.parsers.extraction.segments import Scan, Segment, Token, scan
from nianbao.parsers.values import BLANK as _BLANK
from nianbao.parsers.values import money_in_wan, to_number, unit_named_in

_APPEAL_WIDTH = 5
_MARKERS = {t: re.compile("|".join(map(re.escape, m))) for t, m in TEMPLATE_MARKERS.items()}
_NUMERALS = "一二三四五六七八九十0123456789"


@dataclass(slots=True)
class Extraction:
    template: str | None
    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables_seen: set[str] = field(default_factory=set)
    rows_seen: set[tuple[str, str]] = field(default_factory=set)  # labels found, values or not
    numbers_read: set[str] = field(default_factory=set)  # tables with any number in the text


@dataclass(slots=True)
class _Row:
    """A row's values as read: tokens in order, and whether they fill the row exactly."""

    table: str
    row: Row
    tokens: list[Token]
    complete: bool
    fallback: bool = False  # placed by template order, its label not recognised


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
    for key in sc.label_keys:
        for template, pattern in _MARKERS.items():
            if pattern.search(key):
                score[template] += 1
    for seg in sc.segments:
        if seg.labels and row_key(seg.labels[-1].key) == "其他处理" and _has_number(seg.values):
            score["2019"] += 1
    if score["2019"] == score["2021"]:
        return None
    return max(score, key=lambda t: score[t])


def _has_number(tokens: list[Token]) -> bool:
    return any(t.cell is not None and t.cell.number is not None for t in tokens)


def _match_segment(seg: Segment, tables: dict[str, Table], ctx: str | None
                   ) -> tuple[str, Row] | None:
    order = [t for t in ("active", "requests") if t != ctx]
    if ctx in ("active", "requests"):
        order.insert(0, ctx)
    labels = seg.labels
    for n in range(1, min(3, len(labels)) + 1):
        key = "".join(t.key for t in labels[-n:])
        for name in order:
            row = match_row(key, tables[name], exact_too=(name == ctx))
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
    return out


def _read_rows(sc: Scan, tables: dict[str, Table], out: Extraction) -> list[_Row]:
    """Match segments to rows; gather the appeals values; place unlabeled rows by order."""
    rows: dict[tuple[str, str], _Row] = {}
    appeals: list[Segment] = []
    unmatched: list[tuple[int, str, Segment]] = []  # (position, table, segment)
    sequence: list[tuple[int, str, Row]] = []  # matched rows in document order
    ctx: str | None = None
    last_region: str | None = None
    for pos, seg in enumerate(sc.segments):
        if seg.region != last_region:
            ctx = last_region = seg.region
        if ctx == "appeals":
            if not (seg.labels and seg.boundary and all(t.blank for t in seg.values)):
                appeals.append(seg)  # else: the padding cells of a header row
            continue
        hit = _match_segment(seg, tables, ctx)
        if hit is None:
            if ctx in ("active", "requests") and _has_number(seg.values):
                unmatched.append((pos, ctx, seg))
            continue
        name, row = hit
        ctx = name
        sequence.append((pos, name, row))
        _store(rows, name, row, seg.values, out)
    _place_by_order(tables, rows, sequence, unmatched, out)
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
                row = match_row(key, tables[name], exact_too=False)
                if row is not None:
                    out.tables_seen.add(name)
                    out.rows_seen.add((name, row.key))
        if region == "appeals" and labels:
            out.tables_seen.add("appeals")
    return result


def _fill_gaps(values: list[Token], n: int) -> list[Token]:
    """When exactly the lines that began with a bare pipe are short of a cell, that pipe
    closed a blank first cell: put the blank back."""
    gaps = sum(1 for t in values if t.lead_gap)
    if not gaps or len(values) + gaps != n:
        return values
    filled: list[Token] = []
    for t in values:
        if t.lead_gap:
            filled.append(Token("", _BLANK, ""))
        filled.append(t)
    return filled


def _store(rows: dict[tuple[str, str], _Row], table: str, row: Row, values: list[Token],
           out: Extraction, fallback: bool = False) -> None:
    n = len(row.cols)
    values = _fill_gaps(values, n)
    if len(values) < n and not _has_number(values):
        return  # a few blanks at unknown positions (a header row's padding): nothing to place
    if len(values) >= n and not _has_number(values[n:]):
        read = _Row(table, row, values[:n], True, fallback)
    elif len(values) < n:
        read = _Row(table, row, list(values), False, fallback)
    else:
        out.warnings.append(
            f"{table}.{row.key}: {len(values)} values for {n} columns "
            f"({' | '.join(t.raw for t in values)}); row left out")
        return
    previous = rows.get((table, row.key))
    if previous is None:
        rows[(table, row.key)] = read
    elif [t.raw for t in previous.tokens] != [t.raw for t in read.tokens]:
        out.warnings.append(f"{table}.{row.key} appears twice with different values; "
                            "kept the first")


def _place_by_order(tables: dict[str, Table], rows: dict[tuple[str, str], _Row],
                    sequence: list[tuple[int, str, Row]],
                    unmatched: list[tuple[int, str, Segment]], out: Extraction) -> None:
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
            if i1 - i0 - 1 == len(between) == len(gap):
                for row, seg in zip(gap, between):
                    label = " ".join(t.raw for t in seg.labels[-1:]) or "(no label)"
                    out.warnings.append(f"{table_key}.{row.key}: label {label!r} not "
                                        "recognised; row placed by the template's order")
                    _store(rows, table_key, row, seg.values, out, fallback=True)
            else:
                for seg in between:
                    label = " ".join(t.raw for t in seg.labels[-1:]) or "(no label)"
                    out.warnings.append(
                        f"{table_key}: values under unrecognised label {label!r} left out "
                        f"({' | '.join(t.raw for t in seg.values)})")


def _appeal_rows(table: Table, segments: list[Segment], out: Extraction) -> list[_Row]:
    n = len(table.rows) * _APPEAL_WIDTH
    if sum(len(s.values) for s in segments) > n:  # blank spacer rows around the data row
        segments = [s for s in segments if _has_number(s.values)] or segments[:1]
    values = _fill_gaps([t for s in segments for t in s.values], n)
    while len(values) > n and values[-1].cell is not None and values[-1].cell.number is None:
        values.pop()  # padding after the row
    while len(values) > n and values[0].blank:
        values.pop(0)  # a pipe that opened the row, printed as a line of its own
    if len(values) > n and _has_number(values[n:]):
        out.warnings.append(f"appeals: {len(values)} values for {n} cells "
                            f"({' | '.join(t.raw for t in values)}); table left out")
        return []
    complete = len(values) >= n
    if complete:
        return [_Row("appeals", row, values[i * _APPEAL_WIDTH:(i + 1) * _APPEAL_WIDTH], True)
                for i, row in enumerate(table.rows)]
    # Cells were dropped: one pseudo-row of 15 cells, placed by recovery.
    return [_Row("appeals", table.rows[0], list(values), False)]


def _money_units(sc: Scan, template: str) -> dict[str, str | None]:
    """Unit named in the header of each money column (``None``: the header names none)."""
    units: dict[str, str | None] = {
        "art20_9.procurement": None,
        "art20_8.fees": "万元" if template == "2021" else None,
    }
    for key, raw in sc.labels_by_region.get("active", []) + sc.labels_by_region.get(None, []):
        if "采购总金额" in key or "采购金额" in key:
            units["art20_9.procurement"] = unit_named_in(raw)
        elif "收费金额" in key:
            units["art20_8.fees"] = unit_named_in(raw) or units["art20_8.fees"]
    return units


def _place_table(table: Table, rows: list[_Row], origin: str,
                 money_units: dict[str, str | None], out: Extraction) -> None:
    placed: dict[str, dict[int, tuple[Token, bool]]] = {}
    partial = [r for r in rows if not r.complete]
    complete = {r.row.key: r.tokens for r in rows if r.complete}
    if partial:
        for key, tokens in complete.items():
            placed[key] = {i: (t, False) for i, t in enumerate(tokens)}
        _recover(table, rows, partial, placed, out)
    facts = out.facts
    name = table.key
    for row in table.rows:
        tokens = complete.get(row.key)
        if tokens is not None and row.key not in placed:  # the common case: read in full
            for col, token in zip(row.cols, tokens):
                if col.unit == "万元":
                    facts.append(_money_fact(name, row, col, token, origin, False, money_units))
                else:
                    facts.append(Fact(name, row.key, col.key, token.cell.value,  # type: ignore[union-attr]
                                      token.raw, col.unit, origin, False))
            continue
        cells = placed.get(row.key)
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
        if all(joint.values()):  # else the identities do not hold: judge rows alone
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
    lost = [t.raw for i, t in enumerate(tokens) if i not in used and t.raw != ""]
    if lost:
        out.warnings.append(
            f"{table}.{row}: empty cells were dropped by the rendering and the position of "
            f"{' | '.join(lost)} is ambiguous; left out")


def _report_coverage(tables: dict[str, Table], last_region: str | None, out: Extraction
                     ) -> None:
    have: dict[str, set[str]] = {}
    for f in out.facts:
        have.setdefault(f.table, set()).add(f.row)
    for key, table in tables.items():
        if key not in out.tables_seen and key not in have:
            out.warnings.append(f"table {key} not found")
            continue
        if key not in out.numbers_read:
            out.warnings.append(f"table {key} is empty: no numbers in it")
            continue
        missing = [r.key for r in table.rows
                   if r.key not in have.get(key, set()) and (key, r.key) not in out.rows_seen]
        if not missing or len(missing) == len(table.rows):
            continue
        tail = [r.key for r in table.rows[len(table.rows) - len(missing):]]
        if key == last_region and missing == tail:
            out.warnings.append(f"table {key} stops before row {missing[0]} and the document "
                                "ends there: truncated")
        else:
            out.warnings.append(f"table {key}: rows not found: {', '.join(missing)}")
