"""The HTML grid: spans expanded, values placed under the header column they overlap."""

from __future__ import annotations

from pathlib import Path

from nianbao.parsers import Report, parse
from nianbao.parsers.readers.html import html_document
from nianbao.parsers.schema import SCHEMAS

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def load(name: str) -> Report:
    return parse((CASES / name).read_bytes(), source=name)


def values(report: Report, table: str) -> dict[tuple[str, str], object]:
    return {(f.row, f.col): f.value for f in report.facts if f.table == table}


def test_2019_active_header_spans_and_shifting_value_spans() -> None:
    r = load("html_2019_active_spans.html")
    assert (r.template, r.year, r.agency, r.status) == ("2019", 2019, "青山县水利局", "ok")
    assert r.warnings == ["table requests not found", "table appeals not found"]
    assert values(r, "active") == {
        ("art20_1.rules", "newly_made"): 2, ("art20_1.rules", "newly_published"): 1,
        ("art20_1.rules", "published_total"): 5,
        ("art20_1.normative", "newly_made"): 3, ("art20_1.normative", "newly_published"): None,
        ("art20_1.normative", "published_total"): 12,
        ("art20_5.licensing", "items_prev_year"): 40, ("art20_5.licensing", "items_change"): 2,
        ("art20_5.licensing", "decisions"): 318,
        ("art20_5.other_services", "items_prev_year"): 6,
        ("art20_5.other_services", "items_change"): None,
        ("art20_5.other_services", "decisions"): 27,
        ("art20_6.penalty", "items_prev_year"): 15, ("art20_6.penalty", "items_change"): -1,
        ("art20_6.penalty", "decisions"): 96,
        # printed entirely blank: every cell present and null
        ("art20_6.coercion", "items_prev_year"): None, ("art20_6.coercion", "items_change"): None,
        ("art20_6.coercion", "decisions"): None,
        ("art20_8.fees", "items_prev_year"): 3, ("art20_8.fees", "items_change"): 0,
        # 128.5 straddles both columns, but the first holds 4: it belongs to the second
        ("art20_9.procurement", "projects"): 4, ("art20_9.procurement", "amount_wan_yuan"): 128.5,
    }
    assert [f.raw for f in r.facts if f.row == "art20_6.coercion"] == ["", "", ""]
    assert not any(f.inferred for f in r.facts)


def test_reader_emits_label_then_one_cell_per_column() -> None:
    doc = html_document((CASES / "html_2019_active_spans.html").read_text("utf-8"))
    rows = {line.cells[0]: line.cells for line in doc.lines if line.boundary}
    assert rows["规章"] == ["规章", "2", "1", "5"]
    assert rows["规范性文件"] == ["规范性文件", "3", "", "12"]
    assert rows["行政许可"] == ["行政许可", "40", "增加2", "318"]
    assert rows["行政强制"] == ["行政强制", "", "", ""]
    assert rows["行政事业性收费"] == ["行政事业性收费", "3", "0"]
    # page chrome is text, scripts and hidden blocks are not read at all
    text = [c for line in doc.lines for c in line.cells]
    assert "首页 | 无障碍" in text and "网站标识码：1234567890" not in text
    assert not any("隐藏的栏目" in c or "var site" in c or "fontSize" in c for c in text)
    assert doc.notes == []


def test_2021_three_level_header_group_labels_and_appeals() -> None:
    r = load("html_2021_levels.html")
    assert (r.template, r.year, r.agency, r.status) == ("2021", 2021, "白云镇人民政府", "ok")
    assert r.warnings == []
    cols = [c.key for c in SCHEMAS["2021"]["requests"].rows[0].cols]
    expected: dict[tuple[str, str], object] = {cell: 0 for cell in
                                               SCHEMAS["2021"]["requests"].cells}
    for row, nums in {"received_new": (5, 1, 0, 0, 1, 0, 7), "carried_over": (1, 0, 0, 0, 0, 0, 1),
                      "granted": (3, 1, 0, 0, 0, 0, 4), "partially_granted": (1, 0, 0, 0, 0, 0, 1),
                      "unavailable.not_held": (1, 0, 0, 0, 1, 0, 2),
                      "closed_total": (5, 1, 0, 0, 1, 0, 7),
                      "carried_forward": (1, 0, 0, 0, 0, 0, 1)}.items():
        expected.update({(row, c): v for c, v in zip(cols, nums)})
    expected.update({("not_handled.publication", c): None for c in cols})  # printed blank
    assert values(r, "requests") == expected
    appeals = dict(zip([(row.key, c.key) for row in SCHEMAS["2021"]["appeals"].rows
                        for c in row.cols], (1, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0)))
    assert values(r, "appeals") == appeals
    assert values(r, "active")[("art20_6.coercion", "decisions")] is None
    assert values(r, "active")[("art20_8.fees", "amount_wan_yuan")] == 1.2
    assert all(c.ok for c in r.checks)


def _page(table: str) -> bytes:
    return ("<html><head><title>青山县2019年政府信息公开工作年度报告</title></head><body>"
            "<p>二、主动公开政府信息情况</p><table>" + table + "</table></body></html>").encode()


_HEAD_2019 = ("<tr><td>信息内容</td><td colspan=2>本年新制作数量</td><td colspan=2>本年新公开数量"
              "</td><td colspan=2>对外公开总数量</td></tr>")


def test_value_spanning_two_free_columns_is_left_out_with_a_warning() -> None:
    r = parse(_page(_HEAD_2019 + "<tr><td>规章</td><td>&nbsp;</td><td colspan=2>7</td>"
                    "<td>&nbsp;</td><td colspan=2>5</td></tr>"
                    "<tr><td>规范性文件</td><td>1</td><td></td><td colspan=2>2</td>"
                    "<td colspan=2>3</td></tr>"), source="x.html")
    rules = {f.col: f.value for f in r.facts if f.row == "art20_1.rules"}
    assert 7 not in rules.values()  # never guessed into either column
    assert values(r, "active")[("art20_1.normative", "newly_made")] == 1
    assert values(r, "active")[("art20_1.normative", "published_total")] == 3
    assert any("'规章'" in w and "本年新制作数量、本年新公开数量" in w and "ambiguous" in w
               for w in r.warnings)


def test_copy_of_a_merged_value_never_poses_as_a_value() -> None:
    head = ("<tr><td>信息内容</td><td colspan=2>上一年项目数量</td><td colspan=2>本年增/减</td>"
            "<td colspan=2>处理决定数量</td></tr>")
    r = parse(_page(head + "<tr><td>行政处罚</td><td colspan=2>4</td><td colspan=2>1</td>"
                    "<td colspan=2 rowspan=2>9</td></tr>"
                    "<tr><td>行政强制</td><td colspan=2>2</td><td colspan=2>0</td></tr>"),
              source="x.html")
    active = values(r, "active")
    assert active[("art20_6.penalty", "decisions")] == 9
    assert ("art20_6.coercion", "decisions") not in active
    assert any("'行政强制'" in w and "处理决定数量" in w for w in r.warnings)


def test_table_without_headers_is_read_plainly() -> None:
    doc = html_document("<table><tr><td>规章</td><td>1</td><td colspan=2></td></tr>"
                        "<tr><td>甲</td><td colspan=2>乙</td></tr></table>")
    assert [line.cells for line in doc.lines] == [["规章", "1", "", ""], ["甲", "乙"]]


def test_reader_marks_the_cells_of_unknown_value_and_keeps_the_others_in_place() -> None:
    doc = html_document(_page(_HEAD_2019 + "<tr><td>规章</td><td>&nbsp;</td><td colspan=2>7</td>"
                              "<td>&nbsp;</td><td colspan=2>5</td></tr>").decode())
    line = next(line for line in doc.lines if line.cells and line.cells[0] == "规章")
    assert line.cells == ["规章", "", "", "5"]
    assert line.unknown == frozenset({1, 2})


def test_known_cells_of_a_row_with_an_ambiguous_value_are_kept() -> None:
    r = parse(_page(_HEAD_2019 + "<tr><td>规章</td><td>&nbsp;</td><td colspan=2>7</td>"
                    "<td>&nbsp;</td><td colspan=2>5</td></tr>"), source="x.html")
    rules = {f.col: f.value for f in r.facts if f.row == "art20_1.rules"}
    assert rules == {"published_total": 5}  # 7 is never guessed, nor a null put in its place
    assert any("art20_1.rules" in w and "newly_made, newly_published" in w
               and "ambiguous" in w for w in r.warnings), r.warnings


def test_row_under_a_merged_value_keeps_its_own_cells() -> None:
    head = ("<tr><td>信息内容</td><td colspan=2>上一年项目数量</td><td colspan=2>本年增/减</td>"
            "<td colspan=2>处理决定数量</td></tr>")
    r = parse(_page(head + "<tr><td>行政处罚</td><td colspan=2>4</td><td colspan=2>1</td>"
                    "<td colspan=2 rowspan=2>9</td></tr>"
                    "<tr><td>行政强制</td><td colspan=2>2</td><td colspan=2>0</td></tr>"),
              source="x.html")
    active = values(r, "active")
    assert active[("art20_6.coercion", "items_prev_year")] == 2
    assert active[("art20_6.coercion", "items_change")] == 0
    assert ("art20_6.coercion", "decisions") not in active
    assert any("art20_6.coercion" in w and "decisions" in w for w in r.warnings), r.warnings


def test_link_lists_are_page_chrome_and_lists_of_text_stay() -> None:
    links = "".join(f'<li><a href="/n/{i}.html">白云镇2020年政府信息公开工作年度报告{i}</a></li>'
                    for i in range(5))
    prose = "".join(f"<li>第{i}项：本局依法公开<a href='/x'>办事指南</a>。</li>" for i in range(5))
    short = '<ul><li><a href="/a">附件一</a></li><li><a href="/b">附件二</a></li></ul>'
    doc = html_document(f"<html><body><ul class=side>{links}</ul><ol>{prose}</ol>{short}"
                        "</body></html>")
    text = [c for line in doc.lines for c in line.cells]
    assert not any("白云镇" in c for c in text)  # a related-reports list: not report text
    assert "第0项：本局依法公开办事指南。" in text and "第4项：本局依法公开办事指南。" in text
    assert "附件一" in text  # a short list is not dropped
