"""End to end: fixture portal → `nianbao run` → every report with correct facts in all formats;
a second run with nothing changed downloads nothing and writes byte-identical files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
from click.testing import CliRunner

from fixtures.reports.render import norm_value
from nianbao.cli import main
from nianbao.output.records import report_id
from tests.nianbao.site import FAILED


def _facts_by_report(frame: pd.DataFrame) -> dict[str, set[tuple]]:
    out: dict[str, set[tuple]] = {}
    for r in frame.itertuples(index=False):
        value = None if pd.isna(r.value) else r.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        raw = "" if pd.isna(r.raw) else r.raw
        unit = None if pd.isna(r.unit) or r.unit == "" else r.unit
        out.setdefault(r.report_id, set()).add((r.table, r.row, r.col, norm_value(value), raw, unit))
    return out


def _expected_facts(exp) -> set[tuple]:  # type: ignore[no-untyped-def]
    out = set()
    for f in exp.facts:
        value = int(f.value) if isinstance(f.value, float) and f.value.is_integer() else f.value
        out.add((f.table, f.row, f.col, norm_value(value), f.raw, f.unit))
    return out


def _check_all(frames: dict[str, pd.DataFrame], expected) -> None:  # type: ignore[no-untyped-def]
    reports = frames["reports"].set_index("report_id")
    facts = _facts_by_report(frames["facts"])
    assert len(reports) == len(expected)
    for exp in expected:
        rid = report_id(exp.url)
        row = reports.loc[rid]
        assert row["source_url"] == exp.url
        if exp.status == FAILED:
            assert row["status"] not in ("ok", "empty", "legacy")
            assert row["error"].startswith("attachment: ")
        else:
            assert row["status"] == exp.status, (exp.url, row["error"])
        assert row["title"] == exp.title and row["agency"] == exp.agency
        assert int(row["year"]) == exp.year
        assert row["template"] == exp.template
        if exp.attachment:
            assert row["attachment_url"] == exp.attachment
        assert facts.get(rid, set()) == _expected_facts(exp), exp.url


def test_first_run_exports_every_report_in_every_format(first_run) -> None:  # type: ignore[no-untyped-def]
    result = first_run["result"]
    assert result.exit_code == 0, result.output
    out = first_run["data"] / "export"
    expected = first_run["expected"]

    csv = {n: pd.read_csv(out / f"{n}.csv", dtype={"raw": str, "unit": str}, keep_default_na=False,
                          na_values={"value": [""], "year": [""]})
           for n in ("reports", "facts", "checks")}
    _check_all(csv, expected)

    parquet = {"reports": pd.read_parquet(out / "parquet" / "reports.parquet"),
               "facts": ds.dataset(out / "parquet" / "facts", partitioning="hive").to_table().to_pandas()}
    _check_all(parquet, expected)

    with sqlite3.connect(out / "nianbao.sqlite") as db:
        sql = {n: pd.read_sql_query(f"SELECT * FROM {n}", db) for n in ("reports", "facts")}
    _check_all(sql, expected)

    assert "exported 7 reports" in result.output


def test_cross_year_checks_link_consecutive_years(first_run) -> None:  # type: ignore[no-untyped-def]
    out = first_run["data"] / "export"
    checks = pd.read_csv(out / "checks.csv")
    cross = checks[checks["name"].str.startswith("cross_year.carry.")]
    urls = {e.year: report_id(e.url) for e in first_run["expected"] if e.agency == "示例市教育局"}
    by_report = cross.groupby("report_id")["ok"].apply(list).to_dict()
    assert set(by_report) == {urls[2022], urls[2023]}  # 2021 has no previous year here
    assert by_report[urls[2022]] == [True] * 7
    assert by_report[urls[2023]] == [False] * 7
    reports = pd.read_csv(out / "reports.csv").set_index("report_id")
    assert reports.loc[urls[2023], "checks_failed"] == 7


def test_second_run_downloads_nothing_and_writes_identical_files(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(first_run["data"], data)
    out = data / "export"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    server = first_run["server"]
    seen = len(server.portal.requests())
    with sqlite3.connect(data / "state.sqlite") as db:
        versions = db.execute("SELECT count(*) FROM versions").fetchone()[0]

    result = CliRunner().invoke(main, ["run", "--sources", str(first_run["sources"]),
                                       "--data", str(data), "--delay", "0"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(data / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == versions
    hits = server.portal.requests()[seen:]
    assert hits and all(h.status == 304 for h in hits
                    if "/xxgk/ndbg/index" not in h.path and h.path != "/robots.txt")
    assert "parsed 0 documents" in result.output
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    for name in after:
        if name.suffix in (".csv", ".md", ".parquet"):
            assert after[name] == before[name], name


def test_parse_packs_the_results_and_packs_change_no_exported_byte(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The run packed every exported result; unpacked again (each result in its own row, as
    a store made before packs keeps them), the same export comes out byte for byte."""
    from nianbao.output import columnar
    from nianbao.output.results import ResultStore

    data = tmp_path / "data"
    shutil.copytree(first_run["data"], data)
    with ResultStore(data) as store:
        packed = [v for (v,) in store.db.execute("SELECT version_id FROM parsed WHERE pack IS "
                                                 "NOT NULL AND facts_arrow IS NULL")]
        assert len(packed) >= len(first_run["expected"]) - 1  # every report with results
        got = store.columns_ordered(packed)
        store.db.execute("BEGIN")
        for vid in packed:
            facts, checks, _order, _span = got[vid]
            store.db.execute("UPDATE parsed SET facts_arrow=?, checks_arrow=?, pack=NULL "
                             "WHERE version_id=?", (columnar.to_blob(facts),
                                                    columnar.to_blob(checks), vid))
        store.db.execute("DELETE FROM packs")
        store.db.execute("COMMIT")
    result = CliRunner().invoke(main, ["export", "--data", str(data), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    packed_out = first_run["data"] / "export"
    for p in packed_out.rglob("*"):
        if p.is_file() and p.suffix in (".csv", ".parquet", ".md"):
            assert (tmp_path / "out" / p.relative_to(packed_out)).read_bytes() == p.read_bytes(), p


def test_no_room_for_the_temporary_rows_is_one_message_and_the_old_files_stay(
        first_run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The report rows of an export live in a temporary database (output/row_table.py): a
    temp folder that fills up stops the export with one line naming TMPDIR, not a traceback,
    and the export there before is kept."""
    from nianbao.output import row_table

    data = tmp_path / "data"
    shutil.copytree(first_run["data"], data)
    out = data / "export"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    made = row_table.temporary_database

    def small() -> sqlite3.Connection:  # a temp folder with room for a few pages only
        db = made()
        db.execute("PRAGMA max_page_count=3")
        return db

    monkeypatch.setattr(row_table, "temporary_database", small)
    result = CliRunner().invoke(main, ["export", "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert "no room left for temporary files" in result.output and "TMPDIR" in result.output
    assert "Traceback" not in result.output
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
