"""Place the numbers of rows that lost their empty cells, using the template's identities.

A rendering that drops empty cells keeps the remaining values in column order, so each such
row has a set of candidate placements (which columns the values came from). The row's own sum
(``total`` = the other columns) and the table's column identities (balance and closed sum of
table ``requests``) rule candidates out. A cell is placed only when every candidate that
survives agrees on it; the rest are left out and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import combinations

Vector = tuple[Decimal, ...]
Placement = tuple[int, ...]  # column index of each value, increasing

_ZERO = Decimal(0)
# Work limit of the joint search: beyond it, rows are judged by their own sums alone.
MAX_STATES = 200_000


def candidates(values: Sequence[Decimal | None], n: int,
               ok: Callable[[Vector], bool] | None = None) -> list[Placement]:
    """Placements of ``values`` (in order) into ``n`` columns whose vector passes ``ok``."""
    out = []
    for pos in combinations(range(n), len(values)):
        if ok is None or ok(vector(values, pos, n)):
            out.append(pos)
    return out


def vector(values: Sequence[Decimal | None], pos: Placement, n: int) -> Vector:
    vec = [_ZERO] * n
    for v, p in zip(values, pos):
        if v is not None:
            vec[p] = v
    return tuple(vec)


def row_sum_ok(groups: int, width: int) -> Callable[[Vector], bool]:
    """Each group of ``width`` columns ends in its total."""
    def ok(vec: Vector) -> bool:
        for g in range(groups):
            part = vec[g * width:(g + 1) * width]
            if sum(part[:-1], _ZERO) != part[-1]:
                return False
        return True
    return ok


def agreed_cells(values: Sequence[Decimal | None], placements: Sequence[Placement]
                 ) -> dict[int, int]:
    """Columns on which all placements agree: column -> index of the value placed there."""
    if not placements:
        return {}
    agreed: dict[int, int] = {}
    first = placements[0]
    for i, col in enumerate(first):
        ok = True
        for other in placements[1:]:
            if col not in other or values[other.index(col)] != values[i]:
                ok = False
                break
        if ok:
            agreed[col] = i
    return agreed


def solve_linear(
    fixed: Vector,
    rows: Sequence[tuple[tuple[int, ...], Sequence[Decimal | None], Sequence[Placement]]],
    n: int,
) -> list[list[Placement]] | None:
    """Keep the placements of each variable row that appear in some joint solution.

    Each constraint c and column j requires ``sum(coef[c] * row[j]) == 0`` over all rows;
    ``fixed`` is the contribution of the rows that are complete (length ``n * constraints``).
    ``rows`` gives, per variable row, its coefficients, values and candidate placements.
    Returns ``None`` when the search exceeds its work limit.
    """
    vecs = [[_contribution(coef, vector(vals, p, n)) for p in cands]
            for coef, vals, cands in rows]
    memo: dict[tuple[int, Vector], bool] = {}
    budget = [MAX_STATES]

    def finish(i: int, state: Vector) -> bool:
        if i == len(rows):
            return all(x == 0 for x in state)
        key = (i, state)
        hit = memo.get(key)
        if hit is not None:
            return hit
        budget[0] -= 1
        if budget[0] < 0:
            raise _Budget
        result = any(finish(i + 1, _add(state, c)) for c in vecs[i])
        memo[key] = result
        return result

    try:
        layer = {tuple(fixed)}
        keep: list[list[Placement]] = []
        for i, (_, _, cands) in enumerate(rows):
            chosen = []
            nxt: set[Vector] = set()
            for p, contrib in zip(cands, vecs[i]):
                good = False
                for s in layer:
                    t = _add(s, contrib)
                    if finish(i + 1, t):
                        good = True
                        nxt.add(t)
                if good:
                    chosen.append(p)
            keep.append(chosen)
            layer = nxt
            if len(layer) > MAX_STATES:
                return None
    except _Budget:
        return None
    return keep


class _Budget(Exception):
    pass


def _contribution(coef: tuple[int, ...], vec: Vector) -> Vector:
    out: list[Decimal] = []
    for c in coef:
        out.extend(v * c for v in vec)
    return tuple(out)


def _add(a: Vector, b: Vector) -> Vector:
    return tuple(x + y for x, y in zip(a, b))
