"""Extraction rules for real-world renderings (issue 8): rows printed blank, blank markers,
a next row's numbering glued after a row, and label variants. Exact facts, and for each rule
a case where it must not place a number."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.parsers import Report, parse
from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.extract import extract
from nianbao.parsers.extraction.segments import classify, remarked
from nianbao.parsers.schema import SCHEMAS
from nianbao.parsers.values import read_value

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"
COLS = [c.key for c in SCHEMAS["2021"]["requests"].rows[0].cols]


def load(name: str) -> Report:
    return parse((CASES / name).read_bytes(), source=name)


def text_of(name: str) -> str:
    return (CASES / name).read_text(encoding="utf-8")


def cells(report: Report, table: str) -> dict[tuple[str, str], tuple[object, str]]:
    return {(f.row, f.col): (f.value, f.raw) for f in report.facts if f.table == table}


def row_values(report: Report, table: str, row: str) -> list[object]:
    return [f.value for f in report.facts if f.table == table and f.row == row]


def nulls(row: str, cols: list[str], raw: str = "") -> dict[tuple[str, str], tuple[object, str]]:
    return {(row, c): (None, raw) for c in cols}


# --- (5) rows printed entirely blank --------------------------------------------------------

def test_rows_printed_blank_are_null_facts() -> None:
    r = load("rules_blank_rows_2019.txt")
    assert (r.template, r.year, r.agency, r.status) == ("2019", 2019, "青山县农业农村局", "ok")
    assert r.warnings == []
    active = cells(r, "active")
    new = ["newly_made", "newly_published", "published_total"]
    items = ["items_prev_year", "items_change", "decisions"]
    assert active == {
        **nulls("art20_1.rules", new),  # 规章 | ||||
        ("art20_1.normative", "newly_made"): (4, "4"),
        ("art20_1.normative", "newly_published"): (4, "4"),
        ("art20_1.normative", "published_total"): (17, "17"),
        ("art20_5.licensing", "items_prev_year"): (12, "12"),
        ("art20_5.licensing", "items_change"): (-1, "-1"),
        ("art20_5.licensing", "decisions"): (230, "230"),
        **nulls("art20_5.other_services", items),  # two blanks for three columns
        ("art20_6.penalty", "items_prev_year"): (9, "9"),
        ("art20_6.penalty", "items_change"): (-1, "－1"),
        ("art20_6.penalty", "decisions"): (14, "14"),
        **nulls("art20_6.coercion", items),  # three blanks
        **nulls("art20_8.fees", items[:2], "/"),
        **nulls("art20_9.procurement", ["projects", "amount_wan_yuan"]),
    }
    req = cells(r, "requests")
    assert len(req) == 23 * 7
    for row in ("withheld.state_secret", "unavailable.needs_creation", "not_handled.repeated",
                "other"):  # 1.属于国家秘密 | ||||||||, 2.重复申请 | | | | | | | |, （六）其他处理 | …
        assert {k: v for k, v in req.items() if k[0] == row} == nulls(row, COLS)
    assert row_values(r, "requests", "closed_total") == [6, 1, 0, 0, 0, 0, 7]
    assert len(cells(r, "appeals")) == 15
    assert r.checks and all(c.ok for c in r.checks)


def test_rows_printed_blank_in_html() -> None:
    nbsp = "<td>&nbsp;</td>"
    html = ("<html><head><title>示例县2022年政府信息公开工作年度报告</title></head><body>"
            "<p>二、主动公开政府信息情况</p><table>"
            "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
            f"<tr><td>规章</td>{nbsp * 3}</tr>"
            "<tr><td>行政规范性文件</td><td>1</td><td>0</td><td>4</td></tr>"
            "<tr><td>信息内容</td><td>本年处理决定数量</td></tr>"
            f"<tr><td>行政许可</td>{nbsp}</tr>"
            "<tr><td>行政处罚</td><td>3</td></tr>"
            "</table></body></html>")
    r = parse(html.encode(), source="blank.html")
    active = cells(r, "active")
    assert {k: v for k, v in active.items() if k[0] == "art20_1.rules"} == nulls(
        "art20_1.rules", ["issued", "repealed", "in_force"])
    assert active[("art20_5.licensing", "decisions")] == (None, "")
    assert active[("art20_6.penalty", "decisions")] == (3, "3")
    assert not any("licensing" in w or "rules" in w for w in r.warnings)


def test_blank_row_of_fewer_cells_from_lines() -> None:
    """The extraction rule itself, on lines as any reader gives them: a label and one blank
    cell (an HTML row of label + one &nbsp; cell, or 行政许可 | ||||)."""
    lines = [Line(["二、主动公开政府信息情况"], False),
             Line(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], True),
             Line(["行政许可", "\u00a0".strip()], True),
             Line(["行政处罚", "2", "0", "5"], True),
             Line(["政府集中采购", "1", "3.5"], True)]
    out = extract(Document("html", lines), "2019")
    facts = {(f.row, f.col): (f.value, f.raw) for f in out.facts}
    assert facts[("art20_5.licensing", "decisions")] == (None, "")
    assert len([k for k in facts if k[0] == "art20_5.licensing"]) == 3
    assert facts[("art20_6.penalty", "decisions")] == (5, "5")


def test_header_padding_is_not_a_blank_row() -> None:
    """总计 and 其他 are header words too: their padding never becomes a blank row, and a
    blank reading never displaces the row read with numbers."""
    text = text_of("rules_label_variants_2021.txt")
    # a header 其它 followed by seven blank cells, before the real 3.其它 row
    header = "法律服务 机构 | 其它 | |||||\n"
    assert header in text
    r = parse(text.replace(header, "法律服务 机构 | 其它 | | | | | | | |\n").encode())
    assert row_values(r, "requests", "other.other") == [0, 0, 0, 0, 0, 1, 1]
    assert not any("twice" in w for w in r.warnings)
    # the document stops before （七）总计: the header's 总计 must not stand in for it
    cut = text[:text.index("（七）总计")]
    r = parse(cut.replace("自然人 | 法人或其它组织 | 总计 | |||||||",
                          "自然人 | 法人或其它组织 | 总计 | | | | | | | |").encode())
    assert row_values(r, "requests", "closed_total") == []
    assert any("truncated" in w for w in r.warnings)


def test_2019_other_row_printed_blank_without_numbering() -> None:
    """2019's 其他处理 is a word no header prints: printed blank without its （六）, in any
    rendering of blanks, it is its row of null facts; a header word (總計, 总 计) printed the
    same way is no row, and the real （七）总计 below is read."""
    text = text_of("extra_column_2019.txt")
    row = "（六）其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | |"
    assert row in text
    for blank, raw in (("其他处理 | | | | | | | | |", ""), ("其他处理 | ||||||||", ""),
                       ("其它处理 | / | / | / | / | / | / | / |", "/")):
        r = parse(text.replace(row, blank).encode())
        assert cells(r, "requests").items() >= nulls("other", COLS, raw).items(), blank
        assert not any("other" in w for w in r.warnings), (blank, r.warnings)
    closed = row_values(parse(text.encode()), "requests", "closed_total")
    assert len(closed) == 7 and closed[-1] > 0
    for header in ("總計 | | | | | | | |", "总 计 | ||||||||"):
        r = parse(text.replace(row, header).encode())
        assert row_values(r, "requests", "closed_total") == closed
        assert row_values(r, "requests", "other") == []
        assert any("rows not found: other" in w for w in r.warnings)


@pytest.mark.parametrize("garbled", ["52o", "S20", "52O", "1O件", "o", "l", "口", "〇", "5 20",
                                     "1 234", "0　0"])
def test_a_number_that_does_not_read_is_left_out_never_blank(garbled: str) -> None:
    """A value cell whose text is a number garbled by OCR or a text layer (52o), or digits a
    space apart (two cells run together, never 520), is a cell of unknown value: left out
    with a warning naming it, never a row printed blank."""
    text = text_of("rules_label_variants_2021.txt")
    one, seven = "行政许可 | 520 |", "2.其他法律、行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||"
    assert one in text and seven in text
    r = parse(text.replace(one, f"行政许可 | {garbled} |").replace(
        seven, f"2.其他法律、行政法规禁止公开 | 0 | {garbled} | 0 | 0 | 0 | 0 | 0 | ||").encode())
    active, req = cells(r, "active"), cells(r, "requests")
    assert ("art20_5.licensing", "decisions") not in active
    assert ("withheld.prohibited_by_law", "commercial") not in req
    assert [req[("withheld.prohibited_by_law", c)] for c in COLS if c != "commercial"] == \
        [(0, "0")] * 6  # the other cells keep their columns
    assert f"active.art20_5.licensing: it reads {garbled}, not a number; cells decisions " \
        "left out" in r.warnings
    assert any("prohibited_by_law" in w and garbled in w and "commercial" in w
               for w in r.warnings)


@pytest.mark.parametrize("raw", ["2.", "（六）", "0件", "2019年", "京ICP备00000000号", "增加 5"])
def test_numbering_units_and_words_are_not_garbled_numbers(raw: str) -> None:
    token, _ = classify(raw)  # type: ignore[misc]
    assert not token.unknown


def test_dropped_cells_and_blank_template_stay_as_they_were() -> None:
    """Rows whose empty cells were dropped leave nothing behind (no blank cell reaches
    extraction), and the blank template stays empty: no facts at all."""
    r = load("dropped_cells_2021.txt")
    rows = {f.row for f in r.facts if f.table == "requests"}
    assert rows == {"received_new", "granted", "unavailable.not_held", "closed_total"}
    assert not any(f.value is None for f in r.facts)
    r = load("blank_template_2019.txt")
    assert (r.status, r.facts) == ("empty", [])


# --- (6) blank markers ----------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["_", "＿", "__", "——", "—", "－", "－－", "-", "--", "/", "/ ",
                                 "／", "\\", "×", "无", "無", "空", "―", "―― ", "- -", "‒", "─", ""])
def test_blank_markers_are_blank(raw: str) -> None:
    cell = read_value(raw)
    assert cell is not None and cell.number is None and cell.value is None


@pytest.mark.parametrize("raw, value", [("-1", -1), ("－1", -1), ("−1", -1), ("- 1", -1),
                                        ("减少1", -1), ("0", 0), ("－12", -12)])
def test_signed_numbers_stay_numbers(raw: str, value: int) -> None:
    cell = read_value(raw)
    assert cell is not None and cell.value == value


@pytest.mark.parametrize("raw", ["——————", "----------", "一"])
def test_separator_lines_and_words_are_not_cells(raw: str) -> None:
    assert read_value(raw) is None


def test_blank_markers_in_every_table() -> None:
    r = load("rules_markers_2021.txt")
    assert (r.template, r.year, r.agency, r.status) == ("2021", 2021, "白云镇人民政府", "ok")
    assert r.warnings == []
    assert len(r.facts) == 10 + 25 * 7 + 15
    active = cells(r, "active")
    assert active[("art20_1.rules", "issued")] == (None, "_")
    assert active[("art20_1.rules", "repealed")] == (None, "——")
    assert active[("art20_1.rules", "in_force")] == (None, "－")
    assert active[("art20_1.normative", "in_force")] == (3, "3")
    assert active[("art20_5.licensing", "decisions")] == (None, "无")
    assert active[("art20_6.penalty", "decisions")] == (None, "空")
    assert active[("art20_6.coercion", "decisions")] == (None, "＿＿")
    assert active[("art20_8.fees", "amount_wan_yuan")] == (None, "－－")
    req = cells(r, "requests")
    assert [req[("received_new", c)] for c in COLS] == [
        (3, "3"), (1, "1"), (None, "-"), (None, "—"), (None, "/"), (None, "\\"), (4, "4")]
    assert req[("granted", "research")] == (None, "×")
    assert {v for k, v in req.items() if k[0] == "withheld.state_secret"} == {(None, "――")}
    numbers = {k: v[0] for k, v in req.items() if v[0] is not None}
    assert numbers == {("received_new", "natural_person"): 3, ("received_new", "commercial"): 1,
                       ("received_new", "total"): 4, ("granted", "natural_person"): 2,
                       ("granted", "commercial"): 1, ("granted", "total"): 3,
                       ("unavailable.not_held", "natural_person"): 1,
                       ("unavailable.not_held", "total"): 1,
                       ("closed_total", "natural_person"): 3, ("closed_total", "commercial"): 1,
                       ("closed_total", "total"): 4}
    appeals = cells(r, "appeals")
    assert appeals[("review", "upheld")] == (None, "—")
    assert appeals[("litigation_direct", "upheld")] == (1, "1")
    assert all(c.ok for c in r.checks)


def test_separator_line_does_not_cost_a_table() -> None:
    text = text_of("rules_markers_2021.txt")
    data_row = "| — | — | — | — | — | 1 |"
    assert data_row in text
    r = parse(text.replace(data_row, "————————————\n" + data_row).encode())
    assert len(cells(r, "appeals")) == 15 and r.warnings == []


# --- (7) a next row's numbering glued after the last value ----------------------------------

def test_next_rows_numbering_after_a_complete_row_is_dropped() -> None:
    r = load("rules_trailing_numbering_2021.txt")
    assert (r.template, r.year, r.status) == ("2021", 2021, "ok")
    assert len(r.facts) == 10 + 25 * 7 + 15
    assert [f.value for f in r.facts if f.table == "active" and f.row == "art20_1.rules"] == [
        0, 0, 1]
    assert row_values(r, "active", "art20_1.normative") == [2, 0, 6]
    zeros = [0] * 7
    for row in ("withheld.state_secret", "withheld.prohibited_by_law",
                "withheld.security_stability", "withheld.third_party_rights",
                "not_handled.excessive", "not_handled.confirm_existing",
                "other.no_correction", "other.fee_unpaid"):
        assert row_values(r, "requests", row) == zeros, row
    assert row_values(r, "requests", "unavailable.not_held") == [2, 0, 0, 0, 1, 0, 3]
    assert row_values(r, "requests", "unavailable.needs_creation") == zeros
    assert r.warnings == [
        "active: a number after the last cell of art20_1.rules (2) is the next row's "
        "numbering, not a cell; left out of the row",
        "requests: a number after the last cell of withheld.state_secret (2), "
        "withheld.security_stability (4), unavailable.not_held (2), not_handled.excessive "
        "(5), other.no_correction (2) is the next row's numbering, not a cell; left out of "
        "the row"]
    assert all(c.ok for c in r.checks)


def test_trailing_number_that_is_not_the_next_numbering_keeps_the_row_out() -> None:
    text = text_of("rules_trailing_numbering_2021.txt")
    glued = "0\n2\n.其他法律行政法规禁止公开\n"
    assert glued in text
    r = parse(text.replace(glued, "0\n3\n.其他法律行政法规禁止公开\n").encode())
    assert row_values(r, "requests", "withheld.state_secret") == []
    assert any(w.startswith("requests.withheld.state_secret: 8 values for 7 columns")
               for w in r.warnings)
    assert row_values(r, "requests", "withheld.prohibited_by_law") == [0] * 7


def test_trailing_number_with_two_readings_keeps_the_row_out() -> None:
    """1 0 0 0 0 0 1 and then 2 before 2.重复申请: dropping the 2 keeps the row sum, but so
    does dropping any of the zeros (…, 1, 2). The label keeps its own number: no proof."""
    text = text_of("rules_trailing_numbering_2021.txt")
    row = "1.信访举报投诉类申请\n" + "0\n" * 7
    assert row in text
    r = parse(text.replace(row, "1.信访举报投诉类申请\n1\n0\n0\n0\n0\n0\n1\n2\n").encode())
    assert row_values(r, "requests", "not_handled.petition_complaint") == []
    assert any(w.startswith("requests.not_handled.petition_complaint: 8 values")
               for w in r.warnings)


def test_trailing_number_at_a_cut_short_end() -> None:
    """The page stops right after the 2 of 2.重复申请: the number is the next row's and the
    row sum holds only without it."""
    text = text_of("rules_trailing_numbering_2021.txt")
    cut = text[:text.index("2.重复申请")] + "2\n"
    r = parse(cut.encode())
    assert row_values(r, "requests", "not_handled.petition_complaint") == [0] * 7
    assert any("not_handled.petition_complaint (2)" in w for w in r.warnings)
    assert any("truncated" in w for w in r.warnings)


def test_trailing_number_in_a_row_without_numbering_keeps_the_row_out() -> None:
    """Table 二's rows carry no numbering: a second number after 行政许可 is never dropped."""
    text = text_of("rules_trailing_numbering_2021.txt")
    r = parse(text.replace("行政许可 | 41 |", "行政许可 | 41 | 3 |").encode())
    assert row_values(r, "active", "art20_5.licensing") == []
    assert any(w.startswith("active.art20_5.licensing: 2 values for 1 columns")
               for w in r.warnings)
    assert row_values(r, "active", "art20_6.penalty") == [7]


# --- (9) label variants ---------------------------------------------------------------------

def test_label_variants_2021() -> None:
    r = load("rules_label_variants_2021.txt")
    assert (r.template, r.year, r.status) == ("2021", 2022, "ok")
    assert r.warnings == []
    assert len(r.facts) == 10 + 25 * 7 + 15
    assert row_values(r, "active", "art20_1.rules") == [0, 0, 0]  # 规章（…long remark…）
    assert row_values(r, "active", "art20_1.normative") == [3, 1, 11]  # 规范性文件（…）
    assert row_values(r, "active", "art20_8.fees") == [0.6]
    assert row_values(r, "requests", "received_new") == [9, 2, 0, 0, 1, 1, 13]
    assert row_values(r, "requests", "unavailable.still_unclear") == [0] * 7  # 仍然不明确
    assert row_values(r, "requests", "not_handled.confirm_existing") == [0] * 7  # 或者重新出具
    assert row_values(r, "requests", "other.other") == [0, 0, 0, 0, 0, 1, 1]  # 3.其它
    assert row_values(r, "requests", "carried_forward") == [1, 0, 0, 0, 0, 0, 1]  # 下一年度
    assert row_values(r, "appeals", "litigation_direct") == [0, 0, 0, 1, 1]
    assert all(c.ok for c in r.checks) and len(r.checks) == 42


def test_label_variants_2019_headers_split_over_lines() -> None:
    r = load("rules_label_variants_2019.txt")
    assert (r.template, r.year, r.agency, r.status) == ("2019", 2020, "白云区卫生健康委员会", "ok")
    # 白云区 is in 广州市 and in 贵阳市: the register leaves it open, and says so
    assert r.warnings == ["agency: 白云区卫生健康委员会 could be in any of 2 divisions (广东省广州市"
                          "白云区, 贵州省贵阳市白云区); left unresolved (name the agency in full "
                          "as the source's agency in the sources file to decide)"]
    assert len(r.facts) == 22 + 23 * 7 + 15
    assert row_values(r, "active", "art20_5.licensing") == [35, -2, 1208]
    # the remark names 行政许可, 行政处罚 and 行政强制; the row is still 其他对外管理服务事项
    assert row_values(r, "active", "art20_5.other_services") == [16, 0, 97]
    assert row_values(r, "active", "art20_6.penalty") == [22, -1, 9]
    money = r.fact("active", "art20_9.procurement", "amount_wan_yuan")
    assert money is not None and (money.value, money.raw, money.unit) == (86.5, "865000", "万元")
    assert row_values(r, "requests", "other") == [0] * 7  # （六）其它处理
    assert row_values(r, "appeals", "litigation_after_review") == [1, 0, 0, 0, 1]
    assert all(c.ok for c in r.checks)


def test_template_from_shortened_and_split_headers_not_from_the_year() -> None:
    """Only the shortened header words tell this table 二 is the 2019 template; the title's
    year (2022) would say 2021 and put its numbers under the wrong columns."""
    text = ("示例县水务局2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
            "第二十条第（一）项\n信息内容\n本年新\n制作数量\n本年新\n公开数量\n对外公开\n总数量\n"
            "规章\n0\n0\n0\n规范性文件\n3\n3\n8\n")
    r = parse(text.encode())
    assert r.template == "2019"
    assert row_values(r, "active", "art20_1.normative") == [3, 3, 8]
    assert {f.col for f in r.facts} == {"newly_made", "newly_published", "published_total"}
    assert not any("assumed" in w for w in r.warnings)
    r = parse(text.replace("本年新\n制作数量\n本年新\n公开数量\n", "本年新\n本年新\n").encode())
    assert r.template == "2019"


def test_caption_glued_to_the_first_row_label() -> None:
    text = text_of("rules_label_variants_2021.txt")
    label = "一、本年新收政府信息公开申请数量"
    glued = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和，"
             "请按本表各列逐项核对）" + label)
    r = parse(text.replace(label, glued).encode())
    assert row_values(r, "requests", "received_new") == [9, 2, 0, 0, 1, 1, 13]
    assert r.warnings == []


def test_long_remarked_labels_are_labels_and_prose_stays_prose() -> None:
    token = remarked("其他对外管理服务事项（指除行政许可以外对外办理的各类事项，含行政确认、"
                     "行政给付、行政奖励、行政处罚、行政强制等，按事项清单统计）")
    assert token is not None and token.key == "其他对外管理服务事项"
    prose = ("2021年，本局共办理行政许可事项五百余件（含线上办理与线下窗口办理两种方式，"
             "其中大部分为线上办理），办结率达到百分之百。")
    assert classify(prose) == "prose" and remarked(prose) is None
    # before the tables a remarked label stays prose: a paragraph never becomes a row
    paragraph = ("行政许可（本局全年受理并办结各类行政许可申请，全部在法定时限内办结，"
                 "群众满意度持续提升，窗口服务与网上办理同步推进，具体数据见下表）")
    assert classify(paragraph) == "prose"
    text = ("示例县交通运输局2021年政府信息公开工作年度报告\n一、总体情况\n"
            f"{paragraph}\n12\n二、主动公开政府信息情况\n信息内容 | 本年处理决定数量 |\n"
            "行政处罚 | 3 |\n")
    r = parse(text.encode())
    assert row_values(r, "active", "art20_5.licensing") == []
    assert row_values(r, "active", "art20_6.penalty") == [3]


def test_blank_markers_of_unknown_position_are_not_reported_lost() -> None:
    """A blank table 四 printed as three merged cells of / : nothing to place, nothing lost."""
    text = text_of("rules_markers_2021.txt")
    data_row = "| — | — | — | — | — | 1 | / | / | / | 1 | / | / | / | / | / |"
    assert data_row in text
    r = parse(text.replace(data_row, "| / | / | / |").encode())
    assert cells(r, "appeals") == {}
    assert not any(w.startswith("appeals") for w in r.warnings)
    assert "table appeals is empty: no numbers in it" in r.warnings


def test_blank_reading_never_stands_in_for_a_row_left_out() -> None:
    """A row read with numbers but left out (too many values) stays out: neither a header
    word's padding (one cell per line, a lone | after each cell) nor a blank line of the
    same row fills it with nulls."""
    row = Line(["（七）总计", "4", "1", "0", "0", "1", "0", "6", "9", "9"], True)
    header = Line(["申请人情况", "", "自然人", "", "法人或其他组织", "", "总计", ""], False)
    for lines in ([header, row], [Line(["合计", "", ""], True), row]):
        doc = Document("text", [
            Line(["二、主动公开政府信息情况"], False),
            Line(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], True),
            Line(["三、收到和处理政府信息公开申请情况"], False), *lines])
        assert extract(doc).template == "2021"
        out = extract(doc, "2021")
        assert [f for f in out.facts if f.row == "closed_total"] == []
        assert any(w.startswith("requests.closed_total: 9 values for 7 columns")
                   for w in out.warnings)


@pytest.mark.parametrize("raw, key", [
    ("其他主动公开文件（除规范性文件以外的主动公开文件）", "其他主动公开文件"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    ("3.危及（三安全一稳定）", "危及三安全一稳定"),  # bracketed words of the label stay
    ("三、本年度办理结果（一）予以公开", "本年度办理结果一予以公开"),
    ("本年收费金额（单位：万元）", "本年收费金额单位万元"),
    ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
     "本列数据的勾稽关系为第一项加第二项之和等于第三项加第四项之和"),
])
def test_labels_are_matched_by_the_words_outside_their_remarks(raw: str, key: str) -> None:
    token, _ = classify(raw)  # type: ignore[misc]
    assert token.key == key


def test_a_remark_naming_another_row_never_places_its_numbers_there() -> None:
    """其他主动公开文件（除规范性文件以外…） is not a template row, even before 规范性文件."""
    text = text_of("rules_blank_rows_2019.txt")
    normative = "规范性文件 | 4 | 4 | 17 |\n"
    r = parse(text.replace(normative, "其他主动公开文件（除规范性文件以外的主动公开文件） | 186 | 86 | 255 |\n"
                           + normative).encode())
    assert row_values(r, "active", "art20_1.normative") == [4, 4, 17]
    assert not {186, 86, 255} & {f.value for f in r.facts}
    assert any("其他主动公开文件" in w and "left out" in w for w in r.warnings)


def test_every_other_cell_empty_is_ambiguous_not_misplaced() -> None:
    """| 1 | / | with a lone | after every cell (the separator rendering, before a reader
    knows it): reading the first two cells would put 1 under 本年增/减. Left out instead; a
    row with padding after its cells is read as before."""
    head = [Line(["二、主动公开政府信息情况"], False),
            Line(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], True)]
    doc = Document("text", head + [Line(["行政事业性收费", "", "1", "", "/", ""], False)])
    out = extract(doc, "2019")
    assert [f for f in out.facts if f.row == "art20_8.fees"] == []
    assert any(w.startswith("active.art20_8.fees: 5 cells for 2 columns, every other one empty")
               for w in out.warnings)
    doc = Document("text", head + [Line(["行政事业性收费", "", "-11", ""], True)])
    out = extract(doc, "2019")
    assert [(f.col, f.value) for f in out.facts if f.row == "art20_8.fees"] == [
        ("items_prev_year", None), ("items_change", -11)]


def test_a_table_without_its_heading_opens_at_its_first_header_cell() -> None:
    """A page that starts inside table 二 (第二十条第（一）项, no 二、主动公开… above it) or inside
    table 三 (申请人情况): its labels with long remarks are labels, as under the heading; a long
    text before the first header cell stays prose."""
    remark = ("（指本机关制定发布的决定、通告、意见、通知，以及标题含“规定”“办法”“细则”等字样、"
              "对不特定对象具有约束力的公文，一般属于规范性文件）")
    text = ("示例县水务局2021年政府信息公开工作年度报告\n现将本局2021年度政府信息公开情况报告如下。\n"
            "第二十条第（一）项 | |||\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
            f"规章（设区的市应提供相关数据） | 0 | 0 | 1 |\n规范性文件{remark} | 4 | 1 | 23 |\n"
            "第二十条第（五）项 | |||\n信息内容 | 本年处理决定数量 | ||\n行政许可 | 56 | ||\n")
    r = parse(text.encode())
    assert row_values(r, "active", "art20_1.normative") == [4, 1, 23]
    assert row_values(r, "active", "art20_1.rules") == [0, 0, 1]
    assert row_values(r, "active", "art20_5.licensing") == [56]
    assert not any("no label" in w for w in r.warnings), r.warnings
    applicants = ("申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
                  f"一、本年新收政府信息公开申请数量{remark} | 3 | 1 | 0 | 0 | 0 | 0 | 4 |\n")
    r = parse(("示例县水务局2021年政府信息公开工作年度报告\n" + applicants).encode())
    assert row_values(r, "requests", "received_new") == [3, 1, 0, 0, 0, 0, 4]
    # before any table, the same long text is a paragraph, never a row
    r = parse((f"示例县水务局2021年政府信息公开工作年度报告\n规范性文件{remark} | 4 | 1 | 23 |\n"
               + applicants).encode())
    assert row_values(r, "active", "art20_1.normative") == []


@pytest.mark.parametrize("html", [False, True])
def test_columns_printed_in_another_order_than_the_templates_are_left_out(html: bool) -> None:
    """A header over table 二 that prints 对外公开总数量 before 本年新公开数量 (or table 三's 科研机构
    before 商业企业): the values under it may follow the header or the template, and either
    reading puts some number in the wrong column. Those cells are left out, with a warning;
    the column both readings agree on is kept."""
    header = ["信息内容", "本年新制作数量", "对外公开总数量", "本年新公开数量"]
    rows = [["规章", "0", "0", "1"], ["规范性文件", "3", "12", "2"]]
    apply = ["申请人情况", "自然人", "科研机构", "商业企业", "社会公益组织", "法律服务机构", "其他", "总计"]
    received = ["一、本年新收政府信息公开申请数量", "5", "2", "1", "0", "1", "0", "9"]
    title = "示例县水务局2020年政府信息公开工作年度报告"
    parts = [["二、主动公开政府信息情况"], ["第二十条第（一）项"], header, *rows,
             ["三、收到和处理政府信息公开申请情况"], apply, received]
    if html:
        body = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in p)}</tr>" for p in parts)
        page = f"<html><body><h1>{title}</h1><table>{body}</table></body></html>"
    else:
        page = "\n".join([title, *(" | ".join(p) + " |" for p in parts)])
    r = parse(page.encode(), source="order.html" if html else "order.txt")
    active, req = cells(r, "active"), cells(r, "requests")
    assert active[("art20_1.normative", "newly_made")] == (3, "3")
    assert not {("art20_1.normative", "newly_published"), ("art20_1.normative", "published_total"),
                ("art20_1.rules", "published_total")} & set(active)
    assert any("art20_1.normative" in w and "another order" in w and "newly_published" in w
               for w in r.warnings), r.warnings
    assert not {("received_new", "commercial"), ("received_new", "research")} & set(req)
    assert [req[("received_new", c)][0] for c in ("natural_person", "nonprofit", "total")] == \
        [5, 0, 9]
    # the same header in the template's order: every cell read, no warning
    page = page.replace("对外公开总数量", "@").replace("本年新公开数量", "对外公开总数量").replace(
        "@", "本年新公开数量").replace("科研机构", "@").replace("商业企业", "科研机构").replace(
        "@", "商业企业")
    r = parse(page.encode(), source="order.html" if html else "order.txt")
    assert cells(r, "active")[("art20_1.normative", "published_total")] == (2, "2")
    assert cells(r, "requests")[("received_new", "research")] == (1, "1")
    assert not any("another order" in w for w in r.warnings)


def test_page_chrome_naming_a_column_word_is_no_header() -> None:
    """有效性 | 有效 in the page's metadata names 现行有效件数's word: the header is the run of
    column words over the row, so the swap below it is still seen (and the chrome never
    makes a header of its own)."""
    text = ("示例县水务局2021年政府信息公开工作年度报告\n有效性 | 有效 |\n发布日期 | 2022-01-10 |\n"
            "二、主动公开政府信息情况\n第二十条第（一）项 | |||\n"
            "信息内容 | 本年制发件数 | {} | {} |\n规章 | 0 | 0 | 1 |\n行政规范性文件 | 3 | 1 | 9 |\n")
    swapped = parse(text.format("现行有效件数", "本年废止件数").encode())
    assert not {("art20_1.normative", "repealed"), ("art20_1.normative", "in_force")} & set(
        cells(swapped, "active"))
    assert cells(swapped, "active")[("art20_1.normative", "issued")] == (3, "3")
    plain = parse(text.format("本年废止件数", "现行有效件数").encode())
    assert row_values(plain, "active", "art20_1.normative") == [3, 1, 9]
    assert not any("another order" in w for w in plain.warnings)


@pytest.mark.parametrize("pipes", [False, True])
def test_a_row_printed_as_sub_rows_without_its_total_is_left_out(pipes: bool) -> None:
    """其他对外管理服务事项 printed as two sub-rows (行政检查, 行政确认) and no total of its own:
    the first sub-row's numbers are not the row's (a partial count read as the whole). A
    row label followed by a note that is no sub-row keeps its values."""
    rows = [["第二十条第（五）项"], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            ["行政许可", "4", "0", "9"], ["其他对外管理服务事项", "行政检查", "2", "1", "7"],
            ["行政确认", "3", "0", "5"], ["第二十条第（六）项"],
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "6", "0", "8"]]
    def page(rows: list[list[str]]) -> bytes:
        lines = [" | ".join(r) + " |" for r in rows] if pipes else [c for r in rows for c in r]
        return "\n".join(["白鹭街道2019年政府信息公开工作年度报告", "二、主动公开政府信息情况",
                          *lines]).encode()
    r = parse(page(rows))
    assert row_values(r, "active", "art20_5.other_services") == []
    assert row_values(r, "active", "art20_5.licensing") == [4, 0, 9]
    assert row_values(r, "active", "art20_6.penalty") == [6, 0, 8]
    assert any("other_services" in w and "sub-rows (行政检查、行政确认" in w for w in r.warnings)
    rows[3][1] = "（含行政确认）"
    del rows[4]
    r = parse(page(rows))
    assert row_values(r, "active", "art20_5.other_services") == [2, 1, 7]


@pytest.mark.parametrize("sentence", [
    "本年度，受理依申请公开政府信息0件，没有因政府信息公开引起的行政复议和行政诉讼事件。",
    "本年度未发生行政复议、行政诉讼情况。",
])
def test_a_sentence_naming_the_appeals_is_no_heading(sentence: str) -> None:
    """A sentence of the opening that names 行政复议 and 行政诉讼 opens no appeals table: a page
    whose excerpt ends before table 四 says the table was not found, not that it is empty;
    the heading itself still opens it."""
    page = ("示例镇2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 0 | 0 | 1 |\n" + sentence
            + "\n（三）政府信息管理\n健全制度\n")
    r = parse(page.encode(), source="t.txt")
    assert "table appeals not found" in r.warnings, r.warnings
    assert not any("appeals is empty" in w for w in r.warnings), r.warnings
    assert classify("四、政府信息公开行政复议、行政诉讼情况")[1] == "appeals"


_SWAPPED_2021 = ("示例县水务局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项 | |||\n"
                 "{header}\n规章 | 0 | 0 | 1 |\n行政规范性文件 | 3 | 1 | 9 |\n")


@pytest.mark.parametrize("header", [
    "信息内容 | 本年制发件数 | 现行有效件数 | 本年废止件数 | |",  # padded with a blank cell
    "信息内容本年制发件数现行有效件数本年废止件数",  # one run of words (a text dump)
    "信息内容 |\n本年制发件数 |\n现行有效件数 |\n本年废止件数 |",  # one cell a line
])
def test_a_header_in_another_order_is_seen_however_it_is_printed(header: str) -> None:
    """A header padded with a blank cell was no header (the padding read as a row of blanks
    between it and the rows); a header printed as one run of words named three columns in
    one cell, which counted as no order: both put 1 and 9 in the template's order."""
    r = parse(_SWAPPED_2021.format(header=header).encode(), source="t.txt")
    active = cells(r, "active")
    assert active[("art20_1.normative", "issued")] == (3, "3")
    assert not {("art20_1.normative", "repealed"), ("art20_1.normative", "in_force")} & set(
        active), active
    assert any("art20_1.normative" in w and "another order" in w for w in r.warnings)


def _swapped_requests(rows: list[list[str]]) -> str:
    """A 2021 page of table 三 under a header printing 科研机构 before 商业企业, pipe rows."""
    header = ["申请人情况", "自然人", "科研机构", "商业企业", "社会公益组织", "法律服务机构", "其他", "总计"]
    return "\n".join(["示例县水务局2021年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
                      *(" | ".join(p) + " |" for p in [header, *rows])])


def test_table_three_keeps_its_header_order_past_rows_printed_with_two_labels() -> None:
    """三、本年度办理结果 | （一）予以公开 prints two labels before its values, which read as a new
    header naming no column: the order of 科研机构 | 商业企业 was forgotten from that row on."""
    rows = [["一、本年新收政府信息公开申请数量", "5", "2", "1", "0", "1", "0", "9"],
            ["二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"],
            ["三、本年度办理结果", "（一）予以公开", "4", "2", "1", "0", "0", "0", "7"],
            ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "1", "1", "0", "0", "0", "0", "2"]]
    page = _swapped_requests(rows)
    req = cells(parse(page.encode(), source="t.txt"), "requests")
    for row in ("received_new", "carried_over", "granted", "partially_granted"):
        assert not {(row, "commercial"), (row, "research")} & set(req), row
        assert req[(row, "natural_person")][0] in (5, 1, 4)


def test_a_row_placed_by_order_under_a_header_in_another_order_is_checked_too() -> None:
    """A damaged label (上年转结) places its row by the template's order: the header's order
    holds for it as for the rows around it."""
    rows = [["一、本年新收政府信息公开申请数量", "5", "2", "1", "0", "1", "0", "9"],
            ["二、上年转结政府信息公开申请数量", "1", "4", "5", "0", "0", "0", "10"],
            ["三、本年度办理结果", "（一）予以公开", "4", "2", "1", "0", "0", "0", "7"]]
    page = _swapped_requests(rows)
    req = cells(parse(page.encode(), source="t.txt"), "requests")
    assert req[("carried_over", "natural_person")] == (1, "1")
    assert not {("carried_over", "commercial"), ("carried_over", "research")} & set(req)


@pytest.mark.parametrize("sub_rows", [
    "行政处罚 警告 2 1 7\n罚款 3 0 5\n",  # space-separated: the two labels in one cell
    "行政处罚 | 警告 | 2 | 1 | 7 |\n| | 罚款 | 3 | 0 | 5 |\n",  # the second opened by a blank cell
    "行政处罚 | 警告 | 2 | 1 | 7 |\n罚款 | 3 | 0 | 5 |\n没收 | 1 | 0 | 1 |\n",  # three sub-rows
])
def test_sub_rows_are_never_a_row_however_they_are_printed(sub_rows: str) -> None:
    """The first sub-row's numbers were taken for 行政处罚's, or the second placed by order
    as 行政强制's (printed as its label alone)."""
    page = ("示例县水务局2019年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（六）项\n"
            "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n" + sub_rows + "行政强制\n"
            "第二十条第（八）项\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 2 | 0 |\n")
    r = parse(page.encode(), source="t.txt")
    assert row_values(r, "active", "art20_6.penalty") == []
    assert row_values(r, "active", "art20_6.coercion") == []
    assert row_values(r, "active", "art20_8.fees") == [2, 0]
    assert any("art20_6.penalty" in w and "sub-rows" in w for w in r.warnings), r.warnings


def test_rows_that_lost_cells_under_a_header_in_another_order_are_not_recovered() -> None:
    """Under 科研机构 | 商业企业 a row short of cells (the rendering dropped its empty ones) was
    placed by recovery in the template's order: the identities hold column by column for the
    page's order too, so it found the swapped numbers as consistent. Such rows are left out."""
    rows = [["一、本年新收政府信息公开申请数量", "5", "2", "1", "0", "1", "0", "9"],
            ["二、上年结转政府信息公开申请数量", "1", "3", "4"],
            ["三、本年度办理结果", "（一）予以公开", "6", "2", "1", "0", "1", "0", "10"],
            ["四、结转下年度继续办理", "0", "3", "3"]]
    page = _swapped_requests(rows)
    r = parse(page.encode(), source="t.txt")
    req = cells(r, "requests")
    assert not [k for k in req if k[0] in ("carried_over", "carried_forward")], req
    assert not {("received_new", "commercial"), ("received_new", "research")} & set(req)
    assert any("carried_over" in w and "another order" in w for w in r.warnings), r.warnings


def test_a_label_of_its_own_is_never_placed_by_order_as_a_missing_row() -> None:
    """规范性文件 printed blank and lost with its empty cells: the row after it in the page is
    其他主动公开文件 (no row of the template), which filled the gap by order, its numbers read
    as the normative documents'. A damaged label of the row (规范性文仵) or none still is."""
    def page(label: str) -> bytes:
        return ("示例县水务局2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（一）项\n"
                "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 1 | 0 | 4 |\n行政规范性文件 |\n"
                f"{label} | 129 | 36 | 840 |\n第二十条第（五）项\n信息内容 | 本年处理决定数量 |\n"
                "行政许可 | 12 |\n").encode()
    r = parse(page("其他主动公开文件（不含规章和规范性文件）"), source="t.txt")
    assert row_values(r, "active", "art20_1.normative") == []
    assert any("其他主动公开文件" in w and "left out" in w for w in r.warnings), r.warnings
    r = parse(page("行政规范性文仵"), source="t.txt")
    assert row_values(r, "active", "art20_1.normative") == [129, 36, 840]


def test_a_2019_header_in_another_order_and_a_block_printed_without_its_header() -> None:
    """上一年项目数量 holds 项目数 (采购项目数量's word too): it named two columns, so the header
    named no order and 9 was read as the previous year's count. 第二十条第（六）项, printed
    under the header of （五）项 (no header of its own), follows that header as much."""
    page = ("示例县水务局2019年政府信息公开工作年度报告\n二、主动公开政府信息情况\n第二十条第（五）项 | |||\n"
            "信息内容 | 处理决定数量 | 本年增/减 | 上一年项目数量 |\n行政许可 | 9 | 1 | 4 |\n"
            "第二十条第（六）项 | |||\n行政处罚 | 30 | 0 | 6 |\n")
    active = cells(parse(page.encode(), source="t.txt"), "active")
    for row, change in (("art20_5.licensing", (1, "1")), ("art20_6.penalty", (0, "0"))):
        assert active[(row, "items_change")] == change
        assert not {(row, "items_prev_year"), (row, "decisions")} & set(active), active


def test_the_next_rows_numbering_is_seen_past_the_blank_cell_opening_that_row() -> None:
    """| | 3.危及… | 0 | | 4 | 4 | then | | .保护第三方… |: the 4 after the row is the next row's
    numbering, which its label proves; the blank cell opening that row (under the group's
    rowspan) hid the label from the row before, and the row was left out."""
    cells7 = "| 0 | | 4 | | | | 4 |"
    page = ("示例县水务局2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "| （三）不予公开 | 1.属于国家秘密 | 0 | | | | | | 0 |\n"
            "| | 2.其他法律行政法规禁止公开 | 0 | | | | | | 0 |\n"
            f"| | 3.危及“三安全一稳定” {cells7} 4 |\n| | .保护第三方合法权益 | 1 | | | | | | 1 |\n"
            "| | 5.属于三类内部事务信息 | 0 | | | | | | 0 |\n")
    r = parse(page.encode(), source="t.txt")
    assert row_values(r, "requests", "withheld.security_stability") == [0, None, 4, None, None,
                                                                        None, 4]
    assert row_values(r, "requests", "withheld.third_party_rights")[0] == 1
    assert any("next row's numbering" in w for w in r.warnings), r.warnings


def test_a_sentence_naming_a_row_is_no_label() -> None:
    """本年度内单位行政许可处理决定数量12件，…。 over table 二: the sentence, read as a label, met
    the blank padding of 第二十条第（一）项 | ||| and made 行政许可 a row printed blank, a null
    fact for a cell the page never prints (a page cut before the row). A label's remark may
    hold commas: （二）部分公开（区分处理的，只计这一情形，…）."""
    page = ("某某局2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
            "本年度内单位行政许可处理决定数量12件，行政处罚处理决定数量7件。\n第二十条第（一）项 | |||\n"
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 0 | 0 | 0 |\n")
    r = parse(page.encode(), source="t.txt")
    assert {f.row for f in r.facts} == {"art20_1.rules"}
    assert classify("（二）部分公开（区分处理的，只计这一情形，不计其他情形）") != "prose"
    assert classify("本年度内单位行政许可处理决定数量12件，行政处罚处理决定数量7件。") == "prose"


def test_a_marker_closing_the_appeals_row_is_a_cell_not_padding() -> None:
    """| | 1 | 1 | 5 | … | 0 | — |: a pipe opening the row (a blank cell) and 15 cells, the last a
    marker. The marker was dropped as padding, the blank kept, and every value moved one
    column on (upheld 1 read as corrected)."""
    row = "| | 1 | 1 | 5 | 1 | 8 | | | - | 无 | - | - | | | 0 | — |"
    page = ("示例县水务局2021年政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n"
            "| 行政复议 | 行政诉讼 | |||\n| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | "
            "复议后起诉 | |\n" + "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 " * 2 + "|\n" + row + "\n")
    review = {f.col: f.value for f in parse(page.encode(), source="t.txt").facts
              if f.row == "review"}
    assert review == {"upheld": 1, "corrected": 1, "other": 5, "pending": 1, "total": 8}


def test_an_appeals_row_opening_with_a_pipe_and_ending_in_a_blank_is_read_by_its_totals() -> None:
    """| 0 | 5 | | 5 | … | 8 | |: a pipe opening the row (its first cell printed blank) and a
    blank after it (an extra column): 15 cells either way, and the row was read from the 0,
    every value a column early. The totals add up only with the blank first."""
    cells = ["0", "5", "", "5", "无", "1", "4", "4", "9", "5", "0", "0", "3", "8", ""]
    page = ("示例县水务局2021年政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n"
            "行政复议 | 行政诉讼 |\n" + "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | " * 3 + "|\n"
            "| " + " | ".join(cells) + " |\n")
    r = parse(page.encode(), source="t.txt")
    review = [f.value for f in r.facts if f.row == "review"]
    after = [f.value for f in r.facts if f.row == "litigation_after_review"]
    assert (review, after) == ([None, 0, 5, None, 5], [5, 0, 0, 3, 8]), r.warnings
