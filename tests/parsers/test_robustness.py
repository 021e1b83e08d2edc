"""Whatever the bytes, parse returns a report: it never raises."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from nianbao.output import columnar
from nianbao.parsers import limits, parse
from nianbao.parsers.normalize import printable, strip_numbering
from nianbao.parsers.readers import html
from nianbao.parsers.values import UNREADABLE, read_value

CELLS = st.sampled_from(["规章", "0", "3", "|", "||", " ", "", "\u00a0", "总计", "行政复议",
                         "一、本年新收政府信息公开申请数量", "（七）总计", "-", "无", "25409.5万元",
                         "<td>", "<table>", "</tr>", "<br>", "行政许可", "三、收到和处理政府信息公开申请情况",
                         "四、政府信息公开行政复议、行政诉讼情况", "2019年", "\ufeff", "\u200b"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    report = parse(data)
    assert report.status in {"ok", "empty", "legacy", "error", "unsupported", "not_report",
                             "no_tables"}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(CELLS, max_size=12), max_size=80), st.sampled_from(["\n", "\r\n"]),
       st.booleans())
def test_random_table_like_documents(rows: list[list[str]], newline: str, as_html: bool) -> None:
    if as_html:
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        data = f"<html><body><table>{body}</table></body></html>".encode()
    else:
        data = newline.join(" | ".join(row) for row in rows).encode()
    report = parse(data, source="fuzz")
    keys = [(f.table, f.row, f.col) for f in report.facts]
    assert len(keys) == len(set(keys))  # one fact per cell at most


# --- numbers too long to be one --------------------------------------------------------------

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"
# (fixture, the printed row, the same row with its first value replaced by {})
_LONG_ROWS = [("rules_markers_2021.txt", "行政规范性文件 | 1 | / | 3 |", "行政规范性文件 | {} | / | 3 |"),
              ("html_2021_levels.html", "<td>行政规范性文件</td><td>2</td>",
               "<td>行政规范性文件</td><td>{}</td>")]


def _with_cell(fixture: str, row: str, template: str, cell: str) -> bytes:
    page = (CASES / fixture).read_text(encoding="utf-8")
    assert row in page
    return page.replace(row, template.format(cell), 1).encode()


@pytest.mark.parametrize("fixture,row,template", _LONG_ROWS)
@pytest.mark.parametrize("digits", [16, 400, 5000, 200_000])
def test_a_number_too_long_for_a_cell_is_a_cell_of_unknown_value(fixture: str, row: str,
                                                                 template: str, digits: int
                                                                 ) -> None:
    """Thousands of digits crashed the JSON output and the result store (and took quadratic
    time to convert); even 16 digits is no table value (values.MAX_INTEGER_DIGITS). The cell
    is left out with a short warning; the rest of the row keeps its columns."""
    report = parse(_with_cell(fixture, row, template, "7" * digits), source=fixture)
    assert report.status == "ok"
    normative = {f.col: f.value for f in report.facts if f.row == "art20_1.normative"}
    assert "issued" not in normative
    assert normative["in_force"] in (3, 9)
    said = [w for w in report.warnings if "art20_1.normative" in w]
    assert len(said) == 1 and "not a number" in said[0] and len(said[0]) < 200
    json.dumps(report.to_json_dict())  # (raised ValueError: Exceeds the limit (4300 digits))
    facts = columnar.in_printed_order(report.facts, report.template)
    columnar.cells_batch(facts, list(range(len(facts))))  # (raised OverflowError)


@pytest.mark.parametrize("fixture,row,template", _LONG_ROWS)
def test_fifteen_digits_are_still_a_number(fixture: str, row: str, template: str) -> None:
    report = parse(_with_cell(fixture, row, template, "123456789012345"), source=fixture)
    normative = {f.col: f.value for f in report.facts if f.row == "art20_1.normative"}
    assert normative["issued"] == 123456789012345


@pytest.mark.parametrize("raw,cell", [("9" * 15, Decimal("9" * 15)),
                                      ("1" * 15 + ".25", Decimal("1" * 15 + ".25")),
                                      ("1,234,567,890,123,456", None), ("1" * 16, None),
                                      ("1" * 16 + ".5", None), ("1 " * 10_000, None),
                                      ("5" * 100_000 + "元", None)])
def test_read_value_takes_fifteen_integer_digits_at_most(raw: str, cell: Decimal | None
                                                         ) -> None:
    got = read_value(raw)
    assert got is not None
    if cell is None:
        assert got is UNREADABLE and got.unknown and got.number is None
    else:
        assert not got.unknown and got.number == cell


def test_a_prose_figure_too_long_is_not_read() -> None:
    page = (CASES / "prose_agrees_2021.txt").read_text(encoding="utf-8")
    stated = "本镇共收到政府信息公开申请12件"
    assert stated in page
    report = parse(page.replace(stated, f"本镇共收到政府信息公开申请{'1' * 5000}件").encode())
    assert report.status == "ok"
    json.dumps(report.to_json_dict())
    assert all(abs(c.lhs) < 10**15 and abs(c.rhs) < 10**15 for c in report.checks)


# --- pages nested too deep to parse ----------------------------------------------------------

_TITLE = "<html><body><h1>示例县2021年政府信息公开工作年度报告</h1>"
_OVER = limits.MAX_BLOCK_DEPTH + 1000
_LONG = "<p>" + "示例" * 50_000 + "</p>"  # (pages under 100 kB are not searched)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("opened", ["<div>", "<DIV class=x>", "<ul><li>", "<section/>"])
def test_a_page_of_unclosed_blocks_is_refused_before_its_parse(opened: str, encoding: str
                                                               ) -> None:
    """lexbor's parse takes time quadratic in the depth of unclosed blocks, in one call: the
    page is refused first, with the limit named (a UTF-8 page is parsed as bytes, a GBK one
    as text: both are searched)."""
    page = (_TITLE + _LONG + opened * _OVER + "x").encode(encoding)
    report = parse(page, source="deep.html", content_type=f"text/html; charset={encoding}")
    assert report.status == "limit"
    assert "MAX_BLOCK_DEPTH" in report.error
    assert f"{_OVER * opened.count('<'):,} deep" in report.error  # (a list and its item: 2)


@pytest.mark.parametrize("opened,closed", [("<div>", "</div>"), ("<ul><li>", "</li></ul>"),
                                           ("<Section>", "</SECTION>")])
def test_a_page_of_blocks_nested_deep_is_refused_though_it_closes_them(opened: str,
                                                                       closed: str) -> None:
    """Closing every block after the deepest costs lexbor the same quadratic time (40,000
    <div> nested and closed took 2 s): depth counts, not what is left open at the end."""
    page = (_TITLE + _LONG + opened * _OVER + "x" + closed * _OVER + "</body></html>").encode()
    report = parse(page, source="deep.html", content_type="text/html")
    assert report.status == "limit"
    assert "MAX_BLOCK_DEPTH" in report.error
    assert f"{_OVER * opened.count('<'):,} deep" in report.error


_NESTED = ("div", "ul", "ol", "li", "section", "dl", "address", "menu")


def _tree_depth(page: str) -> int:
    """How deep the parsed tree nests the elements the nesting search counts."""
    counted = set(_NESTED)
    deepest = 0
    for node in LexborHTMLParser(page).body.traverse():
        depth = 0
        while node is not None:
            depth += node.tag in counted
            node = node.parent
        deepest = max(deepest, depth)
    return deepest


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NESTED), st.booleans(), st.booleans()), max_size=30))
def test_the_nesting_search_counts_the_depth_the_parser_builds(tags: list) -> None:
    """Blocks and list items, opened, closed, left open or closed with none open, in any case
    of letters: the search finds the depth of the parser's own tree (list items close their
    open neighbour, through the <div> opened in it; an </li> outside its item is ignored)."""
    page = "".join(f"<{'/' * closing}{name.upper() if upper else name}>x"
                   for name, closing, upper in tags)
    assert html._depth(page) == html._depth(page.encode()) == _tree_depth(page)


@pytest.mark.parametrize("filler", [
    "<div>x</div>",  # as many blocks, closed
    "<p>x<br><img src=a.png>",  # tags never closed that do not nest (p, void elements)
    "<ul><li>x<li>y</ul>",  # list items closed by the next
    "<tr><td>1<td>2",  # cells closed by the next
    "<div><div>x</div></div>",  # blocks nested a little, closed
    "</div>",  # end tags with nothing open (ignored by the parser)
    "<div><ul><li>x<li>y</div>",  # an end tag closes what is open inside its element
    "<ul><li>x<ul><li>y</ul></ul>",  # a list in an item, the items left open
])
def test_a_large_page_of_tags_that_do_not_nest_is_read(filler: str) -> None:
    page = (_TITLE + _LONG + "<table>" * ("tr" in filler) + filler * _OVER).encode()
    report = parse(page, source="wide.html", content_type="text/html")
    assert report.status != "limit", report.error


# --- control characters ------------------------------------------------------------------

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ESCAPES = "\x1b[31m\x1b]0;title of the terminal\x07\x9b\x08"


@pytest.mark.parametrize("fixture,row,template", _LONG_ROWS)
def test_no_control_character_of_a_page_reaches_its_title_agency_or_warnings(
        fixture: str, row: str, template: str) -> None:
    """A terminal shows the title and warnings (ESC ] … BEL sets its title, ESC [ … m its
    colours), a spreadsheet the agency: none keeps a control character of the page."""
    page = _with_cell(fixture, row, template, f"7{_ESCAPES}x").decode()
    for name in ("白云镇人民政府", "示例市人民政府", "模拟县人民政府"):
        page = page.replace(name, name[:3] + _ESCAPES + name[3:], 1)
    report = parse(page.encode(), source=fixture)
    assert report.status == "ok" and report.title and report.agency
    said = [report.title, report.agency, *report.warnings,
            *(name for _, name in report.agency_clues)]
    assert not [text for text in said if _CONTROLS.search(text)]
    assert "人民政府" in report.agency and "title of the terminal" not in report.title
    assert any("art20_1.normative" in w for w in report.warnings)  # (the cell's warning)


@pytest.mark.parametrize("text,clean", [("示例县\x1b[1;31m人民政府", "示例县人民政府"),
                                        ("a\x1b]0;x\x1b\\b", "ab"), ("a\x07\x7f\x9fb", "ab"),
                                        ("tab\tand\nline", "tab\tand\nline"), ("普通", "普通")])
def test_printable(text: str, clean: str) -> None:
    assert printable(text) == clean


# --- documents with too many cells ----------------------------------------------------------

def test_a_document_of_more_cells_than_a_report_can_hold_is_refused_before_it_is_read() -> None:
    """Reading a cell takes about 600 bytes: a 100 MB page of cells would take 4 GB."""
    n = limits.MAX_CELLS // 4 + 1000
    html = (_TITLE + "<table>" + "<tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr>" * n
            + "</table>").encode()
    text = ("示例县2021年政府信息公开工作年度报告\n" + "规章 | 1 | 2 | 3\n" * n).encode()
    for data, content_type in ((html, "text/html"), (text, "text/plain")):
        report = parse(data, source="big", content_type=content_type)
        assert report.status == "limit" and "MAX_CELLS" in report.error


def test_a_long_page_of_few_cells_is_read() -> None:
    """An article picture embedded in the page makes it long, not its cells many."""
    page = (CASES / "html_2021_levels.html").read_text(encoding="utf-8")
    picture = f'<img src="data:image/png;base64,{"A" * (4 * limits.MAX_CELLS + 10)}">'
    report = parse(page.replace("</body>", picture + "</body>").encode(), source="long.html")
    assert report.status == "ok" and len(report.facts) >= 190


# --- leading numbering -----------------------------------------------------------------------

_ONE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）][、.．]?"
                  r"|\d+[、.．](?!\d)|[①-⑳]|第[一二三四五六七八九十]+[部分项]?[、.．]?)")


def _strip_one_at_a_time(text: str) -> str:
    """strip_numbering as it was: one numbering removed a pass (quadratic in their number)."""
    while True:
        stripped = _ONE.sub("", text, count=1).lstrip()
        if stripped == text:
            return text
        text = stripped


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["一、", "（一）", "(1)", "1.", "2、", "12．", "①", "第三部分",
                                 "第二项、", "十", "1", ".", " ", "\u3000", "\n", "规章", "、",
                                 "（", "）", "3.5"]), max_size=12))
def test_strip_numbering_removes_what_one_at_a_time_removed(parts: list[str]) -> None:
    text = "".join(parts)
    assert strip_numbering(text) == _strip_one_at_a_time(text)
