"""The same report at several URLs is one report in the datasets, its other URLs kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from nianbao.output.export import export
from nianbao.output.records import Dataset, ReportRow, report_id
from nianbao.output.same_report import merge_rows
from nianbao.parsers.model import Check, Fact

BASE = "http://www.qingshan.gov.cn"


def _row(url: str, *, sha: str | None = None, status: str = "ok", agency: str = "青山县",
         year: int = 2022, template: str = "2021") -> ReportRow:
    return ReportRow(report_id(url), url, f"{agency}{year}年政府信息公开工作年度报告", agency, year,
                     template, "hans", status, 0, "2024-01-15T08:00:00+00:00", sha or url,
                     "1.0.0", facts_from=1)


def _facts(n: int) -> list[Fact]:
    return [Fact("requests", "received_new", "natural_person", n, str(n), "件", "html"),
            Fact("requests", "carried_over", "natural_person", 1, "1", "件", "html")]


def _dataset(rows: list[ReportRow], facts: dict[str, list[Fact]]) -> Dataset:
    return Dataset(rows, lambda r: (facts.get(r.source_url, []), [Check("c", True, 1, 1)]))


def test_desktop_and_mobile_pages_are_one_report() -> None:
    desk, mob = f"{BASE}/content/post_8.html", f"{BASE}/content/mpost_8.html"
    wap = f"{BASE}/xxgk/t20230110_9_wap.html"
    rows = [_row(mob), _row(desk), _row(wap)]
    merged = merge_rows(_dataset(rows, {mob: _facts(3), desk: _facts(4), wap: _facts(5)}))
    by_url = {r.source_url: r for r in merged}
    assert set(by_url) == {desk, wap}  # the desktop page is kept; a lone _wap page stays
    assert by_url[desk].other_urls == mob and by_url[desk].report_id == report_id(desk)
    assert by_url[wap].report_id == report_id(f"{BASE}/xxgk/t20230110_9.html")
    assert by_url[wap].other_urls is None


def test_same_bytes_or_same_facts_are_one_report_different_facts_are_not() -> None:
    a, b, c, d = (f"{BASE}/xxgk/{n}.html" for n in "abcd")
    e = f"{BASE}/other/e.html"
    rows = [_row(a, sha="s1"), _row(b, sha="s1"),  # same page bytes
            _row(c), _row(d),  # a reprint: same agency, year, template, facts
            _row(e)]  # same agency and year, other numbers (a correction): its own report
    facts = {a: _facts(3), b: _facts(3), c: _facts(7), d: _facts(7), e: _facts(8)}
    merged = merge_rows(_dataset(rows, facts))
    assert sorted((r.source_url, r.other_urls or "") for r in merged) == sorted([
        (a, b), (c, d), (e, "")])


def test_failed_pages_without_numbers_are_not_merged_by_facts() -> None:
    a, b = f"{BASE}/xxgk/a.html", f"{BASE}/xxgk/b.html"
    rows = [_row(a, status="no_tables", template="unknown"), _row(b, status="no_tables",
                                                                  template="unknown")]
    assert len(merge_rows(_dataset(rows, {}))) == 2
    rows = [_row(a), _row(b)]  # parsed, but not one number in either
    assert len(merge_rows(_dataset(rows, {a: [], b: []}))) == 2


def test_the_better_parsed_twin_is_kept() -> None:
    desk, mob = f"{BASE}/content/post_8.html", f"{BASE}/content/mpost_8.html"
    rows = [_row(desk, status="no_tables", template="unknown"), _row(mob)]
    (only,) = merge_rows(_dataset(rows, {mob: _facts(3)}))
    assert only.source_url == mob and only.status == "ok" and only.other_urls == desk
    assert only.report_id == report_id(desk)  # the id is the same whichever twin is kept


def test_export_writes_one_row_and_its_facts_once(tmp_path: Path) -> None:
    desk, mob = f"{BASE}/content/post_8.html", f"{BASE}/content/mpost_8.html"
    reprint = f"{BASE}/zwgk/reprint.html"
    rows = [_row(desk), _row(mob), _row(reprint)]
    data = _dataset(rows, {desk: _facts(3), mob: _facts(3), reprint: _facts(3)})
    summary = export(data, tmp_path, ["csv", "sqlite"])
    assert summary.reports == 1 and summary.same_report == 2
    reports = pd.read_csv(tmp_path / "reports.csv")
    assert list(reports["source_url"]) == [desk]
    assert reports["other_urls"].item() == f"{mob} {reprint}"
    facts = pd.read_csv(tmp_path / "facts.csv")
    assert len(facts) == 2 and set(facts["report_id"]) == {report_id(desk)}
    with sqlite3.connect(tmp_path / "nianbao.sqlite") as db:
        assert db.execute("SELECT count(*), other_urls FROM reports").fetchone() == (
            1, f"{mob} {reprint}")


def test_merged_export_is_byte_identical_whatever_the_order(tmp_path: Path) -> None:
    urls = [f"{BASE}/content/post_8.html", f"{BASE}/content/mpost_8.html",
            f"{BASE}/zwgk/reprint.html", f"{BASE}/zwgk/other.html"]
    facts = {u: _facts(3) for u in urls[:3]} | {urls[3]: _facts(9)}
    for name, order in (("a", urls), ("b", urls[::-1]), ("c", urls[2:] + urls[:2])):
        export(_dataset([_row(u) for u in order], facts), tmp_path / name, ["csv"])
    for csv in ("reports.csv", "facts.csv", "checks.csv", "wide_requests.csv"):
        first = (tmp_path / "a" / csv).read_bytes()
        assert first == (tmp_path / "b" / csv).read_bytes() == (tmp_path / "c" / csv).read_bytes()
    assert len(pd.read_csv(tmp_path / "a" / "reports.csv")) == 2


def test_failed_pages_with_the_same_bytes_stay_apart() -> None:
    # A portal's "page not found" served with status 200 at many report URLs.
    a, b = f"{BASE}/xxgk/a.html", f"{BASE}/xxgk/b.html"
    rows = [_row(a, sha="soft404", status="not_report", template="unknown"),
            _row(b, sha="soft404", status="not_report", template="unknown")]
    assert len(merge_rows(_dataset(rows, {}))) == 2
