"""One SQLite file, ``nianbao.sqlite``: every dataset as a table, indexes, and labelled views.

Built in a temp file beside the old one (journal off: nobody else sees it yet) and renamed
over it at the end, so readers always open a complete database.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from nianbao.output import atomic
from nianbao.output.columns import FILES, WIDE, Column
from nianbao.output.dictionary import DICTIONARY_COLUMNS

FILE_NAME = "nianbao.sqlite"
_TYPES = {"str": "TEXT", "int": "INTEGER", "count": "INTEGER", "float": "REAL",
          "number": "NUMERIC", "bool": "INTEGER", "timestamp": "TEXT"}
log = logging.getLogger("nianbao")

INDEXES = (
    'CREATE INDEX reports_agency_year ON reports(agency, year)',
    'CREATE INDEX reports_year ON reports(year)',
    'CREATE INDEX facts_report ON facts(report_id)',
    'CREATE INDEX facts_cell ON facts("table", "row", col)',
    'CREATE INDEX checks_report ON checks(report_id)',
    'CREATE INDEX checks_name ON checks(name, ok)',
    'CREATE INDEX wide_active_report ON wide_active(report_id)',
    'CREATE INDEX wide_requests_report ON wide_requests(report_id)',
    'CREATE INDEX wide_appeals_report ON wide_appeals(report_id)',
    'CREATE UNIQUE INDEX dictionary_key ON dictionary(template, "table", "row", col)',
)

VIEWS = (
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
    return f'CREATE TABLE "{name}" ({cols})'


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

    def begin(self, names: list[str]) -> None:
        for name in names:
            self.db.execute(_create(name))

    def write(self, name: str, frame: pd.DataFrame, years: dict | None = None) -> None:
        if not len(frame):
            return
        marks = ",".join("?" * len(frame.columns))
        self.db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', _rows(frame))

    def write_whole(self, name: str, frame: pd.DataFrame) -> None:
        self.db.execute(_create(name))
        self.write(name, frame)

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
        for sql in INDEXES + VIEWS:
            self.db.execute(sql)
        self._full_text()
        self.db.execute("COMMIT")
        self.db.execute("ANALYZE")
        self.db.close()
        atomic.replace_file(self.tmp, self.final)
        return [self.final]

    def abort(self) -> None:
        try:
            self.db.close()
        finally:
            atomic.remove(self.tmp)
