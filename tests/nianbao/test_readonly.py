"""`status` and `export --out ELSEWHERE` on a data folder that cannot be written: they work,
and leave the folder exactly as it was (no file created or changed, no -wal/-shm beside the
databases). Tests run as root, where chmod does not stop a write: so what is checked is that
nothing is written at all, not only that nothing failed."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import main


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root``: size, mtime and content hash (folders: mtime)."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        out[str(d.relative_to(root)) + "/"] = (d.stat().st_mtime_ns,)
        for name in filenames:
            p = d / name
            st = p.stat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns,
                                             hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def _chmod_tree(root: Path, writable: bool) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for p in [Path(dirpath), *(Path(dirpath) / f for f in files)]:
            mode = p.stat().st_mode
            w = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
            os.chmod(p, (mode | stat.S_IWUSR) if writable else (mode & ~w))


@pytest.fixture
def read_only_copy(first_run, tmp_path: Path) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A copy of a crawled and parsed data folder (without its export), made read-only."""
    data = tmp_path / "shared"
    shutil.copytree(first_run["data"], data, ignore=shutil.ignore_patterns("export"))
    assert not list(data.glob("*-wal")), "the copy must start without a writer's WAL"
    _chmod_tree(data, writable=False)
    try:
        yield data
    finally:
        _chmod_tree(data, writable=True)


def test_status_and_export_leave_a_read_only_folder_untouched(read_only_copy: Path,
                                                              tmp_path: Path) -> None:
    data = read_only_copy
    before = _snapshot(data)
    runner = CliRunner()
    status = runner.invoke(main, ["status", "--data", str(data)])
    assert status.exit_code == 0, status.output
    assert "report documents: 7" in status.output
    as_json = runner.invoke(main, ["status", "--data", str(data), "--json"])
    assert as_json.exit_code == 0, as_json.output
    out = tmp_path / "elsewhere"
    export = runner.invoke(main, ["export", "--data", str(data), "--out", str(out)])
    assert export.exit_code == 0, export.output
    assert len((out / "reports.csv").read_text(encoding="utf-8").splitlines()) > 1
    assert (out / "nianbao.sqlite").is_file()
    after = _snapshot(data)
    assert after == before
    assert not [p for p in after if p.endswith(("-wal", "-shm", "-journal"))]


def test_export_of_a_folder_never_parsed_creates_no_results_file(read_only_copy: Path,
                                                                 tmp_path: Path) -> None:
    data = read_only_copy
    _chmod_tree(data, writable=True)
    (data / "parsed.sqlite").unlink()
    _chmod_tree(data, writable=False)
    before = _snapshot(data)
    result = CliRunner().invoke(main, ["export", "--data", str(data), "--out",
                                       str(tmp_path / "x"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "not parsed yet" in result.output
    assert _snapshot(data) == before


def test_status_reads_through_the_wal_of_a_crawl_that_is_writing(first_run,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    """While a writer is connected the file is not immutable: what it committed (still in its
    WAL, not yet in the database file) is seen."""
    data = tmp_path / "live"
    shutil.copytree(first_run["data"], data, ignore=shutil.ignore_patterns("export"))
    writer = sqlite3.connect(data / "state.sqlite", isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("INSERT INTO sources(start, name, allow, status) "
                       "VALUES ('http://new.example/', '新来源', 'new.example', 'running')")
        assert (data / "state.sqlite-wal").exists()
        result = CliRunner().invoke(main, ["status", "--data", str(data)])
    finally:
        writer.close()
    assert result.exit_code == 0, result.output
    assert "新来源" in result.output
