"""`nianbao parse --data`: offline re-parse of the archive, corrupt records, usage errors."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.output.records import report_id


def _copy(first_run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    assert first_run["result"].exit_code == 0, first_run["result"].output
    data = tmp_path / "data"
    shutil.copytree(first_run["data"], data)
    return data


def _version(data: Path, url: str) -> tuple[str, int, int]:
    with sqlite3.connect(data / "state.sqlite") as db:
        return db.execute("SELECT warc_file, warc_offset, warc_length FROM versions WHERE url=? "
                          "ORDER BY id DESC LIMIT 1", (url,)).fetchone()


def test_reparse_everything_offline(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _copy(first_run, tmp_path)
    result = CliRunner().invoke(main, ["parse", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "parsed 9 documents" in result.output  # 7 report pages, 2 attachments
    result = CliRunner().invoke(main, ["parse", "--data", str(data), "--new-only"])
    assert result.exit_code == 0 and "parsed 0 documents" in result.output


def test_corrupt_record_is_reported_and_skipped(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _copy(first_run, tmp_path)
    victim = next(e for e in first_run["expected"] if e.year == 2020)
    name, offset, length = _version(data, victim.url)
    with open(data / "warc" / name, "r+b") as f:
        f.seek(offset + length // 2)
        f.write(b"\x00garbage\xff" * 8)
    result = CliRunner().invoke(main, ["parse", "--data", str(data)])
    assert result.exit_code == 1
    assert "unreadable" in result.output and victim.url in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["export", "--data", str(data), "--format", "csv"])
    assert result.exit_code == 0, result.output
    reports = pd.read_csv(data / "export" / "reports.csv").set_index("report_id")
    assert len(reports) == len(first_run["expected"])
    row = reports.loc[report_id(victim.url)]
    assert row["status"] == "error" and "unreadable" in row["error"]
    others = reports.drop(report_id(victim.url))
    assert (others["status"] == "ok").sum() == 4


def test_missing_archive_file_is_reported(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _copy(first_run, tmp_path)
    for p in (data / "warc").glob("*.warc.gz"):
        p.unlink()
    result = CliRunner().invoke(main, ["parse", "--data", str(data)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "unreadable" in result.output


def test_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["parse", "--data", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "no crawl state" in result.output
    result = runner.invoke(main, ["parse"])
    assert result.exit_code == 2 and "--data" in result.output
    (tmp_path / "a.txt").write_text("x")
    result = runner.invoke(main, ["parse", "--data", str(tmp_path), str(tmp_path / "a.txt")])
    assert result.exit_code == 2
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "state.sqlite").write_bytes(b"not a database at all" * 100)
    result = runner.invoke(main, ["status", "--data", str(tmp_path / "bad")])
    assert result.exit_code == 2 and "Traceback" not in result.output
