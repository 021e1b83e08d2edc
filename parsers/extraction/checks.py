"""The accounting identities (勾稽关系) of SCHEMA.md, for one report.

A failed check is data, not an error: it tells the reader which numbers not to trust.
``null`` and absent cells count as 0. The checks of a table run when the report has the
table, all of them, so every report of a template has the same set of checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

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
    if type(lhs) is not int or type(rhs) is not int:  # (counts: no rounding to do)
        lhs, rhs = _clean(lhs), _clean(rhs)
    return Check(name, lhs == rhs, lhs, rhs)


def _vectors(facts: Iterable[Fact]) -> tuple[dict[str, list[Number]], dict[str, list[Number]]]:
    """Each row of tables requests and appeals as a list of numbers in column order (absent
    and null: 0), in one pass over the facts: (requests, appeals)."""
    requests: dict[str, list[Number]] = {}
    appeals: dict[str, list[Number]] = {}
    request_index, appeal_index = _INDEX["requests"], _INDEX["appeals"]
    for f in facts:
        table = f.table
        if table == "requests":
            rows, index = requests, request_index
        elif table == "appeals":
            rows, index = appeals, appeal_index
        else:
            continue
        vec = rows.get(f.row)
        if vec is None:
            vec = rows[f.row] = [0] * len(index)
        if f.value is not None:
            vec[index[f.col]] = f.value
    return requests, appeals


_REQUEST_COLS = tuple(c.key for c in REQUEST_COLS)
_APPEAL_COLS = tuple(c.key for c in APPEAL_COLS)
# table -> column key -> its position in a row's vector
_INDEX = {"requests": {c: i for i, c in enumerate(_REQUEST_COLS)},
          "appeals": {c: i for i, c in enumerate(_APPEAL_COLS)}}


class _Plan(NamedTuple):
    """A template's row keys and check names, made once (the same for every report)."""

    keys: tuple[str, ...]  # rows of table requests
    results: tuple[str, ...]  # its rows that are results (summed by closed_total)
    balance: tuple[str, ...]  # check names, per request column
    closed: tuple[str, ...]
    row_sums: tuple[str, ...]  # per request row
    appeal_keys: tuple[str, ...]
    appeal_sums: tuple[str, ...]


@cache
def _plan(template: str) -> _Plan:
    keys = tuple(r.key for r in SCHEMAS[template]["requests"].rows)
    appeals = tuple(r.key for r in SCHEMAS[template]["appeals"].rows)
    return _Plan(keys, tuple(k for k in keys if k not in _NOT_RESULTS),
                 tuple(f"requests.balance.{c}" for c in _REQUEST_COLS),
                 tuple(f"requests.closed_sum.{c}" for c in _REQUEST_COLS),
                 tuple(f"requests.row_sum.{k}" for k in keys),
                 appeals, tuple(f"appeals.row_sum.{k}" for k in appeals))


def run_checks(facts: list[Fact], template: str) -> list[Check]:
    if template not in SCHEMAS:
        return []
    checks: list[Check] = []
    plan = _plan(template)
    rows, appeals = _vectors(facts)
    append = checks.append
    if rows:
        zero = [0] * len(_REQUEST_COLS)
        get = rows.get
        received, carried = get("received_new", zero), get("carried_over", zero)
        closed, forward = get("closed_total", zero), get("carried_forward", zero)
        results = [get(k, zero) for k in plan.results]
        for j, name in enumerate(plan.balance):
            append(_check(name, sum((received[j], carried[j])), sum((closed[j], forward[j]))))
        for j, name in enumerate(plan.closed):
            append(_check(name, closed[j], sum([r[j] for r in results])))
        for key, name in zip(plan.keys, plan.row_sums):
            vec = get(key, zero)
            append(_check(name, vec[-1], sum(vec[:-1])))
    if appeals:
        zero = [0] * len(_APPEAL_COLS)
        for key, name in zip(plan.appeal_keys, plan.appeal_sums):
            vec = appeals.get(key, zero)
            append(_check(name, vec[-1], sum(vec[:-1])))
    return checks
