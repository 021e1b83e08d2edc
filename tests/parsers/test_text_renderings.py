"""Text renderings of issue 8 (items 2, 3, 4, the reader side of 5 and 7): one made-up fixture
per class (``fixtures/cases/text_*.txt``) with its exact facts, the per-document decisions of
the text reader on small inputs, and round trips of the generator's variants of each class."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `fixtures` is not an installed package
    sys.path.insert(0, str(ROOT))

from fixtures.reports import render as R  # noqa: E402
from fixtures.reports.spec import random_spec  # noqa: E402
from nianbao.parsers import Report, parse  # noqa: E402
from nianbao.parsers.readers.text import _modes, _read_lines, _spaced, text_lines  # noqa: E402
from nianbao.parsers.schema import SCHEMAS  # noqa: E402

CASES = ROOT / "fixtures" / "cases"
Cell = tuple[str, str, str]
APPLICANTS = ("natural_person", "commercial", "research", "nonprofit", "legal_services",
              "other_org", "total")
PARTS = ("upheld", "corrected", "other", "pending", "total")
B = None  # a cell printed blank: a null fact with raw ""


def load(name: str) -> Report:
    return parse((CASES / name).read_bytes(), source=name)


def facts(report: Report) -> dict[Cell, Any]:
    return {(f.table, f.row, f.col): f.value for f in report.facts}


def request_rows(template: str, given: dict[str, tuple[Any, ...]],
                 blank_zero: bool = False) -> dict[Cell, Any]:
    """Every cell of table 三 from the six applicant values of the rows given (others 0);
    closed_total and carried_forward from the identities, total the row sum. With
    ``blank_zero`` the applicant cells that are 0 are printed blank (totals are printed)."""
    keys = [r.key for r in SCHEMAS[template]["requests"].rows]
    rows = {k: list(given.get(k, (0,) * 6)) for k in keys}
    results = keys[keys.index("granted"):keys.index("closed_total")]
    rows["closed_total"] = [sum(rows[r][i] for r in results) for i in range(6)]
    rows["carried_forward"] = [rows["received_new"][i] + rows["carried_over"][i]
                               - rows["closed_total"][i] for i in range(6)]
    out: dict[Cell, Any] = {}
    for key, vals in rows.items():
        shown = [None if blank_zero and v == 0 else v for v in vals] + [sum(vals)]
        out.update({("requests", key, c): v for c, v in zip(APPLICANTS, shown)})
    return out


def appeal_cells(parts: list[tuple[int, int, int, int]]) -> dict[Cell, Any]:
    out: dict[Cell, Any] = {}
    for row, p in zip(("review", "litigation_direct", "litigation_after_review"), parts):
        out.update({("appeals", row, c): v for c, v in zip(PARTS, [*p, sum(p)])})
    return out


def active_cells(template: str, values: dict[str, tuple[Any, ...]]) -> dict[Cell, Any]:
    out: dict[Cell, Any] = {}
    for row in SCHEMAS[template]["active"].rows:
        out.update({("active", row.key, c.key): v
                    for c, v in zip(row.cols, values[row.key], strict=True)})
    return out


def assert_exact(report: Report, expected: dict[Cell, Any]) -> None:
    got = facts(report)
    wrong = {k: (got[k], v) for k, v in expected.items() if k in got and got[k] != v}
    assert wrong == {}, f"wrong values (got, expected): {wrong}"
    assert sorted(set(expected) - set(got)) == [], "cells missing"
    assert sorted(set(got) - set(expected)) == [], "cells the page does not hold"


# --- (2) a line holding only "|" after every cell ------------------------------------------


def test_pipe_separator_lines() -> None:
    """``规章`` / ``|`` / ``0`` / ``|``: the lone pipe ends a cell; two in a row are a blank
    cell; a header split over two lines before its pipe (法律服务 / 机构); a row printed blank
    (行政强制, 3.其他) reaches extraction as null cells."""
    r = load("text_pipe_separator_2021.txt")
    assert (r.status, r.template, r.year) == ("ok", "2021", 2021)
    expected = active_cells("2021", {
        "art20_1.rules": (0, 0, 2), "art20_1.normative": (5, 2, 18),
        "art20_5.licensing": (1320,), "art20_6.penalty": (86,), "art20_6.coercion": (B,),
        "art20_8.fees": (3.2,)})
    expected |= request_rows("2021", {
        "received_new": (9, 2, 0, 1, 0, 0), "carried_over": (1, 0, 0, 0, 0, 0),
        "granted": (5, 1, 0, 0, 0, 0), "partially_granted": (1, 0, 0, 0, 0, 0),
        "withheld.third_party_rights": (0, 1, 0, 0, 0, 0),
        "unavailable.not_held": (2, 0, 0, 1, 0, 0), "not_handled.repeated": (1, 0, 0, 0, 0, 0)})
    for col in APPLICANTS[1:6]:  # carried_over prints its zeros blank
        expected[("requests", "carried_over", col)] = B
    for col in APPLICANTS:  # 3.其他 printed entirely blank
        expected[("requests", "other.other", col)] = B
    expected |= appeal_cells([(1, 0, 0, 1), (0, 1, 0, 0), (0, 0, 0, 0)])
    assert_exact(r, expected)
    assert r.warnings == []
    assert r.checks and all(c.ok for c in r.checks)
    blank = r.fact("active", "art20_6.coercion", "decisions")
    assert blank is not None and blank.raw == "" and not blank.inferred


def test_separator_decision() -> None:
    cells = ["规章", "0", "", "3", "行政规范性文件", "1", "1", "4"]
    text = "二、主动公开政府信息情况\n" + "".join(f"{c}\n|\n" if c else "|\n" for c in cells)
    modes = _modes(text, _read_lines(text.splitlines()))
    assert modes.separators and not modes.dropped
    assert [ln.cells for ln in text_lines(text)] == [["二、主动公开政府信息情况", *cells]]


@pytest.mark.parametrize("name,separators,dropped", [
    ("lone_pipe_blanks_2021.txt", False, False),  # a lone | is a blank cell
    ("dropped_cells_2021.txt", False, True),  # lone | runs pad row ends
    ("leading_pipes_2021.txt", False, False),
    ("pipe_lines_2019.txt", True, False),
])
def test_lone_pipe_meaning_is_decided_per_document(name: str, separators: bool,
                                                   dropped: bool) -> None:
    text = (CASES / name).read_text(encoding="utf-8")
    modes = _modes(text, _read_lines(text.splitlines()))
    assert (modes.separators, modes.dropped) == (separators, dropped)


# --- (3) blank lines between cells, an empty cell one extra blank line -----------------------


def test_counted_blank_lines() -> None:
    """Empty cells at the start (规章), in the middle (其他对外管理服务事项) and at the end of
    rows, a row printed blank (行政强制), zeros printed blank in table 三, two blank lines
    before a heading after the last row."""
    r = load("text_counted_blanks_2019.txt")
    assert (r.status, r.template, r.year) == ("ok", "2019", 2020)
    expected = active_cells("2019", {
        "art20_1.rules": (B, B, 0), "art20_1.normative": (2, 2, 7),
        "art20_5.licensing": (10, 1, 45), "art20_5.other_services": (3, B, 12),
        "art20_6.penalty": (4, -1, 6), "art20_6.coercion": (B, B, B),
        "art20_8.fees": (2, 0), "art20_9.procurement": (3, 12.6)})
    expected |= request_rows("2019", {
        "received_new": (3, 1, 0, 0, 0, 1), "granted": (2, 1, 0, 0, 0, 0),
        "partially_granted": (0, 0, 0, 0, 0, 1), "unavailable.not_held": (1, 0, 0, 0, 0, 0)},
        blank_zero=True)
    expected |= appeal_cells([(0, 0, 0, 0)] * 3)
    assert_exact(r, expected)
    assert r.warnings == []
    assert r.checks and all(c.ok for c in r.checks)


def test_counted_blanks_decision() -> None:
    text = (CASES / "blank_line_cells_2021.txt").read_text(encoding="utf-8")
    assert _modes(text, _read_lines(text.splitlines())).counted_blanks
    # blank lines at random (some cells have one, most none) are spacing, not cells
    text = (CASES / "cell_per_line_2021.txt").read_text(encoding="utf-8")
    assert not _modes(text, _read_lines(text.splitlines())).counted_blanks
    # the same cells one blank line apart: nothing to count, nothing emitted
    cells = ["规章", "0", "0", "3"] * 6
    even = "\n\n".join(cells)
    assert [ln.cells for ln in text_lines(even)] == [cells]
    odd = even.replace("规章\n\n0", "规章\n\n\n0")  # one empty cell after each label
    assert [ln.cells for ln in text_lines(odd)] == [
        [c for cell in cells for c in (["规章", ""] if cell == "规章" else [cell])]]


# --- (4) space-separated rows, headers one character a line ---------------------------------


def test_space_separated_rows() -> None:
    """PDF-viewer text: rows of exactly the table's width are complete; the row that lost its
    empty cells (一、本年新收… 6 2 8) goes through recovery and is placed by the identities
    (inferred); ``0 … 0 2`` / ``.其他法律…`` and two rows on one line; 25409.5万元; stacked
    headers with 本年增/减; prose and phone numbers with spaces stay text."""
    r = load("text_space_rows_2019.txt")
    assert (r.status, r.template, r.year) == ("ok", "2019", 2019)
    expected = active_cells("2019", {
        "art20_1.rules": (0, 0, 1), "art20_1.normative": (4, 4, 20),
        "art20_5.licensing": (25, 2, 130), "art20_5.other_services": (6, 0, 14),
        "art20_6.penalty": (11, -3, 40), "art20_6.coercion": (0, 0, 2),
        "art20_8.fees": (1, 0), "art20_9.procurement": (2, 25409.5)})
    expected |= request_rows("2019", {
        "received_new": (6, 0, 0, 0, 2, 0), "carried_over": (1, 0, 0, 0, 0, 0),
        "granted": (4, 0, 0, 0, 1, 0), "partially_granted": (1, 0, 0, 0, 0, 0),
        "unavailable.not_held": (1, 0, 0, 0, 1, 0)})
    for col in ("commercial", "research", "nonprofit", "other_org"):  # not printed
        del expected[("requests", "received_new", col)]
    expected |= appeal_cells([(0, 0, 0, 0)] * 3)
    assert_exact(r, expected)
    inferred = {(f.row, f.col) for f in r.facts if f.inferred}
    assert inferred == {("received_new", c) for c in ("natural_person", "legal_services",
                                                      "total")}
    money = r.fact("active", "art20_9.procurement", "amount_wan_yuan")
    assert money is not None and (money.raw, money.unit) == ("25409.5万元", "万元")
    assert not any("ambiguous" in w or "left out" in w and "numbering" not in w
                   for w in r.warnings), r.warnings
    assert r.checks and all(c.ok for c in r.checks)


def test_spaced_lines_split_into_cells() -> None:
    rows = ["行政许可 12 0 3", "规章 0 0 1", "（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0",
            "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"]
    keep = ["2019年", "第二十条第（一）项", "25409.5万元", "商业 企业",
            "2019年，本单位共主动公开政府信息 412 条。", "共办理 12 件", "自 2019年1月1日 至 12月31日"]
    text = "\n".join(["示例县2019年政府信息公开工作年度报告", *keep, *rows])
    lines = text_lines(text)
    assert [ln.cells for ln in lines if ln.boundary] == [
        ["行政许可", "12", "0", "3"], ["规章", "0", "0", "1"],
        ["（三）不予公开 1.属于国家秘密", *["0"] * 7], ["0"] * 15]
    assert lines[0].cells == ["示例县2019年政府信息公开工作年度报告", *keep]
    # one cell per line: digit groups shaped like a thousands separator ``1 234`` stay one
    # cell (of unknown value: parsers.values)
    assert text_lines("规章\n1 234\n0\n3")[0].cells == ["规章", "1 234", "0", "3"]


def test_a_row_a_space_apart_is_split_in_a_document_of_other_renderings() -> None:
    """A PDF page holding one or two rows of a table (the appeals row alone, a row whose
    header was on the page before) is no space-separated document, yet those rows are rows:
    values alone, or words then two values or more. Prose ending in a number, a label and
    one value, and thousands-shaped digits stay one cell."""
    lines = text_lines("示例县2022年政府信息公开工作年度报告\n结果维持 结果纠正 其他结果\n"
                       "2 1 0 0 3 0 0 0 1 1 1 0 0 0 1\n四、结转下年度继续办理 3 0 1 0 0 0 4\n"
                       "本年共主动公开政府信息 412\n条\n规章 7\n")
    assert [ln.cells for ln in lines if ln.boundary] == [
        ["2", "1", "0", "0", "3", "0", "0", "0", "1", "1", "1", "0", "0", "0", "1"],
        ["四、结转下年度继续办理", "3", "0", "1", "0", "0", "0", "4"]]
    assert [ln.cells for ln in lines if not ln.boundary] == [
        ["示例县2022年政府信息公开工作年度报告", "结果维持 结果纠正 其他结果"],
        ["本年共主动公开政府信息 412", "条", "规章 7"]]
    assert text_lines("规章\n12 345\n行政许可\n1 000件")[0].cells == [
        "规章", "12 345", "行政许可", "1 000件"]


def test_two_digits_a_space_apart_alone_on_a_line_are_one_cell_of_unknown_value() -> None:
    """One cell a line, a total printed ``1 6`` (16): as two cells it made the row one cell
    too long and the whole row was left out (a seventh survey's real page, 7 cells); as one
    cell of unknown value only that cell is."""
    cells = ["一、本年新收政府信息公开申请数量", "15", "0", "0", "0", "0", "1", "1 6"]
    page = ("示例县2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n申请人情况\n"
            "自然人\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n总计\n" + "\n".join(cells) + "\n")
    r = parse(page.encode(), source="t.txt")
    got = {f.col: f.value for f in r.facts if f.row == "received_new"}
    assert got == {"natural_person": 15, "commercial": 0, "research": 0, "nonprofit": 0,
                   "legal_services": 0, "other_org": 1}, (got, r.warnings)
    assert any("1 6" in w and "not a number" in w for w in r.warnings), r.warnings


def test_stacked_header_characters_are_one_cell() -> None:
    text = "信息内容\n本\n年\n增\n/\n减\n行政许可\n3\n/\n5"
    assert [ln.cells for ln in text_lines(text)] == [
        ["信息内容", "本年增/减", "行政许可", "3", "/", "5"]]


# --- (7) the next row's numbering glued after a row; a document cut short ------------------


def test_numbering_glued_and_document_cut_short() -> None:
    """``| 1 | 2 |`` then ``.其他法律…``; ``0 6.属于四类过程性信息`` in one cell; the page stops
    after ``2.重复申请 | … | 1 | 3``: every row complete without the extra token is kept."""
    r = load("text_numbering_cut_2021.txt")
    assert (r.status, r.template, r.year) == ("ok", "2021", 2021)
    expected = active_cells("2021", {
        "art20_1.rules": (0, 0, 0), "art20_1.normative": (1, 0, 6),
        "art20_5.licensing": (0,), "art20_6.penalty": (31,), "art20_6.coercion": (B,),
        "art20_8.fees": (0,)})
    rows = request_rows("2021", {
        "received_new": (4, 0, 0, 0, 1, 0), "granted": (2, 0, 0, 0, 1, 0),
        "withheld.state_secret": (1, 0, 0, 0, 0, 0), "not_handled.repeated": (1, 0, 0, 0, 0, 0)})
    keys = [row.key for row in SCHEMAS["2021"]["requests"].rows]
    printed = set(keys[:keys.index("not_handled.publication")])
    expected |= {k: v for k, v in rows.items() if k[1] in printed}
    assert_exact(r, expected)
    assert any("truncated" in w and "not_handled.publication" in w for w in r.warnings)
    assert any("withheld.state_secret (2)" in w and "not_handled.repeated (3)" in w
               for w in r.warnings), r.warnings
    assert not any("ambiguous" in w for w in r.warnings), r.warnings


def test_value_and_numbered_label_in_one_cell_are_split() -> None:
    lines = text_lines("5.属于三类内部事务信息 | 0 | 1 | 0 2.其他 | 0 |\n3 |\n0 4.保护第三方 |")
    assert lines[0].cells == ["5.属于三类内部事务信息", "0", "1", "0", "2.其他", "0"]
    assert lines[1].cells == ["3", "0", "4.保护第三方"]
    # a number with a space inside that is no label numbering stays one cell
    assert text_lines("规章 |\n1 234 |")[0].cells == ["规章", "1 234"]


# --- cells printed run together (规章000) ------------------------------------------------------


def test_cells_printed_run_together() -> None:
    """A text dump of tables whose cells held no space (``规章000``): where only one reading
    is possible the row is read (a run of as many zeros as the row has columns, the one
    number of a one-column row); any other run is left out with a warning saying why, never
    split by a guess (``3012`` in three columns)."""
    r = load("cells_run_together_2025.txt")
    assert (r.status, r.template, r.year) == ("ok", "2021", 2025)
    expected = active_cells("2021", {
        "art20_1.rules": (0, 0, 0), "art20_1.normative": (None, None, None),
        "art20_5.licensing": (12,), "art20_6.penalty": (0,), "art20_6.coercion": (0,),
        "art20_8.fees": (0,)})
    expected = {k: v for k, v in expected.items() if k[1] != "art20_1.normative"}
    run_together = {"received_new", "granted", "unavailable.not_held", "closed_total"}
    expected |= {k: 0 for k in request_rows("2021", {}) if k[1] not in run_together}
    expected |= appeal_cells([(0, 0, 0, 0)] * 3)
    assert_exact(r, expected)
    left_out = sorted(w.split(":")[0] for w in r.warnings if "run together" in w)
    assert left_out == sorted(["active.art20_1.normative"]
                              + [f"requests.{k}" for k in run_together]), r.warnings
    assert any("(3012)" in w and "3 cells" in w and "ambiguous" in w for w in r.warnings)
    assert not any("not found" in w or "empty" in w for w in r.warnings), r.warnings


@pytest.mark.parametrize("line,cells", [
    ("规章000", ["规章", "000"]),
    ("（七）总计3000003", ["（七）总计", "3000003"]),
    ("3.其他0000000", ["3.其他", "0000000"]),
    ("行政事业性收费0.5", ["行政事业性收费", "0.5"]),
    ("000000000000000", ["000000000000000"]),
])
def test_a_template_row_run_together_is_its_label_and_a_cell_of_unknown_value(
        line: str, cells: list[str]) -> None:
    (row,) = text_lines(f"    {line}")
    assert (row.cells, row.boundary, row.unknown) == (cells, True, frozenset({len(cells) - 1}))


@pytest.mark.parametrize("line", [
    "邮政编码100000", "联系电话12345678", "示例镇2025年政府信息公开工作年度报告2025",
    "全年主动公开政府信息37", "2025", "12", "第二十条第（五）项",
])
def test_other_lines_ending_in_digits_stay_one_cell(line: str) -> None:
    (row,) = text_lines(line)
    assert (row.cells, row.boundary, row.unknown) == ([line], False, frozenset())


@pytest.mark.parametrize("run,read", [
    ("000", (0, 0, 0)),  # three columns
    ("00", None),  # two zeros for three columns: which column is empty?
    ("0000", None),
    ("102", None),  # 1 | 0 | 2, or 10 | 2 | blank, …
])
def test_a_run_in_three_columns_is_split_only_when_one_reading_is_possible(
        run: str, read: tuple[int, ...] | None) -> None:
    r = parse(f"示例镇2025年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
              f"信息内容本年制发件数本年废止件数现行有效件数\n规章{run}\n".encode(), source="t.txt")
    got = facts(r)
    rules = tuple(got.get(("active", "art20_1.rules", c)) for c in ("issued", "repealed",
                                                                     "in_force"))
    if read is None:
        assert rules == (None, None, None) and not r.facts, got
        assert any("art20_1.rules" in w and "run together" in w for w in r.warnings)
    else:
        assert rules == read


@pytest.mark.parametrize("run,read", [("12", 12), ("0", 0), ("007", None)])
def test_a_run_in_one_column_is_its_number(run: str, read: int | None) -> None:
    """…but no number opens with a 0: 007 is no reading of one cell."""
    r = parse(f"示例镇2025年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（五）项\n"
              f"信息内容本年处理决定数量\n行政许可{run}\n".encode(), source="t.txt")
    assert facts(r).get(("active", "art20_5.licensing", "decisions")) == read, r.warnings
    assert any("run together" in w for w in r.warnings) == (read is None), r.warnings


def test_a_row_run_together_whose_label_goes_on_is_a_sub_row_perhaps() -> None:
    """行政处罚警告5 over 罚款7: with nothing between the cells, a label going on past the row's
    (警告) may be the first of its sub-rows, printed without the row's total: 5 was read as
    the penalties'. Left out, naming both; a unit or a remark after the label is no sub-row."""
    page = ("示例镇2025年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（六）项\n"
            "信息内容本年处理决定数量\n行政处罚{}5\n{}行政强制0\n")
    r = parse(page.format("警告", "罚款7\n").encode(), source="t.txt")
    assert facts(r) == {("active", "art20_6.coercion", "decisions"): 0}
    assert any("art20_6.penalty" in w and "sub-rows (警告、罚款" in w for w in r.warnings), r.warnings
    for label in ("", "（件）", "（含简易程序案件）"):
        r = parse(page.format(label, "").encode(), source="t.txt")
        assert facts(r)[("active", "art20_6.penalty", "decisions")] == 5, (label, r.warnings)


# --- the generator's variants of each class round-trip exactly ------------------------------

VARIANTS = [
    ("pipe_lines", "cell_per_line", {"pipe_lines": True, "counted_blanks": False}),
    ("counted_blanks", "cell_per_line", {"counted_blanks": True, "pipe_lines": False}),
    ("spaces", "pipe_text", {"spaces": True}),
]


def _cases() -> list[tuple[str, str, str, dict[str, bool], str, int]]:
    out = []
    for name, layout, over in VARIANTS:
        zeros = ("placeholder", "zero") if name == "spaces" else ("blank", "mixed", "zero")
        for template in ("2019", "2021"):
            for i, z in enumerate(zeros * 2):
                out.append((name, layout, template, over, z, i))
    return out


@pytest.mark.parametrize("name,layout,template,over,zeros,seed", _cases(),
                         ids=lambda v: v if isinstance(v, (str, int)) else "")
def test_generator_variant_roundtrips(name: str, layout: str, template: str,
                                      over: dict[str, bool], zeros: str, seed: int) -> None:
    rng = random.Random(f"{name}{template}{zeros}{seed}")
    spec = random_spec(rng, template, text=R.random_text_options(rng, layout, zeros))  # type: ignore[arg-type]
    script = ("hans", "hant")[seed % 2]
    variant = replace(R.random_variant(rng, layout, script=script), **over)  # type: ignore[arg-type]
    case = R.case_for(spec, layout, variant, f"{name}-{template}-{zeros}-{seed}")
    if name == "spaces":
        assert case.variant.spaces
    text = case.data.decode("utf-8" if variant.encoding == "utf-8" else "gb18030")
    modes = _modes(text, _read_lines(text.splitlines()))
    blanks = any(c.raw == "" for c in spec.cells.values())
    assert modes.separators == (name == "pipe_lines")
    assert _spaced(text) == (name == "spaces")
    if blanks:
        assert modes.counted_blanks == (name == "counted_blanks")
    report = parse(case.data, source=case.name, content_type=case.content_type)
    problems = R.judge_exact(report, case)
    assert not problems, "\n".join(problems)
