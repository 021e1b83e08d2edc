"""Place the numbers of rows that lost their empty cells, using the template's identities.

A rendering that drops empty cells keeps the remaining values in column order, so each such
row has a set of candidate placements (which columns the values came from). The row's own sum
(``total`` = the other columns) and the table's column identities (balance and closed sum of
table ``requests``) rule candidates out. A cell is placed only when every candidate that
survives agrees on it; the rest are left out and reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations, product

Number = int | Decimal
Vector = tuple[Number, ...]
Placement = tuple[int, ...]  # column index of each value, increasing

# Work limits of the joint search: the exact enumeration runs only on this many remaining
# combinations, and sums are not followed beyond this magnitude (bits of a bitset).
MAX_COMBINATIONS = 4_096
MAX_SUM = 1 << 16


def numbers(values: Sequence[Decimal | None]) -> list[Number]:
    """Blanks as 0 and integers as ints: fast to add, exact to compare."""
    return [0 if v is None else int(v) if v == v.to_integral_value() else v for v in values]


def vector(values: Sequence[Number], pos: Placement, n: int) -> Vector:
    """The row's numbers by column (``values`` from :func:`numbers`)."""
    vec: list[Number] = [0] * n
    for v, p in zip(values, pos):
        vec[p] = v
    return tuple(vec)


def candidates(values: Sequence[Number], n: int) -> list[Placement]:
    """Every placement of ``values``, in order, into ``n`` columns."""
    return list(combinations(range(n), len(values)))


def summed_candidates(values: Sequence[Number], groups: int, width: int) -> list[Placement]:
    """Placements into ``groups`` groups of ``width`` columns, each group ending in its total.

    Within a group the values keep their order, so when the total column is used it holds
    the group's last value: the row sum holds either for all such placements or for none.
    """
    if groups == 1:
        return _group_candidates(values, width)
    out: list[Placement] = []
    k = len(values)
    for split in product(range(width + 1), repeat=groups):
        if sum(split) != k:
            continue
        parts: list[list[Placement]] = []
        start = 0
        for g, size in enumerate(split):
            part = values[start:start + size]
            start += size
            parts.append([tuple(c + g * width for c in p)
                          for p in _group_candidates(part, width)])
            if not parts[-1]:
                break
        else:
            out.extend(sum(combo, ()) for combo in product(*parts))
    return out


def _group_candidates(values: Sequence[Number], width: int) -> list[Placement]:
    k = len(values)
    found: list[Placement] = []
    if k and sum(values[:-1]) == values[-1]:
        found += [c + (width - 1,) for c in combinations(range(width - 1), k - 1)]
    if k < width and sum(values) == 0:
        found += list(combinations(range(width - 1), k))
    return found


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


Row = tuple[tuple[int, ...], Sequence[Number], Sequence[Placement]]


def solve_linear(fixed: Vector, rows: Sequence[Row], n: int) -> list[list[Placement]]:
    """Keep the placements of each variable row that can be part of a joint solution.

    Each constraint c and column j requires ``sum(coef[c] * row[j]) == 0`` over all rows;
    ``fixed`` is the contribution of the rows that are complete (``n`` entries a constraint).
    ``rows`` gives, per variable row, its coefficients, values and candidate placements.

    First every constraint is checked column by column: a placement survives when the other
    rows can still make up the rest of that column's sum (reachable sums kept as bitsets).
    This never drops a placement of a real solution; it repeats until nothing changes. When
    few combinations remain, an exact enumeration settles the rest.
    """
    vecs = [[vector(vals, p, n) for p in cands] for _, vals, cands in rows]
    columns = [list(zip(*v)) if v else [()] * n for v in vecs]  # per row: column -> values
    alive = [list(range(len(c))) for _, _, c in rows]
    dirty = set(range(len(rows)))
    while dirty:
        touched: set[int] = set()
        for k in range(len(fixed) // n):
            members = [i for i, (coef, _, _) in enumerate(rows) if coef[k]]
            if not dirty.intersection(members):
                continue
            for j in range(n):
                touched |= _prune_column(rows, columns, alive, members, k, j, -fixed[k * n + j])
        dirty = touched
    combos = 1
    for a in alive:
        combos *= max(len(a), 1)
    if combos <= MAX_COMBINATIONS:
        alive = _exact(fixed, rows, vecs, alive)
    return [[rows[i][2][c] for c in a] for i, a in enumerate(alive)]


def _prune_column(rows: Sequence[Row], columns: list[list[tuple[Number, ...]]],
                  alive: list[list[int]], members: list[int], k: int, j: int,
                  target: Number) -> set[int]:
    """Drop the placements whose value in column ``j`` no choice of the other rows can
    complete to ``target`` under constraint ``k``. Returns the rows that lost placements."""
    col: dict[int, list[Number]] = {}
    for i in members:
        coef, values = rows[i][0][k], columns[i][j]
        vals = [coef * values[c] for c in alive[i]]
        if not vals:
            return set()  # a row with no placement left: no solution, nothing to learn
        if len(set(vals)) == 1:
            target -= vals[0]  # settled in this column: a constant
        else:
            col[i] = vals
    if not col or not isinstance(target, int):
        return set()
    sets = [set(v) for v in col.values()]
    if any(not isinstance(v, int) for s in sets for v in s):
        return set()  # not integers (never for counts): nothing to prune here
    offset = sum(max(abs(v) for v in s) for s in sets)
    if offset > MAX_SUM:
        return set()
    before = _prefix_bitsets(sets, offset)
    after = _prefix_bitsets([{-v for v in s} for s in reversed(sets)], offset)[::-1]
    touched: set[int] = set()
    for pos, (i, vals) in enumerate(col.items()):
        # x (sum before) + y (sum after) == target - v  <=>  bit x+O of ``before`` and bit
        # -y+O of ``after`` (built on negated values) are d = target - v apart.
        supported = {v for v in sets[pos] if _meets(before[pos], after[pos + 1], target - v)}
        if len(supported) < len(sets[pos]):
            alive[i] = [c for c, v in zip(alive[i], vals) if v in supported]
            touched.add(i)
    return touched


def _prefix_bitsets(sets: Sequence[set[int]], offset: int) -> list[int]:
    """``out[i]``: the sums over ``sets[:i]`` (one element from each) as bits ``sum + offset``."""
    acc = 1 << offset
    out = [acc]
    for s in sets:
        nxt = 0
        for v in s:
            nxt |= acc << v if v >= 0 else acc >> -v
        acc = nxt
        out.append(acc)
    return out


def _meets(before: int, after: int, d: int) -> bool:
    shifted = after << d if d >= 0 else after >> -d
    return (before & shifted) != 0


def _exact(fixed: Vector, rows: Sequence[Row], vecs: list[list[Vector]],
           alive: list[list[int]]) -> list[list[int]]:
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
