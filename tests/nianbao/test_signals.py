"""SIGTERM stops `run` and `crawl` like Ctrl-C; FIFOs, sockets and devices given to `parse`
are refused instead of read forever."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.portal import Page, Portal, PortalServer
from nianbao import ui
from nianbao.scraper.command import run_crawler
from nianbao.scraper.crawl import Crawler, CrawlSettings
from nianbao.scraper.sources import Source

COLUMN = "/xxgk/ndbg/"
REPORTS = 12
ROOT = Path(__file__).resolve().parents[2]


def _slow_portal(slow: float) -> tuple[Portal, list[Page]]:
    portal = Portal()
    pages = []
    items = []
    for i in range(REPORTS):
        title = f"示例市第{i}局2023年政府信息公开工作年度报告"
        page = Page(f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                    "<p>页面建设中。</p></body></html>".encode(), slow=slow)
        portal.add(f"{COLUMN}t{i}.html", page)
        pages.append(page)
        items.append(f"<li><a href='./t{i}.html'>{title}</a></li>")
    portal.add(COLUMN + "index.html", Page(f"<html><body><ul>{''.join(items)}</ul></body></html>"
                                           .encode()))
    return portal, pages


def _nianbao(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao.cli", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _report_hits(portal: Portal) -> list[str]:
    return [h.path for h in portal.requests(COLUMN) if h.path != COLUMN + "index.html"]


@pytest.mark.parametrize("command", ["run", "crawl"])
def test_sigterm_saves_state_exits_130_and_the_next_run_resumes(tmp_path: Path,
                                                                command: str) -> None:
    portal, pages = _slow_portal(slow=0.4)
    with PortalServer(portal) as server:
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"sources:\n  - name: 示例市\n    start: {server.base}{COLUMN}index.html\n",
                           encoding="utf-8")
        data = tmp_path / "data"
        args = [command, "--sources", str(sources), "--data", str(data), "--delay", "0"]
        proc = _nianbao(*args)
        deadline = time.monotonic() + 60
        while len(_report_hits(portal)) < 3 and time.monotonic() < deadline \
                and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert "interrupted" in err and "run the same command again" in err
        fetched_before = set(_report_hits(portal))
        assert 3 <= len(fetched_before) < REPORTS

        for page in pages:
            page.slow = 0.0
        again = _nianbao(*args)
        _, err2 = again.communicate(timeout=120)
        assert again.returncode == 0, err2
        assert "(resumed)" in err2
    hits = _report_hits(portal)
    assert set(hits) == {f"{COLUMN}t{i}.html" for i in range(REPORTS)}
    assert len(hits) <= REPORTS + 1  # only the one in flight at the signal is fetched again


def test_the_crawl_puts_the_sigterm_handler_back_for_the_stages_after_it(tmp_path: Path) -> None:
    crawler = Crawler(CrawlSettings(tmp_path / "d"), [Source(name="无", start="http://x.invalid/",
                                                             allow=("x.invalid",))])
    crawler.sources = []  # nothing to crawl: only the handlers matter here
    with ui.sigterm_as_interrupt():
        asyncio.run(run_crawler(crawler))
        # parse and export run after the event loop: SIGTERM must still stop them cleanly
        assert signal.getsignal(signal.SIGTERM) is ui._interrupt
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _parse(*paths: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao.cli", "parse", *paths], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_parse_refuses_a_fifo_a_socket_and_a_device_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    sock_path = tmp_path / "report.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(sock_path))
    try:
        r = _parse(str(fifo), str(sock_path), "/dev/zero")
    finally:
        sock.close()
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert f"{fifo}: a named pipe (FIFO), not a regular file: refused" in r.stderr
    assert f"{sock_path}: a socket, not a regular file" in r.stderr
    assert "/dev/zero: a character device, not a regular file" in r.stderr
    assert "3 documents: 0 parsed, 3 failed" in r.stdout


def test_a_fifo_inside_a_folder_is_listed_as_refused(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text("不是年报", encoding="utf-8")
    os.mkfifo(folder / "b.html")
    r = _parse(str(folder), "--json")
    assert r.returncode == 1, r.stderr
    assert f"{folder / 'b.html'}: a named pipe (FIFO)" in r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and '"status": "error"' in lines[1]
