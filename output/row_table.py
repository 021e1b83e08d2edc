"""Report rows kept in a temporary SQLite database instead of Python objects.

An export looks across reports (the same report at several URLs, an agency's previous year,
a host's division, the agencies table), so it once held every report row in memory: about
1.6 kB a report, gigabytes for a national archive. Here the rows live in a private temporary
database (SQLite keeps a few MB of it cached and the rest on disk, in ``TMPDIR``), the steps
that look across reports are SQL over it, and the rows come back a chunk at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import fields
from marshal import dumps, loads
from operator import attrgetter

from nianbao.parsers.extraction.agency import UNKNOWN, Agency
from nianbao.output.records import SUCCESS, ReportCounts, ReportRow
from nianbao.scraper.urls import host_of

FIELDS = tuple(f.name for f in fields(ReportRow))
_ROW = attrgetter(*FIELDS)
_AGENCY = attrgetter(*(f.name for f in fields(Agency)))
# The fields after the scalars; all but facts_from are kept as marshal bytes (exact for tuples
# of strings and numbers).
_LAST = len(FIELDS) - 5
assert FIELDS[_LAST:] == ("carry", "facts_from", "facts_place", "register", "agency_context")
_COLUMNS = ", ".join(f'"{f}"' for f in FIELDS)
_LIGHT = ", ".join(f'"{f}"' for f in FIELDS[:_LAST]) + ", NULL, facts_from, facts_place"  # (no carry)
# Besides the row's own fields: its position in the table, its host and its register entry's id
# (what place_by_host and the agencies table group by).
_DDL = ("CREATE TABLE {name} (seq INTEGER PRIMARY KEY, " + _COLUMNS
        + ", host TEXT, register_id TEXT, grp INTEGER)")
_MARKS = ",".join("?" * (len(FIELDS) + 2))
BATCH = 2000  # rows encoded, inserted or decoded at a time
SUCCESS_SQL = "(" + ",".join(f"'{s}'" for s in sorted(SUCCESS)) + ")"  # SQL: the statuses read
PARSED = f"parser_version IS NOT NULL AND status IN {SUCCESS_SQL}"  # SQL: a row whose report was read


def temporary_database() -> sqlite3.Connection:
    """A private database SQLite deletes on close: pages beyond its cache go to a temp file."""
    db = sqlite3.connect("", isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-16000")  # 16 MB, and as much for the temp tables
    db.execute("PRAGMA temp.cache_size=-16000")
    return db


def encode(row: ReportRow) -> tuple:
    """A row as the values of its table line (without ``seq``)."""
    values = _ROW(row)
    carry, facts_from, place, register, context = values[_LAST:]
    return (*values[:_LAST], None if carry is None else dumps(tuple(carry)), facts_from,
            None if place is None else dumps(place),
            None if register is UNKNOWN else dumps(_AGENCY(register)), dumps(context),
            host_of(row.source_url), register.agency_id)


def decode(values: tuple) -> ReportRow:
    """A table line's row fields (in FIELDS order) as the ReportRow they were made from."""
    carry, facts_from, place, register, context = values[_LAST:]
    return ReportRow(*values[:_LAST], None if carry is None else loads(carry), facts_from,
                     None if place is None else loads(place),
                     UNKNOWN if register is None else Agency(*loads(register)), loads(context))


class RowTable:
    """Report rows in one table of a temporary database; iterating gives them back in the
    order they were added. ``db`` may hold other tables (the merged rows, the steps' keys)."""

    def __init__(self, rows: Iterable[ReportRow] = (), *, db: sqlite3.Connection | None = None,
                 name: str = "report_rows") -> None:
        self.db = db if db is not None else temporary_database()
        self.name = name
        self.by_id = False  # whether its seq order is report-id order (see ``by_report_id``)
        self.db.execute(_DDL.format(name=name))
        self.add(rows)

    def add(self, rows: Iterable[ReportRow]) -> None:
        batch: list[tuple] = []
        for row in rows:
            batch.append(encode(row))
            if len(batch) >= BATCH:
                self._insert(batch)
                batch = []
        if batch:
            self._insert(batch)

    def _insert(self, batch: list[tuple]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO {self.name} ({_COLUMNS}, host, register_id) "
                            f"VALUES ({_MARKS})", batch)
        self.db.execute("COMMIT")

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[ReportRow]:
        for part in self.pages("seq"):
            yield from (row for _seq, row in part)

    def select(self, where: str = "1", params: tuple = (), order: str = "seq",
               limit: int | None = None, light: bool = False) -> list[tuple[int, ReportRow]]:
        """(seq, row) of the lines ``where`` holds, by ``order``; ``light`` rows come without
        their carry, register entry and agency context (export's loop has no use for them:
        not decoded for nothing)."""
        got = self.db.execute(
            f"SELECT seq, {_LIGHT if light else _COLUMNS} FROM {self.name} WHERE {where} "
            f"ORDER BY {order}" + ("" if limit is None else f" LIMIT {limit}"), params).fetchall()
        if light:
            return [(line[0], ReportRow(*line[1:-1], line[-1] and loads(line[-1])))
                    for line in got]
        return [(line[0], decode(line[1:])) for line in got]

    def pages(self, order: str = "seq", where: str = "1", params: tuple = (),
              size: int = BATCH, light: bool = False) -> Iterator[list[tuple[int, ReportRow]]]:
        """(seq, row) pairs ``where`` holds, ``size`` at a time, by ``order`` (``seq`` or
        ``report_id``, which must then be unique). Each page is a query of its own, so the
        caller may change the table between pages."""
        part = self.select(f"({where})", params, order, size, light)
        while part:
            yield part
            after = part[-1][0] if order == "seq" else part[-1][1].report_id
            part = self.select(f"({where}) AND {order} > ?", params + (after,), order, size,
                               light)

    @classmethod
    def by_report_id(cls, db: sqlite3.Connection, name: str,
                     parts: list[tuple["RowTable", str]]) -> "RowTable":
        """A new table ``name`` of the lines ``where`` holds of each (table, where) of ``parts``,
        in report-id order (which must be unique among them): read in that order from then on,
        its pages come off the disk one after the other."""
        db.execute(f"DROP TABLE IF EXISTS {name}")
        out = cls(db=db, name=name)
        kept = f"{_COLUMNS}, host, register_id"
        union = " UNION ALL ".join(f"SELECT {kept} FROM {t.name} WHERE {where}"
                                   for t, where in parts)
        db.execute(f"INSERT INTO {name} ({kept}) SELECT * FROM ({union}) ORDER BY report_id")
        out.by_id = True
        return out

    def chunks(self, size: int, light: bool = False) -> Iterator[list[ReportRow]]:
        """Every row, ``size`` at a time, in report-id order (export's order); ``light``: see
        ``select``."""
        if not self.by_id:
            self.db.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {self.name}_id "
                            f"ON {self.name}(report_id)")
        for part in self.pages("seq" if self.by_id else "report_id", size=size, light=light):
            yield [row for _seq, row in part]

    def replace(self, changed: Iterable[tuple[int, ReportRow]]) -> None:
        """Write rows back over the lines they were read from (by ``seq``)."""
        sets = ", ".join(f'"{f}"=?' for f in FIELDS) + ", host=?, register_id=?"
        self.db.execute("BEGIN")
        self.db.executemany(f"UPDATE {self.name} SET {sets} WHERE seq=?",
                            ((*encode(row), seq) for seq, row in changed))
        self.db.execute("COMMIT")

    def count(self, where: str = "1", params: tuple = ()) -> int:
        """How many rows ``where`` holds."""
        return self.db.execute(f"SELECT count(*) FROM {self.name} WHERE {where}",
                               params).fetchone()[0]

    def distinct(self, column: str, where: str = "1") -> int:
        """How many values of ``column`` (not null) the rows ``where`` holds have."""
        return self.db.execute(f"SELECT count(DISTINCT {column}) FROM {self.name} "
                               f"WHERE {where}").fetchone()[0]

    def count_by(self, column: str, where: str = "1") -> dict:
        """How many rows ``where`` holds, by value of ``column``."""
        return dict(self.db.execute(
            f"SELECT {column}, count(*) FROM {self.name} WHERE {where} GROUP BY 1"))

    def counts(self) -> ReportCounts:
        return ReportCounts.tally(self.db.execute(
            f"SELECT parser_version IS NULL, status, count(*) FROM {self.name} GROUP BY 1, 2"))


def as_table(rows: Iterable[ReportRow]) -> RowTable:
    """``rows`` as a RowTable (itself when it is one)."""
    return rows if isinstance(rows, RowTable) else RowTable(rows)
