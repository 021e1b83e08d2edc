"""The click command: options, messages, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.portal import Portal, PortalServer, build, sources_yaml
from nianbao.scraper import command
from nianbao.scraper.command import crawl


def _invoke(*args: str):
    return CliRunner().invoke(crawl, list(args))


def test_help_lists_options():
    r = _invoke("--help")
    assert r.exit_code == 0
    for opt in ("--sources", "--data", "--delay", "--concurrency", "--quiet", "--verbose"):
        assert opt in r.output


@pytest.mark.parametrize("args, fragment", [
    (["--delay", "-1"], "--delay"), (["--concurrency", "0"], "--concurrency"),
    (["--quiet", "--verbose"], "exclude"),
])
def test_usage_errors_exit_2(tmp_path: Path, args, fragment):
    src = tmp_path / "s.yaml"
    src.write_text("sources:\n  - start: http://127.0.0.1:9/x\n")
    r = _invoke("--sources", str(src), "--data", str(tmp_path / "d"), *args)
    assert r.exit_code == 2 and fragment in r.output


def test_bad_sources_file_exit_2_without_traceback(tmp_path: Path):
    r = _invoke("--sources", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 2 and "does not exist" in r.output and "Traceback" not in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: 无网址\n")
    r = _invoke("--sources", str(bad), "--data", str(tmp_path / "d"))
    assert r.exit_code == 2 and "line 2" in r.output and "no usable source" in r.output


def test_missing_default_sources_said_clearly(monkeypatch):
    monkeypatch.setattr(command, "default_sources", lambda: None)
    r = _invoke()
    assert r.exit_code == 2 and "nianbao/data/sources.yaml" in r.output


def test_run_exit_codes_and_summary(tmp_path: Path, other_server):
    portal = Portal()
    with PortalServer(portal) as server:
        fams = build(portal, server.base, other_server.base, only=("trs6", "wall"))
        src = tmp_path / "s.yaml"
        src.write_text(sources_yaml(fams, server.host) + "  - name: 坏\n    start: gopher://x/\n",
                       encoding="utf-8")
        r = _invoke("--sources", str(src), "--data", str(tmp_path / "d"), "--delay", "0")
        assert r.exit_code == 1, r.output
        assert "line 8" in r.output and "(skipped)" in r.output
        assert "3 pages, 3 reports, 0 attachments" in r.output
        assert "source failed: 示例市公安局: blocked" in r.output
        assert "[2/2]" in r.output
        ok = tmp_path / "ok.yaml"
        ok.write_text(sources_yaml({k: v for k, v in fams.items() if "trs6" in k}, server.host),
                      encoding="utf-8")
        r = _invoke("--sources", str(ok), "--data", str(tmp_path / "d"), "--delay", "0", "-v")
        assert r.exit_code == 0, r.output
        assert "not_modified" in r.output and "3 not modified" in r.output


def test_data_folder_in_use(tmp_path: Path):
    import fcntl
    import os
    data = tmp_path / "d"
    data.mkdir()
    fd = os.open(data / ".crawl.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    src = tmp_path / "s.yaml"
    src.write_text("sources:\n  - start: http://127.0.0.1:9/x\n")
    try:
        r = _invoke("--sources", str(src), "--data", str(data))
    finally:
        os.close(fd)
    assert r.exit_code == 2 and "another crawl" in r.output
