"""One SQLite file, ``nianbao.sqlite``: every dataset as a table, indexes, and labelled views.

Facts are stored compactly: ``cells`` holds one line per fact with integer keys (the report's
``reports.report_key``, the cell's ``cell_keys.cell_key``), the value, and ``raw`` / ``origin``
only where they differ from the value's text / the report's origin; the ``facts`` view gives
back today's columns, so queries on ``facts`` work unchanged. Built in a temp file beside the
old one (journal off: nobody else sees it yet) and renamed over it at the end, so readers
always open a complete database.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nianbao.output import atomic
from nianbao.output.columnar import plain
from nianbao.output.columns import FILES, WIDE, Column
from nianbao.output.dictionary import DICTIONARY_COLUMNS

FILE_NAME = "nianbao.sqlite"
_TYPES = {"str": "TEXT", "int": "INTEGER", "count": "INTEGER", "float": "REAL",
          "number": "NUMERIC", "bool": "INTEGER", "timestamp": "TEXT"}
log = logging.getLogger("nianbao")

# Clustered by report (no rowid, no separate index): a report's cells are one range of the
# primary key, in printed order (``seq``).
CELLS = """CREATE TABLE cells (
    report_key INTEGER NOT NULL REFERENCES reports(report_key), seq INTEGER NOT NULL,
    cell_key INTEGER NOT NULL REFERENCES cell_keys(cell_key),
    value NUMERIC, raw TEXT, origin TEXT, inferred INTEGER NOT NULL,
    PRIMARY KEY (report_key, seq)) WITHOUT ROWID"""
CELL_KEYS = ('CREATE TABLE cell_keys (cell_key INTEGER PRIMARY KEY, "table" TEXT NOT NULL, '
             '"row" TEXT NOT NULL, col TEXT NOT NULL, unit TEXT)')


def _raw_kept(facts: pa.Table) -> pa.Array:
    """``raw``, null where it is the text the facts view prints for the value: a whole number
    (stored as an INTEGER by the NUMERIC column) printed as an integer. Other raws are kept."""
    value = facts["value"]
    whole = pc.and_(pc.equal(value, pc.floor(value)), pc.less(pc.abs(value), 2.0 ** 53))
    whole = pc.fill_null(whole, False)
    as_int = pc.cast(pc.cast(pc.if_else(whole, value, 0.0), pa.int64()), pa.string())
    same = pc.fill_null(pc.and_(whole, pc.equal(facts["raw"], as_int)), False)
    return pc.if_else(same, pa.scalar(None, pa.string()), facts["raw"])


# Only what the README's queries, the views and datasette's links need.
INDEXES = (
    'CREATE INDEX reports_agency_year ON reports(agency, year)',
    'CREATE INDEX reports_agency_id ON reports(agency_id, year)',
    'CREATE UNIQUE INDEX agencies_id ON agencies(agency_id)',
    'CREATE INDEX cells_cell ON cells(cell_key)',
    'CREATE UNIQUE INDEX dictionary_key ON dictionary(template, "table", "row", col)',
)

VIEWS = (
    """CREATE VIEW facts AS
       SELECT r.report_id, k."table", k."row", k.col, c.value,
              coalesce(c.raw, CAST(c.value AS TEXT)) AS raw, k.unit,
              coalesce(c.origin, r.origin) AS origin, c.inferred
       FROM cells c JOIN reports r ON r.report_key = c.report_key
       JOIN cell_keys k ON k.cell_key = c.cell_key""",
    """CREATE VIEW facts_labelled AS
       SELECT f.report_id, r.agency, r.year, r.template, f."table", d.table_label, f."row",
              d.row_label, f.col, d.col_label, f.value, f.unit, f.raw, f.origin, f.inferred
       FROM facts f JOIN reports r ON r.report_id = f.report_id
       LEFT JOIN dictionary d ON d.template = r.template AND d."table" = f."table"
                             AND d."row" = f."row" AND d.col = f.col""",
    *(f"""CREATE VIEW {t}_labelled AS SELECT * FROM facts_labelled WHERE "table" = '{t}'"""
      for t in ("active", "requests", "appeals")),
    """CREATE VIEW checks_failed AS
       SELECT c.report_id, r.agency, r.year, r.title, c.name, c.lhs, c.rhs
       FROM checks c JOIN reports r ON r.report_id = c.report_id WHERE c.ok = 0""",
    """CREATE VIEW reports_failed AS
       SELECT report_id, agency, year, title, status, error, source_url, attachment_url
       FROM reports WHERE status NOT IN ('ok', 'empty', 'legacy')""",
)

# Full-text index of titles and agencies, over ``reports`` (external content: no copy of the
# text). Trigrams find any part of a Chinese name of three characters or more (教育局);
# datasette offers a search box for ``reports`` because of content="reports".
FTS_TABLE = "reports_fts"
_FTS = ('CREATE VIRTUAL TABLE reports_fts USING fts5(title, agency, content="reports", '
        "content_rowid='rowid', tokenize='{tokenizer}')")


def fts_tokenizer() -> str | None:
    """The best tokenizer this SQLite's FTS5 has (trigram, from 3.34), None without FTS5.

    Tried in a scratch database: a failed CREATE VIRTUAL TABLE inside the export's transaction
    can leave its schema entry behind.
    """
    for tokenizer in ("trigram", "unicode61"):
        scratch = sqlite3.connect(":memory:")
        try:
            scratch.execute(_FTS.format(tokenizer=tokenizer))
            return tokenizer
        except sqlite3.OperationalError:
            continue
        finally:
            scratch.close()
    return None


def _columns(name: str) -> tuple[Column, ...]:
    if name == "dictionary":
        return tuple(Column(c, "str", "") for c in DICTIONARY_COLUMNS)
    return FILES.get(name) or WIDE[name.removeprefix("wide_")]


def _column_sql(name: str, c: Column) -> str:
    sql = f'"{c.name}" {_TYPES[c.kind]}'
    if c.name == "report_id" and name == "reports":
        return sql + " PRIMARY KEY NOT NULL"
    if c.name == "report_id" and name != "dictionary":  # datasette links these to reports
        return sql + " NOT NULL REFERENCES reports(report_id)"
    return sql


def _create(name: str) -> str:
    cols = ", ".join(_column_sql(name, c) for c in _columns(name))
    if name == "reports":  # the integer key cells refer to
        cols += ", report_key INTEGER NOT NULL UNIQUE"
    return f'CREATE TABLE "{name}" ({cols})'


def _pylist(table: pa.Table, name: str) -> list:
    """A column as Python values; floats through numpy (NaN for null, which SQLite binds as
    NULL), several times faster than Arrow's to_pylist."""
    col = plain(table[name])
    if pa.types.is_floating(col.type):
        return col.to_numpy(zero_copy_only=False).tolist()
    return col.to_pylist()


_MAX_VARIABLES = 999  # SQLite's smallest limit on bound parameters (before 3.32)


def _insert(db: sqlite3.Connection, name: str, columns: list[list]) -> None:
    """Rows given as columns, inserted several to a statement (``INSERT ... VALUES (...),
    (...)``): each statement costs SQLite and the sqlite3 module a fixed effort."""
    width = len(columns)
    rows = len(columns[0]) if columns else 0
    if not rows:
        return
    one = "(" + ",".join("?" * width) + ")"
    per = max(1, min(64, _MAX_VARIABLES // width))
    whole = rows // per * per
    if whole:
        flat = list(itertools.chain.from_iterable(zip(*columns)))
        step = per * width
        db.executemany(f'INSERT INTO "{name}" VALUES ' + ",".join([one] * per),
                       (flat[i:i + step] for i in range(0, whole * width, step)))
    if whole < rows:
        db.executemany(f'INSERT INTO "{name}" VALUES {one}',
                       zip(*(c[whole:] for c in columns)))


def _rows(frame: pd.DataFrame) -> Iterator[tuple]:
    """Plain Python values (None for missing) that sqlite3 can bind."""
    if all(dtype == object for dtype in frame.dtypes):  # frames.py: values as parsed
        return frame.itertuples(index=False, name=None)
    out = frame.astype(object).where(frame.notna(), None)
    return out.itertuples(index=False, name=None)


class SqliteWriter:
    """Fills a temp database; ``commit`` adds indexes and views and renames it into place."""

    def __init__(self, out: Path) -> None:
        self.final = out / FILE_NAME
        self.tmp = atomic.temp_beside(self.final)
        self.db = sqlite3.connect(self.tmp, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("BEGIN")
        self._framed: dict[str, int] = {}  # table written in frames -> rows written so far

    def begin(self, names: list[str]) -> None:
        self.db.execute(CELLS)
        self._cell_keys: dict[tuple, int] = {}
        for name in names:
            if name != "facts":
                self.db.execute(_create(name))

    def write(self, name: str, table: pa.Table) -> None:
        """A chunk of a streamed file (Arrow, see streams.py); facts go to ``cells``."""
        if not table.num_rows:
            return
        if name == "facts":
            self._cells(table)
            return
        names = [c.name for c in _columns(name)]
        _insert(self.db, name, [_pylist(table, n) for n in names])

    def _cells(self, facts: pa.Table) -> None:
        # The cell key of each fact: its cell (streams.py's dense id) and unit, numbered in
        # order of first appearance; strings are looked at once per distinct key.
        cell = plain(facts["cell"]).to_numpy().astype(np.int64)
        units = plain(facts["unit"]).dictionary_encode()
        unit_names = units.dictionary.to_pylist()
        n_units = len(unit_names) + 1  # the last code: no unit
        combo = cell * n_units + pc.fill_null(units.indices, len(unit_names)).to_numpy(
            zero_copy_only=False).astype(np.int64)
        first = np.full(int(combo.max()) + 1, -1, dtype=np.int64)
        first[combo[::-1]] = np.arange(len(combo) - 1, -1, -1)
        present = np.nonzero(first >= 0)[0]
        present = present[np.argsort(first[present], kind="stable")]
        at = pa.array(first[present], type=pa.int64())
        strings = [plain(facts[n]).take(at).to_pylist() for n in ("table", "row", "col")]
        lut = np.zeros(len(first), dtype=np.int64)
        for code, t, r, c in zip(present.tolist(), *strings):
            u = code % n_units
            lut[code] = self._cell_keys.setdefault(
                (t, r, c, unit_names[u] if u < len(unit_names) else None),
                len(self._cell_keys) + 1)
        cell_key = lut[combo]
        same = pc.fill_null(pc.equal(facts["origin"], plain(facts["report_origin"])), False)
        origin = pc.if_else(same, pa.scalar(None, pa.string()), facts["origin"])
        keys = facts["report_key"].to_numpy()
        starts = np.concatenate([[0], np.nonzero(np.diff(keys))[0] + 1])
        seq = np.arange(len(keys)) - np.repeat(starts, np.diff(np.append(starts, len(keys))))
        inferred = plain(facts["inferred"]).to_numpy(zero_copy_only=False).astype(np.int8)
        _insert(self.db, "cells", [keys.tolist(), seq.tolist(), cell_key.tolist(),
                                   _pylist(facts, "value"), _raw_kept(facts).to_pylist(),
                                   origin.to_pylist(), inferred.tolist()])

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        """The next rows of a table written in frames (reports, agencies)."""
        if name not in self._framed:
            self.db.execute(_create(name))
            self._framed[name] = 0
        done = self._framed[name]
        self._framed[name] += len(frame)
        if not len(frame):
            return
        if name == "reports":  # report-id order, as the chunks' report keys
            frame = frame.assign(report_key=np.arange(done + 1, done + len(frame) + 1))
        marks = ",".join("?" * len(frame.columns))
        self.db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', _rows(frame))

    def write_whole(self, name: str, frame: pd.DataFrame) -> None:
        self.db.execute(_create(name))
        if not len(frame):
            return
        marks = ",".join("?" * len(frame.columns))
        self.db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', _rows(frame))

    def _full_text(self) -> None:
        """``reports_fts``, or a warning when this SQLite has no FTS5 (the export goes on)."""
        tokenizer = fts_tokenizer()
        if tokenizer is None:
            log.warning("this SQLite (%s) has no FTS5: %s has no full-text index of titles and "
                        "agencies", sqlite3.sqlite_version, self.final.name)
            return
        if tokenizer != "trigram":
            log.warning("this SQLite (%s) has no trigram tokenizer: %s finds whole words only",
                        sqlite3.sqlite_version, FTS_TABLE)
        self.db.execute(_FTS.format(tokenizer=tokenizer))
        self.db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")

    def commit(self) -> list[Path]:
        self.db.execute(CELL_KEYS)
        self.db.executemany("INSERT INTO cell_keys VALUES (?,?,?,?,?)",
                            ((k, *cell) for cell, k in self._cell_keys.items()))
        for sql in INDEXES + VIEWS:
            self.db.execute(sql)
        self._full_text()
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA analysis_limit=1000")  # sampled statistics: enough to plan
        self.db.execute("ANALYZE")
        self.db.close()
        atomic.replace_file(self.tmp, self.final)
        return [self.final]

    def abort(self) -> None:
        try:
            self.db.close()
        finally:
            atomic.remove(self.tmp)
