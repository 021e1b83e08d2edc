"""The accounting identities (勾稽关系) of SCHEMA.md, for one report.

A failed check is data, not an error: it tells the reader which numbers not to trust.
``null`` and absent cells count as 0. The checks of a table run when the report has the
table, all of them, so every report of a template has the same set of checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from parsers.model import Check, Fact, Number
from parsers.schema import APPEAL_COLS, REQUEST_COLS, SCHEMAS

_BALANCE_LHS = ("received_new", "carried_over")
_BALANCE_RHS = ("closed_total", "carried_forward")
_NOT_RESULTS = frozenset(_BALANCE_LHS + _BALANCE_RHS)


def _clean(x: float | int) -> Number:
    """Sums of decimals drift (0.1 + 0.2); counts are integers anyway."""
    r = round(x, 6)
    return int(r) if r == int(r) else r


def run_checks(facts: Iterable[Fact], template: str) -> list[Check]:
    cell: dict[tuple[str, str, str], Number] = {}
    rows: dict[str, set[str]] = {}
    for f in facts:
        cell[(f.table, f.row, f.col)] = f.value or 0
        rows.setdefault(f.table, set()).add(f.row)

    def get(table: str, row: str, col: str) -> Number:
        return cell.get((table, row, col), 0)

    def check(name: str, lhs: float, rhs: float) -> Check:
        lhs, rhs = _clean(lhs), _clean(rhs)
        return Check(name, lhs == rhs, lhs, rhs)

    checks: list[Check] = []
    if "requests" in rows and template in SCHEMAS:
        table = SCHEMAS[template]["requests"]
        results = [r.key for r in table.rows if r.key not in _NOT_RESULTS]
        for col in (c.key for c in REQUEST_COLS):
            lhs = sum(get("requests", r, col) for r in _BALANCE_LHS)
            rhs = sum(get("requests", r, col) for r in _BALANCE_RHS)
            checks.append(check(f"requests.balance.{col}", lhs, rhs))
        for col in (c.key for c in REQUEST_COLS):
            total = get("requests", "closed_total", col)
            checks.append(check(f"requests.closed_sum.{col}", total,
                                sum(get("requests", r, col) for r in results)))
        for row in (r.key for r in table.rows):
            parts = sum(get("requests", row, c.key) for c in REQUEST_COLS[:-1])
            checks.append(check(f"requests.row_sum.{row}", get("requests", row, "total"), parts))
    if "appeals" in rows and template in SCHEMAS:
        for row in (r.key for r in SCHEMAS[template]["appeals"].rows):
            parts = sum(get("appeals", row, c.key) for c in APPEAL_COLS[:-1])
            checks.append(check(f"appeals.row_sum.{row}", get("appeals", row, "total"), parts))
    return checks
