"""What a user reads: the log file keeps every message the terminal shows, with times; plurals;
fake and damaged files in words that hold together; the progress bar of `parse DIR`;
`crawl --log-file` and `run --timeout/--retries`."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from fixtures.portal import Page, Portal, PortalServer
from nianbao.cli import main
from nianbao.parsers import parse
from tests.nianbao.site import COLUMN

ROOT = Path(__file__).resolve().parents[2]
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) ")
CASES = ROOT / "fixtures" / "cases"


def _terminal_lines_are_in_the_log(output: str, log_text: str) -> None:
    for line in output.splitlines():
        if not line.strip():
            continue
        message = re.sub(r"^(error|warning): ", "", line)
        assert message in log_text, f"not in the log file: {line!r}"
    for line in log_text.splitlines():  # every record starts with its time; others continue one
        assert STAMP.match(line) or line.startswith("  "), line


def test_run_log_file_keeps_every_terminal_message_with_times(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _ = site
    sources = tmp_path / "s.yaml"
    sources.write_text(f"sources:\n  - name: 好的\n    start: {server.base}{COLUMN}index.html\n"
                       f"  - name: 坏的\n    start: {server.base}/missing/index.html\n",
                       encoding="utf-8")
    log = tmp_path / "run.log"
    for verbose in ([], ["-v"]):
        log.unlink(missing_ok=True)
        result = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data",
                                           str(tmp_path / "data"), "--delay", "0", "--retries", "0",
                                           "--format", "csv", "--log-file", str(log), *verbose])
        assert result.exit_code == 1, result.output
        text = log.read_text(encoding="utf-8")
        _terminal_lines_are_in_the_log(result.output, text)
        assert "WARNING   source failed: 坏的: failed: HTTP 404" in text
        assert re.search(r"DEBUG\s+\S+\s+report\s+http://", text)  # per-document lines, always
    assert "[1/2]" in result.output and "not modified" in result.output


def test_crawl_takes_log_file(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _ = site
    sources = tmp_path / "s.yaml"
    sources.write_text(f"sources:\n  - name: 好的\n    start: {server.base}{COLUMN}index.html\n",
                       encoding="utf-8")
    log = tmp_path / "crawl.log"
    result = CliRunner().invoke(main, ["crawl", "--sources", str(sources), "--data",
                                       str(tmp_path / "d"), "--delay", "0", "--log-file", str(log)])
    assert result.exit_code == 0, result.output
    text = log.read_text(encoding="utf-8")
    _terminal_lines_are_in_the_log(result.output, text)
    assert "INFO run 1: 1 source, 1 page, 7 reports" in text


def test_parse_log_file_keeps_results_errors_and_the_total(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\nxref garbage")
    log = tmp_path / "parse.log"
    result = CliRunner().invoke(main, ["parse", str(CASES / "wordproc_2019_gbk.html"), str(bad),
                                       "--log-file", str(log)])
    assert result.exit_code == 1
    text = log.read_text(encoding="utf-8")
    _terminal_lines_are_in_the_log(result.output, text)
    assert "INFO 2 documents: 1 parsed, 1 failed" in text
    assert "ERROR " + str(bad) in text


def test_plurals(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    one = CliRunner().invoke(main, ["parse", str(CASES / "wordproc_2019_gbk.html")])
    assert one.exit_code == 0
    assert one.stdout.rstrip().endswith("1 document: 1 parsed, 0 failed")
    server, _ = site
    sources = tmp_path / "s.yaml"
    sources.write_text(f"sources:\n  - name: 坏的\n    start: {server.base}/missing/index.html\n",
                       encoding="utf-8")
    r = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data", str(tmp_path / "d"),
                                  "--delay", "0", "--format", "csv"])
    out = r.output
    assert "crawling 1 source into" in out and "run 1: 1 source, 0 pages, 0 reports" in out
    assert "exported 0 reports" in out and "parsed 0 documents" in out
    assert not re.search(r"\b1 (documents|sources|reports|pages|facts|checks|attempts)\b", out), out


def test_run_takes_timeout_and_retries(tmp_path: Path) -> None:
    portal = Portal()
    portal.add("/slow/index.html", Page(b"<html></html>", hang=3.0))
    with PortalServer(portal) as server, socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        sources = tmp_path / "s.yaml"
        sources.write_text(f"sources:\n  - name: 慢的\n    start: {server.base}/slow/index.html\n"
                           f"  - name: 关的\n    start: http://127.0.0.1:{closed.getsockname()[1]}/x/\n",
                           encoding="utf-8")
        r = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data",
                                      str(tmp_path / "d"), "--delay", "0", "--timeout", "0.3",
                                      "--retries", "1", "--format", "csv"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "source failed: 慢的: failed: timeout after 2 attempts" in r.output
    assert "source failed: 关的: failed: connection refused after 2 attempts" in r.output
    assert len(portal.requests("/slow/")) == 2
    bad = CliRunner().invoke(main, ["run", "--sources", str(sources), "--retries", "-1"])
    assert bad.exit_code == 2 and "--retries" in bad.output


def test_fake_docx_and_damaged_files_in_plain_words(tmp_path: Path) -> None:
    truncated = b"PK\x03\x04" + b"\x00" * 40  # a download cut short: no zip directory
    r = parse(truncated).error or ""
    assert r.startswith("a ZIP container that is not a Word document")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "plain text, not XML")
    damaged = parse(buf.getvalue()).error or ""
    assert damaged.startswith("a Word document (DOCX): damaged DOCX, its text")
    assert "not a readable DOCX" not in damaged
    pdf = parse(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\nxref garbage").error or ""
    assert pdf.startswith("a PDF document that cannot be read: it is damaged (no readable "
                          "objects or page tree): PDFSyntaxError: No /Root object")
    assert "Is this really a PDF" not in pdf
    fake = tmp_path / "年报.docx"
    fake.write_bytes(bytes(range(256)) * 8)
    text = tmp_path / "说明.docx"
    text.write_text("这是一段说明文字，不是年报。", encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", str(fake), str(text)])
    assert f"{fake}: binary data: " in result.stderr
    assert "(named .docx, but its content is not a Word document)" in result.stderr
    assert result.stderr.count("named .docx") == 2


def _parse_dir_stderr(folder: Path, tty: bool) -> str:
    if not tty:
        return subprocess.run([sys.executable, "-m", "nianbao.cli", "parse", str(folder)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120).stderr
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "parse", str(folder)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_parse_dir_shows_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("wordproc_2019_gbk.html", "blank_template_2019.txt", "cell_per_line_2021.txt"):
        (folder / name).write_bytes((CASES / name).read_bytes())
    on_tty = _parse_dir_stderr(folder, tty=True)
    assert "parsing" in on_tty and "3/3" in on_tty
    piped = _parse_dir_stderr(folder, tty=False)
    assert "parsing" not in piped and "3/3" not in piped
