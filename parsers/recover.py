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

Number = int | Decimal
Vector = tuple[Number, ...]
Placement = tuple[int, ...]  # column index of each value, increasing

# Work limits of the joint search: the exact enumeration runs only on this many remaining
# combinations, and a column's set of reachable sums is not followed past this size.
MAX_COMBINATIONS = 20_000
MAX_SUMSET = 4_000


def candidates(values: Sequence[Number], n: int,
               ok: Callable[[Vector], bool] | None = None) -> list[Placement]:
    """Placements of ``values`` (in order) into ``n`` columns whose vector passes ``ok``."""
    if ok is None:
        return list(combinations(range(n), len(values)))
    return [pos for pos in combinations(range(n), len(values)) if ok(vector(values, pos, n))]


def numbers(values: Sequence[Decimal | None]) -> list[Number]:
    """Blanks as 0 and integers as ints: fast to add, exact to compare."""
    return [0 if v is None else int(v) if v == v.to_integral_value() else v for v in values]


def vector(values: Sequence[Number], pos: Placement, n: int) -> Vector:
    """The row's numbers by column (``values`` from :func:`numbers`)."""
    vec: list[Number] = [0] * n
    for v, p in zip(values, pos):
        vec[p] = v
    return tuple(vec)


def row_sum_ok(groups: int, width: int) -> Callable[[Vector], bool]:
    """Each group of ``width`` columns ends in its total."""
    def ok(vec: Vector) -> bool:
        for g in range(groups):
            part = vec[g * width:(g + 1) * width]
            if sum(part[:-1]) != part[-1]:
                return False
        return True
    return ok


def agreed_cells(values: Sequence[object], placements: Sequence[Placement]
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
    rows: Sequence[tuple[tuple[int, ...], Sequence[Number], Sequence[Placement]]],
    n: int,
) -> list[list[Placement]]:
    """Keep the placements of each variable row that can be part of a joint solution.

    Each constraint c and column j requires ``sum(coef[c] * row[j]) == 0`` over all rows;
    ``fixed`` is the contribution of the rows that are complete (``n`` entries a constraint).
    ``rows`` gives, per variable row, its coefficients, values and candidate placements.

    First every constraint is checked column by column (a placement survives when the other
    rows can still make up the rest of that column's sum), until nothing changes; this never
    drops a placement of a real solution. When few combinations remain, an exact search over
    them settles the rest.
    """
    vecs = [[vector(vals, p, n) for p in cands] for _, vals, cands in rows]
    alive = [list(range(len(c))) for _, _, c in rows]
    changed = True
    while changed:
        changed = False
        for k in range(len(fixed) // n):
            for j in range(n):
                target = -fixed[k * n + j]
                members = [i for i, (coef, _, _) in enumerate(rows) if coef[k]]
                if not members:
                    continue
                col = {i: [rows[i][0][k] * vecs[i][c][j] for c in alive[i]] for i in members}
                sets = [set(col[i]) for i in members]
                prefix = _prefix_sumsets(sets)
                suffix = _prefix_sumsets(sets[::-1])[::-1]
                for pos, i in enumerate(members):
                    before, after = prefix[pos], suffix[pos + 1]
                    if before is None or after is None:
                        continue
                    supported = {v for v in sets[pos]
                                 if any(target - v - x in after for x in before)}
                    if len(supported) < len(sets[pos]):
                        alive[i] = [c for c, v in zip(alive[i], col[i]) if v in supported]
                        changed = True
    combos = 1
    for a in alive:
        combos *= max(len(a), 1)
    if combos <= MAX_COMBINATIONS:
        alive = _exact(fixed, rows, vecs, alive, n)
    return [[rows[i][2][c] for c in a] for i, a in enumerate(alive)]


def _prefix_sumsets(sets: Sequence[set[Number]]) -> list[set[Number] | None]:
    """``out[i]``: every sum taking one element from each of ``sets[:i]`` (``None`` once the
    set grows too large to follow)."""
    out: list[set[Number] | None] = [{0}]
    acc: set[Number] | None = {0}
    for s in sets:
        if acc is not None:
            acc = {a + b for a in acc for b in s}
            if len(acc) > MAX_SUMSET:
                acc = None
        out.append(acc)
    return out


def _exact(fixed: Vector, rows: Sequence[tuple[tuple[int, ...], Sequence[Number],
                                               Sequence[Placement]]],
           vecs: list[list[Vector]], alive: list[list[int]], n: int) -> list[list[int]]:
    """Enumerate the remaining combinations; keep the placements used by some solution."""
    contrib = [[_contribution(rows[i][0], vecs[i][c]) for c in a] for i, a in enumerate(alive)]
    used: list[set[int]] = [set() for _ in rows]
    chosen: list[int] = []

    def walk(i: int, state: Vector) -> None:
        if i == len(rows):
            if all(x == 0 for x in state):
                for r, c in enumerate(chosen):
                    used[r].add(c)
            return
        for idx, c in enumerate(alive[i]):
            chosen.append(c)
            walk(i + 1, _add(state, contrib[i][idx]))
            chosen.pop()

    walk(0, tuple(fixed))
    return [[c for c in a if c in used[i]] for i, a in enumerate(alive)]


def _contribution(coef: tuple[int, ...], vec: Vector) -> Vector:
    out: list[Number] = []
    for c in coef:
        out.extend(v * c for v in vec)
    return tuple(out)


def _add(a: Vector, b: Vector) -> Vector:
    return tuple(x + y for x, y in zip(a, b))
