"""The cross-year check of SCHEMA.md: this year's ``carried_over`` == last year's ``carried_forward``.

It needs two reports, so it runs over the whole dataset at export time, not in the parser.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from operator import eq, ne

from nianbao.parsers.model import Check, Number
from nianbao.output.records import ReportRow
from nianbao.output.results import CARRY_COLS

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


def _representative(rows: list[ReportRow]) -> ReportRow:
    """Of several reports of one agency and year, the one to compare with: ok first, then id."""
    return rows[0] if len(rows) == 1 else min(rows, key=lambda r: (r.status != "ok", r.report_id))


def cross_year_checks(reports: list[ReportRow]) -> dict[str, Carried]:
    """report id -> its ``cross_year.carry.<col>`` checks against the agency's previous year.

    Reports are matched on ``agency_id`` (the register entry, whatever name each year printed);
    a report whose agency could not be identified is not compared."""
    by_year: dict[tuple[str, int], list[ReportRow]] = defaultdict(list)
    for r in reports:
        if r.agency_id and r.year is not None and r.carry:
            by_year[(r.agency_id, r.year)].append(r)
    out: dict[str, Carried] = {}
    for (agency, year), rows in by_year.items():
        prev_rows = by_year.get((agency, year - 1))
        if not prev_rows:
            continue
        rhs = _representative(prev_rows).carry[_N:]  # type: ignore[index]
        for r in rows:
            out[r.report_id] = Carried(r.carry[:_N], rhs)  # type: ignore[index]
    return out
