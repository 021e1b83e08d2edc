"""The ``agencies`` table: one row per register entry the reports name, and the governments above.

Built at export from the reports' resolved agencies (output/records.py), so every ``agency_id``
in ``reports`` and every ``parent_id`` here is a row of this table.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from nianbao.parsers.extraction.agency import Agency, parents
from nianbao.output.columns import AGENCIES
from nianbao.output.records import ReportRow

NAMES_SEPARATOR = " | "


def agencies_frame(rows: Iterable[ReportRow]) -> pd.DataFrame:
    """``agencies``, sorted by agency id."""
    entries: dict[str, Agency] = {}
    printed: dict[str, set[str]] = {}
    years: dict[str, list[int]] = {}
    reports: dict[str, int] = {}
    for r in rows:
        a = r.register
        if a.agency_id is None:
            continue
        entries.setdefault(a.agency_id, a)
        reports[a.agency_id] = reports.get(a.agency_id, 0) + 1
        if r.agency:
            printed.setdefault(a.agency_id, set()).add(r.agency)
        if r.year is not None:
            years.setdefault(a.agency_id, []).append(r.year)
        for p in parents(a):
            if p.agency_id in entries:
                break  # its own parents are in already
            entries[p.agency_id] = p
    names = [c.name for c in AGENCIES]
    out = []
    for agency_id in sorted(entries):
        a = entries[agency_id]
        ys = years.get(agency_id)
        out.append([a.agency_id, a.name, a.region_code, a.province, a.prefecture, a.county,
                    a.township, a.level, a.kind, a.parent_id,
                    NAMES_SEPARATOR.join(sorted(printed.get(agency_id, ()))) or None,
                    reports.get(agency_id, 0), min(ys) if ys else None, max(ys) if ys else None])
    return pd.DataFrame({n: pd.Series([row[i] for row in out], dtype=object)
                         for i, n in enumerate(names)}, columns=names)
