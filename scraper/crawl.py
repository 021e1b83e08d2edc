"""Orchestration: walk each source's column, fetch reports and attachments, archive, record.

Each source gets a few workers (one per allowed host, at most four) that take URLs from the
state's frontier; the fetcher keeps hosts polite and the global concurrency bounded.
Archiving and the state commit of one document happen with no ``await`` in between, so the
WARC and the database can never disagree by more than a record a kill cut in half.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from nianbao.parsers.readers.decode import DecodeError, decode
from nianbao.scraper import archive as warc
from nianbao.scraper.discover import (COLUMN_MARK, MAX_DISCOVERY_PAGES, discovery_links, hanweb_post,
                              is_html, is_json, missing_page_successor, parse_mark,
                              scan_list_page, scan_navigation, scan_report_page)
from nianbao.scraper.fetch import Fetcher, FetchSettings, Response
from nianbao.scraper.network import NetworkWatch
from nianbao.scraper.sources import Source
from nianbao.scraper.state import Outcome, State
from nianbao.scraper.urls import host_of, is_allowed

_SCAN_LIMIT = 20 * 1024 * 1024
_ATTEMPTS = re.compile(r" after \d+ attempts?$")


class CrawlError(Exception):
    """The crawl cannot start (data folder unusable, another crawl running)."""


@dataclass(slots=True)
class CrawlSettings:
    data_dir: Path
    fetch: FetchSettings = field(default_factory=FetchSettings)
    max_list_pages: int = 500
    fsync_every: float = 1.0
    warc_max_bytes: int = 1 << 30


@dataclass(slots=True)
class Event:
    """Something worth telling the user: a document done, a source started or finished."""

    what: str  # document, source_start, source_done; network: answered, offline
    source: Source
    url: str = ""
    kind: str = ""
    outcome: Outcome | None = None
    index: int = 0
    total: int = 0


@dataclass(slots=True)
class Summary:
    run: int = 0
    resumed: bool = False
    pages: int = 0
    reports: int = 0
    attachments: int = 0
    not_modified: int = 0
    blocked: int = 0
    failed: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    sources: int = 0
    sources_failed: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False
    recovered_bytes: int = 0
    lost_versions: int = 0
    notes: list[str] = field(default_factory=list)
    no_network: str | None = None  # what failed, when no host answered (the crawl stopped)


@dataclass(slots=True)
class _SourceRun:
    src: Source
    source_id: int
    fingerprints: set[int] = field(default_factory=set)
    inflight: set[str] = field(default_factory=set)
    queue: deque = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    lists: int = 0  # list pages seen in this run, against max_list_pages
    limit_hit: bool = False
    roots: dict[str, str] = field(default_factory=dict)  # list page -> its column's first page
    discovered: int = 0  # section pages and columns found by discovery in this run
    seeded: bool = False  # columns discovered in an earlier run were queued: no section hops


def _reason(error: str | None) -> str:
    return _ATTEMPTS.sub("", error or "unknown")


class Crawler:
    """One crawl of a list of sources into ``settings.data_dir``."""

    def __init__(self, settings: CrawlSettings, sources: list[Source],
                 progress: Callable[[Event], None] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.sources = sources
        self.progress = progress or (lambda e: None)
        self.transport = transport
        self.state: State | None = None
        self.archive: warc.ArchiveWriter | None = None
        self.fetcher: Fetcher | None = None
        self.run_id = 0
        self._lock_fd: int | None = None
        self.last_summary: Summary | None = None
        self._notes: list[str] = []
        self.network = NetworkWatch(len({host_of(s.start) for s in sources}))
        self.network.on_change = self._network_change
        self._offline: asyncio.Event | None = None

    def _network_change(self, what: str) -> None:
        """The first answer (progress lines may be shown) or the verdict "no network" (stop)."""
        if what == "offline" and self._offline is not None:
            self._offline.set()
        if self.sources:
            self.progress(Event("network", self.sources[0], outcome=None, kind=what,
                                url=self.network.describe() if what == "offline" else ""))

    # setup ---------------------------------------------------------------------------
    def _lock(self) -> None:
        data = Path(self.settings.data_dir)
        try:
            data.mkdir(parents=True, exist_ok=True)
            fd = os.open(data / ".crawl.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise CrawlError(f"cannot use data folder {data}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise CrawlError(f"another crawl is using {data}") from None
        self._lock_fd = fd

    def _recover(self) -> tuple[int, int]:
        """Make archive and state agree again after a kill or a power cut.

        Bytes written after the last state commit (a killed process) are cut away. If a file is
        shorter than the state says (a power cut lost its unsynced tail), the versions it lost
        are forgotten so that their documents are fetched again. Returns (bytes cut, lost).
        """
        assert self.state is not None
        committed = self.state.warc_files()
        removed = lost = 0
        for path in warc.archive_files(self.settings.data_dir):
            size = path.stat().st_size
            if path.name not in committed:  # not written under this state: only drop a torn tail
                valid = warc.valid_length(path)
                removed += warc.truncate_to(path, valid)
                self.state.set_committed(path.name, valid)  # scanned once, not on every run
            elif size >= committed[path.name]:
                removed += warc.truncate_to(path, committed[path.name])
            else:
                valid = warc.valid_length(path)
                removed += warc.truncate_to(path, valid)
                lost += self.state.forget_versions_after(path.name, valid)
        return removed, lost

    # main ----------------------------------------------------------------------------
    async def run(self) -> Summary:
        """Crawl every source; on cancellation (Ctrl-C) state is saved and the run stays open."""
        self._lock()
        summary = Summary()
        try:
            self.state = State(self.settings.data_dir)
            summary.recovered_bytes, summary.lost_versions = self._recover()
            self.run_id, summary.resumed = self.state.begin_run()
            summary.run = self.run_id
            self.archive = warc.ArchiveWriter(
                self.settings.data_dir, max_bytes=self.settings.warc_max_bytes,
                fsync_every=self.settings.fsync_every, on_new_file=self.state.set_committed)
            self.fetcher = Fetcher(self.settings.fetch, transport=self.transport,
                                   network=self.network)
            self._offline = asyncio.Event()
            active = asyncio.Semaphore(max(4, self.settings.fetch.concurrency * 4))
            total = len(self.sources)

            async def one(i: int, src: Source) -> None:
                async with active:
                    await self._crawl_source(src, i, total)

            tasks = [asyncio.ensure_future(one(i, s)) for i, s in enumerate(self.sources, 1)]
            offline = asyncio.ensure_future(self._offline.wait())
            try:
                remaining = set(tasks)
                while remaining and not offline.done():
                    done, _ = await asyncio.wait(remaining | {offline},
                                                 return_when=asyncio.FIRST_COMPLETED)
                    remaining -= done
                    for task in done - {offline}:
                        task.result()  # a fatal error (archive not writable) stops the crawl
                if offline.done() or self.network.offline(finished=True):
                    # No host answered: the rest would fail the same way, slowly. The run is
                    # left open and what failed is to do again, so that the next run resumes
                    # where the network went missing.
                    summary.no_network = self.network.describe()
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    self.state.rollback()
                    self.state.reopen_failed(self.run_id)
                    self.state.mark_interrupted(self.run_id)
                    return summary
            except BaseException:
                summary.interrupted = True
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self.state.rollback()
                self.state.mark_interrupted(self.run_id)
                raise
            finally:
                offline.cancel()
            self.state.finish_run(self.run_id)
        finally:
            if self.fetcher is not None:
                await asyncio.shield(self.fetcher.aclose())
            if self.archive is not None:
                self.archive.close()
            if self.state is not None:
                if self.run_id:
                    self._summarise(summary)
                self.state.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
            self.last_summary = summary
        return summary

    def _summarise(self, summary: Summary) -> None:
        assert self.state is not None
        for kind, status, error, n in self.state.run_counts(self.run_id):
            if status in ("fetched", "unchanged") and kind == "list":
                summary.pages += n
            elif status == "fetched" and kind == "report":
                summary.reports += n
            elif status == "fetched" and kind == "attachment":
                summary.attachments += n
            elif status in ("unchanged", "not_modified"):
                summary.not_modified += n
            elif status == "blocked":
                summary.blocked += n
            elif status == "failed":
                summary.failed[_reason(error)] += n
            elif status == "skipped":
                summary.skipped[_reason(error)] += n
        summary.sources = len(self.sources)
        summary.notes = list(self._notes)
        for src in self.sources:
            row = self.state.db.execute("SELECT status, error FROM sources WHERE start=?",
                                        (src.start,)).fetchone()
            if row and row[0] in ("failed", "blocked"):
                summary.sources_failed.append((src.name, f"{row[0]}: {row[1]}"))

    # one source ----------------------------------------------------------------------
    async def _crawl_source(self, src: Source, index: int, total: int) -> None:
        assert self.state is not None
        source_id = self.state.upsert_source(src, self.run_id)
        sr = _SourceRun(src, source_id)
        if self.state.see(src.start, source_id, "list", self.run_id):
            self.state.set_source_status(source_id, "running", None)
        sr.lists = self.state.count_kind(source_id, self.run_id, "list")
        self._seed_columns(sr)
        self.progress(Event("source_start", src, index=index, total=total))
        workers = max(1, min(4, len(src.allow)))
        await asyncio.gather(*(self._worker(sr) for _ in range(workers)))
        status, _ = self.state.source_status(source_id)
        if status == "running":
            self.state.set_source_status(source_id, "ok", None)
        if sr.limit_hit:
            self._notes.append(f"{src.name}: stopped after {self.settings.max_list_pages} list "
                               "pages (more were announced)")
        self.progress(Event("source_done", src, index=index, total=total))

    def _seed_columns(self, sr: _SourceRun) -> None:
        """Queue the columns discovery found in earlier runs (and read last time) and count the
        discovery pages of this run, so that a re-run starts from the known column."""
        db = self.state.db
        known = db.execute(
            "SELECT u.url, u.parent, u.link_text FROM urls u JOIN documents d ON d.url=u.url "
            "WHERE u.source_id=? AND u.kind='list' AND substr(u.link_text, 1, ?)=? "
            "AND d.status IN ('fetched', 'unchanged', 'not_modified')",
            (sr.source_id, len(COLUMN_MARK), COLUMN_MARK)).fetchall()
        if known:
            self.state.begin()
            try:
                for url, parent, text in known:
                    self.state.see(url, sr.source_id, "list", self.run_id, parent=parent, text=text)
                self.state.commit()
            except BaseException:
                self.state.rollback()
                raise
            sr.seeded = True
        sr.discovered = sum(1 for (text,) in db.execute(
            "SELECT link_text FROM urls WHERE source_id=? AND seen_run=? AND kind='list' "
            "AND link_text IS NOT NULL", (sr.source_id, self.run_id)) if parse_mark(text))

    def _list_role(self, sr: _SourceRun, url: str) -> tuple[str, int, str]:
        """(role, depth, column root) of a list page: ``start``, ``section``, ``column`` or a
        further ``page`` of a column; the root is the column's first page (paging is relative
        to it). Roles live in the state's link_text, so they survive a kill."""
        if url == sr.src.start:
            return "start", 0, url
        row = self.state.db.execute("SELECT link_text, parent FROM urls WHERE url=?", (url,)).fetchone()
        mark = parse_mark(row[0]) if row else None
        if mark:
            return mark[0], mark[1], url
        if url not in sr.roots:
            sr.roots[url] = self._root_of(sr, row[1] if row else None)
        return "page", 0, sr.roots[url]

    def _root_of(self, sr: _SourceRun, parent: str | None) -> str:
        """Walk up the parents of a list page (after a resume) to its column's first page."""
        seen: set[str] = set()
        while parent and parent not in seen and parent != sr.src.start:
            if parent in sr.roots:
                return sr.roots[parent]
            seen.add(parent)
            row = self.state.db.execute("SELECT link_text, parent FROM urls WHERE url=?",
                                        (parent,)).fetchone()
            if row is None or parse_mark(row[0]):
                return parent
            parent = row[1]
        return sr.src.start

    def _discover(self, sr: _SourceRun, url: str, text: str, depth: int,
                  found_reports: bool) -> list[tuple[str, str, str | None]]:
        """Links towards the report column from the start or a section page (bounded)."""
        nav = scan_navigation(url, text)
        allowed = lambda u: is_allowed(u, sr.src.allow) and u != sr.src.start  # noqa: E731
        nav.columns = [c for c in nav.columns if allowed(c.url)]
        nav.sections = [s for s in nav.sections if allowed(s.url)]
        found = discovery_links(nav, depth, found_reports, MAX_DISCOVERY_PAGES - sr.discovered,
                                follow_sections=not sr.seeded)
        sr.discovered += len(found)
        return [(u, "list", mark) for u, mark in found]

    async def _worker(self, sr: _SourceRun) -> None:
        assert self.state is not None
        while True:
            if not sr.queue:
                sr.queue.extend(row for row in self.state.pending(
                    sr.source_id, self.run_id, len(sr.inflight) + 32) if row[0] not in sr.inflight)
            if not sr.queue:
                if not sr.inflight:
                    sr.wake.set()
                    return
                sr.wake.clear()
                await sr.wake.wait()
                continue
            url, kind, _parent = sr.queue.popleft()
            sr.inflight.add(url)
            try:
                await self._process(sr, url, kind)
            except (asyncio.CancelledError, CrawlError):
                raise
            except Exception as exc:  # a bug must not stop the other documents; make it loud
                self.state.rollback()
                self._commit(sr, url, kind, Outcome("failed", error=f"internal error: {exc!r}"[:300]))
            finally:
                sr.inflight.discard(url)
                sr.wake.set()

    # one document --------------------------------------------------------------------
    async def _process(self, sr: _SourceRun, url: str, kind: str) -> None:
        assert self.state is not None and self.fetcher is not None
        allowed = lambda u: is_allowed(u, sr.src.allow)  # noqa: E731
        if not allowed(url):
            self._commit(sr, url, kind, Outcome("skipped", error="outside allow"))
            return
        if not await self.fetcher.robots_allows(url):
            self._commit(sr, url, kind, Outcome("skipped", error="robots.txt disallows"))
            return
        known = self.state.known(url)
        validators = known if known and kind != "list" else None
        post = hanweb_post(url) if kind == "list" else None
        target, form = post if post else (url, None)
        resp = await self.fetcher.fetch(target, allowed, etag=validators.etag if validators else None,
                                        last_modified=validators.last_modified if validators else None,
                                        form=form)
        if post and resp.final_url == target:
            resp.final_url = url  # the frontier URL names the request: window and form fields
        try:
            self._handle(sr, url, kind, resp, known.sha256 if known else None)
        finally:
            resp.close()

    def _handle(self, sr: _SourceRun, url: str, kind: str, resp: Response,
                old_hash: str | None) -> None:
        """Everything after the network, with no await: archive, scan, commit."""
        assert self.state is not None and self.archive is not None
        out = Outcome("failed", http_status=resp.status, final_url=resp.final_url,
                      attempts=resp.attempts)
        if resp.blocked:
            out.status, out.error = "blocked", resp.blocked
            self._commit(sr, url, kind, out)
            return
        if resp.error:
            out.error = resp.error
            self._commit(sr, url, kind, out)
            return
        if resp.status == 304:
            out.status = "not_modified"
            links = [(u, "attachment", t) for u, t in self.state.children(url)]
            self._commit(sr, url, kind, out, links)
            return
        successor = missing_page_successor(url) if kind == "list" and resp.status == 404 else None
        if successor:
            # A CMS that numbers pages from 2: index_1 is absent, not a failed page.
            out.status, out.error = "skipped", "list page absent (HTTP 404)"
            self._commit(sr, url, kind, out, [(successor, "list", None)])
            return
        if resp.status is None or not 200 <= resp.status < 300:
            out.error = f"HTTP {resp.status}"
            self._commit(sr, url, kind, out)
            return
        ctype = resp.headers.get("content-type")
        out.content_type = ctype
        out.etag = resp.headers.get("etag")
        out.last_modified = resp.headers.get("last-modified")
        out.sha256, out.size = resp.sha256, resp.size
        links: list[tuple[str, str, str | None]] = []
        follow_pages = True
        scannable = is_html(ctype, resp.final_url) or kind == "list" and is_json(ctype)
        if scannable and kind != "attachment" and resp.size <= _SCAN_LIMIT:
            data = resp.read()
            try:
                decoded = decode(data, ctype)
                out.encoding, out.encoding_how = decoded.encoding, decoded.how
                text = decoded.text
            except DecodeError as exc:
                text = None
                out.error = f"undecodable: {exc}"
            if text is not None and kind == "list":
                role, depth, root = self._list_role(sr, url)
                scan = scan_list_page(resp.final_url, text, root)
                follow_pages = role in ("start", "column") or scan.fingerprint not in sr.fingerprints
                sr.fingerprints.add(scan.fingerprint)
                links += [(r.url, "report", r.text) for r in scan.reports]
                if follow_pages and role != "section":  # a section page is not a column
                    links += [(p, "list", None) for p in scan.pages]
                    sr.roots.update((p, root) for p in scan.pages)
                if role in ("start", "section"):
                    links += self._discover(sr, resp.final_url, text, depth, bool(scan.reports))
            elif text is not None and kind == "report":
                links += [(a.url, "attachment", a.text) for a in scan_report_page(resp.final_url, text)]
        stored = None
        post = hanweb_post(url) if resp.method == "POST" else None
        if resp.sha256 == old_hash:
            out.status = "unchanged"
        else:
            out.status = "fetched"
            extra = {"WARC-Nianbao-Kind": kind, "WARC-Nianbao-Source": sr.src.start,
                     "WARC-Nianbao-Run": str(self.run_id),
                     "WARC-Nianbao-Requested-URI": url if url != resp.final_url else "",
                     "WARC-Nianbao-Encoding": out.encoding or "",
                     "WARC-Nianbao-Form": urlencode(post[1]) if post else ""}
            try:
                stored = self._write_archive(resp, url, kind, extra)
            except OSError as exc:
                raise CrawlError(f"cannot write the archive in {self.settings.data_dir}: "
                                 f"{exc.strerror or exc}") from None
        self._commit(sr, url, kind, out, links, stored)

    def _write_archive(self, resp: Response, url: str, kind: str,
                       extra: dict[str, str]) -> warc.Stored:
        assert self.archive is not None and resp.status is not None
        sent = resp.url if resp.method == "POST" else resp.final_url
        path = sent.split("://", 1)[1]
        path = path[path.find("/"):] if "/" in path else "/"
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw]
        return self.archive.write(
            url=resp.final_url, method_line=f"{resp.method} {path} HTTP/1.1",
            request_headers=resp.request_headers, status=resp.status, reason=resp.reason_phrase,
            response_headers=headers, body=resp.body, size=resp.size, extra=extra)

    def _commit(self, sr: _SourceRun, url: str, kind: str, out: Outcome,
                links: list[tuple[str, str, str | None]] = (), stored: warc.Stored | None = None
                ) -> None:
        """One transaction: the outcome, the archived version, the links it revealed."""
        st = self.state
        assert st is not None and self.archive is not None
        st.begin()
        try:
            st.record(url, self.run_id, out)
            if stored is not None:
                st.add_version(url, kind, self.run_id, out, stored.file, stored.offset,
                               stored.length, self.archive.position())
            if out.final_url and out.final_url != url and is_allowed(out.final_url, sr.src.allow):
                st.see(out.final_url, sr.source_id, kind, self.run_id, parent=url)
                st.mark_done(out.final_url, self.run_id)
            new_lists = 0
            for link, link_kind, text in links:
                if not is_allowed(link, sr.src.allow):
                    if link_kind != "list" and st.see(link, sr.source_id, link_kind, self.run_id,
                                                      parent=url, text=text):
                        # Never fetched, but listed, so that a missing allow entry shows.
                        st.record(link, self.run_id, Outcome("skipped", error="outside allow"))
                    continue
                if link_kind == "list":
                    if sr.lists + new_lists >= self.settings.max_list_pages:
                        sr.limit_hit = True
                        continue
                    if st.see(link, sr.source_id, "list", self.run_id, parent=url, text=text):
                        new_lists += 1
                else:
                    st.see(link, sr.source_id, link_kind, self.run_id, parent=url, text=text)
            if url == sr.src.start and out.status in ("blocked", "failed", "skipped"):
                st.set_source_status(sr.source_id, out.status, out.error)
            elif url == sr.src.start:  # also when a resumed run fetches what failed before
                st.set_source_status(sr.source_id, "running", None)
            st.commit()
        except BaseException:
            st.rollback()
            raise
        sr.lists += new_lists
        self.progress(Event("document", sr.src, url=url, kind=kind, outcome=out))
