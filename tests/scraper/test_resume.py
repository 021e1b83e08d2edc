"""A crawl killed at any moment (SIGKILL, Ctrl-C) resumes with nothing complete fetched twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from fixtures.portal import Portal, PortalServer
from fixtures.portal.scale import GeneratedSite, serve_generated
from nianbao.scraper.archive import archive_files, iter_responses
from tests.scraper.conftest import db_rows

ROOT = Path(__file__).resolve().parents[2]


def _interruptible() -> None:
    # Ctrl-C as a terminal delivers it: a test run started in the background by a
    # non-interactive shell (`pytest &`, nohup) inherits SIGINT ignored, and so would the crawl
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(src: Path, data: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao.scraper.command", "--sources", str(src), "--data", str(data),
         "--delay", "0", "--timeout", "5", "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_interruptible)


def _done(data: Path) -> int:
    try:
        with sqlite3.connect(f"file:{data / 'state.sqlite'}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM documents WHERE status='fetched'").fetchone()[0]
    except sqlite3.Error:
        return 0


def _wait_for(data: Path, n: int, proc: subprocess.Popen, limit: float = 20) -> None:
    t0 = time.monotonic()
    while _done(data) < n:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() - t0 < limit, "crawl made no progress"
        time.sleep(0.02)


def _setup(tmp_path: Path, portal: Portal, server: PortalServer) -> tuple[GeneratedSite, Path, Path]:
    site = GeneratedSite(n_lists=6, per_page=25, pdf_every=3, slow=0.004)
    serve_generated(portal, site)
    src = tmp_path / "s.yaml"
    src.write_text(f"sources:\n  - name: 示例\n    start: {server.base}{site.start_path}\n",
                   encoding="utf-8")
    return site, src, tmp_path / "data"


def _check_complete(data: Path, site: GeneratedSite, base: str) -> None:
    fetched = {u for (u,) in db_rows(data, "SELECT url FROM documents WHERE status='fetched'")}
    expected = {base + p for p in site.report_paths() + site.attachment_paths()}
    assert expected <= fetched
    # The archive reads to the end with a plain warcio reader: no torn record left behind.
    for path in archive_files(data):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                rec.content_stream().read()
    archived = [r.url for r in iter_responses(data) if r.kind != "list"]
    assert len(archived) == len(set(archived)), "a document was archived twice"
    assert set(archived) == expected
    assert db_rows(data, "SELECT count(*), min(finished IS NOT NULL) FROM runs") == [(1, 1)]


def test_sigkill_then_resume(tmp_path):
    portal = Portal()
    with PortalServer(portal) as server:
        site, src, data = _setup(tmp_path, portal, server)
        total = site.page_count()
        proc = _start(src, data)
        _wait_for(data, total // 3, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        committed = {u for (u,) in db_rows(
            data, "SELECT d.url FROM documents d JOIN urls u ON u.url=d.url "
            "WHERE d.status='fetched' AND u.kind<>'list'")}
        assert 0 < len(committed) < total
        mark = len(portal.log)
        proc = _start(src, data)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        again = {server.base + h.path for h in portal.log[mark:]}
        assert not committed & again, "documents completed before the kill were fetched again"
        _check_complete(data, site, server.base)


def test_ctrl_c_saves_state_and_resumes(tmp_path):
    portal = Portal()
    with PortalServer(portal) as server:
        site, src, data = _setup(tmp_path, portal, server)
        proc = _start(src, data)
        _wait_for(data, site.page_count() // 4, proc)
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 130
        assert b"interrupted" in err and b"Traceback" not in err
        assert db_rows(data, "SELECT interrupted FROM runs") == [(1,)]
        committed = {u for (u,) in db_rows(data, "SELECT url FROM documents WHERE status='fetched' "
                                           "AND url NOT LIKE '%index%'")}
        mark = len(portal.log)
        proc = _start(src, data)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        assert not committed & {server.base + h.path for h in portal.log[mark:]}
        _check_complete(data, site, server.base)
