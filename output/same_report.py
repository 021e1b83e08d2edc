"""One report found at several URLs is one report in the datasets; the other URLs are kept.

Portals publish the same report more than once: a desktop and a mobile page (``post_N`` and
``mpost_N``, TRS ``_wap`` twins), or the report and a reprint in another column. Two report
rows are the same report when

- their URLs are twins (same desktop URL, hence the same ``report_id``), or
- their pages parsed and have the same bytes (same ``sha256``), or
- they have the same agency, year and template and identical facts (at least one number).

Each group becomes one row: the best-parsed page (desktop before mobile, then by URL), with
the other URLs in ``other_urls``, space-separated and sorted.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import count, groupby
from dataclasses import replace

import numpy as np

from nianbao.output.records import _RANK, Dataset, ReportRow, report_id
from nianbao.output.row_table import BATCH, SUCCESS_SQL, RowTable, as_table
from nianbao.parsers.schema import SCHEMAS
from nianbao.scraper.urls import twin_key

_MERGES = count(1)  # each merge's table has a name of its own
_TEMPLATES = "(" + ",".join(f"'{t}'" for t in sorted(SCHEMAS)) + ")"


class _Groups:
    """Union-find over the table's row positions (``seq``): four bytes a row, the one thing
    here that grows with the number of reports."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n + 1, dtype=np.int32)

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = int(parent[root])
        while parent[i] != root:
            parent[i], i = root, int(parent[i])
        return root

    def roots(self) -> np.ndarray:
        """Every position's root (the least position of its group)."""
        roots = self.parent.copy()
        while True:
            up = roots[roots]
            if (up == roots).all():
                return roots
            roots = up

    def join(self, members: Iterable[int]) -> None:
        it = iter(members)
        first = next(it, None)
        if first is None:
            return
        root = self.find(first)
        for m in it:
            other = self.find(m)
            if other != root:
                self.parent[max(root, other)] = min(root, other)
                root = min(root, other)


def _sets(table: RowTable, key: str, where: str = "1") -> Iterable[list[int]]:
    """The rows (seq) sharing a value of ``key`` with another row, one list per value."""
    cursor = table.db.execute(f"SELECT group_concat(seq) FROM {table.name} WHERE {where} "
                              f"AND {key} IS NOT NULL GROUP BY {key} HAVING count(*) > 1")
    for (members,) in cursor.fetchall():
        yield [int(m) for m in members.split(",")]


def _facts_signature(dataset: Dataset, row: ReportRow) -> tuple | None:
    facts, _checks = dataset.load(row)
    cells = sorted((f.table, f.row, f.col, f.value) for f in facts if f.value is not None)
    return tuple(cells) if cells else None


def _same_facts(dataset: Dataset, table: RowTable, groups: _Groups) -> None:
    """Reprints: same agency, year and template, and the same numbers in every cell."""
    where = (f"status IN {SUCCESS_SQL} AND template IN {_TEMPLATES} AND agency IS NOT NULL "
             "AND agency != '' AND year IS NOT NULL AND facts_from IS NOT NULL")
    for members in _sets(table, "agency || char(31) || year || char(31) || template", where):
        marks = ",".join("?" * len(members))  # facts are loaded only here, for the rare shared key
        by_signature: dict[tuple, list[int]] = {}
        for part in table.pages("seq", f"seq IN ({marks})", tuple(members)):
            for seq, row in part:
                if (signature := _facts_signature(dataset, row)) is not None:
                    by_signature.setdefault(signature, []).append(seq)
        for same in by_signature.values():
            if len(same) > 1:
                groups.join(same)


def _preference(r: ReportRow) -> tuple[int, bool, str]:
    return (_RANK.get(r.status, 99), twin_key(r.source_url) != r.source_url, r.source_url)


def merged(dataset: Dataset) -> RowTable:
    """The dataset's rows with every group of the same report made one row, as a table (of
    the rows' database) that gives them back in report-id order."""
    rows = as_table(dataset.reports)
    db = rows.db
    last = db.execute(f"SELECT max(seq) FROM {rows.name}").fetchone()[0] or 0
    groups = _Groups(last)
    for members in _sets(rows, "report_id"):
        groups.join(members)
    # Same bytes: only pages that parsed; a soft 404 served at many URLs is not one report.
    for members in _sets(rows, "sha256", f"status IN {SUCCESS_SQL}"):
        groups.join(members)
    _same_facts(dataset, rows, groups)
    roots = groups.roots()
    joined = np.nonzero(roots != np.arange(len(roots)))[0]
    member = np.zeros(len(roots), dtype=bool)
    member[joined] = True
    member[roots[joined]] = True
    seqs = np.nonzero(member)[0]
    db.execute("BEGIN")
    db.executemany(f"UPDATE {rows.name} SET grp=? WHERE seq=?",
                   zip(roots[seqs].tolist(), seqs.tolist()))
    db.execute("COMMIT")
    name = f"{rows.name}_merged{next(_MERGES)}"
    if not len(seqs):
        return RowTable.by_report_id(db, name, [(rows, "1")])
    db.execute(f"CREATE INDEX IF NOT EXISTS {rows.name}_grp ON {rows.name}(grp) "
               "WHERE grp IS NOT NULL")
    ones = RowTable(db=db, name=f"{name}_groups")  # each group's one row
    for low in range(1, len(roots), BATCH):
        part = rows.select("grp BETWEEN ? AND ?", (low, low + BATCH - 1), "grp, seq")
        ones.add(_one_row([row for _seq, row in lines])
                 for _root, lines in groupby(part, key=lambda line: roots[line[0]]))
    out = RowTable.by_report_id(db, name, [(rows, "grp IS NULL"), (ones, "1")])
    db.execute(f"DROP TABLE {ones.name}")
    db.execute(f"UPDATE {rows.name} SET grp = NULL WHERE grp IS NOT NULL")  # (merged again)
    return out


def _one_row(group: list[ReportRow]) -> ReportRow:
    """A group's row: the best-parsed page, with the group's other URLs."""
    best = min(group, key=_preference)
    urls = {u for r in group for u in [r.source_url, *(r.other_urls or "").split()]}
    others = sorted(urls - {best.source_url})
    return replace(best, report_id=report_id(best.source_url), other_urls=" ".join(others) or None)


def merge_rows(dataset: Dataset) -> list[ReportRow]:
    """The dataset's rows with every group of the same report made one row, by report id."""
    table = merged(dataset)
    return [row for part in table.chunks(BATCH) for row in part]
