"""The parse stage over the archive: read archived versions back, parse them, store the results.

Only the newest version of each report is parsed (older ones stay in the archive); the
attachments of a report page are parsed when the page itself yielded no numbers. A page's
article pictures (tables as ``<img>``) are read with the page, from their archived versions,
and merged into its result (parsers.page_pictures); a page is parsed again when one of its
pictures was archived after its result was made. A record that cannot be read back is reported and stored as an ``error`` result, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nianbao.parsers as parsers
from nianbao.output.records import SUCCESS, ReportCounts, needs_attachment
from nianbao.output.results import ResultStore
from nianbao.output.row_table import BATCH, RowTable
from nianbao.parsers.model import Report
from nianbao.parsers.readers.html_images import IMAGE_EXTS
from nianbao.pictures import archived_pictures
from nianbao.scraper.archive import ArchiveReadError, read_response
from nianbao.scraper.state import ArchivedVersion, archived_versions, open_read_only

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


def newest(versions: Iterable[ArchivedVersion]) -> dict[str, ArchivedVersion]:
    """url -> its newest archived version (highest version id)."""
    out: dict[str, ArchivedVersion] = {}
    for v in versions:
        if v.url not in out or v.id > out[v.url].id:
            out[v.url] = v
    return out


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


def _parse_all(data_dir: Path, store: ResultStore, todo: list[ArchivedVersion],
               summary: ParseSummary, progress: Progress | None, engine: Engine) -> None:
    """Store what the engine yields; the engine yields in ``todo`` order, so that this one
    writer stores results in the same order whatever ran the parsing."""
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


def _versions(data_dir: Path) -> list[ArchivedVersion]:
    db = open_read_only(data_dir)
    try:
        return archived_versions(db)
    finally:
        db.close()


def _todo(versions: Iterable[ArchivedVersion], current: dict[int, str],
          everything: bool, stale: set[int] = frozenset()) -> list[ArchivedVersion]:
    return sorted((v for v in versions
                   if everything or current.get(v.id) != v.sha256 or v.id in stale),
                  key=lambda v: v.id)


def is_picture(v: ArchivedVersion) -> bool:
    """An archived image (an article picture of its page, or an image attachment)."""
    if v.content_type and v.content_type.lower().startswith("image/"):
        return True
    name = (v.final_url or v.url).split("?", 1)[0].rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in IMAGE_EXTS


def _stale_pages(store: ResultStore, pages: dict[str, ArchivedVersion],
                 versions: list[ArchivedVersion]) -> set[int]:
    """Pages whose pictures were archived after the page's result was made (a picture that
    failed before, or changed): parsed again, though the page itself is unchanged."""
    newest_picture: dict[str, str] = {}
    for a in versions:
        if a.kind == "attachment" and a.parent in pages and is_picture(a):
            newest_picture[a.parent] = max(newest_picture.get(a.parent, ""), a.fetched_at)
    if not newest_picture:
        return set()
    made = dict(store.db.execute("SELECT version_id, parsed_at FROM parsed").fetchall())
    return {pages[url].id for url, fetched in newest_picture.items()
            if pages[url].id in made and made[pages[url].id] <= fetched}


def parse_archive(data_dir: Path, *, everything: bool = False,
                  progress: Callable[[int], Progress | None] | None = None,
                  engine: Engine = serial) -> ParseSummary:
    """Parse what is new or changed (``everything``: all newest versions again) into the store.

    A result is current when it was made by this parser version from the same bytes, so a
    newer parser re-parses everything on its first run. ``progress(total)`` is called before
    each of the two passes (report pages, then attachments) and returns a per-item callback.
    ``engine`` parses a list of versions (:func:`serial`, or a Dask cluster: nianbao.cluster).
    """
    summary = ParseSummary()
    versions = _versions(data_dir)
    pages = newest(v for v in versions if v.kind == "report")
    with ResultStore(data_dir) as store:
        current = store.current(parsers.PARSER_VERSION)
        todo = _todo(pages.values(), current, everything, _stale_pages(store, pages, versions))
        summary.up_to_date = len(pages) - len(todo)
        _parse_all(data_dir, store, todo, summary, progress(len(todo)) if progress else None,
                   engine)
        meta = store.metadata(v.id for v in pages.values())
        wanting = {url for url, v in pages.items()
                   if v.id in meta and meta[v.id].sha256 == v.sha256 and needs_attachment(meta[v.id])}
        # The pictures a page's own parse read (its warnings say so) are not read again alone.
        read_with_page = {url for url in wanting if any(
            w.startswith("pictures: ") for w in meta[pages[url].id].warnings)}
        linked = newest(a for a in versions if a.kind == "attachment" and a.parent in wanting
                        and not (a.parent in read_with_page and is_picture(a)))
        todo = _todo(linked.values(), current, everything)
        if todo:
            _parse_all(data_dir, store, todo, summary, progress(len(todo)) if progress else None,
                   engine)
        rows = export_rows(data_dir, store)
        summary.reports = rows.counts()
        store.pack(r.facts_from for part in rows.chunks(BATCH) for r in part
                   if r.facts_from is not None)
    return summary


def export_rows(data_dir: Path, store: ResultStore) -> RowTable:
    """The folder's reports as the export has them (twins merged); ``chunks`` gives them in
    its order (report id)."""
    from nianbao.collect import load_dataset
    from nianbao.output.same_report import merged

    return merged(load_dataset(data_dir, store))
