"""Each format's columns and types, values as parsed, the BOM option."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from nianbao.output.columns import CHECKS, FACTS, REPORTS, WIDE
from nianbao.output.export import export, parse_formats
from nianbao.output.records import report_id
from tests.output.helpers import small_dataset

RID_2022 = report_id("http://a.example/2022.html")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export")
    export(small_dataset(), path)
    return path


def _names(cols) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.name for c in cols]


def test_csv_columns_and_values(out: Path) -> None:
    for name, cols in (("reports", REPORTS), ("facts", FACTS), ("checks", CHECKS)):
        header = (out / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == _names(cols)
    assert _names(REPORTS)[:12] == ["report_id", "source_url", "title", "agency", "year",
                                    "template", "script", "status", "checks_failed", "fetched_at",
                                    "sha256", "parser_version"]
    facts = (out / "facts.csv").read_text(encoding="utf-8")
    assert not facts.startswith("\ufeff") and "\r" not in facts
    lines = [line for line in facts.splitlines() if line.startswith(RID_2022)]
    # Printed order: active before requests before appeals; ints stay ints, money keeps decimals.
    assert lines[0] == f"{RID_2022},active,art20_1.rules,issued,0,0件,件,html,false"
    assert lines[1] == f"{RID_2022},active,art20_8.fees,amount_wan_yuan,25.1,251000元,万元,html,false"
    assert f"{RID_2022},requests,carried_over,natural_person,5,5,件,html,true" in lines
    assert f"{RID_2022},requests,carried_over,commercial,,/,件,html,false" in lines
    for name in ("wide_active", "wide_requests", "wide_appeals", "dictionary"):
        assert (out / f"{name}.csv").exists()
    wide = pd.read_csv(out / "wide_requests.csv")
    assert list(wide.columns) == _names(WIDE["requests"])
    line = wide[(wide.report_id == RID_2022) & (wide.row == "carried_over")].iloc[0]
    assert line["row_label"] == "上年结转政府信息公开申请数量" and line["natural_person"] == 5


def test_parquet_is_typed_and_partitioned_by_year(out: Path) -> None:
    reports = pq.read_table(out / "parquet" / "reports.parquet")
    assert reports.schema.names == _names(REPORTS)
    assert reports.schema.field("year").type == pa.int32()
    assert reports.schema.field("checks_failed").type == pa.int32()
    assert reports.schema.field("fetched_at").type == pa.timestamp("ms", tz="UTC")
    years = sorted(p.name for p in (out / "parquet" / "facts").iterdir())
    assert years == ["year=2021", "year=2022", "year=2023", "year=__HIVE_DEFAULT_PARTITION__"]
    part = pq.read_table(out / "parquet" / "facts" / "year=2022" / "part-0.parquet")
    assert part.schema.names == [n for n in _names(FACTS)]
    assert part.schema.field("value").type == pa.float64()
    assert part.schema.field("inferred").type == pa.bool_()
    checks = pads.dataset(out / "parquet" / "checks", partitioning="hive").to_table()
    assert checks.schema.field("ok").type == pa.bool_()
    assert checks.schema.field("lhs").type == pa.int64()  # counts: whole numbers
    facts = pads.dataset(out / "parquet" / "facts", partitioning="hive").to_table().to_pandas()
    assert len(facts) == 24 and set(facts.year.dropna()) == {2021, 2022, 2023}


def test_sqlite_tables_types_indexes_views(out: Path) -> None:
    with sqlite3.connect(out / "nianbao.sqlite") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"reports", "cells", "cell_keys", "checks", "wide_active", "wide_requests",
                "wide_appeals", "dictionary"} <= tables
        views = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='view'")}
        assert {"facts", "facts_labelled", "requests_labelled", "checks_failed",
                "reports_failed"} <= views
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"cells_cell", "reports_agency_year"} <= indexes  # cells: clustered by report
        plan = " ".join(r[3] for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM facts WHERE report_id = ?", (RID_2022,)))
        assert "SCAN" not in plan, plan  # a report's facts without reading the others
        cols = [r[1] for r in db.execute("PRAGMA table_info(facts)")]
        assert cols == _names(FACTS)
        types = dict(db.execute("SELECT raw, typeof(value) FROM facts WHERE report_id=?",
                                (RID_2022,)).fetchall())
        assert types["0件"] == "integer" and types["251000元"] == "real" and types["/"] == "null"
        label = db.execute("SELECT row_label, col_label FROM requests_labelled WHERE report_id=? "
                           "AND \"row\"='carried_over' AND col='natural_person'", (RID_2022,)).fetchone()
        assert label == ("上年结转政府信息公开申请数量", "自然人")
        failed = db.execute("SELECT status, error FROM reports_failed").fetchall()
        assert failed == [("no_tables", "no statistical tables found in the report")]


def test_excel_adds_a_bom(tmp_path: Path) -> None:
    export(small_dataset(), tmp_path, ["csv"], excel=True)
    for p in tmp_path.glob("*.csv"):
        data = p.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"\xef\xbb\xbf"), p
    frame = pd.read_csv(tmp_path / "reports.csv", encoding="utf-8-sig")
    assert frame.columns[0] == "report_id"


def test_formats_option() -> None:
    assert parse_formats("sqlite, csv") == ("csv", "sqlite")
    with pytest.raises(ValueError):
        parse_formats("csv,xlsx")
    with pytest.raises(ValueError):
        parse_formats("")
