"""The summary page: made by `nianbao run` for the fixture portal, and by `nianbao summary`;
its counts are the export's, it loads nothing from outside, and report text is escaped."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pandas as pd
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.output.records import Dataset, ReportRow, report_id, set_register
from nianbao.parsers.model import SUCCESS_STATUSES
from nianbao.scraper.state import State
from nianbao.summary import cjk_font, count, level_of, province_of, render


def _page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def _table(doc: lxml.html.HtmlElement, section: str, cls: str | None = None) -> list[list[str]]:
    xp = f'//section[@id="{section}"]//table' + (f'[@class="{cls}"]' if cls else "")
    table = doc.xpath(xp)[0]
    return [[c.text_content().strip() for c in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")]


def _external(doc: lxml.html.HtmlElement) -> list[str]:
    """Every src/href (and xlink:href) of the page outside the table of unread reports."""
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if name.split("}")[-1] in ("src", "href") and not el.xpath(
                    'ancestor::section[@id="unread"]'):
                out.append(value)
    return out


def test_run_writes_a_summary_with_the_exports_counts(first_run) -> None:  # type: ignore[no-untyped-def]
    assert first_run["result"].exit_code == 0, first_run["result"].output
    export = first_run["data"] / "export"
    page = export / "summary.html"
    doc = _page(page)
    reports = pd.read_csv(export / "reports.csv", dtype=str, keep_default_na=False)
    ids = {s.get("id") for s in doc.xpath("//section")}
    assert {"coverage", "status", "checks", "requests", "unread"} <= ids

    # By status: the export's counts, one row per status.
    by_status = {s: int(n) for s, n in _table(doc, "status")}
    assert by_status == reports["status"].value_counts().to_dict()

    # Coverage: the fixture agencies name no province; the year columns are the export's.
    coverage = _table(doc, "coverage")
    assert coverage[0][0] == "unknown" and coverage[-1][0] == "all"
    assert int(coverage[-1][-1]) == len(reports)
    years = [th.text_content() for th in doc.xpath('//table[@class="coverage"]//th')][1:-1]
    expected_years = reports["year"].replace("", "unknown").value_counts()
    assert dict(zip(years, map(int, coverage[-1][1:-1]))) == expected_years.to_dict()

    # Failed checks: the total is the export's (per-report checks and cross-year ones).
    checks = pd.read_csv(export / "checks.csv", dtype=str, keep_default_na=False)
    failed = int((checks["ok"].str.lower().isin(["false", "0"])).sum())
    assert failed > 0  # the fixture breaks the 2022 -> 2023 carry
    kinds = _table(doc, "checks", "check-kinds")
    assert sum(int(r[1]) for r in kinds) == failed
    assert sum(int(r[2]) for r in kinds) == len(checks)
    agencies = dict(_table(doc, "checks", "agencies"))
    per_agency = reports.assign(n=reports["checks_failed"].astype(int)).groupby("agency")["n"].sum()
    assert {a: int(n) for a, n in agencies.items()} == {a: int(n) for a, n in per_agency.items() if n}

    # Requests by year: one row per year whose reports state what they received.
    facts = pd.read_csv(export / "facts.csv", dtype={"report_id": str})
    totals = facts[(facts["table"] == "requests") & (facts["col"] == "total")].merge(
        reports[["report_id", "year"]], on="report_id")
    sums = totals.pivot_table(index="year", columns="row", values="value", aggfunc="sum")
    shown = {r[0]: r for r in _table(doc, "requests", "requests-year")}
    assert list(shown) == sorted(sums.index) and "2021" in shown
    for year, r in shown.items():
        received, granted, closed = (sums.loc[year, k] for k in
                                     ("received_new", "granted", "closed_total"))
        assert [int(r[2].replace(",", "")), int(r[3].replace(",", "")),
                int(r[4].replace(",", ""))] == [received, granted, closed]
        assert r[5] == f"{100 * granted / closed:.1f} %"
    # By level: the register's level (reports.csv) of the reports that state what they received.
    by_level = {r[0]: int(r[1]) for r in _table(doc, "requests", "requests-level")}
    stating = reports[reports["report_id"].isin(
        totals[totals["row"] == "received_new"]["report_id"]) & (reports["year"] != "")]
    assert by_level == stating["level"].replace("", "unknown").value_counts().to_dict()

    # What could not be read: every failed report, linked to its page (and attachment).
    unread = reports[~reports["status"].isin(SUCCESS_STATUSES)]
    assert len(unread) >= 2
    links = {a.get("href") for a in doc.xpath('//section[@id="unread"]//a')}
    assert set(unread["source_url"]) <= links
    assert {u for u in unread["attachment_url"] if u} <= links
    assert len(_table(doc, "unread")) == len(unread)

    # Self-contained: no script, no stylesheet link, nothing fetched; the charts are inline SVG.
    assert not doc.xpath("//script | //link | //img | //iframe")
    assert [v for v in _external(doc) if not v.startswith("#")] == []
    assert len(doc.xpath("//svg")) >= 3
    text = page.read_text(encoding="utf-8")
    assert "示例市教育局" in text and "@import" not in text
    assert re.findall(r"url\((?!#)", text) == []  # only references within the page


def test_summary_command_writes_into_out(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "page"
    result = CliRunner().invoke(main, ["summary", "--data", str(first_run["data"]),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "summary.html").read_bytes().startswith(b"<!DOCTYPE html>")
    assert not (out / "reports.csv").exists()  # only the page
    # The same data gives the same page, whether made by `run` or by `summary`.
    assert (out / "summary.html").read_bytes() == (
        first_run["data"] / "export" / "summary.html").read_bytes()


def _row(url: str, source_agency: str | None = None, **kw) -> ReportRow:  # type: ignore[no-untyped-def]
    row = ReportRow(report_id(url), url, parser_version="1", **kw)
    set_register(row, [], source_agency)
    return row


def test_hostile_text_is_escaped_and_only_http_links_are_made() -> None:
    rows = [
        _row("https://example.invalid/a.html", title="<script>alert(1)</script>年度报告",
             agency="广东省<b>财政厅</b>", year=2022, status="no_tables", error="<img src=x>"),
        _row("javascript:alert(1)", title="x", agency="青山县白云镇人民政府", year=2023,
             status="error", error="bad"),
    ]
    html = render(count(Dataset(rows, lambda r: ([], []))), data_dir="<d>")
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//script | //b | //img")
    assert "<script>alert(1)</script>年度报告" in doc.text_content()
    hrefs = [a.get("href") for a in doc.xpath("//a")]
    assert hrefs == ["https://example.invalid/a.html"]  # javascript: is shown, not linked
    assert "javascript:alert(1)" in _table(doc, "unread")[0][5] + _table(doc, "unread")[1][5]
    # The province is the register's: 广东省 leads the (hostile) name.
    assert [r[0] for r in _table(doc, "coverage")] == ["广东省", "unknown", "all"]
    # The province chart's Chinese labels are drawn with a CJK font when one is installed
    # (fonts-wqy-microhei here and in CI), as glyph paths that need no font on the reader's side.
    font = cjk_font()
    assert (font or "DejaVu Sans").replace(" ", "") + "-" in html


def test_province_and_level_come_from_the_register() -> None:
    rows = [_row("https://a.invalid/1.html", agency="广东省财政厅", year=2022),
            _row("https://a.invalid/2.html", agency="吉林市人民政府", year=2022),
            _row("https://a.invalid/3.html", agency="北京市教育委员会", year=2022),
            _row("https://a.invalid/4.html", agency="海淀区人民政府", year=2022),
            _row("https://a.invalid/5.html", agency="城关镇人民政府", year=2022,
                 source_agency="汉阴县人民政府"),
            _row("https://a.invalid/6.html", agency="鼓楼区人民政府", year=2022),  # 4 places
            _row("https://a.invalid/7.html", agency="我局", year=2022)]
    assert [province_of(r) for r in rows] == ["广东省", "吉林省", "北京市", "北京市", "陕西省",
                                             "unknown", "unknown"]
    assert [level_of(r) for r in rows] == ["provincial", "prefecture", "provincial", "county",
                                          "township", "unknown", "unknown"]
    doc = lxml.html.fromstring(render(count(Dataset(rows, lambda r: ([], []))), data_dir="d"))
    # provinces in division-code order (11 北京, 22 吉林, 44 广东, 61 陕西), unknown last
    assert [r[0] for r in _table(doc, "coverage")] == ["北京市", "吉林省", "广东省", "陕西省",
                                                       "unknown", "all"]


def test_empty_data_folder_gives_a_page_that_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    State(data).close()  # a crawl state without a single report
    result = CliRunner().invoke(main, ["summary", "--data", str(data)])
    assert result.exit_code == 0, result.output
    doc = _page(data / "export" / "summary.html")
    assert doc.xpath('//section[@id="empty"]')
    assert "No reports" in doc.text_content()


def test_folder_without_a_crawl_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["summary", "--data", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
