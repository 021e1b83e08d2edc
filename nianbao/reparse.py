"""The parse stage over the archive: read archived versions back, parse them, store the results.

Only the newest version of each report is parsed (older ones stay in the archive); the
attachments of a report page are parsed when the page itself yielded no numbers. A page's
article pictures (tables as ``<img>``) are read with the page, from their archived versions,
and merged into its result (parsers.page_pictures); a page is parsed again when one of its
pictures was archived after its result was made. A record that cannot be read back is reported and stored as an ``error`` result, never a traceback.

What to parse is selected in SQL (:class:`Plan`) and handed to the engine a chunk at a time,
so that memory does not grow with the number of archived versions.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import nianbao.parsers as parsers
from nianbao.output.records import SUCCESS, ReportCounts
from nianbao.output.results import ResultStore
from nianbao.output.row_table import BATCH, RowTable
from nianbao.parsers.model import Report
from nianbao.parsers.readers.html_images import IMAGE_EXTS
from nianbao.pictures import archived_pictures
from nianbao.scraper.archive import ArchiveReadError, read_response
from nianbao.scraper.state import (ArchivedVersion, linked_versions, newest_pages,
                                   open_read_only, versions_by_id)

log = logging.getLogger("nianbao")

Progress = Callable[[int, str], None]  # (documents done, status of the last one)


@dataclass(slots=True)
class ParseSummary:
    parsed: int = 0
    up_to_date: int = 0
    statuses: Counter = field(default_factory=Counter)  # status -> count, of those parsed now
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    crashed: list[tuple[str, str]] = field(default_factory=list)
    reports: ReportCounts | None = None  # the reports of the folder afterwards, as export counts

    @property
    def documents(self) -> dict[str, int]:
        """What was parsed now, for the run records."""
        return {"parsed": self.parsed, "up_to_date": self.up_to_date,
                "by_status": dict(sorted(self.statuses.items())),
                "unreadable": len(self.unreadable), "crashed": len(self.crashed)}

    @property
    def problems(self) -> int:
        """Documents that could not be processed at all (not: documents that are no report)."""
        return len(self.unreadable) + len(self.crashed)


ParseFn = Callable[..., Report]  # parsers.parse's signature: (data, source=, content_type=)
Problem = tuple[str, str]  # ("unreadable" | "crashed", reason)
Outcome = tuple[ArchivedVersion, Report, "Problem | None"]
Engine = Callable[[Path, list[ArchivedVersion]], Iterator[Outcome]]


def parse_version(data_dir: Path, v: ArchivedVersion,
                  parse_fn: ParseFn | None = None) -> tuple[Report, Problem | None]:
    """Read one archived version back and parse it; never raises for a bad record or a parser
    bug (both become an ``error`` report and a problem). Runs on Dask workers too."""
    try:
        record = read_response(data_dir, v.warc_file, v.warc_offset)
        if hashlib.sha256(record.body).hexdigest() != v.sha256:
            raise ArchiveReadError(f"{v.warc_file} at {v.warc_offset}: content does not match "
                                   "the recorded SHA-256")
    except ArchiveReadError as exc:
        return (Report(source=v.url, sha256=v.sha256, status="error",
                       error=f"archive record unreadable: {exc}"), ("unreadable", str(exc)))
    try:
        if parse_fn is None and v.kind == "report":  # its article pictures from the archive
            return parsers.parse(record.body, source=v.url, content_type=v.content_type,
                                 pictures=archived_pictures(data_dir, v),
                                 source_agency=v.source_agency, source_name=v.source_name), None
        return (parse_fn or parsers.parse)(record.body, source=v.url,
                                           content_type=v.content_type), None
    except Exception as exc:  # a parser bug must not stop the batch; make it loud
        return (Report(source=v.url, sha256=v.sha256, status="error",
                       error=f"parser crashed: {exc!r}"[:300]), ("crashed", repr(exc)))


def serial(data_dir: Path, todo: list[ArchivedVersion]) -> Iterator[Outcome]:
    """The default engine: one document after the other in this process."""
    for v in todo:
        yield (v, *parse_version(data_dir, v))


def _parse_all(data_dir: Path, store: ResultStore, chunks: Iterable[list[ArchivedVersion]],
               summary: ParseSummary, progress: Progress | None, engine: Engine) -> None:
    """Store what the engine yields; the engine yields in ``todo`` order, so that this one
    writer stores results in the same order whatever ran the parsing."""
    for todo in chunks:
        for v, report, problem in engine(data_dir, todo):
            if problem is not None:
                (summary.unreadable if problem[0] == "unreadable" else summary.crashed).append(
                    (v.url, problem[1]))
                log.debug("%s: %s: %s", v.url, problem[0], problem[1])
            store.put(v.id, v.url, v.kind, v.sha256, report, parsers.PARSER_VERSION)
            summary.parsed += 1
            summary.statuses[report.status] += 1
            if report.status not in SUCCESS:
                log.debug("%s: %s: %s", v.url, report.status, report.error)
            if progress:
                progress(1, report.status)


def picture_of(content_type: str | None, final_url: str | None, url: str) -> bool:
    """Whether an archived document of this type at this address is an image."""
    if content_type and content_type.lower().startswith("image/"):
        return True
    name = (final_url or url).split("?", 1)[0].rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in IMAGE_EXTS


CHUNK = 2000  # versions read from the crawl state and handed to the engine at a time
_FIRST = -(1 << 63)  # below every version id (a state may hold negative ones)
# Temporary tables of the result store's connection (SQLite keeps them in a temporary file,
# never in parsed.sqlite): the newest version of each report page, every version of each
# attachment a page links, and the version ids of the pass being run.
_PLAN_DDL = """
CREATE TEMP TABLE plan_pages (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE,
                              sha256 TEXT NOT NULL);
CREATE TEMP TABLE plan_links (id INTEGER PRIMARY KEY, url TEXT NOT NULL, parent TEXT NOT NULL,
                              sha256 TEXT NOT NULL, fetched_at TEXT NOT NULL,
                              picture INTEGER NOT NULL);
CREATE INDEX temp.plan_links_parent ON plan_links (parent, picture, fetched_at);
CREATE TEMP TABLE plan_todo (id INTEGER PRIMARY KEY);
"""
_PLAN_TABLES = ("plan_pages", "plan_links", "plan_todo")
# A stored result ``r`` that is not current for version ``x`` (see results.py): none, another
# parser's, or other bytes'. Parameters: everything, parser version.
_NOT_CURRENT = "(? OR NOT coalesce(r.parser_version = ? AND r.sha256 = x.sha256, 0))"
# output.records.needs_attachment of a stored result ``r``, and whether its page's own parse
# read its pictures (its warnings say so: "pictures: ...")
NEEDS_ATTACHMENT = "(r.status <> 'legacy' AND (r.n_numbers = 0 OR r.origin = 'ocr'))"
_PICTURES_READ = ("EXISTS (SELECT 1 FROM json_each(r.warnings) "
                  "WHERE substr(value, 1, 10) = 'pictures: ')")
_PAGES_TODO = f"""
INSERT INTO temp.plan_todo (id)
SELECT x.id FROM temp.plan_pages x LEFT JOIN main.parsed r ON r.version_id = x.id
WHERE {_NOT_CURRENT} OR r.parsed_at <= (
    SELECT max(a.fetched_at) FROM temp.plan_links a WHERE a.parent = x.url AND a.picture)
"""
# The newest version of each attachment of the pages that want theirs (leaving out the
# pictures a page read itself), when it is not current.
_ATTACHMENTS_TODO = f"""
INSERT INTO temp.plan_todo (id)
SELECT x.id FROM temp.plan_links x JOIN (
    SELECT max(a.id) AS id FROM temp.plan_links a JOIN (
        SELECT p.url, {_PICTURES_READ} AS read FROM temp.plan_pages p
        JOIN main.parsed r ON r.version_id = p.id
        WHERE r.sha256 = p.sha256 AND {NEEDS_ATTACHMENT}) w ON w.url = a.parent
    WHERE NOT (w.read AND a.picture) GROUP BY a.url) n ON n.id = x.id
LEFT JOIN main.parsed r ON r.version_id = x.id
WHERE {_NOT_CURRENT}
"""


class Plan:
    """What a parse has to do, worked out in SQL rather than in lists of the whole archive.

    The crawl state's bookkeeping (version ids, addresses, hashes) is copied into temporary
    tables of the result store's own connection, joined there with the stored results, and
    each pass's version ids are kept in a table read back a chunk at a time. The crawl state is
    only read; neither database file is changed by the plan.
    """

    def __init__(self, data_dir: Path, store: ResultStore, *, everything: bool) -> None:
        self.data_dir = data_dir
        self.db = store.db
        self.params = (everything, parsers.PARSER_VERSION)
        self.close()
        self.db.executescript(_PLAN_DDL)
        state = open_read_only(data_dir)  # read once: the plan works on this snapshot of it
        try:
            self._copy("INSERT INTO temp.plan_pages VALUES (?,?,?)", newest_pages(state))
            self._copy("INSERT INTO temp.plan_links VALUES (?,?,?,?,?,?)",
                       ((vid, url, parent, sha, fetched, picture_of(ctype, final, url))
                        for vid, url, final, ctype, parent, sha, fetched
                        in linked_versions(state)))
        finally:
            state.close()
        self.pages = self.db.execute("SELECT count(*) FROM temp.plan_pages").fetchone()[0]

    def _copy(self, insert: str, rows: Iterable[tuple]) -> None:
        it = iter(rows)
        while batch := list(islice(it, CHUNK)):
            self.db.execute("BEGIN")
            self.db.executemany(insert, batch)
            self.db.execute("COMMIT")

    def _select(self, query: str) -> int:
        """Make ``query``'s version ids the pass to run; returns how many."""
        self.db.execute("DELETE FROM temp.plan_todo")
        self.db.execute(query, self.params)
        return self.db.execute("SELECT count(*) FROM temp.plan_todo").fetchone()[0]

    def pages_todo(self) -> int:
        """Select the report pages to parse: newest versions without a current result, and
        pages whose pictures were archived after their result was made (a picture that failed
        before, or changed: parsed again, though the page itself is unchanged)."""
        return self._select(_PAGES_TODO)

    def attachments_todo(self) -> int:
        """Select the attachments to parse: those of the pages whose stored result (after the
        first pass) wants them, but the pictures such a page read with itself."""
        return self._select(_ATTACHMENTS_TODO)

    def chunks(self, size: int = CHUNK) -> Iterator[list[ArchivedVersion]]:
        """The selected versions, by version id, ``size`` at a time."""
        last = _FIRST
        while ids := [vid for (vid,) in self.db.execute(
                "SELECT id FROM temp.plan_todo WHERE id > ? ORDER BY id LIMIT ?", (last, size))]:
            last = ids[-1]
            state = open_read_only(self.data_dir)
            try:
                todo = versions_by_id(state, ids)
            finally:
                state.close()
            if todo:
                yield todo

    def close(self) -> None:
        for name in _PLAN_TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS temp.{name}")


def parse_archive(data_dir: Path, *, everything: bool = False,
                  progress: Callable[[int], Progress | None] | None = None,
                  engine: Engine = serial, chunk: int = CHUNK) -> ParseSummary:
    """Parse what is new or changed (``everything``: all newest versions again) into the store.

    A result is current when it was made by this parser version from the same bytes, so a
    newer parser re-parses everything on its first run. ``progress(total)`` is called before
    each of the two passes (report pages, then attachments) and returns a per-item callback.
    ``engine`` parses a list of versions (:func:`serial`, or a Dask cluster: nianbao.cluster);
    it is given ``chunk`` versions at a time, in version id order.
    """
    summary = ParseSummary()
    open_read_only(data_dir).close()  # a folder without a crawl: no parsed.sqlite made in it
    with ResultStore(data_dir) as store:
        plan = Plan(data_dir, store, everything=everything)
        try:
            total = plan.pages_todo()
            summary.up_to_date = plan.pages - total
            _parse_all(data_dir, store, plan.chunks(chunk), summary,
                       progress(total) if progress else None, engine)
            total = plan.attachments_todo()
            if total:
                _parse_all(data_dir, store, plan.chunks(chunk), summary,
                           progress(total) if progress else None, engine)
        finally:
            plan.close()
        rows = export_rows(data_dir, store)
        summary.reports = rows.counts()
        store.pack(r.facts_from for part in rows.chunks(BATCH, light=True) for r in part
                   if r.facts_from is not None)
    return summary


def export_rows(data_dir: Path, store: ResultStore) -> RowTable:
    """The folder's reports as the export has them (twins merged); ``chunks`` gives them in
    its order (report id)."""
    from nianbao.collect import load_dataset
    from nianbao.output.same_report import merged

    return merged(load_dataset(data_dir, store))
