"""Parse results kept beside the archive (``<data>/parsed.sqlite``), so export never re-parses.

One row per archived version that was parsed: the report metadata as columns, the facts and
checks as serialized Arrow record batches (``facts_arrow``, ``checks_arrow``; output/columnar.py),
which export concatenates without making a Python object per fact; a fact's cell is an integer
key into ``cell_ids`` (never renumbered: ids only ever get added). Rows stored before that
layout keep their facts as Arrow batches with the cell as strings, or their facts and checks as
compact JSON (``facts``, ``checks``), and are still read. A row is current when its
``sha256`` matches the archived version and its ``parser_version`` is the running parser's;
anything else is parsed again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nianbao.parsers.model import Check, Fact, Number, Report
from nianbao.output import columnar
from nianbao.output.columnar import Cell, CellCatalog

if TYPE_CHECKING:
    import pyarrow as pa

DB_NAME = "parsed.sqlite"
CARRY_ROWS = ("carried_over", "carried_forward")

SCHEMA = """
CREATE TABLE IF NOT EXISTS parsed (
    version_id INTEGER PRIMARY KEY, url TEXT NOT NULL, kind TEXT, sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL, status TEXT NOT NULL, error TEXT, title TEXT, agency TEXT,
    year INTEGER, template TEXT, script TEXT, encoding TEXT, origin TEXT,
    n_facts INTEGER NOT NULL, n_numbers INTEGER NOT NULL, checks_failed INTEGER NOT NULL,
    carry TEXT, facts TEXT NOT NULL, checks TEXT NOT NULL, warnings TEXT NOT NULL,
    parsed_at TEXT NOT NULL, facts_arrow BLOB, checks_arrow BLOB, agency_clues TEXT);
CREATE INDEX IF NOT EXISTS parsed_url ON parsed(url);
CREATE TABLE IF NOT EXISTS cell_ids (
    cell INTEGER PRIMARY KEY, "table" TEXT NOT NULL, "row" TEXT NOT NULL, col TEXT NOT NULL,
    UNIQUE ("table", "row", col));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, finished TEXT NOT NULL,
    crawl_run INTEGER, exit_code INTEGER, summary TEXT NOT NULL);
"""

Carry = dict[str, dict[str, Number]]  # row (carried_over/_forward) -> col -> value


class ResultsError(Exception):
    """The results database cannot be opened or written."""


@dataclass(slots=True)
class Stored:
    """One parse result as stored: metadata now, facts and checks decoded on demand."""

    version_id: int
    url: str
    kind: str | None
    sha256: str
    parser_version: str
    status: str
    error: str | None
    title: str | None
    agency: str | None
    year: int | None
    template: str | None
    script: str | None
    origin: str | None
    n_facts: int
    n_numbers: int
    checks_failed: int
    carry: Carry | None = None
    warnings: list[str] = field(default_factory=list)
    agency_clues: list[tuple[str, str]] = field(default_factory=list)


def carry_of(facts: Iterable[Fact]) -> Carry | None:
    """The two carry rows of table ``requests`` (for the cross-year checks); None without them."""
    out: Carry = {}
    for f in facts:
        if f.table == "requests" and f.row in CARRY_ROWS:
            out.setdefault(f.row, {})[f.col] = f.value if f.value is not None else 0
    return out or None


_META = ("version_id, url, kind, sha256, parser_version, status, error, title, agency, year, "
         "template, script, origin, n_facts, n_numbers, checks_failed, carry, warnings")


class ResultStore:
    """``<data>/parsed.sqlite``: put a parse result, ask what is current, read facts back."""

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        """``read_only``: for status and export, which must work on read-only media and
        leave the folder as it was (no table created, no -wal/-shm file)."""
        self.path = Path(data_dir) / DB_NAME
        self.catalog = CellCatalog()
        self._stored_ids: dict[Cell, int] = {}
        self._fresh: dict[int, Cell] = {}  # ids added inside a transaction not yet seen to commit
        if read_only:
            from nianbao.scraper.state import connect_read_only

            try:
                if self.path.exists():
                    self.db = connect_read_only(self.path, "SELECT count(*) FROM parsed")
                else:  # nothing parsed yet: an empty store, and no file made for it
                    self.db = sqlite3.connect(":memory:")
                    self.db.executescript(SCHEMA)
            except sqlite3.DatabaseError as exc:
                raise ResultsError(f"{self.path}: {exc}") from None
            return
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            # a store made before the Arrow layout, or before agency clues were kept
            for col, kind in (("facts_arrow", "BLOB"), ("checks_arrow", "BLOB"),
                              ("agency_clues", "TEXT")):
                if col not in self._columns():
                    self.db.execute(f"ALTER TABLE parsed ADD COLUMN {col} {kind}")
        except sqlite3.DatabaseError as exc:
            raise ResultsError(f"{self.path}: {exc}") from None

    def _columns(self) -> set[str]:
        return {r[1] for r in self.db.execute("PRAGMA table_info(parsed)")}

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def current(self, parser_version: str) -> dict[int, str]:
        """version id -> sha256 of every result made by ``parser_version``."""
        return dict(self.db.execute("SELECT version_id, sha256 FROM parsed WHERE parser_version=?",
                                    (parser_version,)).fetchall())

    def put(self, version_id: int, url: str, kind: str | None, sha256: str, report: Report,
            parser_version: str) -> None:
        """Store (or replace) the result of parsing one archived version; one transaction."""
        numbers = sum(1 for f in report.facts if f.value is not None)
        carry = carry_of(report.facts)
        facts = columnar.in_printed_order(report.facts, report.template)
        try:
            self._check_fresh()
            cells = [self._cell_id((f.table, f.row, f.col)) for f in facts]
            self.db.execute(
                "INSERT OR REPLACE INTO parsed VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (version_id, url, kind, sha256, parser_version, report.status, report.error,
                 report.title, report.agency, report.year, report.template, report.script,
                 report.encoding, report.origin, len(report.facts), numbers,
                 len(report.checks_failed),
                 json.dumps(carry, ensure_ascii=False) if carry else None,
                 "", "", json.dumps(report.warnings, ensure_ascii=False),
                 datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 columnar.to_blob(columnar.cells_batch(facts, cells)),
                 columnar.to_blob(columnar.checks_batch(report.checks)),
                 json.dumps(report.agency_clues, ensure_ascii=False)
                 if report.agency_clues else None))
        except sqlite3.Error as exc:
            raise ResultsError(f"{self.path}: cannot store a result: {exc}") from None

    def _cell_id(self, key: Cell) -> int:
        """The stored id of a cell, added to ``cell_ids`` the first time it is seen."""
        got = self._stored_ids.get(key)
        if got is None:
            self.db.execute('INSERT OR IGNORE INTO cell_ids ("table", "row", col) VALUES (?,?,?)',
                            key)
            got = self.db.execute('SELECT cell FROM cell_ids WHERE "table"=? AND "row"=? AND '
                                  "col=?", key).fetchone()[0]
            self._stored_ids[key] = got
            self.catalog.add_stored(got, key)
            if self.db.in_transaction:
                self._fresh[got] = key
        return got

    def _check_fresh(self) -> None:
        """Forget cell ids whose transaction was rolled back (the caller's), so that no stored
        batch can name a cell ``cell_ids`` does not hold."""
        if not self._fresh:
            return
        held = dict(self.db.execute('SELECT cell, "table" || char(31) || "row" || char(31) || col '
                                    "FROM cell_ids WHERE cell >= ?", (min(self._fresh),)))
        for cell, key in list(self._fresh.items()):
            if held.get(cell) != "\x1f".join(key):
                self._stored_ids.pop(key, None)
                self.catalog.forget_stored(cell)
                del self._fresh[cell]
        if not self.db.in_transaction:
            self._fresh.clear()

    def sync_cells(self) -> None:
        """Load the cell ids stored since the last call (a store older than ``cell_ids``
        has none)."""
        try:
            rows = self.db.execute('SELECT cell, "table", "row", col FROM cell_ids WHERE cell > ?',
                                   (self.catalog.max_stored(),)).fetchall()
        except sqlite3.OperationalError:
            return
        for cell, *key in rows:
            self._stored_ids[tuple(key)] = cell  # type: ignore[index]
            self.catalog.add_stored(cell, tuple(key))  # type: ignore[arg-type]

    def dense_cells(self, stored: np.ndarray) -> np.ndarray:
        """The catalog's dense ids of stored cell ids (loading ids stored meanwhile)."""
        try:
            return self.catalog.from_stored(stored)
        except KeyError:
            self.sync_cells()
        try:
            return self.catalog.from_stored(stored)
        except KeyError:
            raise ResultsError(f"{self.path}: facts refer to a cell id missing from cell_ids; "
                               "parse again with `nianbao parse --data DIR`") from None

    def metadata(self, version_ids: Iterable[int] | None = None) -> dict[int, Stored]:
        """Metadata of stored results (all, or the given versions), without facts."""
        clues = "agency_clues" if "agency_clues" in self._columns() else "NULL"
        rows = self.db.execute(f"SELECT {_META}, {clues} FROM parsed").fetchall()
        wanted = None if version_ids is None else set(version_ids)
        out: dict[int, Stored] = {}
        for row in rows:
            if wanted is not None and row[0] not in wanted:
                continue
            s = Stored(*row[:16])
            s.carry = json.loads(row[16]) if row[16] else None
            s.warnings = json.loads(row[17])
            s.agency_clues = [tuple(c) for c in json.loads(row[18])] if row[18] else []
            out[s.version_id] = s
        return out

    def add_run(self, command: str, started: str, crawl_run: int | None, exit_code: int,
                summary: dict) -> None:
        """Keep what one command did (fetched, parsed, failed), for ``nianbao status``."""
        try:
            self.db.execute(
                "INSERT INTO runs(command, started, finished, crawl_run, exit_code, summary) "
                "VALUES (?,?,?,?,?,?)",
                (command, started, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 crawl_run, exit_code, json.dumps(summary, ensure_ascii=False, sort_keys=True)))
        except sqlite3.Error as exc:
            raise ResultsError(f"{self.path}: cannot record the run: {exc}") from None

    def runs(self, limit: int = 10) -> list[dict]:
        """The last ``limit`` recorded commands, newest first (none in a store made before runs
        were recorded)."""
        try:
            rows = self.db.execute("SELECT id, command, started, finished, crawl_run, exit_code, "
                                   "summary FROM runs ORDER BY id DESC LIMIT ?",
                                   (limit,)).fetchall()
        except sqlite3.OperationalError:
            return []
        keys = ("id", "command", "started", "finished", "crawl_run", "exit_code")
        return [dict(zip(keys, r[:6]), **json.loads(r[6])) for r in rows]

    def contents(self, version_id: int) -> tuple[list[Fact], list[Check]]:
        """Facts and checks of one stored result."""
        got = self.columns([version_id]).get(version_id)
        if got is None:
            return [], []
        return columnar.facts_of(got[0]), columnar.checks_of(got[1])

    def columns(self, version_ids: list[int]) -> dict[int, tuple["pa.RecordBatch", "pa.RecordBatch"]]:
        """version id -> (facts, checks) as Arrow record batches, for the ids that are stored."""
        got = self.columns_ordered(version_ids)
        cells = [(vid, f) for vid, (f, _c, _t) in got.items()
                 if f.num_columns == len(columnar.CELL_SCHEMA)]
        out = {vid: (f, c) for vid, (f, c, _t) in got.items()}
        if cells:  # cell ids back to strings, for all of them at once
            joined = columnar.join([f for _vid, f in cells], columnar.CELL_SCHEMA)
            dense = self.dense_cells(joined.column(0).to_numpy())
            facts = columnar.facts_from_cells(joined, self.catalog, dense)
            start = 0
            for vid, f in cells:
                out[vid] = (facts.slice(start, f.num_rows), out[vid][1])
                start += f.num_rows
        return out

    def columns_ordered(self, version_ids: list[int]
                        ) -> dict[int, tuple["pa.RecordBatch", "pa.RecordBatch", object]]:
        """version id -> (facts, checks, order): ``order`` is the template whose printed order
        the facts are already in, ``columnar.UNSORTED`` when they are as parsed. Facts are
        CELL_SCHEMA batches (stored cell ids) or, from older rows, FACT_SCHEMA batches."""
        has_arrow = "facts_arrow" in self._columns()
        cols = "facts_arrow, checks_arrow" if has_arrow else "NULL, NULL"
        out = {}
        for start in range(0, len(version_ids), 500):  # SQLite's limit on bound parameters
            ids = version_ids[start:start + 500]
            marks = ",".join("?" * len(ids))
            rows = self.db.execute(f"SELECT version_id, {cols}, facts, checks, template FROM "
                                   f"parsed WHERE version_id IN ({marks})", ids).fetchall()
            for vid, fa, ca, fj, cj, template in rows:
                out[vid] = (columnar.from_blob(fa, columnar.FACT_SCHEMA) if fa is not None
                            else columnar.facts_batch([Fact(*f) for f in json.loads(fj)]),
                            columnar.from_blob(ca, columnar.CHECK_SCHEMA) if ca is not None
                            else columnar.checks_batch([Check(*c) for c in json.loads(cj)]),
                            template if fa is not None and fa[:1] in (columnar.SORTED_TAG,
                                                                      columnar.CELLS_TAG)
                            else columnar.UNSORTED)
        return out
