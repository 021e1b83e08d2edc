"""``nianbao merge``: the data folders of shard crawls joined into one, without duplicates.

Each shard crawls its own hosts into its own folder (``crawl --shard K/N``). Merging copies
(or hard-links) their WARC files into the target and adds their crawl state: runs, sources,
URLs with their documents, and archived versions, with ids renumbered in the target. A URL
fetched in several folders keeps the history of the folder that fetched it last, and nothing
older than what the target already has is added; merging the same folders again adds only
what is new since (versions are known by URL, hash and fetch time). The WARC files are placed
first and the state is written in one transaction, so a merge stopped at any moment leaves the
target as it was, plus some files that the next merge reuses. Parse results are not merged:
``nianbao parse --data INTO`` parses what the target has not parsed yet.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.scraper.archive import WARC_DIR, archive_files
from nianbao.scraper.state import State, open_read_only

HEAD = 4096  # bytes compared to tell a grown copy of a WARC file from another file of its name
MERGED = """CREATE TABLE IF NOT EXISTS merged_runs (
    origin TEXT NOT NULL, run INTEGER NOT NULL, into_run INTEGER NOT NULL,
    PRIMARY KEY (origin, run))"""


class MergeError(Exception):
    """The folders cannot be merged as asked (e.g. the target is one of the sources)."""


@dataclass(slots=True)
class MergeSummary:
    folders: int = 0
    versions: int = 0  # archived versions added
    older: int = 0  # versions left out: another folder (or the target) has a newer one
    warc_files: int = 0  # files copied or linked now
    urls: int = 0  # URLs added or updated
    warnings: list[str] = field(default_factory=list)


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(HEAD)


def _place_warc(src: Path, warc_dir: Path, link: bool, summary: MergeSummary) -> str:
    """Put ``src`` in the target's archive; returns its name there. A file of the same name
    that starts with the same bytes is the same file (perhaps shorter: it grew since)."""
    name = src.name
    target = warc_dir / name
    if target.exists() and _head(target) != _head(src):  # another crawl's file of that name
        import hashlib

        tag = hashlib.sha1(_head(src)).hexdigest()[:8]
        name = name.replace(".warc.gz", f"-{tag}.warc.gz")
        target = warc_dir / name
    if target.exists() and target.stat().st_size >= src.stat().st_size:
        return name
    tmp = warc_dir / f".{name}.merging"
    tmp.unlink(missing_ok=True)
    if link:
        try:
            os.link(src, tmp)
        except OSError as exc:
            summary.warnings.append(f"{src}: cannot hard-link ({exc.strerror}); copied instead")
            shutil.copyfile(src, tmp)
    else:
        shutil.copyfile(src, tmp)
    os.replace(tmp, target)
    summary.warc_files += 1
    return name


class _Merger:
    def __init__(self, into: Path, link: bool) -> None:
        self.into = into
        self.link = link
        self.state = State(into)
        self.db = self.state.db
        self.db.execute(MERGED)
        self.db.row_factory = sqlite3.Row
        self.summary = MergeSummary()
        self.cols = {t: _columns(self.db, t) for t in ("runs", "sources", "urls", "documents",
                                                       "versions")}
        self.known = {(r["url"], r["sha256"], r["fetched_at"]) for r in
                      self.db.execute("SELECT url, sha256, fetched_at FROM versions")}
        self.newest: dict[str, str] = dict(self.db.execute(
            "SELECT url, max(fetched_at) FROM versions GROUP BY url").fetchall())
        self.doc_time: dict[str, str | None] = dict(self.db.execute(
            "SELECT u.url, d.fetched_at FROM urls u LEFT JOIN documents d ON d.url = u.url"
        ).fetchall())

    def close(self) -> None:
        self.db.row_factory = None
        self.state.close()

    def _insert(self, table: str, row: dict) -> int:
        cols = [c for c in self.cols[table] if c in row]
        marks = ",".join("?" * len(cols))
        cur = self.db.execute(f"INSERT OR REPLACE INTO {table}({','.join(cols)}) VALUES ({marks})",
                              [row[c] for c in cols])
        return int(cur.lastrowid)

    def runs(self, origin: str, src: sqlite3.Connection) -> dict[int, int]:
        """The source's runs as runs of the target (added once, updated when merged again)."""
        mapping = {}
        for r in src.execute("SELECT * FROM runs ORDER BY id"):
            got = self.db.execute("SELECT into_run FROM merged_runs WHERE origin=? AND run=?",
                                  (origin, r["id"])).fetchone()
            if got:
                self.db.execute("UPDATE runs SET finished=?, interrupted=? WHERE id=?",
                                (r["finished"], r["interrupted"], got[0]))
                mapping[r["id"]] = got[0]
                continue
            new = self.db.execute("INSERT INTO runs(started, finished, interrupted) VALUES (?,?,?)",
                                  (r["started"], r["finished"], r["interrupted"])).lastrowid
            self.db.execute("INSERT INTO merged_runs VALUES (?,?,?)", (origin, r["id"], new))
            mapping[r["id"]] = int(new)
        return mapping

    def sources(self, src: sqlite3.Connection, runs: dict[int, int]) -> dict[int, int]:
        """The source's sources as sources of the target (known by start URL); the settings
        of the folder that crawled a source last are kept."""
        mapping = {}
        for r in src.execute("SELECT * FROM sources ORDER BY id"):
            row = dict(r)
            row["last_run"] = runs.get(row["last_run"]) if row["last_run"] else None
            old = self.db.execute("SELECT s.id, r.started FROM sources s LEFT JOIN runs r "
                                  "ON r.id = s.last_run WHERE s.start=?", (row["start"],)).fetchone()
            mine = self.db.execute("SELECT started FROM runs WHERE id=?",
                                   (row["last_run"],)).fetchone()
            if old is None:
                row.pop("id")
                mapping[r["id"]] = self._insert("sources", row)
                continue
            mapping[r["id"]] = row["id"] = old[0]
            if (mine[0] if mine else "") >= (old[1] or ""):
                self._insert("sources", row)
        return mapping


def _winners(folders: list[sqlite3.Connection]) -> dict[str, int]:
    """url -> index of the folder holding its newest archived version."""
    best: dict[str, tuple[str, int]] = {}
    for i, db in enumerate(folders):
        for url, t in db.execute("SELECT url, max(fetched_at) FROM versions GROUP BY url"):
            if url not in best or t > best[url][0]:
                best[url] = (t, i)
    return {url: i for url, (_t, i) in best.items()}


def merge(folders: list[Path], into: Path, *, link: bool = False) -> MergeSummary:
    """Merge the crawl folders ``folders`` into ``into`` (see the module's docstring)."""
    into = Path(into)
    target = into.resolve()
    if any(Path(f).resolve() == target for f in folders):
        raise MergeError(f"{into} is one of the folders to merge: give another --into")
    if len({Path(f).resolve() for f in folders}) != len(folders):
        raise MergeError("a folder is given twice")
    sources = [open_read_only(Path(f)) for f in folders]  # StateError: no crawl there
    for db in sources:
        db.row_factory = sqlite3.Row
    into.mkdir(parents=True, exist_ok=True)
    warc_dir = into / WARC_DIR
    warc_dir.mkdir(exist_ok=True)
    m = _Merger(into, link)
    s = m.summary
    s.folders = len(folders)
    try:
        names: list[dict[str, str]] = []
        for folder, db in zip(folders, sources):  # files first: harmless without their state
            last = db.execute("SELECT finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            if last is not None and last[0] is None:
                s.warnings.append(f"{folder}: its last crawl did not finish (running or "
                                  "interrupted): merged what it had committed")
            committed = dict(db.execute("SELECT name, committed FROM warc_files").fetchall())
            names.append({p.name: _place_warc(p, warc_dir, link, s) for p in archive_files(folder)
                          if p.name in committed})
        winners = _winners(sources)
        m.state.begin()
        try:
            _merge_state(m, folders, sources, names, winners)
            m.state.commit()
        except BaseException:
            m.state.rollback()
            raise
    finally:
        m.close()
        for db in sources:
            db.close()
    return s


def _merge_state(m: _Merger, folders: list[Path], sources: list[sqlite3.Connection],
                 names: list[dict[str, str]], winners: dict[str, int]) -> None:
    s = m.summary
    run_maps, source_maps = [], []
    for folder, db, warcs in zip(folders, sources, names):
        runs = m.runs(str(Path(folder).resolve()), db)
        run_maps.append(runs)
        source_maps.append(m.sources(db, runs))
        for r in db.execute("SELECT name, committed FROM warc_files"):
            if r["name"] in warcs:
                m.state.set_committed(warcs[r["name"]], r["committed"])
    # versions: the newest folder's history of each URL, nothing older than the target's
    candidates = []
    for i, db in enumerate(sources):
        for r in db.execute("SELECT * FROM versions ORDER BY id"):
            row = dict(r)
            if (row["url"], row["sha256"], row["fetched_at"]) in m.known:
                continue
            if row["warc_file"] not in names[i]:
                s.warnings.append(f"{folders[i]}: {row['url']}: its WARC file "
                                  f"{row['warc_file']} is missing: version skipped")
                continue
            if winners.get(row["url"]) != i or row["fetched_at"] < m.newest.get(row["url"], ""):
                s.older += 1
                continue
            candidates.append((row["fetched_at"], i, row["id"], row))
    for _t, i, _id, row in sorted(candidates, key=lambda c: c[:3]):
        row.pop("id")
        row["run"] = run_maps[i].get(row["run"]) if row["run"] else row["run"]
        row["warc_file"] = names[i][row["warc_file"]]
        m._insert("versions", row)
        s.versions += 1
    # urls and their documents: the row of the folder that fetched the URL last
    best: dict[str, tuple[str, int, dict, dict | None]] = {}
    for i, db in enumerate(sources):
        docs = {r["url"]: dict(r) for r in db.execute("SELECT * FROM documents")}
        for r in db.execute("SELECT * FROM urls ORDER BY rowid"):
            doc = docs.get(r["url"])
            t = (doc or {}).get("fetched_at") or ""
            if r["url"] not in best or t > best[r["url"]][0]:
                best[r["url"]] = (t, i, dict(r), doc)
    for url, (t, i, row, doc) in best.items():
        if url in m.doc_time and (m.doc_time[url] or "") >= t:
            continue  # the target knows it from a fetch as recent
        runs = run_maps[i]
        row["source_id"] = source_maps[i].get(row["source_id"], row["source_id"])
        row["seen_run"] = runs.get(row["seen_run"], 0)
        row["done_run"] = runs.get(row["done_run"], 0)
        m._insert("urls", row)
        if doc is not None:
            doc["run"] = runs.get(doc["run"]) if doc["run"] else doc["run"]
            m._insert("documents", doc)
        s.urls += 1
    m.db.execute("UPDATE documents SET versions = (SELECT count(*) FROM versions v "
                 "WHERE v.url = documents.url)")
