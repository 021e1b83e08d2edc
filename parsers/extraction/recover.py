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
from functools import cache, lru_cache
from itertools import combinations
from typing import NamedTuple, cast

Number = int | Decimal
Vector = tuple[Number, ...]
Placement = tuple[int, ...]  # column index of each value, increasing

# Work limits of the joint search: the exact enumeration runs only on this many remaining
# combinations, and sums are not followed beyond this magnitude (bits of a bitset).
MAX_COMBINATIONS = 4_096
MAX_SUM = 1 << 16


def numbers(values: Sequence[Decimal | None]) -> list[Number]:
    """Blanks as 0 and integers as ints: fast to add, exact to compare."""
    return [0 if v is None else i if (i := int(v)) == v else v for v in values]


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
    k = len(values)
    parts: dict[tuple[int, int, int], list[Placement]] = {}  # (group, start, size) -> part

    def part(g: int, start: int, size: int) -> list[Placement]:
        key = (g, start, size)
        if key not in parts:
            parts[key] = _group_candidates(values[start:start + size], width, g * width)
        return parts[key]

    out: list[Placement] = []

    def fill(g: int, start: int, chosen: list[list[Placement]]) -> None:
        # the splits (values per group) in increasing order, as ``itertools.product`` would give them,
        # skipping those with a group that has no placement
        left = k - start
        if g == groups:
            if not left:
                # every combination of the groups' parts, the last group's varying fastest
                combos: list[Placement] = [()]
                for p in chosen:
                    combos = [a + b for a in combos for b in p]
                out.extend(combos)
            return
        for size in range(min(width, left) + 1):
            if left - size > width * (groups - g - 1):
                continue
            p = part(g, start, size)
            if p:
                fill(g + 1, start + size, chosen + [p])

    fill(0, 0, [])
    return out


def _group_candidates(values: Sequence[Number], width: int, offset: int = 0
                      ) -> list[Placement]:
    """Placements of ``values`` into one group of ``width`` columns that ends in its total,
    the group's first column being ``offset``."""
    k = len(values)
    found: list[Placement] = []
    if k and sum(values[:-1]) == values[-1]:
        found += _with_total(k, width, offset)
    if k < width and sum(values) == 0:
        found += _without_total(k, width, offset)
    return found


@cache
def _with_total(k: int, width: int, offset: int) -> tuple[Placement, ...]:
    """The placements of ``k`` values whose last is the group total (a few shapes, reused)."""
    return tuple(tuple(c + offset for c in p) + (offset + width - 1,)
                 for p in combinations(range(width - 1), k - 1))


@cache
def _without_total(k: int, width: int, offset: int) -> tuple[Placement, ...]:
    return tuple(tuple(c + offset for c in p) for p in combinations(range(width - 1), k))


def agreed_cells(values: Sequence[object], placements: Sequence[Placement]
                 ) -> dict[int, int]:
    """Columns on which all placements agree: column -> index of the value placed there.
    (Each placement places every value: as long as ``values``, columns increasing.)"""
    if not placements:
        return {}
    agreed: dict[int, int] = {}
    first = placements[0]
    rest = placements[1:]
    count = len(placements)
    by_index = list(zip(*placements))  # by_index[i]: the column of value i in each placement
    for i, col in enumerate(first):
        if by_index[i].count(col) == count:  # the same value there in every placement
            agreed[col] = i
            continue
        v = values[i]
        for other in rest:
            if other[i] != col and (col not in other or values[other.index(col)] != v):
                break
        else:
            agreed[col] = i
    return agreed


Row = tuple[tuple[int, ...], Sequence[Number], Sequence[Placement]]
Cell = tuple[tuple[Number, int], ...]  # distinct values of a row in a column, each with the
#                                        bitmask of the placements that put it there
_Ints = Sequence[tuple[int, int]]  # the same, once known to be integers


def solve_linear(fixed: Vector, rows: Sequence[Row], n: int) -> list[list[Placement]]:
    """Keep the placements of each variable row that can be part of a joint solution.

    Each constraint c and column j requires ``sum(coef[c] * row[j]) == 0`` over all rows;
    ``fixed`` is the contribution of the rows that are complete (``n`` entries a constraint).
    ``rows`` gives, per variable row, its coefficients, values and candidate placements.

    First every constraint is checked column by column: a placement survives when the other
    rows can still make up the rest of that column's sum (reachable sums kept as bitsets).
    This never drops a placement of a real solution; it repeats until nothing changes. When
    few combinations remain, an exact enumeration settles the rest.

    A row's surviving placements are a bitmask, and each column check works on the row's
    distinct values there, so its cost does not grow with the number of placements. A check
    is skipped when no member's values in its column changed since it last ran: the check
    keeps every value of a supporting combination, so running it again would drop nothing.
    """
    m = len(fixed) // n
    full = [(1 << len(c)) - 1 for _, _, c in rows]
    alive = full.copy()
    empty = {i for i, a in enumerate(alive) if not a}  # rows with no placement left
    members = [[i for i, (coef, _, _) in enumerate(rows) if coef[k]] for k in range(m)]
    in_constraints = [[k for k in range(m) if coef[k]] for coef, _, _ in rows]
    # cells[k][i][j]: row i's values in column j, times its coefficient in constraint k.
    # A check (k, j) folds the cells with a single value into its target.
    cells: list[dict[int, list[Cell]]] = [{} for _ in range(m)]
    targets = [[-fixed[k * n + j] for j in range(n)] for k in range(m)]
    multi: list[list[list[tuple[int, Cell]]]] = [[[] for _ in range(n)] for _ in range(m)]
    mixed = [[False] * n for _ in range(m)]
    for i, (coef, values, cands) in enumerate(rows):
        ints = _all_int(values)
        # the row's layout, looked up once for all its constraints (not for a row of zeros)
        layout = None if cands and not any(values) else _layout(tuple(cands), n)
        for k in in_constraints[i]:
            c = coef[k]
            cells[k][i] = row_cells = _cells(values if c == 1 else [c * v for v in values],
                                             cands, n, ints, layout)
            target, todo, odd = targets[k], multi[k], mixed[k]
            for j, cell in enumerate(row_cells):
                if len(cell) == 1:
                    target[j] -= cell[0][0]
                else:
                    todo[j].append((i, cell))
                    if not ints and not _all_int([v for v, _ in cell]):
                        odd[j] = True
    checks = [[_Check(t, cs, isinstance(t, int), mx)
               for t, cs, mx in zip(targets[k], multi[k], mixed[k])] for k in range(m)]
    stale = [[c.ints for c in row] for row in checks]  # (constraint, column) may still prune
    dirty = set(range(len(rows)))
    while dirty:
        touched: set[int] = set()
        for k in range(m):
            if dirty.isdisjoint(members[k]):
                continue
            for j in range(n):
                if not stale[k][j]:
                    continue
                if empty and not empty.isdisjoint(members[k]):
                    break  # a row with no placement left: no solution, nothing to learn
                stale[k][j] = False
                for i, kept in checks[k][j].prune(alive, full):
                    lost = alive[i] & ~kept
                    alive[i] = kept
                    touched.add(i)
                    if not kept:
                        empty.add(i)
                    for kk in in_constraints[i]:
                        for jj, cell in enumerate(cells[kk][i]):
                            if (not stale[kk][jj] and (kk != k or jj != j) and len(cell) > 1
                                    and any(mask & lost and not mask & kept
                                            for _, mask in cell)):
                                stale[kk][jj] = True
        dirty = touched
    alive_lists = [list(range(len(cands))) if a == f else
                   [c for c in range(len(cands)) if a >> c & 1]
                   for a, f, (_, _, cands) in zip(alive, full, rows)]
    combos = 1
    for a in alive_lists:
        combos *= max(len(a), 1)
    if combos <= MAX_COMBINATIONS:
        alive_lists = _exact(fixed, rows, alive_lists, n)
        return [[rows[i][2][c] for c in a] for i, a in enumerate(alive_lists)]
    return [list(cands) if a == f else [cands[c] for c in kept]
            for a, f, kept, (_, _, cands) in zip(alive, full, alive_lists, rows)]


class _Check(NamedTuple):
    """Constraint k, column j: the members' values there must sum to 0.

    Rows with a single value in the column are folded into ``target`` once. A column that
    is not all integers (never for counts) prunes nothing: ``ints`` is false when the target
    is not an integer, and ``mixed`` when some other value may not be.
    """
    target: Number
    cells: list[tuple[int, Cell]]  # the rows with more than one value in the column
    ints: bool
    mixed: bool

    def prune(self, alive: list[int], full: list[int]) -> list[tuple[int, int]]:
        """The rows whose values here no choice of the other rows can complete to the
        target, each with the placements it keeps (``full``: all of a row's placements)."""
        if not self.ints or (self.mixed and not self._integral(alive)):
            return []
        # Values are shifted to start at 0 in each open row (``target`` follows), so the
        # sums over the open rows before a position are bits ``before[p]`` from bit 0, and
        # those after it are bits ``span - sum``, found while walking back.
        target = cast(int, self.target)  # integers from here on (checked above)
        offset = span = 0  # offset: the limit on the unshifted magnitudes, as it always was
        acc = 1
        mixed = self.mixed
        opened: list[tuple[int, _Ints, int, int]] = []  # row, values, lowest, sums before
        for i, cell in self.cells:
            a = alive[i]
            present = cast(_Ints, cell if a == full[i] else [vm for vm in cell if vm[1] & a])
            size = len(present)
            if mixed and size > 1:
                present = sorted(present)
            lo = present[0][0]
            target -= lo
            if size == 1:
                continue  # settled in this column: a constant
            hi = present[-1][0]
            offset += max(hi, -lo)
            if offset > MAX_SUM:
                return []
            opened.append((i, present, lo, acc))
            if size == 2:  # the common case, unrolled
                acc |= acc << (hi - lo)
            else:
                nxt = acc
                for v, _ in present[1:]:
                    nxt |= acc << (v - lo)
                acc = nxt
            span += hi - lo
        out: list[tuple[int, int]] = []
        acc = 1 << span
        for i, present, lo, before in reversed(opened):
            # x (before) + (v - lo) + y (after) == target  <=>  bit x of ``before`` and bit
            # span - y of ``acc`` are d = target - (v - lo) - span apart.
            base = target + lo - span
            if len(present) == 2:  # the common case, unrolled
                (_, m0), (hi, m1) = present
                d = base - lo
                kept = m0 if before & (acc << d if d >= 0 else acc >> -d) else 0
                d = base - hi
                if before & (acc << d if d >= 0 else acc >> -d):
                    kept |= m1
                acc |= acc >> (hi - lo)
            else:
                kept = 0
                nxt = acc
                for v, mask in present:
                    d = base - v
                    if before & (acc << d if d >= 0 else acc >> -d):
                        kept |= mask
                    if v != lo:
                        nxt |= acc >> (v - lo)
                acc = nxt
            kept &= alive[i]
            if kept != alive[i]:  # a value lost its support
                out.append((i, kept))
        return out

    def _integral(self, alive: list[int]) -> bool:
        """Whether the target and the open rows' values are integers, for a column with a
        value that is not."""
        target = self.target
        for i, cell in self.cells:
            present = [v for v, mask in cell if mask & alive[i]]
            if len(present) == 1:
                target -= present[0]
            elif not all(isinstance(v, int) for v in present):
                return False
        return isinstance(target, int)


def _all_int(values: Sequence[Number]) -> bool:
    """Whether every value is an integer (a sum stays one only then; fast for counts)."""
    try:
        return isinstance(sum(values), int)
    except TypeError:  # a float among Decimals: not integers either
        return False


def _cells(values: Sequence[Number], cands: Sequence[Placement], n: int, ints: bool,
           layout: _Layout | None) -> list[Cell]:
    """Per column, the row's distinct values with the placements that give each (ascending
    when integers, so the ends bound them). ``layout``: ``_layout(cands, n)``, needed unless
    the values are all zeros."""
    full = (1 << len(cands)) - 1
    if full and not any(values):
        return [((0, full),)] * n  # common: a row of zeros is settled everywhere
    assert layout is not None
    if ints:
        return _int_cells(values, layout)
    out: list[Cell] = []
    for slots, unused in layout.columns:
        col: dict[Number, int] = {0: unused} if unused else {}
        for t, mask in slots:
            v = values[t]
            col[v] = col.get(v, 0) | mask
        if len(col) == 1:
            out.append(tuple(col.items()))
        elif ints or all(isinstance(v, int) for v in col):
            out.append(tuple(sorted(col.items())))
        else:
            out.append(tuple(col.items()))
    return out


def _int_cells(values: Sequence[int], layout: _Layout) -> list[Cell]:
    """:func:`_cells` of integers (counts: nearly always), ascending by value. Which values
    merge in a column and in what order depends only on the values' ranks (``0`` counted
    among them, for the placements that leave a column empty), and rows of few small counts
    share their ranks: the cells are laid out once per rank pattern (the values' ranks and
    the rank of 0), as (rank, placements), and only the values are put in for each row."""
    dist = sorted({0, *values})  # the distinct values, 0 among them, ascending
    rank = dict(zip(dist, range(len(dist))))
    key = (tuple(map(rank.__getitem__, values)), rank[0])
    shapes = layout.shapes
    shape = shapes.get(key)
    if shape is None:
        if len(shapes) >= _MAX_SHAPES:
            shapes.clear()
        shape = shapes[key] = _shape(layout.columns, *key)
    out: list[Cell] = []
    for col in shape:
        if len(col) == 1:
            r, mask = col[0]
            out.append(((dist[r], mask),))
        elif len(col) == 2:
            (r, mask), (r2, mask2) = col
            out.append(((dist[r], mask), (dist[r2], mask2)))
        else:
            out.append(tuple([(dist[r], mask) for r, mask in col]))
    return out


def _shape(columns: _Columns, pattern: tuple[int, ...], zero: int
           ) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per column, the ranks placed there (``pattern``: the rank of each value; ``zero``:
    the rank of 0) with the placements that give each, ascending."""
    out = []
    for slots, unused in columns:
        col: dict[int, int] = {zero: unused} if unused else {}
        for t, mask in slots:
            r = pattern[t]
            col[r] = col.get(r, 0) | mask
        out.append(tuple(sorted(col.items())))
    return tuple(out)


_Columns = tuple[tuple[tuple[tuple[int, int], ...], int], ...]
_MAX_SHAPES = 1024  # rank patterns kept per layout


class _Layout(NamedTuple):
    """Per column: which value index each placement puts there (as (index, placements)
    pairs) and the placements that leave it empty; and the cells laid out so far per rank
    pattern (see :func:`_int_cells`)."""
    columns: _Columns
    shapes: dict[tuple[tuple[int, ...], int], tuple[tuple[tuple[int, int], ...], ...]]


@lru_cache(maxsize=256)
def _layout(cands: tuple[Placement, ...], n: int) -> _Layout:
    """The :class:`_Layout` of a candidate list. Rows share few candidate lists."""
    slots: list[dict[int, int]] = [{} for _ in range(n)]
    unused = [(1 << len(cands)) - 1] * n
    for c, pos in enumerate(cands):
        bit = 1 << c
        for t, p in enumerate(pos):
            slots[p][t] = slots[p].get(t, 0) | bit
            unused[p] &= ~bit
    return _Layout(tuple((tuple(s.items()), u) for s, u in zip(slots, unused)), {})


def _exact(fixed: Vector, rows: Sequence[Row], alive: list[list[int]], n: int
           ) -> list[list[int]]:
    """Enumerate the remaining combinations; keep the placements used by some solution."""
    contrib = [[_contribution(coef, vector(vals, cands[c], n)) for c in a]
               for (coef, vals, cands), a in zip(rows, alive)]
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
