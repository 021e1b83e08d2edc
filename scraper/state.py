"""Crawl state in SQLite (WAL): what was seen, fetched, how, and where it was archived.

The ``urls`` table doubles as the frontier: a URL is to do in run R when ``seen_run = R`` and
``done_run <> R``. Every fetched document is committed in one transaction together with the
links it revealed, after its WARC record is on disk; so a process killed at any moment
resumes exactly where it was, and nothing that was committed is fetched again in that run.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from nianbao.scraper.sources import Source

DB_NAME = "state.sqlite"
KINDS = {"list": 0, "report": 1, "attachment": 2}

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, interrupted INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY, start TEXT NOT NULL UNIQUE, name TEXT NOT NULL, agency TEXT,
    allow TEXT NOT NULL, last_run INTEGER, status TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id),
    kind TEXT NOT NULL, prio INTEGER NOT NULL, parent TEXT, link_text TEXT,
    first_seen TEXT NOT NULL, seen_run INTEGER NOT NULL, done_run INTEGER NOT NULL DEFAULT 0,
    todo INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS urls_todo ON urls(source_id, prio) WHERE todo = 1;
CREATE INDEX IF NOT EXISTS urls_parent ON urls(parent);
CREATE TABLE IF NOT EXISTS documents (
    url TEXT PRIMARY KEY REFERENCES urls(url), status TEXT NOT NULL, http_status INTEGER,
    final_url TEXT, etag TEXT, last_modified TEXT, sha256 TEXT, size INTEGER,
    content_type TEXT, encoding TEXT, encoding_how TEXT, fetched_at TEXT, error TEXT,
    attempts INTEGER, run INTEGER, versions INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL, final_url TEXT, kind TEXT, run INTEGER,
    http_status INTEGER, etag TEXT, last_modified TEXT, sha256 TEXT NOT NULL, size INTEGER,
    content_type TEXT, encoding TEXT, fetched_at TEXT NOT NULL,
    warc_file TEXT NOT NULL, warc_offset INTEGER NOT NULL, warc_length INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS versions_url ON versions(url);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, committed INTEGER NOT NULL);
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(slots=True)
class Known:
    """What the state knows of a document from earlier runs: validators and hash."""

    etag: str | None
    last_modified: str | None
    sha256: str | None
    final_url: str | None


@dataclass(slots=True)
class Outcome:
    """The result of fetching one document, as stored in ``documents``."""

    status: str  # fetched, unchanged, not_modified, blocked, failed, skipped
    http_status: int | None = None
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    encoding: str | None = None
    encoding_how: str | None = None
    error: str | None = None
    attempts: int = 0


class StateError(Exception):
    """The state database cannot be opened or is not ours."""


class State:
    """A connection to ``<data>/state.sqlite``; one writer (the crawl process) at a time."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_NAME
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=OFF")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: {exc}") from None

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass
        self.db.close()

    # runs ----------------------------------------------------------------------------
    def begin_run(self) -> tuple[int, bool]:
        """The run to work on: the last one if it never finished (resume), else a new one."""
        row = self.db.execute("SELECT id, finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[1] is None:
            return row[0], True
        cur = self.db.execute("INSERT INTO runs(started) VALUES (?)", (now(),))
        return int(cur.lastrowid), False

    def finish_run(self, run: int) -> None:
        self.db.execute("UPDATE runs SET finished=?, interrupted=0 WHERE id=?", (now(), run))

    def mark_interrupted(self, run: int) -> None:
        self.db.execute("UPDATE runs SET interrupted=interrupted+1 WHERE id=?", (run,))

    def reopen_failed(self, run: int) -> int:
        """Make the documents that failed in ``run`` to do again in it (the network was gone:
        their failure says nothing about them). Returns how many."""
        cur = self.db.execute(
            "UPDATE urls SET done_run=0, todo=1 WHERE done_run=? AND url IN "
            "(SELECT url FROM documents WHERE run=? AND status='failed')", (run, run))
        return cur.rowcount

    # sources -------------------------------------------------------------------------
    def upsert_source(self, src: Source, run: int) -> int:
        allow = " ".join(src.allow)
        self.db.execute(
            "INSERT INTO sources(start, name, agency, allow, last_run) VALUES (?,?,?,?,?) "
            "ON CONFLICT(start) DO UPDATE SET name=excluded.name, agency=excluded.agency, "
            "allow=excluded.allow, last_run=excluded.last_run",
            (src.start, src.name, src.agency, allow, run))
        return int(self.db.execute("SELECT id FROM sources WHERE start=?", (src.start,)).fetchone()[0])

    def set_source_status(self, source_id: int, status: str, error: str | None) -> None:
        self.db.execute("UPDATE sources SET status=?, error=? WHERE id=?", (status, error, source_id))

    def source_status(self, source_id: int) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT status, error FROM sources WHERE id=?", (source_id,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    # frontier ------------------------------------------------------------------------
    def see(self, url: str, source_id: int, kind: str, run: int, parent: str | None = None,
            text: str | None = None) -> bool:
        """Record a URL as part of run ``run``; True when it was not yet part of this run."""
        cur = self.db.execute(
            "INSERT INTO urls(url, source_id, kind, prio, parent, link_text, first_seen, seen_run) "
            "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET seen_run=excluded.seen_run, todo=1, "
            "source_id=excluded.source_id, link_text=coalesce(excluded.link_text, link_text) "
            "WHERE urls.seen_run <> excluded.seen_run",
            (url, source_id, kind, KINDS[kind], parent, text or None, now(), run))
        return cur.rowcount > 0

    def pending(self, source_id: int, run: int, limit: int) -> list[tuple[str, str, str | None]]:
        """URLs of a source still to do in this run: lists first, then reports, attachments."""
        return self.db.execute(
            "SELECT url, kind, parent FROM urls WHERE source_id=? AND todo=1 AND seen_run=? "
            "AND done_run<>? ORDER BY prio, rowid LIMIT ?", (source_id, run, run, limit)).fetchall()

    def count_kind(self, source_id: int, run: int, kind: str) -> int:
        return int(self.db.execute(
            "SELECT count(*) FROM urls WHERE source_id=? AND seen_run=? AND kind=?",
            (source_id, run, kind)).fetchone()[0])

    def children(self, parent: str) -> list[tuple[str, str | None]]:
        return self.db.execute("SELECT url, link_text FROM urls WHERE parent=? AND kind='attachment'",
                               (parent,)).fetchall()

    def known(self, url: str) -> Known | None:
        row = self.db.execute("SELECT etag, last_modified, sha256, final_url FROM documents "
                              "WHERE url=?", (url,)).fetchone()
        return Known(*row) if row else None

    # transactions --------------------------------------------------------------------
    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def record(self, url: str, run: int, out: Outcome) -> None:
        """Store the outcome of a document and mark it done for this run (inside a transaction)."""
        self.db.execute(
            "INSERT INTO documents(url, status, http_status, final_url, etag, last_modified, sha256,"
            " size, content_type, encoding, encoding_how, fetched_at, error, attempts, run) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET "
            "status=excluded.status, http_status=excluded.http_status, error=excluded.error, "
            "attempts=excluded.attempts, run=excluded.run, fetched_at=excluded.fetched_at, "
            "final_url=coalesce(excluded.final_url, final_url), "
            "etag=CASE WHEN excluded.status='fetched' THEN excluded.etag ELSE coalesce(excluded.etag, etag) END, "
            "last_modified=CASE WHEN excluded.status='fetched' THEN excluded.last_modified "
            "ELSE coalesce(excluded.last_modified, last_modified) END, "
            "sha256=coalesce(excluded.sha256, sha256), size=coalesce(excluded.size, size), "
            "content_type=coalesce(excluded.content_type, content_type), "
            "encoding=coalesce(excluded.encoding, encoding), "
            "encoding_how=coalesce(excluded.encoding_how, encoding_how)",
            (url, out.status, out.http_status, out.final_url, out.etag, out.last_modified,
             out.sha256, out.size, out.content_type, out.encoding, out.encoding_how, now(),
             out.error, out.attempts, run))
        self.db.execute("UPDATE urls SET done_run=?, todo=0 WHERE url=?", (run, url))

    def mark_done(self, url: str, run: int) -> None:
        self.db.execute("UPDATE urls SET done_run=?, todo=0 WHERE url=?", (run, url))

    def add_version(self, url: str, kind: str, run: int, out: Outcome, warc_file: str,
                    offset: int, length: int, committed: int) -> None:
        """An archived version of a document; also advances the WARC file's committed size."""
        self.db.execute(
            "INSERT INTO versions(url, final_url, kind, run, http_status, etag, last_modified,"
            " sha256, size, content_type, encoding, fetched_at, warc_file, warc_offset, warc_length)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (url, out.final_url, kind, run, out.http_status, out.etag, out.last_modified,
             out.sha256, out.size, out.content_type, out.encoding, now(), warc_file, offset, length))
        self.db.execute("UPDATE documents SET versions=versions+1 WHERE url=?", (url,))
        self.set_committed(warc_file, committed)

    def set_committed(self, name: str, committed: int) -> None:
        self.db.execute("INSERT INTO warc_files(name, committed) VALUES (?,?) ON CONFLICT(name) "
                        "DO UPDATE SET committed=max(committed, excluded.committed)", (name, committed))

    def forget_versions_after(self, name: str, size: int) -> int:
        """Drop versions stored past ``size`` in WARC file ``name`` (lost to a power cut).

        Their documents lose hash and validators and are marked not done, so that the next
        run fetches them in full again. Returns how many versions were dropped.
        """
        rows = self.db.execute("SELECT id, url FROM versions WHERE warc_file=? AND "
                               "warc_offset + warc_length > ?", (name, size)).fetchall()
        self.begin()
        try:
            for vid, url in rows:
                self.db.execute("DELETE FROM versions WHERE id=?", (vid,))
                self.db.execute("UPDATE documents SET sha256=NULL, etag=NULL, last_modified=NULL, "
                                "versions=max(versions-1, 0) WHERE url=?", (url,))
                self.db.execute("UPDATE urls SET done_run=0, todo=1 WHERE url=?", (url,))
            self.db.execute("UPDATE warc_files SET committed=? WHERE name=?", (size, name))
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return len(rows)

    def warc_files(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT name, committed FROM warc_files").fetchall())

    # summary -------------------------------------------------------------------------
    def run_counts(self, run: int) -> list[tuple[str, str, str | None, int]]:
        """(kind, status, error, count) of every document done in ``run``."""
        return self.db.execute(
            "SELECT u.kind, d.status, d.error, count(*) FROM urls u JOIN documents d ON d.url=u.url "
            "WHERE u.done_run=? AND d.run=? GROUP BY u.kind, d.status, d.error",
            (run, run)).fetchall()


# read-only views for the later stages (parse, export, status) ----------------------------

@dataclass(slots=True)
class ArchivedVersion:
    """One archived version of a report or attachment, with where it came from."""

    id: int
    url: str
    final_url: str | None
    kind: str
    run: int | None
    sha256: str
    content_type: str | None
    fetched_at: str
    warc_file: str
    warc_offset: int
    parent: str | None
    source_start: str | None
    source_name: str | None
    source_agency: str | None


def connect_read_only(path: Path, probe: str) -> sqlite3.Connection:
    """A connection that reads the SQLite file ``path`` and creates or changes no file.

    A WAL database opened ``mode=ro`` gets ``-wal`` and ``-shm`` files beside it, left behind;
    in a folder that cannot be written (read-only media) it cannot be opened at all. So, when
    no ``-wal`` file is there (no writer is connected: a connected writer always has one), the
    file is opened ``immutable``; else through the writer's WAL, as a reader must. ``probe``
    is a query run at once, so that a file that is not ours fails here.
    """
    wal_there = any(Path(f"{path}{ext}").exists() for ext in ("-wal", "-shm"))
    base = f"file:{quote(str(path))}?mode=ro"
    uris = [base, base + "&immutable=1"] if wal_there else [base + "&immutable=1"]
    if wal_there and not os.access(path.parent, os.W_OK):
        uris.reverse()  # read-only media with a WAL copied along: reading it needs a -shm
    for i, uri in enumerate(uris):
        try:
            db = sqlite3.connect(uri, uri=True, timeout=30)
            db.execute(probe).fetchone()
            return db
        except sqlite3.OperationalError:
            if i + 1 == len(uris):
                raise
            db.close()
    raise AssertionError("unreachable")  # pragma: no cover


def open_read_only(data_dir: Path) -> sqlite3.Connection:
    """A read-only connection to ``<data>/state.sqlite``, safe while a crawl is writing, and
    writing nothing in the data folder (which may be on read-only media)."""
    path = Path(data_dir) / DB_NAME
    if not path.is_file():
        raise StateError(f"{path}: no crawl state here (run `nianbao crawl` or `nianbao run` first)")
    try:
        return connect_read_only(path, "SELECT count(*) FROM versions")
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path}: {exc}") from None


def archived_versions(db: sqlite3.Connection, kinds: tuple[str, ...] = ("report", "attachment")
                      ) -> list[ArchivedVersion]:
    """Every archived version of the given kinds, oldest first (by version id)."""
    marks = ",".join("?" * len(kinds))
    rows = db.execute(
        "SELECT v.id, v.url, v.final_url, v.kind, v.run, v.sha256, v.content_type, v.fetched_at, "
        "v.warc_file, v.warc_offset, u.parent, s.start, s.name, s.agency FROM versions v "
        "LEFT JOIN urls u ON u.url = v.url LEFT JOIN sources s ON s.id = u.source_id "
        f"WHERE v.kind IN ({marks}) ORDER BY v.id", kinds).fetchall()
    return [ArchivedVersion(*row) for row in rows]


def newest_versions(db: sqlite3.Connection, kind: str, *, by_parent: bool = False
                    ) -> Iterator[ArchivedVersion]:
    """The newest archived version (highest id) of every URL of ``kind``, by URL or, with
    ``by_parent``, by the page that links it: read as they are needed, never all at once."""
    order = "u.parent, v.url" if by_parent else "v.url"
    cursor = db.execute(
        "SELECT v.id, v.url, v.final_url, v.kind, v.run, v.sha256, v.content_type, v.fetched_at, "
        "v.warc_file, v.warc_offset, u.parent, s.start, s.name, s.agency FROM versions v "
        "JOIN (SELECT max(id) AS id FROM versions WHERE kind = ? GROUP BY url) n ON n.id = v.id "
        "LEFT JOIN urls u ON u.url = v.url LEFT JOIN sources s ON s.id = u.source_id "
        f"ORDER BY {order}", (kind,))
    while rows := cursor.fetchmany(1000):
        yield from (ArchivedVersion(*row) for row in rows)


_VERSION = ("SELECT v.id, v.url, v.final_url, v.kind, v.run, v.sha256, v.content_type, "
            "v.fetched_at, v.warc_file, v.warc_offset, u.parent, s.start, s.name, s.agency "
            "FROM versions v LEFT JOIN urls u ON u.url = v.url "
            "LEFT JOIN sources s ON s.id = u.source_id")


def versions_by_id(db: sqlite3.Connection, ids: list[int]) -> list[ArchivedVersion]:
    """The archived versions of ``ids`` (those the state still holds), by version id: the
    parse stage reads its work a chunk at a time, not every version at once."""
    out: list[ArchivedVersion] = []
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[start:start + 500]
        out += (ArchivedVersion(*row) for row in db.execute(
            f"{_VERSION} WHERE v.id IN ({','.join('?' * len(part))})", part))
    return sorted(out, key=lambda v: v.id)


def newest_pages(db: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(version id, url, sha256) of the newest archived version of every report page, in no
    particular order, read as they are needed."""
    cursor = db.execute(
        "SELECT v.id, v.url, v.sha256 FROM versions v JOIN (SELECT max(id) AS id FROM versions "
        "WHERE kind = 'report' GROUP BY url) n ON n.id = v.id")
    while rows := cursor.fetchmany(1000):
        yield from rows


def linked_versions(db: sqlite3.Connection
                    ) -> Iterator[tuple[int, str, str | None, str | None, str, str, str]]:
    """(version id, url, final url, content type, parent, sha256, fetched at) of every archived
    version of every attachment a page links (old versions too), read as they are needed."""
    cursor = db.execute(
        "SELECT v.id, v.url, v.final_url, v.content_type, u.parent, v.sha256, v.fetched_at "
        "FROM versions v JOIN urls u ON u.url = v.url "
        "WHERE v.kind = 'attachment' AND u.parent IS NOT NULL")
    while rows := cursor.fetchmany(1000):
        yield from rows


def version_sizes(db: sqlite3.Connection, ids: list[int]) -> dict[int, int]:
    """version id -> size in bytes (0 when unknown) of the versions ``ids``."""
    out: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        out.update((vid, size or 0) for vid, size in db.execute(
            f"SELECT id, size FROM versions WHERE id IN ({','.join('?' * len(part))})", part))
    return out


def document_counts(db: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(kind, status, count) of every document the state knows."""
    return db.execute("SELECT u.kind, d.status, count(*) FROM documents d JOIN urls u "
                      "ON u.url = d.url GROUP BY 1, 2 ORDER BY 1, 2").fetchall()


def source_overview(db: sqlite3.Connection) -> list[tuple]:
    """Per source: name, start, status, error, last run's start and finish, archived reports."""
    # the reports counted for all sources in one pass (a count per source scanned every version)
    return db.execute(
        "SELECT s.name, s.start, s.status, s.error, r.started, r.finished, coalesce(n.reports, 0) "
        "FROM sources s LEFT JOIN runs r ON r.id = s.last_run LEFT JOIN "
        "(SELECT u.source_id, count(DISTINCT v.url) AS reports FROM versions v JOIN urls u "
        " ON u.url = v.url WHERE v.kind = 'report' GROUP BY u.source_id) n ON n.source_id = s.id "
        "ORDER BY s.name, s.start").fetchall()
