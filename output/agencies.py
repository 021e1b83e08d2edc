"""The ``agencies`` table: one row per register entry the reports name, and the governments above.

Built at export from the reports' resolved agencies (output/records.py), so every ``agency_id``
in ``reports`` and every ``parent_id`` here is a row of this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple
from marshal import dumps, loads

import pandas as pd

from nianbao.parsers.extraction.agency import Agency, parents
from nianbao.output.columns import AGENCIES
from nianbao.output.records import ReportRow
from nianbao.output.row_table import as_table

NAMES_SEPARATOR = " | "


def agencies_frames(reports: Iterable[ReportRow], size: int = 5000) -> Iterator[pd.DataFrame]:
    """``agencies``, by agency id, ``size`` rows a frame (at least one frame, maybe empty)."""
    table = as_table(reports)
    db, name = table.db, table.name
    db.execute(f"CREATE INDEX IF NOT EXISTS {name}_register ON {name}(register_id, agency)")
    db.execute("DROP TABLE IF EXISTS temp.entries")
    db.execute("CREATE TEMP TABLE entries (agency_id TEXT PRIMARY KEY, entry BLOB, reports "
               "INTEGER, first INTEGER, last INTEGER)")
    db.execute(f"INSERT INTO entries SELECT register_id, register, count(*), min(year), max(year) "
               f"FROM {name} WHERE register_id IS NOT NULL GROUP BY register_id")
    above: set[Agency] = set()  # the governments above them: a few per county
    for (entry,) in db.execute("SELECT entry FROM entries"):
        above.update(parents(Agency(*loads(entry))))
    db.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?, 0, NULL, NULL)",
                   [(a.agency_id, dumps(astuple(a))) for a in sorted(above, key=_id)])
    after = ""
    while True:
        got = db.execute("SELECT agency_id, entry, reports, first, last FROM entries "
                         f"WHERE agency_id > ? ORDER BY agency_id LIMIT {size}", (after,)).fetchall()
        if not got and after:
            return
        printed: dict[str, list[str]] = {}
        if got:
            for agency_id, agency in db.execute(
                    f"SELECT DISTINCT register_id, agency FROM {name} WHERE register_id BETWEEN "
                    "? AND ? AND agency IS NOT NULL AND agency != '' ORDER BY register_id, agency",
                    (got[0][0], got[-1][0])):
                printed.setdefault(agency_id, []).append(agency)
            after = got[-1][0]
        yield _frame([_line(Agency(*loads(entry)), n, first, last, printed.get(agency_id))
                      for agency_id, entry, n, first, last in got])
        if len(got) < size:
            return


def _id(a: Agency) -> str:
    return a.agency_id or ""


def _line(a: Agency, reports: int, first: int | None, last: int | None,
          printed: list[str] | None) -> list:
    return [a.agency_id, a.name, a.region_code, a.province, a.prefecture, a.county, a.township,
            a.level, a.kind, a.parent_id, NAMES_SEPARATOR.join(printed) if printed else None,
            reports, first, last]


def _frame(lines: list[list]) -> pd.DataFrame:
    names = [c.name for c in AGENCIES]
    return pd.DataFrame({n: pd.Series([line[i] for line in lines], dtype=object)
                         for i, n in enumerate(names)}, columns=names)


def agencies_frame(reports: Iterable[ReportRow]) -> pd.DataFrame:
    """``agencies`` whole, by agency id."""
    return pd.concat(list(agencies_frames(reports)), ignore_index=True)
