"""Ruled tables in a page image: deskew, find the ruling lines, rebuild the cells.

The page is deskewed by the angle of its long horizontal lines. Ruling lines are what
survives a morphological opening with long thin kernels. Their positions give a grid of
elementary cells; two neighbouring elementary cells belong to one (merged) cell when no line
runs between them. Each cell is reported once, in the row where it starts, as HTML and the
PDF reader report a ``rowspan`` / ``colspan``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from statistics import median  # numpy's imported numpy.ma on first use (10 ms)

import numpy as np

WALL_SHARE = 0.7  # share of a boundary a line must cover to separate two cells
INK_CONTRAST = 40  # grey levels below the local paper that count as ink (light grey rules
# on a shaded header still do; JPEG ringing and paper texture do not)


@dataclass(slots=True)
class Cell:
    x0: int
    y0: int
    x1: int
    y1: int


@dataclass(slots=True)
class Table:
    x0: int
    y0: int
    x1: int
    y1: int
    ys: list[int]  # horizontal line positions
    xs: list[int]  # vertical line positions
    rows: list[list[Cell]] = field(default_factory=list)  # cells by the row they start in
    owner: dict[tuple[int, int], Cell] = field(default_factory=dict)  # elementary -> cell

    def cell_at(self, x: float, y: float) -> Cell | None:
        i = bisect.bisect_right(self.ys, y) - 1
        j = bisect.bisect_right(self.xs, x) - 1
        return self.owner.get((i, j))

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def _cv2():  # type: ignore[no-untyped-def]
    import cv2

    return cv2


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The 8-connected components of a mask: their number (background included), labels
    and stats, as ``cv2.connectedComponentsWithStats``. Labels are 16-bit while they fit:
    writing a page-sized label array at half the bytes took 12 ms, not 31 (a 200 dpi page;
    three such arrays a page); past 65,535 components (a noisy scan) OpenCV refuses, and
    they are 32-bit."""
    cv2 = _cv2()
    try:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8,
                                                               ltype=cv2.CV_16U)
    except cv2.error:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return n, labels, stats


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255, paper as 0: pixels darker than their neighbourhood's paper (a closing
    with a kernel wider than any stroke or rule), so 1-pixel, grey, coloured, anti-aliased
    and JPEG-blurred lines survive, and shaded header cells count as paper. (A median filter
    and Otsu, as before, erased 1-pixel rules and lost the grid.)"""
    cv2 = _cv2()
    k = max(9, gray.shape[1] // 90) | 1
    paper = cv2.morphologyEx(gray, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    dark = cv2.subtract(paper, gray)
    return cv2.threshold(dark, INK_CONTRAST, 255, cv2.THRESH_BINARY)[1]


def skew_angle(bw: np.ndarray, horiz: np.ndarray | None = None) -> float:
    """Degrees the page is rotated by, from the slope of its long horizontal lines (0 if it
    has none; ``horiz``: the page's horizontal lines, when found already). A line tilted by
    a degree or two still survives the opening in pieces that touch, so each long component
    is one rule; its slope comes from a least-squares fit."""
    h, w = bw.shape
    if horiz is None:
        horiz, _ = line_masks(bw)
    n, labels, stats = components(horiz)
    angles = []
    for k in range(1, n):
        x, y, cw, ch, _ = stats[k]
        if cw < w // 4 or ch > cw * 0.1:
            continue
        ys, xs = np.nonzero(labels[y:y + ch, x:x + cw] == k)
        if len(xs) < 50:
            continue
        step = max(1, len(xs) // 4000)
        angles.append(float(np.degrees(np.arctan(_slope(xs[::step], ys[::step])))))
    return float(median(angles)) if angles else 0.0


def _slope(xs: np.ndarray, ys: np.ndarray) -> float:
    """The least-squares slope of ys over xs (as ``np.polyfit(xs, ys, 1)[0]``, which took
    ten times as long: a 200 dpi page has dozens of rules)."""
    x = xs - xs.mean()
    return float((x * (ys - ys.mean())).sum() / (x * x).sum())


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by ``angle`` degrees about its centre, white where it was empty."""
    cv2 = _cv2()
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def line_masks(bw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines (ink runs longer than any character)."""
    cv2 = _cv2()
    h, w = bw.shape
    hk = max(25, w // 35)
    vk = max(15, min(h, w) // 60)
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT,
                                                                           (hk, 1)))
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT,
                                                                          (1, vk)))
    # close the small gaps that noise and resampling leave in a line
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    return horiz, vert


def _positions(values: list[tuple[float, float]], tol: float) -> list[int]:
    """Cluster line positions (value, weight) closer than ``tol``; weighted means."""
    out: list[int] = []
    group: list[tuple[float, float]] = []
    for v in sorted(values):
        if group and v[0] - group[-1][0] > tol:
            out.append(round(sum(a * b for a, b in group) / sum(b for _, b in group)))
            group = []
        group.append(v)
    if group:
        out.append(round(sum(a * b for a, b in group) / sum(b for _, b in group)))
    return out


def _wall(mask: np.ndarray, fixed: int, a: int, b: int, vertical: bool, t: int = 2) -> bool:
    """Whether a line covers most of the boundary at ``fixed`` from ``a`` to ``b``."""
    m = max(2, (b - a) // 8)
    if b - a - 2 * m <= 0:
        return True
    if vertical:
        band = mask[a + m:b - m, max(0, fixed - t):fixed + t + 1]
        covered = band.any(axis=1)
    else:
        band = mask[max(0, fixed - t):fixed + t + 1, a + m:b - m]
        covered = band.any(axis=0)
    return bool(covered.mean() >= WALL_SHARE) if covered.size else True


def _build(table: Table, horiz: np.ndarray, vert: np.ndarray) -> None:
    ys, xs = table.ys, table.xs
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i in range(nr):
        for j in range(nc):
            if j + 1 < nc and not _wall(vert, xs[j + 1], ys[i], ys[i + 1], True):
                parent[find(i * nc + j + 1)] = find(i * nc + j)
            if i + 1 < nr and not _wall(horiz, ys[i + 1], xs[j], xs[j + 1], False):
                parent[find((i + 1) * nc + j)] = find(i * nc + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(nr):
        for j in range(nc):
            groups.setdefault(find(i * nc + j), []).append((i, j))
    starts: dict[int, list[tuple[int, Cell]]] = {}
    for members in groups.values():
        r0 = min(i for i, _ in members)
        r1 = max(i for i, _ in members)
        c0 = min(j for _, j in members)
        c1 = max(j for _, j in members)
        cell = Cell(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        for i, j in members:
            table.owner[(i, j)] = cell
        starts.setdefault(r0, []).append((c0, cell))
    table.rows = [[c for _, c in sorted(starts[r], key=lambda t: t[0])]
                  for r in sorted(starts)]


def find_tables(bw: np.ndarray, horiz: np.ndarray, vert: np.ndarray) -> list[Table]:
    """Tables: regions where horizontal and vertical lines meet, with their cells."""
    cv2 = _cv2()
    h, w = bw.shape
    tol = max(4, min(h, w) // 250)
    grid = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8))
    n, _, stats = components(grid)
    tables: list[Table] = []
    for k in range(1, n):
        x, y, bw_, bh, _ = stats[k]
        if bw_ < w // 6 or bh < 20:
            continue
        hseg = _segments(horiz[y:y + bh, x:x + bw_], vertical=False)
        vseg = _segments(vert[y:y + bh, x:x + bw_], vertical=True)
        ys = [y + p for p in _positions(hseg, tol)]
        xs = [x + p for p in _positions(vseg, tol)]
        if len(ys) < 2 or len(xs) < 2:
            continue
        table = Table(xs[0], ys[0], xs[-1], ys[-1], ys, xs)
        _build(table, horiz, vert)
        tables.append(table)
    tables.sort(key=lambda t: t.y0)
    return tables


def _segments(mask: np.ndarray, vertical: bool) -> list[tuple[float, float]]:
    """(position, length) of each line in a mask: y of horizontal, x of vertical lines."""
    n, _, stats = components(mask)
    out = []
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if vertical:
            out.append((x + w / 2, float(h)))
        else:
            out.append((y + h / 2, float(w)))
    return out
