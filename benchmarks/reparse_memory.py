"""Peak memory and time of ``nianbao parse --data`` as the archive grows.

Usage: ``python benchmarks/reparse_memory.py [--sizes 20000,80000] [--modes new-only,everything]
[--pythonpath DIR]``

For each size (report pages) builds a data folder quickly, with direct SQLite inserts that
follow the real schemas: a crawl state (one page in five with an older version too; one in ten
linking a PDF, whose page has no numbers and wants it; one in ten linking a picture, archived
before the page's result was made) and a result store whose rows are current, copied from a
few results made by the real ``ResultStore.put`` of small generated reports (and packed, so
that no run packs them again). Then runs, each in a subprocess:

- ``parse --data DIR --new-only``: nothing to parse; the bookkeeping alone (selection, the
  reports table, the pack check);
- ``parse --data DIR``: everything parsed again; every WARC reference is fake, so every version
  is an unreadable record, stored as an ``error`` result (the work per document is small: what
  is measured is what the stage holds per document).

Prints peak RSS and wall time of each, and their growth per 1,000 archived versions between
the smallest and the largest size. ``--pythonpath`` runs another checkout's code (a folder
laid out as the installed package, e.g. the code before a change). Prints figures only:
nothing here asserts speed or memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures.reports import render as R  # noqa: E402
from nianbao import parsers  # noqa: E402
from nianbao.output.results import ResultStore  # noqa: E402
from nianbao.scraper.state import SCHEMA  # noqa: E402

FETCHED = "2024-01-15T08:00:00+00:00"  # every version's (before any result is made)
PAGES_PER_SOURCE = 500
PICTURE_WARNING = json.dumps(["pictures: picture 1 (a.png) was read by OCR"])


def _templates(data: Path) -> dict[str, int]:
    """Three results stored and packed by the real store: a report with numbers, a page
    without (which wants its attachments), an attachment with numbers; name -> version id."""
    ok = R.make_case(1, "2021", R.HTML_LAYOUTS[0])
    report = parsers.parse(ok.data, source="https://t.example.gov.cn/ok.html",
                           content_type=ok.content_type or "text/html")
    empty = parsers.parse("<html><body><p>本页无表格</p></body></html>".encode(),
                          source="https://t.example.gov.cn/empty.html", content_type="text/html")
    assert report.facts and not [f for f in empty.facts if f.value is not None], empty.status
    ids = {"page": -1, "empty": -2, "attachment": -3}
    with ResultStore(data) as store:
        for (name, vid), got in zip(ids.items(), (report, empty, report)):
            store.put(vid, f"https://t.example.gov.cn/{name}", "attachment"
                      if name == "attachment" else "report", "0" * 64, got,
                      parsers.PARSER_VERSION)
        store.pack(list(ids.values()))
    return ids


def build(data: Path, pages: int) -> int:
    """A data folder of ``pages`` report pages (see the module's docstring); returns the
    number of archived versions."""
    data.mkdir(parents=True)
    ids = _templates(data)
    state = sqlite3.connect(data / "state.sqlite")
    state.executescript(SCHEMA)
    results = sqlite3.connect(data / "parsed.sqlite")
    cols = [r[1] for r in results.execute("PRAGMA table_info(parsed)")]
    copied = [c for c in cols if c not in ("version_id", "url", "sha256", "warnings", "agency")]
    # an agency of its own for each (reports of one agency, year and facts are one report)
    clone = (f"INSERT INTO parsed (version_id, url, sha256, warnings, agency, "
             f"{', '.join(copied)}) SELECT ?, ?, ?, coalesce(?, warnings), "
             f"coalesce(agency, '') || ?, {', '.join(copied)} FROM parsed "
             "WHERE version_id = ?")
    sources, urls, versions, rows = [], [], [], []
    vid = 0

    def version(url: str, kind: str, template: int | None, ctype: str,
                warnings: str | None = None) -> None:
        nonlocal vid
        vid += 1
        sha = f"{vid:064x}"
        versions.append((vid, url, url, kind, 1, sha, ctype, FETCHED, "none.warc.gz", 0, 0))
        if template is not None:
            rows.append((vid, url, sha, warnings, vid, template))

    for i in range(pages):
        source = i // PAGES_PER_SOURCE + 1
        host = f"https://h{source}.example.gov.cn"
        if i % PAGES_PER_SOURCE == 0:
            sources.append((source, f"{host}/xxgk/", f"示例单位{source}"))
        page = f"{host}/xxgk/ndbg/{i}.html"
        urls.append((page, source, "report", None))
        wants = i % 10 == 3
        if i % 5 == 0:  # an older version, superseded
            version(page, "report", None, "text/html")
        version(page, "report", ids["empty" if wants else "page"], "text/html; charset=utf-8",
                PICTURE_WARNING if wants and i % 20 == 3 else None)
        if wants:
            pdf = f"{host}/xxgk/files/{i}.pdf"
            urls.append((pdf, source, "attachment", page))
            version(pdf, "attachment", ids["attachment"], "application/pdf")
        if i % 10 in (3, 7):
            png = f"{host}/xxgk/images/{i}.png"
            urls.append((png, source, "attachment", page))
            version(png, "attachment", ids["attachment"], "image/png")  # read, with no numbers
    with state:
        state.executemany("INSERT INTO sources (id, start, name, allow) VALUES (?, ?, ?, '')",
                          sources)
        state.executemany("INSERT INTO urls (url, source_id, kind, prio, parent, first_seen, "
                          "seen_run, done_run, todo) VALUES (?, ?, ?, 1, ?, '', 1, 1, 0)", urls)
        state.executemany("INSERT INTO versions (id, url, final_url, kind, run, sha256, "
                          "content_type, fetched_at, warc_file, warc_offset, warc_length) "
                          "VALUES (?,?,?,?,?,?,?,?,?,?,?)", versions)
    with results:
        results.executemany(clone, rows)
        results.execute("DELETE FROM parsed WHERE version_id < 0")  # the templates (the pack stays)
    state.close()
    results.close()
    return len(versions)


# Runs the command and prints its peak RSS (kB) and exit status. A child's peak counts the
# process it was forked from, up to its exec (Linux): so the command is started from this small
# process, not from the benchmark's, which holds the folder it has just built.
_MEASURE = ("import os, subprocess, sys\n"
            "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL)\n"
            "_pid, status, usage = os.wait4(p.pid, 0)\n"
            "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n")


def run(data: Path, args: list[str], pythonpath: str | None) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit status) of ``nianbao parse --data DATA ARGS``."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-c", "from nianbao.cli import main; main()", "parse", "--data",
           str(data), "-q", *args]
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-S", "-c", _MEASURE, *cmd], env=env,
                          cwd=data.parent,  # not the checkout: its nianbao/ would come first
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t0
    peak, code = done.stdout.split()
    return int(peak) / 1024, seconds, int(code)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20000,80000", help="report pages, comma-separated")
    ap.add_argument("--pythonpath", help="run the parse with this folder first on PYTHONPATH")
    ap.add_argument("--modes", default="new-only,everything", help="runs, comma-separated")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    tmp = Path(tempfile.mkdtemp(prefix="reparse-memory-"))
    modes = [(name, extra) for name, extra in (("new-only", ["--new-only"]), ("everything", []))
             if name in args.modes.split(",")]
    figures: dict[str, list[tuple[int, float, float]]] = {name: [] for name, _ in modes}
    try:
        for pages in sizes:
            data = tmp / f"d{pages}"
            t0 = time.perf_counter()
            n = build(data, pages)
            print(f"reparse-memory: {pages} pages, {n} versions, built in "
                  f"{time.perf_counter() - t0:.1f}s", flush=True)
            for name, extra in modes:
                rss, seconds, code = run(data, extra, args.pythonpath)
                figures[name].append((n, rss, seconds))
                print(f"reparse-memory:   {name:<10} versions={n} peak_rss_mb={rss:.0f} "
                      f"seconds={seconds:.1f} exit={code}", flush=True)
            shutil.rmtree(data)
        for name, got in figures.items():
            if len(got) > 1:
                (n0, rss0, s0), (n1, rss1, s1) = got[0], got[-1]
                per = (n1 - n0) / 1000
                print(f"reparse-memory: {name:<10} growth per 1,000 versions: "
                      f"{(rss1 - rss0) / per:.2f} MB, {(s1 - s0) / per:.3f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
