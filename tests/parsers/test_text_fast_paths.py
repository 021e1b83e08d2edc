"""The lean paths of the text reader, the segment scan and the recovery solver (issue 8: text
reports at 1,000/s): the memos change nothing (the same lines and segments read with a memo
that keeps nothing, cold and warm), and the solver's candidates and agreed cells are those of
the plain definitions on random inputs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations, product

import pytest
from nianbao.parsers.document import Line
from nianbao.parsers.extraction import recover, segments
from nianbao.parsers.readers import text as T

# --- text reader --------------------------------------------------------------------------


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


class _Forgetful(dict):
    """A memo that keeps nothing: every line (cell) read as if met for the first time."""

    def get(self, key, default=None):  # type: ignore[no-untyped-def]
        return default

    def __setitem__(self, key, value) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.mark.parametrize("seed", range(40))
def test_text_lines_are_the_same_read_without_the_memo(seed: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    texts = [_random_text(rng) for _ in range(25)]
    with monkeypatch.context() as m:
        m.setattr(T, "_READS", _Forgetful())
        expected = [_shape(T.text_lines(text)) for text in texts]
    T._READS.clear()
    for text, lines in zip(texts, expected):
        assert _shape(T.text_lines(text)) == lines  # lines met for the first time
        assert _shape(T.text_lines(text)) == lines  # every line from the memo


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


# --- segment scan -------------------------------------------------------------------------


_PROSE_TEXT = "本年度我们把公开工作纳入年度目标考核，先后召开专题会议5次，健全信息发布前的保密审查流程，做到先审查后公开。"
_REMARKED = "规章（设区的市级以上人民政府应提供相关数据，其他单位可不填写此项内容）"


@pytest.mark.parametrize("seed", range(20))
def test_scan_is_the_same_without_the_memo(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    pool = (_LABELS + _VALUES + ["", _PROSE_TEXT, _REMARKED, "三、收到和处理政府信息公开申请情况",
                                 "五、存在的主要问题及改进情况", "0 2.其他"])
    docs = []
    for _ in range(20):
        lines = []
        for _ in range(rng.randint(1, 60)):
            cells = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
            unknown = frozenset(i for i in range(len(cells)) if rng.random() < 0.1)
            lines.append(Line(cells, rng.random() < 0.5, rng.random() < 0.2, unknown))
        docs.append(lines)
    with monkeypatch.context() as m:
        m.setattr(segments, "_ENTRIES", _Forgetful())
        expected = [segments.scan(lines) for lines in docs]
    segments._ENTRIES.clear()
    for lines, scanned in zip(docs, expected):
        assert segments.scan(lines) == scanned
        assert segments.scan(lines) == scanned


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
