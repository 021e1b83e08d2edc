"""Parse results kept beside the archive (``<data>/parsed.sqlite``), so export never re-parses.

One row per archived version that was parsed: the report metadata as columns, the facts and
checks as serialized Arrow record batches (``facts_arrow``, ``checks_arrow``; output/columnar.py),
which export concatenates without making a Python object per fact; a fact's cell is an integer
key into ``cell_ids`` (never renumbered: ids only ever get added). After a parse, the results
are packed (``pack``): the batches of about a thousand reports, in the order export reads them,
joined into one row of ``packs``, and each packed result points at its slice of it
(``pack``, ``pack_facts``, ``pack_checks``), so that export reads a few large batches instead
of two small ones per report. A result parsed again later gets its own batches again, until the
next pack. Rows stored before that
layout keep their facts as Arrow batches with the cell as strings, or their facts and checks as
compact JSON (``facts``, ``checks``), and are still read. A row is current when its
``sha256`` matches the archived version and its ``parser_version`` is the running parser's;
anything else is parsed again.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa

from nianbao.parsers.model import Check, Fact, Number, Report
from nianbao.parsers.schema import REQUEST_COLS
from nianbao.output import columnar
from nianbao.output.columnar import Cell, CellCatalog

DB_NAME = "parsed.sqlite"
CARRY_ROWS = ("carried_over", "carried_forward")

SCHEMA = """
CREATE TABLE IF NOT EXISTS parsed (
    version_id INTEGER PRIMARY KEY, url TEXT NOT NULL, kind TEXT, sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL, status TEXT NOT NULL, error TEXT, title TEXT, agency TEXT,
    year INTEGER, template TEXT, script TEXT, encoding TEXT, origin TEXT,
    n_facts INTEGER NOT NULL, n_numbers INTEGER NOT NULL, checks_failed INTEGER NOT NULL,
    carry TEXT, facts TEXT NOT NULL, checks TEXT NOT NULL, warnings TEXT NOT NULL,
    parsed_at TEXT NOT NULL, facts_arrow BLOB, checks_arrow BLOB, agency_clues TEXT,
    pack INTEGER, pack_facts INTEGER, pack_checks INTEGER, n_checks INTEGER);
CREATE INDEX IF NOT EXISTS parsed_url ON parsed(url);
CREATE TABLE IF NOT EXISTS cell_ids (
    cell INTEGER PRIMARY KEY, "table" TEXT NOT NULL, "row" TEXT NOT NULL, col TEXT NOT NULL,
    UNIQUE ("table", "row", col));
CREATE TABLE IF NOT EXISTS packs (
    pack INTEGER PRIMARY KEY, facts BLOB NOT NULL, checks BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, finished TEXT NOT NULL,
    crawl_run INTEGER, exit_code INTEGER, summary TEXT NOT NULL);
"""

Span = tuple[int, int, int]  # a packed result: its pack, first fact and first check in it
# Where a packed result's facts and checks lie, as its metadata said: the store's era then (see
# ResultStore.era), its template, pack, first fact, first check, number of facts and of checks.
Place = tuple[int, "str | None", int, int, int, int, int]
_ERAS = itertools.count()
CARRY_COLS = tuple(c.key for c in REQUEST_COLS)
# A report's carried_over values then its carried_forward values, one per column of CARRY_COLS
# (0 where the cell is absent or blank): one flat tuple, not two dicts, since export holds one
# per report (a fifth of the dicts' memory).
Carry = tuple[Number, ...]


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    """A joined table (columnar.join: one chunk per column) as the single batch a pack stores."""
    batches = table.to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _loads_all(texts: list[str | None]) -> list:
    """Many JSON texts (None: null) decoded in one call (one call per text costs more than
    the decoding)."""
    return json.loads("[" + ",".join(t or "null" for t in texts) + "]") if texts else []


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
    place: Place | None = None  # where its facts lie, when packed


def carry_values(over: dict[str, Number], forward: dict[str, Number]) -> Carry:
    """The carry of a report whose carried_over and carried_forward rows hold these cells."""
    return (*(over.get(c, 0) for c in CARRY_COLS), *(forward.get(c, 0) for c in CARRY_COLS))


def carry_of(facts: Iterable[Fact]) -> dict[str, dict[str, Number]] | None:
    """The two carry rows of table ``requests`` as stored (JSON: row -> col -> value, for the
    cross-year checks); None without them."""
    out: dict[str, dict[str, Number]] = {}
    for f in facts:
        if f.table == "requests" and f.row in CARRY_ROWS:
            out.setdefault(f.row, {})[f.col] = f.value if f.value is not None else 0
    return out or None


_ADDED = (("facts_arrow", "BLOB"), ("checks_arrow", "BLOB"), ("agency_clues", "TEXT"),
          ("pack", "INTEGER"), ("pack_facts", "INTEGER"), ("pack_checks", "INTEGER"),
          ("n_checks", "INTEGER"))  # columns a store made by an older version lacks
_COLUMNS = ("version_id, url, kind, sha256, parser_version, status, error, title, agency, year, "
            "template, script, encoding, origin, n_facts, n_numbers, checks_failed, carry, facts, "
            "checks, warnings, parsed_at, facts_arrow, checks_arrow, agency_clues")
PACK_SIZE = 1000  # reports a pack holds, and export's chunk: a chunk lies in one or two packs

_META = ("version_id, url, kind, sha256, parser_version, status, error, title, agency, year, "
         "template, script, origin, n_facts, n_numbers, checks_failed")
# kind, parser_version, status, agency, year, template, script, origin: one object per distinct
# value for all results, not one per report (an agency's name recurs every year)
_VOCABULARY = (2, 4, 5, 8, 9, 10, 11, 12)
# after _META: agency_clues (16), warnings (17), pack, pack_facts, pack_checks, n_checks (18-21),
# whether there is a carry (22) and its values (23-)
# The carry read by SQLite's JSON functions straight into numbers (no dicts made in Python).
_CARRY = "carry IS NOT NULL, " + ", ".join(
    f"coalesce(json_extract(carry, '$.{row}.{col}'), 0)" for row in CARRY_ROWS for col in CARRY_COLS)
_BATCH = 2000  # metadata rows decoded at a time
# pack's plan: the order asked for (each result once, where first named), then what to pack
_PACK_PLAN_DDL = """
CREATE TEMP TABLE pack_order (seq INTEGER PRIMARY KEY, version_id INTEGER NOT NULL UNIQUE);
CREATE TEMP TABLE pack_plan (seq INTEGER PRIMARY KEY, version_id INTEGER NOT NULL);
"""
# a result that can be packed: packed already, or its facts stored as cell ids (parameter:
# columnar.CELLS_TAG)
_PACKABLE = "(p.pack IS NOT NULL OR substr(p.facts_arrow, 1, 1) = ?)"


class ResultStore:
    """``<data>/parsed.sqlite``: put a parse result, ask what is current, read facts back."""

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        """``read_only``: for status and export, which must work on read-only media and
        leave the folder as it was (no table created, no -wal/-shm file)."""
        self.path = Path(data_dir) / DB_NAME
        self.catalog = CellCatalog()
        self._stored_ids: dict[Cell, int] = {}
        self._fresh: dict[int, Cell] = {}  # ids added inside a transaction not yet seen to commit
        self._packs: dict[int, tuple[pa.RecordBatch, pa.RecordBatch]] = {}  # recently read
        # Places read from this store in this era only are used: a new era when a result is
        # stored or the packs are written again
        self.era = next(_ERAS)
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
            if not self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                # a new store gives back the pages packing frees (set before any table)
                self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            # a store made before the Arrow layout, or before agency clues were kept
            for col, kind in _ADDED:
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
        self.era = next(_ERAS)  # places read before this are not used
        try:
            self._check_fresh()
            cells = [self._cell_id((f.table, f.row, f.col)) for f in facts]
            self.db.execute(
                f"INSERT OR REPLACE INTO parsed ({_COLUMNS}) VALUES "
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
        """Load the cell ids this store's catalog lacks (those stored by others, or before this
        store added its own; a store older than ``cell_ids`` has none). The table holds a few
        hundred rows: read whole."""
        try:
            rows = self.db.execute('SELECT cell, "table", "row", col FROM cell_ids').fetchall()
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

    def metadata(self, version_ids: Iterable[int] | None = None, *, warnings: bool = True
                 ) -> dict[int, Stored]:
        """Metadata of stored results (all, or the given versions), without facts; their
        warnings only when asked (export has no use for them, and they can outweigh the rest)."""
        have = self._columns()
        clues = "agency_clues" if "agency_clues" in have else "NULL"
        warned = "warnings" if warnings else "NULL"
        packed = "pack, pack_facts, pack_checks, n_checks" if "pack" in have else \
            "NULL, NULL, NULL, NULL"
        query = f"SELECT {_META}, {clues}, {warned}, {packed}, {_CARRY} FROM parsed"
        if version_ids is None:
            cursors: Iterable[sqlite3.Cursor] = [self.db.execute(query)]
        else:
            ids = list(version_ids)
            cursors = (self.db.execute(f"{query} WHERE version_id IN "
                                       f"({','.join('?' * len(ids[i:i + 500]))})",
                                       ids[i:i + 500])
                       for i in range(0, len(ids), 500))  # SQLite's limit on parameters
        words: dict[str | int, str | int] = {}
        out: dict[int, Stored] = {}
        for cursor in cursors:
            while rows := cursor.fetchmany(_BATCH):
                for row, clued, notes in zip(rows, _loads_all([row[16] for row in rows]),
                                             _loads_all([row[17] for row in rows])):
                    fields = list(row[:16])
                    for i in _VOCABULARY:
                        if (word := fields[i]) is not None:
                            fields[i] = words.setdefault(word, word)
                    s = Stored(*fields)
                    s.carry = row[23:] if row[22] else None
                    if row[18] is not None:  # export reads its facts without asking again
                        s.place = (self.era, s.template, *row[18:21], s.n_facts, row[21])
                    s.warnings = notes or []
                    s.agency_clues = [tuple(c) for c in clued] if clued else []
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

    def columns(self, version_ids: list[int], places: dict[int, Place] | None = None
                ) -> dict[int, tuple[pa.RecordBatch, pa.RecordBatch]]:
        """version id -> (facts, checks) as Arrow record batches, for the ids that are stored
        (``places``: see columns_ordered)."""
        got = self.columns_ordered(version_ids, places)
        cells = [(vid, f) for vid, (f, _c, _t, _s) in got.items()
                 if f.num_columns == len(columnar.CELL_SCHEMA)]
        out = {vid: (f, c) for vid, (f, c, _t, _s) in got.items()}
        if cells:  # cell ids back to strings, for all of them at once
            joined = columnar.join([f for _vid, f in cells], columnar.CELL_SCHEMA)
            dense = self.dense_cells(joined.column(0).to_numpy())
            facts = columnar.facts_from_cells(joined, self.catalog, dense)
            start = 0
            for vid, f in cells:
                out[vid] = (facts.slice(start, f.num_rows), out[vid][1])
                start += f.num_rows
        return out

    def columns_ordered(self, version_ids: list[int], places: dict[int, Place] | None = None
                        ) -> dict[int, tuple[pa.RecordBatch, pa.RecordBatch, object, Span]]:
        """version id -> (facts, checks, order, span): ``order`` is the template whose printed
        order the facts are already in, ``columnar.UNSORTED`` when they are as parsed. Facts are
        CELL_SCHEMA batches (stored cell ids) or, from older rows, FACT_SCHEMA batches; a packed
        result's are slices of its pack (nothing copied), ``span`` says where (None when the
        result is not packed), for ``joined_runs``. ``places``: where some of them lie, as
        their metadata said (not asked again if read in this era)."""
        have = self._columns()
        cols = "facts_arrow, checks_arrow" if "facts_arrow" in have else "NULL, NULL"
        packed = ("pack, pack_facts, pack_checks, n_facts, n_checks" if "pack" in have
                  else "NULL, NULL, NULL, NULL, NULL")
        out = {}
        found = {vid: place[1:] for vid, place in (places or {}).items() if place[0] == self.era}
        asked = [vid for vid in version_ids if vid not in found]
        loose: list[int] = []  # not packed: their own batches are read, only theirs
        for start in range(0, len(asked), 500):  # SQLite's limit on bound parameters
            ids = asked[start:start + 500]
            marks = ",".join("?" * len(ids))
            for vid, template, *span in self.db.execute(
                    f"SELECT version_id, template, {packed} FROM parsed "
                    f"WHERE version_id IN ({marks})", ids):
                if span[0] is not None:
                    found[vid] = (template, *span)
                else:
                    loose.append(vid)
        for start in range(0, len(loose), 500):
            ids = loose[start:start + 500]
            marks = ",".join("?" * len(ids))
            rows = self.db.execute(f"SELECT version_id, {cols}, facts, checks, template "
                                   f"FROM parsed WHERE version_id IN ({marks})", ids).fetchall()
            for vid, fa, ca, fj, cj, template in rows:
                out[vid] = (columnar.from_blob(fa, columnar.FACT_SCHEMA) if fa is not None
                            else columnar.facts_batch([Fact(*f) for f in json.loads(fj)]),
                            columnar.from_blob(ca, columnar.CHECK_SCHEMA) if ca is not None
                            else columnar.checks_batch([Check(*c) for c in json.loads(cj)]),
                            template if fa is not None and fa[:1] in (columnar.SORTED_TAG,
                                                                      columnar.CELLS_TAG)
                            else columnar.UNSORTED, None)
        last = (None, None)  # the pack of the result before (usually the same)
        for vid in version_ids:
            known = found.get(vid)
            if known is None:
                continue
            template, pack, at, check_at, n, n_checks = known
            if last[0] != pack:
                last = (pack, self._pack(pack))
            facts, checks = last[1]
            out[vid] = (facts.slice(at, n), checks.slice(check_at, n_checks), template,
                        (pack, at, check_at))
        return out

    def joined_runs(self, parts: list[pa.RecordBatch], spans: list[Span | None],
                    checks: bool = False) -> list[pa.RecordBatch]:
        """``parts`` (facts, or with ``checks`` checks, of ``columns_ordered``, one per result,
        with their spans) with each run of adjacent slices of one pack made one slice: a chunk's
        results usually lie in one or two runs, so joining them copies a few batches, not a
        thousand."""
        out: list[pa.RecordBatch] = []
        run: list = []  # [pack, start, rows] of the run being extended
        for part, span in zip(parts, spans):
            at = None if span is None else span[2 if checks else 1]
            if run and span is not None and run[0] == span[0] and run[1] + run[2] == at:
                run[2] += part.num_rows
                continue
            if run:
                out.append(self._pack(run[0])[checks].slice(run[1], run[2]))
            run = [span[0], at, part.num_rows] if span is not None else []
            if span is None:
                out.append(part)
        if run:
            out.append(self._pack(run[0])[checks].slice(run[1], run[2]))
        return out

    def _pack(self, pack: int) -> tuple[pa.RecordBatch, pa.RecordBatch]:
        """A pack's facts and checks, the last few kept: export reads packs in order, and a
        chunk's results lie in one or two of them."""
        got = self._packs.pop(pack, None)
        if got is None:
            row = self.db.execute("SELECT facts, checks FROM packs WHERE pack=?",
                                  (pack,)).fetchone()
            if row is None:
                raise ResultsError(f"{self.path}: a result points at pack {pack}, which is "
                                   "missing; parse again with `nianbao parse --data DIR --all`")
            got = (columnar.from_blob(row[0], columnar.CELL_SCHEMA),
                   columnar.from_blob(row[1], columnar.CHECK_SCHEMA))
        self._packs[pack] = got  # most recently used last
        while len(self._packs) > 3:
            del self._packs[next(iter(self._packs))]
        return got

    def pack(self, order: Iterable[int], size: int = PACK_SIZE) -> int:
        """Pack the results of ``order`` (version ids in the order export reads them) when
        enough of them are loose (parsed since the last pack: one in twenty, or all of a small
        store), so that export reads them a pack at a time; returns how many were packed.

        Every pack is written again, in ``order``; results packed before and no longer in it
        (superseded versions) follow, so that nothing stored is lost. One transaction: an
        interrupted pack leaves the store as it was.
        """
        if "pack" not in self._columns():
            return 0
        self._drop_pack_plan()
        self.db.executescript(_PACK_PLAN_DDL)
        try:
            return self._pack_planned(order, size)
        finally:
            self._drop_pack_plan()

    def _drop_pack_plan(self) -> None:
        self.db.execute("DROP TABLE IF EXISTS temp.pack_order")
        self.db.execute("DROP TABLE IF EXISTS temp.pack_plan")

    def _pack_planned(self, order: Iterable[int], size: int) -> int:
        """``pack``, with the order and the plan in temporary tables (SQLite keeps them in a
        temporary file), not in Python lists and sets of every result."""
        ids = iter(order)
        while batch := list(itertools.islice(ids, _BATCH)):  # the first time each is named
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR IGNORE INTO temp.pack_order (version_id) VALUES (?)",
                                ((v,) for v in batch))
            self.db.execute("COMMIT")
        packable, loose = self.db.execute(
            "SELECT count(*), coalesce(sum(p.pack IS NULL), 0) FROM temp.pack_order o "
            f"JOIN parsed p ON p.version_id = o.version_id WHERE {_PACKABLE}",
            (columnar.CELLS_TAG,)).fetchone()
        if not loose or loose * 20 < packable:
            return 0
        self.db.execute(
            "INSERT INTO temp.pack_plan (version_id) SELECT o.version_id FROM temp.pack_order o "
            f"JOIN parsed p ON p.version_id = o.version_id WHERE {_PACKABLE} ORDER BY o.seq",
            (columnar.CELLS_TAG,))
        self.db.execute(  # packed before, and no longer in the order: kept, at the end
            "INSERT INTO temp.pack_plan (version_id) SELECT version_id FROM parsed "
            "WHERE pack IS NOT NULL AND version_id NOT IN (SELECT version_id FROM "
            "temp.pack_order) ORDER BY version_id")
        total = self.db.execute("SELECT count(*) FROM temp.pack_plan").fetchone()[0]
        newest_old = self.db.execute("SELECT max(pack) FROM packs").fetchone()[0]
        try:
            self.db.execute("BEGIN")
            for start in range(0, total, size):
                group = [v for (v,) in self.db.execute(
                    "SELECT version_id FROM temp.pack_plan WHERE seq > ? ORDER BY seq LIMIT ?",
                    (start, size))]
                got = self.columns_ordered(group)
                facts = columnar.join([got[v][0] for v in group], columnar.CELL_SCHEMA)
                checks = columnar.join([got[v][1] for v in group], columnar.CHECK_SCHEMA)
                pack = self.db.execute(
                    "INSERT INTO packs (facts, checks) VALUES (?, ?)",
                    (columnar.to_blob(_one_batch(facts)),
                     columnar.to_blob(_one_batch(checks)))).lastrowid
                at = np.cumsum([0] + [got[v][0].num_rows for v in group])
                check_at = np.cumsum([0] + [got[v][1].num_rows for v in group])
                self.db.executemany(
                    "UPDATE parsed SET pack=?, pack_facts=?, pack_checks=?, n_checks=?, "
                    "facts_arrow=NULL, checks_arrow=NULL WHERE version_id=?",
                    [(pack, int(at[k]), int(check_at[k]), int(check_at[k + 1] - check_at[k]), v)
                     for k, v in enumerate(group)])
            if newest_old is not None:  # the new packs are numbered after the old ones
                self.db.execute("DELETE FROM packs WHERE pack <= ?", (newest_old,))
            self.db.execute("COMMIT")
            # the rows' own batches and the old packs: their pages back to the file system
            # (a store made before packs keeps them free inside the file, reused by the next)
            self.db.executescript("PRAGMA incremental_vacuum;")  # stepped to the end
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise ResultsError(f"{self.path}: cannot pack the results: {exc}") from None
            raise
        finally:
            self._packs.clear()
            self.era = next(_ERAS)
        return total
