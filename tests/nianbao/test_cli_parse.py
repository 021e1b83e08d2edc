"""`nianbao parse`: files and folders, JSON lines, per-file messages, exit status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import main

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_json_lines_follow_the_schema(runner: CliRunner, seed_bytes: bytes, tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes(seed_bytes)
    result = runner.invoke(main, ["parse", "--json", str(tmp_path / "seed.txt")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    assert set(doc) == {"status", "error", "report", "facts", "checks", "warnings"}
    assert doc["status"] == "ok" and doc["error"] is None
    assert set(doc["report"]) == {"title", "agency", "agency_id", "agency_name", "region_code",
                                  "level", "kind", "year", "template", "script", "source",
                                  "sha256"}
    # 阿拉善高新技术产业开发区: the zone of 阿拉善盟, named by the league's short name
    assert doc["report"]["region_code"] == "1529" and doc["report"]["level"] == "prefecture"
    assert doc["report"]["kind"] == "other" and doc["report"]["agency_id"].startswith("a")
    assert doc["report"]["template"] == "2019" and doc["report"]["script"] == "hant"
    assert set(doc["facts"][0]) == {"table", "row", "col", "value", "raw", "unit", "origin",
                                    "inferred"}
    assert set(doc["checks"][0]) == {"name", "ok", "lhs", "rhs"}
    assert len(doc["facts"]) == 198
    money = [f for f in doc["facts"] if f["col"] == "amount_wan_yuan"][0]
    assert money["value"] == 25409.5 and money["raw"] == "25409.5萬元"


def test_folder_with_bad_files_goes_on(runner: CliRunner, seed_bytes: bytes,
                                       tmp_path: Path) -> None:
    (tmp_path / "a_seed.txt").write_bytes(seed_bytes)
    (tmp_path / "b_empty.html").write_bytes(b"")
    (tmp_path / "c_scan.pdf").write_bytes(b"%PDF-1.4\n%binary")
    (tmp_path / "sub").mkdir()
    shutil.copy(CASES / "wordproc_2019_gbk.html", tmp_path / "sub" / "d.html")
    (tmp_path / ".hidden").write_bytes(b"ignored")
    result = runner.invoke(main, ["parse", "--json", str(tmp_path)])
    assert result.exit_code == 1
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(d["report"]["source"]).name for d in docs] == [
        "a_seed.txt", "b_empty.html", "c_scan.pdf", "d.html"]
    assert [len(d["facts"]) for d in docs] == [198, 0, 0, 198]
    assert "b_empty.html: empty document" in result.stderr
    assert "c_scan.pdf: a PDF document" in result.stderr
    assert "Traceback" not in result.output


def test_readable_summary(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", str(CASES / "truncated_2019.txt"),
                                  str(CASES / "variants_2019.txt")])
    assert result.exit_code == 0
    out = result.stdout
    assert "template 2019, year 2019" in out
    assert "checks failed" in out and "! table appeals not found" in out
    assert out.rstrip().endswith("2 documents: 2 parsed, 0 failed")


def test_not_a_report_fails_the_batch(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", str(CASES / "not_a_report.html")])
    assert result.exit_code == 1
    assert "not an annual report" in result.stderr


@pytest.mark.parametrize("args", [["parse"], ["parse", "/no/such/file"], ["parse", "--nope", "x"]])
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    assert runner.invoke(main, args).exit_code == 2


def test_facts_frame(seed_bytes: bytes) -> None:
    from nianbao.parsers import parse

    frame = parse(seed_bytes).facts_frame()
    assert list(frame.columns) == ["table", "row", "col", "value", "raw", "unit", "origin",
                                   "inferred"]
    assert len(frame) == 198
    assert frame.loc[frame["col"] == "amount_wan_yuan", "value"].item() == 25409.5
    assert frame["inferred"].dtype == bool


def test_a_file_over_the_size_limit_is_refused_unread(runner: CliRunner, seed_bytes: bytes,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao.parsers import limits

    (tmp_path / "a.txt").write_bytes(seed_bytes)
    (tmp_path / "b.txt").write_bytes(b"x" * 5000)
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 4999)
    result = runner.invoke(main, ["parse", str(tmp_path)])
    assert result.exit_code == 1
    assert "a.txt: file of 9,379 bytes; the limit is 4,999 (MAX_INPUT_BYTES)" in result.stderr
    assert "b.txt: file of 5,000 bytes" in result.stderr


def test_parse_refuses_bytes_over_the_limit(monkeypatch: pytest.MonkeyPatch,
                                            seed_bytes: bytes) -> None:
    from nianbao.parsers import limits, parse

    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 100)
    report = parse(seed_bytes)
    assert report.status == "limit" and "MAX_INPUT_BYTES" in (report.error or "")
