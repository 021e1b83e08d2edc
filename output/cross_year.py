"""The cross-year check of SCHEMA.md: this year's ``carried_over`` == last year's ``carried_forward``.

It needs two reports, so it runs over the whole dataset at export time, not in the parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from marshal import loads
from operator import eq, ne

from nianbao.parsers.model import Check, Number
from nianbao.output.records import ReportRow
from nianbao.output.results import CARRY_COLS
from nianbao.output.row_table import RowTable, as_table

_N = len(CARRY_COLS)  # a carry is carried_over's values, then carried_forward's
NAMES = tuple(f"cross_year.carry.{c}" for c in CARRY_COLS)


@dataclass(frozen=True, slots=True)
class Carried:
    """One report's cross-year checks, one per column of NAMES: this year's ``carried_over``
    (``lhs``) against last year's ``carried_forward`` (``rhs``). Kept as two tuples, not a
    Check object per column: export turns tens of thousands of them into columns at once."""

    lhs: tuple[Number, ...]
    rhs: tuple[Number, ...]

    @property
    def failed(self) -> int:
        return sum(map(ne, self.lhs, self.rhs))

    def checks(self) -> list[Check]:
        return list(map(Check, NAMES, map(eq, self.lhs, self.rhs), self.lhs, self.rhs))


_COMPARED = "agency_id IS NOT NULL AND agency_id != '' AND year IS NOT NULL AND carry IS NOT NULL"


def _pairs(table: RowTable) -> str:
    """The name of a temp table, made once per table, of every report compared with its
    agency's previous year: its report id, its carry and that year's, by report id (a chunk's
    pairs are then one range of it). The previous year's report is, of several, the ok one
    first, then the lowest report id."""
    name = f"{table.name}_pairs"
    db = table.db
    if db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = ?", (name,)).fetchone():
        return name
    years = f"{table.name}_years"
    # (SQLite takes the bare columns of a min() query from the row holding the minimum)
    db.execute(f"CREATE TEMP TABLE {years} AS SELECT agency_id, year, carry, "
               f"min((status != 'ok') || report_id) FROM {table.name} WHERE {_COMPARED} "
               "GROUP BY agency_id, year")
    db.execute(f"CREATE UNIQUE INDEX {years}_key ON {years}(agency_id, year)")
    db.execute(f"CREATE TEMP TABLE {name} (report_id TEXT PRIMARY KEY, this BLOB, prev BLOB) "
               "WITHOUT ROWID")
    db.execute(f"INSERT INTO {name} SELECT m.report_id, m.carry, p.carry FROM {table.name} m "
               f"JOIN {years} p ON p.agency_id = m.agency_id AND p.year = m.year - 1 "
               "WHERE m.carry IS NOT NULL ORDER BY m.report_id")
    db.execute(f"DROP TABLE {years}")
    return name


def cross_year_checks(reports: Iterable[ReportRow], first: str | None = None,
                      last: str | None = None) -> dict[str, Carried]:
    """report id -> its ``cross_year.carry.<col>`` checks against the agency's previous year,
    for the reports with ids from ``first`` to ``last`` (all by default).

    Reports are matched on ``agency_id`` (the register entry, whatever name each year printed);
    a report whose agency could not be identified is not compared."""
    table = as_table(reports)
    pairs = _pairs(table)
    span, params = "", ()
    if first is not None and last is not None:
        span, params = " WHERE report_id BETWEEN ? AND ?", (first, last)
    got = table.db.execute(f"SELECT report_id, this, prev FROM {pairs}{span}", params)
    return {rid: Carried(loads(this)[:_N], loads(prev)[_N:]) for rid, this, prev in got}

