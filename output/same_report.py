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

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import replace

from nianbao.output.records import _RANK, SUCCESS, Dataset, ReportRow, report_id
from nianbao.parsers.schema import SCHEMAS
from nianbao.scraper.urls import twin_key


class _Groups:
    """Union-find over row positions."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

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


def _join_equal(groups: _Groups, keys: Iterable[tuple[int, Hashable | None]]) -> None:
    by_key: dict[Hashable, list[int]] = defaultdict(list)
    for i, key in keys:
        if key is not None:
            by_key[key].append(i)
    for members in by_key.values():
        if len(members) > 1:
            groups.join(members)


def _facts_signature(dataset: Dataset, row: ReportRow) -> tuple | None:
    facts, _checks = dataset.load(row)
    cells = sorted((f.table, f.row, f.col, f.value) for f in facts if f.value is not None)
    return tuple(cells) if cells else None


def _same_facts(dataset: Dataset, rows: list[ReportRow], groups: _Groups) -> None:
    """Reprints: same agency, year and template, and the same numbers in every cell."""
    candidates: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if (r.status in SUCCESS and r.template in SCHEMAS and r.agency and r.year is not None
                and r.facts_from is not None):
            candidates[(r.agency, r.year, r.template)].append(i)
    for members in candidates.values():
        if len(members) > 1:  # facts are loaded only here, for the rare shared key
            _join_equal(groups, ((i, _facts_signature(dataset, rows[i])) for i in members))


def _preference(r: ReportRow) -> tuple[int, bool, str]:
    return (_RANK.get(r.status, 99), twin_key(r.source_url) != r.source_url, r.source_url)


def merge_rows(dataset: Dataset) -> list[ReportRow]:
    """The dataset's rows with every group of the same report made one row."""
    rows = dataset.reports
    groups = _Groups(len(rows))
    _join_equal(groups, ((i, r.report_id) for i, r in enumerate(rows)))
    # Same bytes: only pages that parsed; a soft 404 served at many URLs is not one report.
    _join_equal(groups, ((i, r.sha256) for i, r in enumerate(rows) if r.status in SUCCESS))
    _same_facts(dataset, rows, groups)
    members: dict[int, list[ReportRow]] = defaultdict(list)
    for i, r in enumerate(rows):
        members[groups.find(i)].append(r)
    out = []
    for group in members.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        best = min(group, key=_preference)
        urls = {u for r in group for u in [r.source_url, *(r.other_urls or "").split()]}
        others = sorted(urls - {best.source_url})
        out.append(replace(best, report_id=report_id(best.source_url),
                           other_urls=" ".join(others) or None))
    return out


def merge_same(dataset: Dataset) -> Dataset:
    """The same dataset with one row per report (facts still loaded lazily, by the kept row)."""
    return Dataset(merge_rows(dataset), dataset.load, dataset.store)
