"""Reports whose page and source leave the agency open, placed by the other reports of their host.

Place names are real divisions (the register reads them from the division table); the
reports are made up.
"""

from __future__ import annotations

from nianbao.output.hosts import place_by_host
from nianbao.output.records import ReportRow, report_id, set_register
from nianbao.output.row_table import RowTable


def _row(url: str, agency: str | None, source_agency: str | None = None) -> ReportRow:
    row = ReportRow(report_id(url), url, f"{agency}2022年政府信息公开工作年度报告", agency, 2022,
                    parser_version="1", status="ok")
    set_register(row, [], source_agency)
    return row


def _placed(rows: list[ReportRow]) -> list[ReportRow]:
    """The rows after place_by_host, read back from the table it works on."""
    table = RowTable(rows)
    place_by_host(table)
    return list(table)


def test_a_county_portal_places_its_townships_and_its_districts() -> None:
    county = [_row("https://hy.example.invalid/1.html", "汉阴县人民政府"),
              _row("https://hy.example.invalid/2.html", "汉阴县教育局"),
              _row("https://hy.example.invalid/3.html", "城关镇"),
              _row("https://hy.example.invalid/4.html", "我局"),
              _row("https://hy.example.invalid/5.html", "财政局")]
    city = [_row("https://nj.example.invalid/1.html", "南京市人民政府"),
            _row("https://nj.example.invalid/2.html", "南京市玄武区人民政府"),
            _row("https://nj.example.invalid/3.html", "鼓楼区人民政府")]
    assert [r.agency_id for r in (county[2], county[3], county[4], city[2])] == [None] * 4
    placed = _placed(county + city)
    county, city = placed[:len(county)], placed[len(county):]
    assert county[2].register.name == "陕西省安康市汉阴县城关镇人民政府"
    assert city[2].register.name == "江苏省南京市鼓楼区人民政府"  # not 福州's or 徐州's
    # the host says where, never who: 我局 and a bare 财政局 stay open
    assert county[3].agency_id is None and county[4].agency_id is None
    # the placed ones were placed already and are unchanged
    assert county[0].register.name == "陕西省安康市汉阴县人民政府"


def test_a_platform_serving_several_counties_places_no_township() -> None:
    rows = [_row("https://sx.example.invalid/1.html", "汉阴县人民政府"),
            _row("https://sx.example.invalid/2.html", "石泉县人民政府"),
            _row("https://sx.example.invalid/3.html", "城关镇"),  # in which of the two?
            _row("https://js.example.invalid/1.html", "南京市人民政府"),
            _row("https://js.example.invalid/2.html", "徐州市人民政府"),
            _row("https://js.example.invalid/3.html", "鼓楼区")]  # both cities have one
    rows = _placed(rows)
    assert rows[2].agency_id is None and rows[5].agency_id is None


def test_a_host_with_nothing_placed_places_nothing() -> None:
    rows = [_row("https://x.example.invalid/1.html", "示例市教育局"),
            _row("https://x.example.invalid/2.html", "城关镇"),
            _row("https://x.example.invalid/3.html", "教育部")]
    rows = _placed(rows)
    assert rows[1].agency_id is None
