"""Datasets that survive Excel and datasette: text ids, SQLite keys and full-text index, printed
row order in the wide tables, integer counts in Parquet."""

from __future__ import annotations

import io
import logging
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.output import sqlite_file
from nianbao.output.columns import WIDE
from nianbao.output.export import export
from nianbao.output.records import Dataset, ReportRow, report_id
from nianbao.parsers.model import Check, Fact
from nianbao.parsers.schema import SCHEMAS, TABLES
from tests.output.helpers import small_dataset

# What Excel turns into a number, a date, a time or a boolean when it opens a CSV.
_EXCEL_VALUE = re.compile(
    r"^\s*[-+(]?[$¥€£]?\s*(\d[\d,]*\.?\d*|\.\d+)(e[-+]?\d+)?%?\)?\s*$"  # 12, 1,234.5, 1e5, 5%
    r"|^\s*\d+\s*[-/.:]\s*\d+"  # 1-2, 3/4, 12:30 (dates and times)
    r"|^\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"  # month names start dates
    r"|^\s*(true|false)\s*$", re.I)

urls = st.builds(
    lambda scheme, host, path, query: f"{scheme}://{host}/{path}" + (f"?{query}" if query else ""),
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,10}){0,3}\.gov\.cn(:[0-9]{2,5})?", fullmatch=True),
    st.from_regex(r"([A-Za-z0-9_.%-]{0,12}/){0,4}[A-Za-z0-9_%-]{0,16}(\.s?html?|\.pdf)?",
                  fullmatch=True),
    st.one_of(st.none(), st.from_regex(r"[a-z]{1,4}=[0-9]{1,6}", fullmatch=True)))


def _numeric(text: str) -> bool:
    for convert in (int, float, lambda t: int(t, 16), lambda t: int(t, 0)):
        try:
            convert(text)
            return True
        except ValueError:
            pass
    return False


@settings(max_examples=400, deadline=None)
@given(urls)
def test_report_id_never_reads_as_a_number_and_is_stable(url: str) -> None:
    rid = report_id(url)
    assert rid == report_id(url)  # derived from the URL only
    assert re.fullmatch(r"r[0-9a-f]{16}", rid)
    assert not _numeric(rid) and not _EXCEL_VALUE.match(rid), rid


def test_ids_that_used_to_look_like_numbers_stay_text_in_pandas() -> None:
    # Old ids were 16 hex digits: some all digits, some like 1234e567 (a float to Excel).
    found = {}
    for i in range(20000):
        url = f"http://www.example.gov.cn/xxgk/{i}.html"
        old = report_id(url)[1:]
        if old.isdigit() or re.fullmatch(r"\d+e\d+", old):
            found[url] = report_id(url)
        if len(found) >= 3:
            break
    assert found, "no URL among 20000 had a numeric-looking old id"
    text = "report_id,n\n" + "".join(f"{rid},1\n" for rid in found.values())
    frame = pd.read_csv(io.StringIO(text))
    assert not pd.api.types.is_numeric_dtype(frame["report_id"])
    assert list(frame["report_id"]) == list(found.values())


def test_mobile_twins_share_the_desktop_id() -> None:
    base = "http://www.example.gov.cn"
    assert report_id(f"{base}/content/mpost_123.html") == report_id(f"{base}/content/post_123.html")
    assert report_id(f"{base}/a/t20230110_5_wap.html") == report_id(f"{base}/a/t20230110_5.html")
    assert report_id(f"{base}/content/post_123.html") != report_id(f"{base}/content/post_124.html")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys")
    export(small_dataset(), path)
    return path


def test_sqlite_primary_and_foreign_keys(out: Path) -> None:
    with sqlite3.connect(out / "nianbao.sqlite") as db:
        pk = [(r[1], r[5]) for r in db.execute("PRAGMA table_info(reports)") if r[5]]
        assert pk == [("report_id", 1)]
        for table in ("checks", "wide_active", "wide_requests", "wide_appeals"):
            fks = db.execute(f"PRAGMA foreign_key_list({table})").fetchall()
            assert [(r[2], r[3], r[4]) for r in fks] == [("reports", "report_id", "report_id")], table
        # facts is a view over compact cells with integer keys into reports and cell_keys.
        fks = sorted((r[2], r[3], r[4]) for r in db.execute("PRAGMA foreign_key_list(cells)"))
        assert fks == [("cell_keys", "cell_key", "cell_key"),
                       ("reports", "report_key", "report_key")]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO reports(report_id, source_url) SELECT report_id, 'x' "
                       "FROM reports LIMIT 1")


def test_reports_failed_shows_agency_and_year(tmp_path: Path) -> None:
    data = small_dataset()
    data.reports[3].agency, data.reports[3].year = "青山县", 2022
    export(data, tmp_path, ["sqlite"])
    with sqlite3.connect(tmp_path / "nianbao.sqlite") as db:
        rows = db.execute("SELECT agency, year, status FROM reports_failed").fetchall()
    assert rows == [("青山县", 2022, "no_tables")]


def test_full_text_index_of_titles_and_agencies(out: Path) -> None:
    with sqlite3.connect(out / "nianbao.sqlite") as db:
        def search(q: str) -> list[str]:
            return [r[0] for r in db.execute(
                "SELECT r.source_url FROM reports_fts JOIN reports r ON r.rowid = reports_fts.rowid "
                "WHERE reports_fts MATCH ? ORDER BY r.source_url", (q,))]
        assert search("示例市") == [f"http://a.example/{y}.html" for y in (2021, 2022, 2023)]
        assert search("title:2022年政府") == ["http://a.example/2022.html"]
        assert search("agency:年度报告") == []  # the agency column holds no such text
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name='reports_fts'").fetchone()[0]
        assert 'content="reports"' in sql  # what datasette looks for to offer a search box


def test_without_fts5_the_export_goes_on_and_says_so(tmp_path: Path, caplog,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_file, "_FTS", sqlite_file._FTS.replace("USING fts5", "USING fts5_absent"))
    with caplog.at_level(logging.WARNING, logger="nianbao"):
        export(small_dataset(), tmp_path, ["sqlite"])
    assert "has no FTS5" in caplog.text
    with sqlite3.connect(tmp_path / "nianbao.sqlite") as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 4
        assert db.execute("SELECT name FROM sqlite_master WHERE name='reports_fts'").fetchone() is None


def _full(template: str, url: str, year: int, value=lambda k: k % 7) -> tuple[ReportRow, list[Fact]]:  # type: ignore[no-untyped-def]
    row = ReportRow(report_id(url), url, f"青山县{year}年报", "青山县", year, template, "hans", "ok",
                    0, None, url, "1.0.0")
    facts = [Fact(t, r.key, c.key, value(k), str(value(k)), c.unit, "html")
             for k, (t, r, c) in enumerate((t, r, c) for t in TABLES
                                           for r in SCHEMAS[template][t].rows for c in r.cols)]
    return row, facts


def _dataset(items: list[tuple[ReportRow, list[Fact]]]) -> Dataset:
    facts = {r.report_id: f for r, f in items}
    checks = [Check("requests.balance.total", True, 3, 3)]
    return Dataset([r for r, _f in items], lambda r: (list(reversed(facts[r.report_id])), checks))


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_wide_and_long_tables_keep_the_printed_row_order(tmp_path: Path, template: str) -> None:
    export(_dataset([_full(template, "http://a.example/r.html", 2022)]), tmp_path, ["csv"])
    for table in TABLES:
        printed = [r.key for r in SCHEMAS[template][table].rows]
        wide = pd.read_csv(tmp_path / f"wide_{table}.csv")
        assert list(wide["row"]) == printed, table
        facts = pd.read_csv(tmp_path / "facts.csv")
        rows = list(dict.fromkeys(facts.loc[facts["table"] == table, "row"]))
        assert rows == printed, table
    if template == "2021":  # the case that was wrong: other.* rows before closed_total
        rows = [r.key for r in SCHEMAS["2021"]["requests"].rows]
        assert rows.index("other.other") < rows.index("closed_total")


def test_parquet_counts_are_integers_and_money_is_float(tmp_path: Path) -> None:
    export(_dataset([_full("2021", "http://a.example/r.html", 2022)]), tmp_path, ["parquet"])
    for table in TABLES:
        schema = pads.dataset(tmp_path / "parquet" / f"wide_{table}", partitioning="hive").schema
        for col in WIDE[table][6:]:
            want = pa.float64() if col.name == "amount_wan_yuan" else pa.int64()
            assert schema.field(col.name).type == want, (table, col.name)
    checks = pq.read_table(tmp_path / "parquet" / "checks" / "year=2022" / "part-0.parquet")
    assert checks.schema.field("lhs").type == pa.int64()


def test_a_count_that_is_not_whole_makes_the_column_float_never_truncated(tmp_path: Path) -> None:
    whole = _full("2021", "http://a.example/1.html", 2021)
    odd = _full("2021", "http://a.example/2.html", 2022, value=lambda k: 2.5 if k == 30 else k % 7)
    odd_fact = odd[1][30]
    assert odd_fact.unit == "件" and odd_fact.value == 2.5
    # chunk_size 1: the whole report is written (as int64) before the odd one arrives
    export(_dataset([whole, odd]), tmp_path, ["parquet"], chunk_size=1)
    table = pads.dataset(tmp_path / "parquet" / f"wide_{odd_fact.table}",
                         partitioning="hive").to_table()
    assert table.schema.field(odd_fact.col).type == pa.float64()
    frame = table.to_pandas()
    line = frame[(frame.report_id == odd[0].report_id) & (frame.row == odd_fact.row)]
    assert line[odd_fact.col].item() == 2.5
    parts = sorted((tmp_path / "parquet" / f"wide_{odd_fact.table}").glob("year=*/part-0.parquet"))
    assert len(parts) == 2 and len({pq.read_schema(p) for p in parts}) == 1
    other = next(c.name for c in WIDE[odd_fact.table][6:] if c.name != odd_fact.col
                 and c.name != "amount_wan_yuan")
    assert table.schema.field(other).type == pa.int64()
    assert pq.read_schema(parts[0]).field(odd_fact.col).type == pa.float64()  # rewritten
