"""`nianbao status` and the options of `nianbao export`."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from nianbao.cli import main


def test_status_tells_what_is_archived_parsed_and_failed(first_run) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["status", "--data", str(first_run["data"])])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "report documents: 7" in out and "attachment documents: 2" in out
    assert "reports: 7 archived, 5 parsed, 2 failed to parse, 0 not parsed yet" in out
    assert "1 no_tables" in out and "5 ok" in out
    assert "示例市政府信息公开年报: last crawled 20" in out and "7 reports, 5 parsed" in out
    assert f"export: {first_run['data'] / 'export'}" in out


def test_status_before_parsing(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(first_run["data"], data, ignore=shutil.ignore_patterns("parsed.sqlite*", "export"))
    result = CliRunner().invoke(main, ["status", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "7 not parsed yet" in result.output and "export: none yet" in result.output


def test_export_options(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--data", str(first_run["data"]), "--out", str(out),
                                  "--format", "csv", "--excel", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (out / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbfreport_id,")
    assert not (out / "parquet").exists() and not (out / "nianbao.sqlite").exists()
    result = runner.invoke(main, ["export", "--data", str(first_run["data"]), "--out", str(out),
                                  "--format", "sqlite,xlsx"])
    assert result.exit_code == 2 and "xlsx" in result.output


def test_log_file_keeps_messages(first_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "nianbao.log"
    result = CliRunner().invoke(main, ["export", "--data", str(first_run["data"]), "--out",
                                       str(tmp_path / "o"), "--format", "csv", "--quiet",
                                       "--log-file", str(log)])
    assert result.exit_code == 0
    assert "exported 7 reports" in log.read_text(encoding="utf-8")
