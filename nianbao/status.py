"""``nianbao status``: what a data folder holds — archive, crawl outcomes, parse results, sources,
whether a crawl is running, and the last runs; as text or as one JSON object (``--json``).

The report counts are the export's (one per report, twins merged), so ``run``, ``parse --data``,
``status`` and the export print the same numbers for one folder.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nianbao.parsers as parsers
from nianbao.collect import load_dataset
from nianbao.output.records import ReportCounts, report_row
from nianbao.output.results import DB_NAME as RESULTS_DB, ResultsError, ResultStore
from nianbao.output.row_table import PARSED, RowTable
from nianbao.output.same_report import merged
from nianbao.reparse import ParseSummary
from nianbao.scraper.archive import archive_files
from nianbao.ui import plural
from nianbao.scraper.state import (document_counts, newest_versions, open_read_only,
                                   source_overview)

LOCK_NAME = ".crawl.lock"  # taken (flock) by the crawler for as long as it runs
RUNS_SHOWN = 5


@dataclass(slots=True)
class SourceLine:
    name: str
    start: str
    status: str | None
    error: str | None
    last_started: str | None
    last_finished: str | None
    reports: int
    parsed_ok: int = 0


@dataclass(slots=True)
class Crawl:
    """Whether a crawl holds the folder now, and the state of the last crawl run."""

    running: bool = False
    pid: int | None = None
    run: int | None = None  # the last crawl run
    started: str | None = None
    finished: str | None = None
    interrupted: bool = False  # stopped before its end: the next run resumes it


@dataclass(slots=True)
class Status:
    warc_files: int = 0
    warc_bytes: int = 0
    documents: list[tuple[str, str, int]] = field(default_factory=list)
    report_pages: int = 0  # archived report pages (several may be one report)
    reports: ReportCounts = field(default_factory=ReportCounts)
    stale: int = 0  # results from an older parser version
    agencies: int = 0  # distinct register entries of the reports read
    unplaced: int = 0  # reports read whose agency could not be identified
    sources: list[SourceLine] = field(default_factory=list)
    export: Path | None = None
    crawl: Crawl = field(default_factory=Crawl)
    runs: list[dict[str, Any]] = field(default_factory=list)  # newest first


# --- is a crawl running -----------------------------------------------------------------------

def lock_holder(data_dir: Path) -> tuple[bool, int | None]:
    """(running, pid) from the crawl lock, without taking it (a crawl starting now must not see
    it held): Linux lists flocks in /proc/locks; elsewhere a shared lock is tried and dropped."""
    path = Path(data_dir) / LOCK_NAME
    try:
        st = os.stat(path)
    except OSError:
        return False, None
    locks = Path("/proc/locks")
    if locks.is_file():
        dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        try:
            text = locks.read_text()
        except OSError:
            text = None
        if text is not None:
            for line in text.splitlines():
                f = line.split()
                if len(f) >= 6 and f[1] == "FLOCK" and "->" not in f and f[5] == dev:
                    return True, int(f[4]) if f[4].isdigit() else None
            return False, None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False, None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True, None
    finally:
        os.close(fd)  # closing drops the shared lock too
    return False, None


# --- the last runs ----------------------------------------------------------------------------

def _crawl_runs(db: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    """The last crawl runs of the state, with what each fetched (as last recorded: a document
    fetched again in a later run counts in that run)."""
    runs = db.execute("SELECT id, started, finished, interrupted FROM runs ORDER BY id DESC "
                      "LIMIT ?", (limit,)).fetchall()
    out = []
    for run, started, finished, _stops in runs:
        rows = db.execute("SELECT u.kind, d.status, count(*) FROM documents d JOIN urls u ON "
                          "u.url = d.url WHERE d.run = ? GROUP BY 1, 2", (run,)).fetchall()
        out.append({"command": "crawl", "crawl_run": run, "started": started,
                    "finished": finished, "interrupted": finished is None,  # or killed
                    "fetched": fetch_counts(rows)})
    return out


def fetch_counts(rows: list[tuple[str, str, int]]) -> dict[str, int]:
    """(kind, status, n) of documents -> the crawl summary's counts."""
    c = dict.fromkeys(("pages", "reports", "attachments", "not_modified", "blocked", "failed",
                       "skipped"), 0)
    for kind, status, n in rows:
        if kind == "list" and status in ("fetched", "unchanged"):
            c["pages"] += n
        elif status == "fetched":
            c["reports" if kind == "report" else "attachments"] += n
        elif status in ("unchanged", "not_modified"):
            c["not_modified"] += n
        elif status in c:
            c[status] += n
    return c


def _last_runs(crawl_runs: list[dict[str, Any]], recorded: list[dict[str, Any]],
               limit: int) -> list[dict[str, Any]]:
    """Recorded commands (run, parse), plus crawl runs that no recorded `run` covers."""
    covered = {r["crawl_run"] for r in recorded if r.get("crawl_run") is not None}
    by_run = {r["crawl_run"]: r for r in crawl_runs}
    out = []
    for r in recorded:
        r = dict(r)
        crawl = by_run.get(r.get("crawl_run"))
        if crawl is not None:  # the state knows whether a run it began was finished since
            r["interrupted"] = crawl["interrupted"]
        out.append(r)
    out += [r for r in crawl_runs if r["crawl_run"] not in covered]
    out.sort(key=lambda r: (r.get("started") or "", r.get("id", 0)), reverse=True)
    return out[:limit]


# --- collect ----------------------------------------------------------------------------------

def collect_status(data_dir: Path, export_dir: Path | None = None,
                   runs: int = RUNS_SHOWN) -> Status:
    """Gather the status of ``data_dir`` (read-only; safe while a crawl runs)."""
    st = Status()
    files = archive_files(data_dir)
    st.warc_files, st.warc_bytes = len(files), sum(p.stat().st_size for p in files)
    results = (Path(data_dir) / RESULTS_DB).exists()
    db = open_read_only(data_dir)
    try:
        st.documents = document_counts(db)
        overview = source_overview(db)
        crawl_runs = _crawl_runs(db, runs)
        if not results:
            pages = rows = RowTable(
                report_row(v.url, None, fetched_at=v.fetched_at, page_sha256=v.sha256,
                           source_name=v.source_name) for v in newest_versions(db, "report"))
    finally:
        db.close()
    recorded: list[dict[str, Any]] = []
    if results:
        with ResultStore(data_dir, read_only=True) as store:
            dataset = load_dataset(data_dir, store)
            pages, rows = dataset.reports, merged(dataset)  # may load facts (reprints)
            recorded = store.runs(runs)
    # counted in SQL over the rows on disk: status holds no row per report either
    st.report_pages = len(pages)
    st.reports = rows.counts()
    st.stale = rows.count("parser_version IS NOT NULL AND parser_version != ?",
                          (parsers.PARSER_VERSION,))
    st.agencies = rows.distinct("agency_id", f"{PARSED} AND agency_id != ''")
    st.unplaced = rows.count(f"{PARSED} AND (agency_id IS NULL OR agency_id = '')")
    ok_by_source = Counter(rows.count_by("source_name", PARSED))
    st.sources = [SourceLine(*row, parsed_ok=ok_by_source[row[0]]) for row in overview]
    out = export_dir or Path(data_dir) / "export"
    if (out / "reports.csv").exists() or (out / "nianbao.sqlite").exists():
        st.export = out
    running, pid = lock_holder(data_dir)
    st.crawl = Crawl(running, pid)
    if crawl_runs:
        last = crawl_runs[0]
        st.crawl.run, st.crawl.started, st.crawl.finished = (last["crawl_run"], last["started"],
                                                             last["finished"])
        st.crawl.interrupted = not running and last["finished"] is None
        if running:  # the unfinished run is the one in progress, not an interrupted one
            for r in crawl_runs:
                r["interrupted"] = r["interrupted"] and r["crawl_run"] != last["crawl_run"]
    st.runs = _last_runs(crawl_runs, recorded, runs)
    return st


# --- print ------------------------------------------------------------------------------------

def status_dict(st: Status, data_dir: Path) -> dict[str, Any]:
    """The same information as ``format_status``, as one JSON-ready object."""
    docs: dict[str, dict[str, int]] = {}
    for kind, status, n in st.documents:
        docs.setdefault(kind, {})[status] = n
    return {
        "data": str(data_dir),
        "archive": {"warc_files": st.warc_files, "bytes": st.warc_bytes},
        "documents": docs,
        "reports": {**asdict(st.reports), "report_pages": st.report_pages,
                    "stale": st.stale, "parser_version": parsers.PARSER_VERSION,
                    "agencies": st.agencies, "unplaced": st.unplaced},
        "blocked": sum(n for _k, s, n in st.documents if s == "blocked"),
        "export": str(st.export) if st.export else None,
        "crawl": asdict(st.crawl),
        "sources": [asdict(s) for s in st.sources],
        "runs": st.runs,
    }


def _crawl_line(c: Crawl) -> str:
    if c.running:
        who = f" (process {c.pid})" if c.pid else ""
        since = f" since {c.started}" if c.started and c.finished is None else ""
        return f"crawl: running now{who}{since}" + (f", run {c.run}" if c.run else "")
    if c.run is None:
        return "crawl: never run"
    if c.interrupted:
        return (f"crawl: run {c.run} started {c.started} was interrupted; the next `nianbao run` "
                "resumes it")
    return f"crawl: not running; last run {c.run} finished {c.finished}"


_NOUNS = {"pages": "page", "reports": "report", "attachments": "attachment"}


def _counts(c: dict[str, int], keys: tuple[str, ...]) -> str:
    return ", ".join(plural(c.get(k, 0), _NOUNS[k]) if k in _NOUNS
                     else f"{c.get(k, 0)} {k.replace('_', ' ')}" for k in keys)


def run_line(r: dict[str, Any]) -> str:
    """One recorded command or crawl run, in a line."""
    name = r.get("command", "?")
    head = f"  {r.get('started')} {name}"
    if r.get("crawl_run") is not None:
        head += f" (crawl run {r['crawl_run']})"
    parts = []
    if r.get("fetched"):
        parts.append("fetched " + _counts(r["fetched"], ("pages", "reports", "attachments",
                                                          "not_modified", "blocked", "failed")))
    if r.get("parsed"):
        parts.append(f"parsed {plural(r['parsed'].get('parsed', 0), 'document')}")
    if r.get("reports"):
        rc = r["reports"]
        parts.append(f"reports {rc['archived']} ({rc['parsed']} parsed, {rc['failed']} failed "
                     f"to parse, {rc['not_parsed']} not parsed yet)")
    if r.get("interrupted"):
        parts.append("interrupted")
    elif r.get("exit_code") not in (None, 0):
        parts.append(f"exit status {r['exit_code']}")
    return head + (": " + "; ".join(parts) if parts else "")


def format_status(st: Status, data_dir: Path) -> str:
    lines = [f"data folder {data_dir}",
             f"archive: {plural(st.warc_files, 'WARC file')}, {st.warc_bytes / 1e6:.1f} MB"]
    by_kind: dict[str, Counter] = {}
    for kind, status, n in st.documents:
        by_kind.setdefault(kind, Counter())[status] += n
    for kind in ("list", "report", "attachment"):
        c = by_kind.get(kind)
        if c:
            parts = ", ".join(f"{n} {s}" for s, n in sorted(c.items()))
            lines.append(f"  {kind} documents: {sum(c.values())} ({parts})")
    lines.append(f"reports: {st.reports.line()}")
    if st.report_pages != st.reports.archived:
        lines.append(f"  {plural(st.report_pages, 'report page')}: "
                     f"{st.report_pages - st.reports.archived} are the same report as another "
                     "(kept in other_urls)")
    if st.reports.by_status:
        lines.append("  by status: " + ", ".join(f"{n} {s}"
                                                 for s, n in st.reports.by_status.items()))
    if st.reports.parsed:
        line = f"  agencies: {plural(st.agencies, 'agency', 'agencies')} in the register"
        if st.unplaced:
            line += (f"; {plural(st.unplaced, 'report')} whose agency could not be identified "
                     "(give their source's agency in full in the sources file)")
        lines.append(line)
    if st.stale:
        lines.append(f"  {st.stale} parsed by an older parser (run `nianbao parse --data` to "
                     f"re-parse with {parsers.PARSER_VERSION})")
    blocked = sum(n for _k, s, n in st.documents if s == "blocked")
    if blocked:
        lines.append(f"blocked by anti-bot walls: {plural(blocked, 'document')}")
    lines.append(f"export: {st.export if st.export else 'none yet'}")
    lines.append(_crawl_line(st.crawl))
    if st.runs:
        lines.append("last runs:")
        lines += [run_line(r) for r in st.runs]
    lines.append(f"sources: {len(st.sources)}")
    for s in st.sources:
        when = s.last_finished or (f"{s.last_started} (unfinished)" if s.last_started else "never")
        state = s.status or "never crawled"
        if s.error:
            state += f": {s.error}"
        lines.append(f"  {s.name}: last crawled {when}; {state}; {plural(s.reports, 'report')}, "
                     f"{s.parsed_ok} parsed")
    return "\n".join(lines)


# --- record -----------------------------------------------------------------------------------

def record_run(data_dir: Path, command: str, started: str, exit_code: int, *,
               crawl: Any = None, parse: ParseSummary | None = None,
               export: Any = None) -> str | None:
    """Keep what a command did in the results store; the problem as text if it could not."""
    summary: dict[str, Any] = {}
    crawl_run = None
    if crawl is not None:  # scraper.crawl.Summary
        crawl_run = crawl.run or None
        summary["fetched"] = {"pages": crawl.pages, "reports": crawl.reports,
                              "attachments": crawl.attachments,
                              "not_modified": crawl.not_modified, "blocked": crawl.blocked,
                              "failed": sum(crawl.failed.values()),
                              "skipped": sum(crawl.skipped.values())}
        summary["sources"] = crawl.sources
        summary["sources_failed"] = len(crawl.sources_failed)
    if parse is not None:
        summary["parsed"] = parse.documents
        if parse.reports is not None:
            summary["reports"] = asdict(parse.reports)
    if export is not None:  # output.export.ExportSummary
        summary["exported"] = {"reports": export.reports, "facts": export.facts,
                               "checks": export.checks, "checks_failed": export.checks_failed}
        summary["reports"] = asdict(export.counts)
    try:
        with ResultStore(data_dir) as store:
            store.add_run(command, started, crawl_run, exit_code, summary)
    except (ResultsError, OSError) as exc:
        return str(exc)
    return None
