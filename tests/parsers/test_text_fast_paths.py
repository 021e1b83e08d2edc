"""The lean paths of the text reader, the segment scan and the recovery solver (issue 8: text
reports at 1,000/s) against the straightforward code they replaced, kept here as references:
the same lines, segments, candidates and agreed cells on random inputs, read cold (memos
empty) and warm (every line, cell and rank pattern met before)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations, product

import pytest
from nianbao.parsers.document import Line
from nianbao.parsers.extraction import recover, segments
from nianbao.parsers.extraction.segments import Scan, Segment, Token, classify, remarked
from nianbao.parsers.readers import text as T
from nianbao.parsers.values import is_value

# --- text reader --------------------------------------------------------------------------


def _old_lone_pipes_are_padding(text: str, raw_lines: list[str]) -> bool:
    if "||" not in text or T._PIPE_RUN.search(text) is None:
        return False
    for i, raw in enumerate(raw_lines):
        if raw.strip() != "|":
            continue
        for nxt in raw_lines[i + 1:]:
            first = next((part.strip() for part in nxt.split("|") if part.strip()), None)
            if first is not None:
                if is_value(first):
                    return False
                break
    return True


def _old_text_lines(text: str) -> list[Line]:
    """The reader's loop as it was: every line split and stripped where it is met."""
    for ch in T._INVISIBLE:
        text = text.replace(ch, "")
    raw_lines = text.splitlines()
    modes = T._modes(text, raw_lines)
    separators, counted = modes.separators, modes.counted_blanks
    dropped = False if separators else _old_lone_pipes_are_padding(text, raw_lines)
    assert dropped == modes.dropped
    spaced = glued = None
    lines: list[Line] = []
    loose: list[str] | None = None
    blank_run = 0
    stack: list[str] | None = None
    stack_len = 0
    for n, raw in enumerate(raw_lines):
        if "|" not in raw:
            cell = raw.strip()
            if not cell:
                blank_run += 1
                continue
            if blank_run:
                if counted and blank_run >= 2 and loose is not None:
                    loose.extend([""] * (blank_run - 1))
                blank_run = 0
            if " " in cell or "\u3000" in cell:
                if spaced is None:
                    spaced = T._spaced(text)
                row = T._spaced_cells(cell) if spaced else None
                if row is not None:
                    lines.append(Line(row, True))
                    loose = None
                    continue
                if cell[:1].isdigit():
                    if glued is None:
                        glued = T._GLUED.search(text) is not None
                    cells = T._split_numbering(cell) if glued else [cell]
                else:
                    cells = [cell]
            elif len(cell) == 1 and T._stackable(cell):
                if stack is not None and stack is loose and len(loose) == stack_len:
                    loose[-1] += cell
                    continue
                cells = [cell]
                stack_len = 1 + (len(loose) if loose is not None else 0)
                stack = loose if loose is not None else cells
            elif (len(cell) == 1 and stack is not None and stack is loose
                  and len(loose) == stack_len and n + 1 < len(raw_lines)
                  and T._stackable(raw_lines[n + 1].strip())):
                loose[-1] += cell
                continue
            else:
                cells = [cell]
        else:
            blank_run = 0
            if separators and raw.strip() == "|":
                prev = next((p.strip() for p in reversed(raw_lines[:n]) if p.strip()), None)
                if prev is not None and prev != "|":
                    continue
                cells = [""]
            else:
                cells = [part.strip() for part in raw.strip().split("|") if part]
                if not cells:
                    if dropped or separators or raw.strip() != "|":
                        continue
                    cells = [""]
                elif len(cells) > 1 and len(cells) - cells.count("") != 1:
                    if glued is None:
                        glued = T._GLUED.search(text) is not None
                    if glued and T._GLUED.search(raw):
                        cells = [part for c in cells for part in T._split_numbering(c)]
                    lines.append(Line(cells, True, raw.lstrip().startswith("|")))
                    loose = None
                    continue
                elif len(cells) == 1 and " " in cells[0] and cells[0][:1].isdigit():
                    if glued is None:
                        glued = T._GLUED.search(text) is not None
                    if glued:
                        cells = T._split_numbering(cells[0])
        if loose is None:
            loose = cells
            lines.append(Line(loose, False))
        else:
            loose.extend(cells)
    return lines


_LABELS = ["规章", "行政许可", "信息内容", "本年新收政府信息公开申请数量", "二、主动公开政府信息情况",
           "（一）予以公开", "1.属于国家秘密", "其他对外管理服务事项", "行政复议"]
_VALUES = ["0", "12", "3939", "-20", "0件", "7.4亿元", "/", "—", "无", "增加3", "1,234"]
_ODD = ["", "  ", "|", " | ", "\u3000|", "||", "|||", "| |", "维", "持", "本", "年", "增", "/",
        "减", "0 2.其他法律行政法规禁止公开", "1 234", "行政许可 12 0 3", "0 0 0 1 0",
        "| 0 | 1 |", " 0  | ", "0 | ||", "a\u3000b", "\u200b规章", "共办理 12 件。", "3 4.保护第三方 |",
        "5.属于三类内部事务信息 | 0 | 1 | 0 2.其他 | 0 |", "规章 | 1 | 1 | 8 |", "x" * 70 + " |",
        "　规章 |", "　13 |", "\ufeff|"]


def _cell(rng: random.Random) -> str:
    return rng.choice(_LABELS if rng.random() < 0.4 else _VALUES)


def _random_text(rng: random.Random) -> str:
    """A document in one of the renderings the reader tells apart, with odd lines mixed in."""
    style = rng.choice(("mixed", "separators", "dropped", "counted", "pipes", "spaced"))
    out: list[str] = []
    for _ in range(rng.randint(5, 120)):
        if rng.random() < 0.15:
            out.append(rng.choice(_ODD))
        elif style == "separators":
            out += [_cell(rng), "|"] if rng.random() < 0.8 else ["|"]
        elif style == "dropped":
            out += [f"　{_cell(rng)} |", ""] + (["|" * rng.randint(1, 4)] if rng.random() < 0.3
                                               else [])
        elif style == "counted":
            out += [_cell(rng)] + [""] * rng.choice((1, 1, 1, 2, 3))
        elif style == "pipes":
            out.append(" | ".join(_cell(rng) for _ in range(rng.randint(1, 6)))
                       + " |" * rng.randint(0, 3))
        elif style == "spaced":
            out.append(" ".join([rng.choice(_LABELS)] + [rng.choice(_VALUES[:4])
                                                         for _ in range(rng.randint(0, 5))]))
        else:
            out.append(rng.choice(_ODD + _LABELS + _VALUES))
    return rng.choice(("\n", "\n", "\r\n")).join(out)


def _shape(lines: list[Line]) -> list[tuple[list[str], bool, bool]]:
    return [(ln.cells, ln.boundary, ln.lead_gap) for ln in lines]


@pytest.mark.parametrize("seed", range(40))
def test_text_lines_match_the_straightforward_loop(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        text = _random_text(rng)
        expected = _shape(_old_text_lines(text))
        T._READS.clear()
        assert _shape(T.text_lines(text)) == expected  # every line read for the first time
        assert _shape(T.text_lines(text)) == expected  # every line from the memo


def test_a_stacked_header_does_not_change_the_lines_read_before() -> None:
    # 维 / 持 join into one cell of the line: the memo's own cells must stay as they were
    text = "信息内容\n维\n持\n|\n规章\n维\n0"
    first = _shape(T.text_lines(text))
    assert first == [(["信息内容", "维持", "", "规章", "维", "0"], False, False)]
    assert _shape(T.text_lines(text)) == first
    assert T._READS["维"][1] == ("维",)


def test_long_lines_are_not_kept_and_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    long = "规" * (T._MAX_READ_LEN + 1)
    T.text_lines(f"{long}\n规章 |")
    assert long not in T._READS and "规章 |" in T._READS
    monkeypatch.setattr(T, "_MAX_READS", 3)
    T._READS.clear()
    T.text_lines("a |\nb |\nc |\nd |")
    assert len(T._READS) <= 3 and "d |" in T._READS


def test_modes_are_decided_alike_with_and_without_the_reads() -> None:
    rng = random.Random(7)
    seen, counted = set(), set()
    for _ in range(300):
        text = _random_text(rng)
        raw = text.splitlines()
        got = T._lone_pipes_are_padding(text, raw)
        assert got == T._lone_pipes_are_padding(text, raw, T._read_lines(raw))
        assert got == _old_lone_pipes_are_padding(text, raw)
        modes = T._modes(text, raw, T._read_lines(raw))
        assert modes == T._modes(text, raw)  # counted blanks too
        seen.add(got)
        counted.add(modes.counted_blanks)
    assert seen == counted == {True, False}  # both outcomes were met


# --- segment scan -------------------------------------------------------------------------


def _old_scan(lines: list[Line]) -> Scan:
    found_segments: list[Segment] = []
    label_keys: list[str] = []
    by_region: dict[str | None, list[tuple[str, str]]] = {}
    labels: list[Token] = []
    current: Segment | None = None
    closed: Segment | None = None
    region = None
    bucket = None
    for line in lines:
        if line.boundary:
            if current is not None:
                found_segments.append(current)
                closed, current = current, None
            labels = []
        for i, raw in enumerate(line.cells):
            kind = classify(raw)
            if kind is segments._PROSE:
                if region in segments._REMARK_REGIONS:
                    label = remarked(raw)
                    if label is not None:
                        kind = (label, False)
                if kind is segments._PROSE:
                    if current is not None:
                        found_segments.append(current)
                        current = None
                    labels = []
                    closed = None
                    continue
            token, found = kind  # type: ignore[misc]
            if token.cell is not None:
                if current is None:
                    closed = None
                    current = Segment(labels[:], [], region, line.boundary,
                                      len(found_segments))
                if i == 0 and line.lead_gap:
                    token = Token(raw, token.cell, "", True)
                elif line.unknown and i in line.unknown:
                    token = Token(raw, token.cell, "", False, True)
                current.values.append(token)
                continue
            if current is not None:
                found_segments.append(current)
                closed, current = current, None
                labels = []
            if closed is not None:
                closed.after = token
                closed = None
            label_keys.append(token.key)
            if found is not False:
                region = found
                bucket = None
                labels = []
                continue
            if bucket is None:
                bucket = by_region.setdefault(region, [])
            bucket.append((token.key, raw))
            labels.append(token)
    if current is not None:
        found_segments.append(current)
    return Scan(found_segments, label_keys, by_region)


_PROSE_TEXT = "本年度我们把公开工作纳入年度目标考核，先后召开专题会议5次，健全信息发布前的保密审查流程，做到先审查后公开。"
_REMARKED = "规章（设区的市级以上人民政府应提供相关数据，其他单位可不填写此项内容）"


@pytest.mark.parametrize("seed", range(20))
def test_scan_matches_the_straightforward_loop(seed: int) -> None:
    rng = random.Random(seed)
    pool = (_LABELS + _VALUES + ["", _PROSE_TEXT, _REMARKED, "三、收到和处理政府信息公开申请情况",
                                 "五、存在的主要问题及改进情况", "0 2.其他"])
    for _ in range(20):
        lines = []
        for _ in range(rng.randint(1, 60)):
            cells = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
            unknown = frozenset(i for i in range(len(cells)) if rng.random() < 0.1)
            lines.append(Line(cells, rng.random() < 0.5, rng.random() < 0.2, unknown))
        expected = _old_scan(lines)
        segments._ENTRIES.clear()
        assert segments.scan(lines) == expected
        assert segments.scan(lines) == expected


# --- recovery solver ----------------------------------------------------------------------


def _old_summed_candidates(values: Sequence[int], groups: int, width: int
                           ) -> list[tuple[int, ...]]:
    def group(vals: Sequence[int]) -> list[tuple[int, ...]]:
        k = len(vals)
        found: list[tuple[int, ...]] = []
        if k and sum(vals[:-1]) == vals[-1]:
            found += [c + (width - 1,) for c in combinations(range(width - 1), k - 1)]
        if k < width and sum(vals) == 0:
            found += list(combinations(range(width - 1), k))
        return found

    out: list[tuple[int, ...]] = []
    for sizes in product(range(width + 1), repeat=groups):
        if sum(sizes) != len(values):
            continue
        start, parts = 0, []
        for g, size in enumerate(sizes):
            parts.append([tuple(c + g * width for c in p)
                          for p in group(values[start:start + size])])
            start += size
        out.extend(sum(combo, ()) for combo in product(*parts))
    return out


def _old_agreed_cells(values: Sequence[object], placements: Sequence[tuple[int, ...]]
                      ) -> dict[int, int]:
    if not placements:
        return {}
    agreed = {}
    for i, col in enumerate(placements[0]):
        if all(col in other and values[other.index(col)] == values[i]
               for other in placements[1:]):
            agreed[col] = i
    return agreed


def _random_row(rng: random.Random, groups: int, width: int) -> list[int]:
    """Values that often satisfy the group sums (else there is nothing to place)."""
    out: list[int] = []
    for _ in range(groups):
        parts = [rng.choice((0, 0, 0, 1, 2, 3, 5, 12)) for _ in range(rng.randint(0, width - 1))]
        if rng.random() < 0.8:
            parts.append(sum(parts))
        out += [p for p in parts if p or rng.random() < 0.5]
    return out


@pytest.mark.parametrize("groups,width", [(1, 7), (1, 3), (2, 4), (3, 5)])
def test_candidates_and_agreed_cells_match_the_straightforward_code(groups: int,
                                                                    width: int) -> None:
    rng = random.Random(groups * 100 + width)
    placed = 0
    for _ in range(400):
        values = _random_row(rng, groups, width)
        cands = recover.summed_candidates(values, groups, width)
        assert cands == _old_summed_candidates(values, groups, width)
        agreed = recover.agreed_cells(values, cands)
        assert agreed == _old_agreed_cells(values, cands)
        assert list(agreed) == sorted(agreed)  # in column order, as before
        placed += bool(agreed)
    assert placed > 50


def test_agreed_cells_compare_the_values_placed() -> None:
    # column 1 holds value 1 (2) in the first placement, value 0 (1) in the second
    assert recover.agreed_cells([1, 2], [(0, 1), (1, 2)]) == {}
    assert recover.agreed_cells([1, 1], [(0, 1), (1, 2)]) == {1: 1}  # the same number there
    assert recover.agreed_cells([4, 0, 4], [(0, 1, 2), (0, 2, 3)]) == {0: 0}
    rng = random.Random(5)
    for _ in range(2000):  # any subset of the placements, not only those of the row sums
        n = rng.randint(1, 7)
        values = [rng.choice((0, 1, 1, 2)) for _ in range(rng.randint(0, n))]
        every = recover.candidates(values, n)
        some = rng.sample(every, rng.randint(1, len(every)))
        assert recover.agreed_cells(values, some) == _old_agreed_cells(values, some)


def test_numbers_are_ints_where_integral() -> None:
    got = recover.numbers([None, Decimal(3), Decimal("3.0"), Decimal("-0"), Decimal("2.50"),
                           Decimal(-7)])
    assert got == [0, 3, 3, 0, Decimal("2.5"), -7]
    assert [type(v) for v in got] == [int, int, int, int, Decimal, int]
    assert str(got[4]) == "2.50"  # a fraction is the cell's own number, as printed


def test_integer_cells_match_the_general_ones() -> None:
    """The rank-pattern cells of integers against the dict-and-sort path that any number
    takes, on rows of every sign, with cold and warm pattern memos."""
    rng = random.Random(3)
    for _ in range(500):
        n = rng.choice((3, 5, 7))
        k = rng.randint(1, n)
        cands = list(combinations(range(n), k))
        cands = rng.sample(cands, rng.randint(1, len(cands)))
        values = [rng.choice((0, 0, 1, 2, -1, -3, 40)) for _ in range(k)]
        layout = recover._layout(tuple(cands), n)
        general = recover._cells(values, cands, n, False, layout)
        assert recover._cells(values, cands, n, True, layout) == general
        assert recover._cells(values, cands, n, True, layout) == general  # pattern met before


def test_rows_of_one_rank_pattern_with_zero_elsewhere_among_them() -> None:
    """(0, 5), (-3, 0) and (-2, -1) rank alike but 0 is the lowest, the middle, the highest
    value: cells laid out for one must not serve the others."""
    cands = list(combinations(range(4), 2))  # every column is left empty by some placement
    layout = recover._layout(tuple(cands), 4)
    layout.shapes.clear()
    for values in ([0, 5], [-3, 0], [-2, -1], [1, 2], [2, 1], [0, 0], [0, 5]):
        expected = recover._cells(values, cands, 4, False, layout)
        assert recover._cells(values, cands, 4, True, layout) == expected, values


def test_joint_solution_is_the_same_cold_and_warm() -> None:
    """Requests rows (two identities) solved with empty layout and pattern memos and again."""
    rng = random.Random(11)
    n = 7
    for _ in range(30):
        rows = []
        for r in range(rng.randint(3, 10)):
            values = _random_row(rng, 1, n)
            coef = ((1, 0), (0, -1), (-1, 1), (-1, 0))[r % 4]
            rows.append((coef, values, recover.summed_candidates(values, 1, n)))
        fixed = tuple(rng.choice((0, 0, 1, -2)) for _ in range(2 * n))
        recover._layout.cache_clear()
        cold = recover.solve_linear(fixed, rows, n)
        assert recover.solve_linear(fixed, rows, n) == cold
        assert all(set(kept) <= set(c) for kept, (_, _, c) in zip(cold, rows))
