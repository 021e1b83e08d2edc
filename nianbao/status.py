"""``nianbao status``: what a data folder holds — archive, crawl outcomes, parse results, sources."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nianbao.parsers as parsers
from nianbao.output.results import DB_NAME as RESULTS_DB, ResultStore
from nianbao.output.records import SUCCESS, report_row
from nianbao.collect import load_dataset
from nianbao.reparse import newest
from nianbao.scraper.archive import archive_files
from nianbao.scraper.state import archived_versions, document_counts, open_read_only, source_overview


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
class Status:
    warc_files: int = 0
    warc_bytes: int = 0
    documents: list[tuple[str, str, int]] = field(default_factory=list)
    report_pages: int = 0
    parsed: Counter = field(default_factory=Counter)  # status of the newest version's result
    not_parsed: int = 0
    stale: int = 0  # results from an older parser version
    sources: list[SourceLine] = field(default_factory=list)
    export: Path | None = None


def collect_status(data_dir: Path, export_dir: Path | None = None) -> Status:
    """Gather the status of ``data_dir`` (read-only; safe while a crawl runs)."""
    st = Status()
    files = archive_files(data_dir)
    st.warc_files, st.warc_bytes = len(files), sum(p.stat().st_size for p in files)
    db = open_read_only(data_dir)
    try:
        st.documents = document_counts(db)
        versions = archived_versions(db, ("report",))
        overview = source_overview(db)
    finally:
        db.close()
    if (Path(data_dir) / RESULTS_DB).exists():
        with ResultStore(data_dir) as store:
            rows = load_dataset(data_dir, store).reports
    else:
        rows = [report_row(v.url, None, fetched_at=v.fetched_at, page_sha256=v.sha256,
                           source_name=v.source_name) for v in newest(versions).values()]
    st.report_pages = len(rows)
    ok_by_source: Counter = Counter()
    for r in rows:
        if r.parser_version is None:
            st.not_parsed += 1
            continue
        st.parsed[r.status] += 1
        st.stale += r.parser_version != parsers.PARSER_VERSION
        ok_by_source[r.source_name] += r.status in SUCCESS
    st.sources = [SourceLine(*row, parsed_ok=ok_by_source[row[0]]) for row in overview]
    out = export_dir or Path(data_dir) / "export"
    if (out / "reports.csv").exists() or (out / "nianbao.sqlite").exists():
        st.export = out
    return st


def format_status(st: Status, data_dir: Path) -> str:
    lines = [f"data folder {data_dir}",
             f"archive: {st.warc_files} WARC files, {st.warc_bytes / 1e6:.1f} MB"]
    by_kind: dict[str, Counter] = {}
    for kind, status, n in st.documents:
        by_kind.setdefault(kind, Counter())[status] += n
    for kind in ("list", "report", "attachment"):
        c = by_kind.get(kind)
        if c:
            parts = ", ".join(f"{n} {s}" for s, n in sorted(c.items()))
            lines.append(f"  {kind} documents: {sum(c.values())} ({parts})")
    failed = sum(n for s, n in st.parsed.items() if s not in SUCCESS)
    ok = sum(n for s, n in st.parsed.items() if s in SUCCESS)
    lines.append(f"reports: {st.report_pages} archived, {ok} parsed, {failed} failed to parse, "
                 f"{st.not_parsed} not parsed yet")
    if st.parsed:
        lines.append("  by status: " + ", ".join(f"{n} {s}" for s, n in sorted(st.parsed.items())))
    if st.stale:
        lines.append(f"  {st.stale} parsed by an older parser (run `nianbao parse --data` to "
                     f"re-parse with {parsers.PARSER_VERSION})")
    blocked = sum(n for _k, s, n in st.documents if s == "blocked")
    if blocked:
        lines.append(f"blocked by anti-bot walls: {blocked} documents")
    lines.append(f"export: {st.export if st.export else 'none yet'}")
    lines.append(f"sources: {len(st.sources)}")
    for s in st.sources:
        when = s.last_finished or (f"{s.last_started} (unfinished)" if s.last_started else "never")
        state = s.status or "never crawled"
        if s.error:
            state += f": {s.error}"
        lines.append(f"  {s.name}: last crawled {when}; {state}; {s.reports} reports, "
                     f"{s.parsed_ok} parsed")
    return "\n".join(lines)
