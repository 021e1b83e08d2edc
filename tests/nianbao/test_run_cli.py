"""`nianbao run`: exit status on a failed source and on usage errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from nianbao.cli import main
from tests.nianbao.site import COLUMN


def test_a_failed_source_gives_status_1_and_the_rest_is_exported(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, expected = site
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - name: 好的\n    start: {server.base}{COLUMN}index.html\n"
        f"  - name: 坏的\n    start: {server.base}/missing/index.html\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data",
                                       str(tmp_path / "data"), "--delay", "0", "--format", "csv"])
    assert result.exit_code == 1, result.output
    assert "source failed: 坏的" in result.output
    lines = (tmp_path / "data" / "export" / "reports.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(expected)


def test_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [", encoding="utf-8")
    result = runner.invoke(main, ["run", "--sources", str(bad), "--data", str(tmp_path / "d")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = runner.invoke(main, ["run", "--sources", str(bad), "--format", "xls"])
    assert result.exit_code == 2 and "xls" in result.output
    result = runner.invoke(main, ["run", "-q", "-v", "--sources", str(bad)])
    assert result.exit_code == 2
