"""The accounting identities (勾稽关系) of SCHEMA.md, for one report.

A failed check is data, not an error: it tells the reader which numbers not to trust.
``null`` and absent cells count as 0. The checks of a table run when the report has the
table, all of them, so every report of a template has the same set of checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from nianbao.parsers.model import Check, Fact, Number
from nianbao.parsers.schema import APPEAL_COLS, REQUEST_COLS, SCHEMAS

_BALANCE_LHS = ("received_new", "carried_over")
_BALANCE_RHS = ("closed_total", "carried_forward")
_NOT_RESULTS = frozenset(_BALANCE_LHS + _BALANCE_RHS)


def _clean(x: Number) -> Number:
    """Sums of decimals drift (0.1 + 0.2); counts are integers anyway."""
    if isinstance(x, int):
        return x
    r = round(x, 6)
    return int(r) if r == int(r) else r


def _check(name: str, lhs: Number, rhs: Number) -> Check:
    lhs, rhs = _clean(lhs), _clean(rhs)
    return Check(name, lhs == rhs, lhs, rhs)


def _vectors(facts: Iterable[Fact], table: str, cols: tuple[str, ...]) -> dict[str, list[Number]]:
    """Each row of ``table`` as a list of numbers in column order (absent and null: 0)."""
    index = {c: i for i, c in enumerate(cols)}
    rows: dict[str, list[Number]] = {}
    for f in facts:
        if f.table == table:
            vec = rows.setdefault(f.row, [0] * len(cols))
            if f.value is not None:
                vec[index[f.col]] = f.value
    return rows


def run_checks(facts: list[Fact], template: str) -> list[Check]:
    if template not in SCHEMAS:
        return []
    checks: list[Check] = []
    cols = tuple(c.key for c in REQUEST_COLS)
    rows = _vectors(facts, "requests", cols)
    if rows:
        zero = [0] * len(cols)
        keys = [r.key for r in SCHEMAS[template]["requests"].rows]
        get = lambda key: rows.get(key, zero)  # noqa: E731
        results = [get(k) for k in keys if k not in _NOT_RESULTS]
        for j, col in enumerate(cols):
            checks.append(_check(f"requests.balance.{col}",
                                 sum(get(k)[j] for k in _BALANCE_LHS),
                                 sum(get(k)[j] for k in _BALANCE_RHS)))
        for j, col in enumerate(cols):
            checks.append(_check(f"requests.closed_sum.{col}", get("closed_total")[j],
                                 sum(r[j] for r in results)))
        for key in keys:
            vec = get(key)
            checks.append(_check(f"requests.row_sum.{key}", vec[-1], sum(vec[:-1])))
    cols = tuple(c.key for c in APPEAL_COLS)
    rows = _vectors(facts, "appeals", cols)
    if rows:
        for key in (r.key for r in SCHEMAS[template]["appeals"].rows):
            vec = rows.get(key, [0] * len(cols))
            checks.append(_check(f"appeals.row_sum.{key}", vec[-1], sum(vec[:-1])))
    return checks
