"""Report rows, facts and checks as pandas frames, in a stable order.

Every column is an object column holding the values exactly as parsed (ints stay ints, None
stays None), so CSV prints ``12`` and not ``12.0`` and nothing is converted twice; each format
then applies its own types (output/columns.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter

import pandas as pd

from nianbao.parsers.model import Check, Fact
from nianbao.parsers.schema import SCHEMAS, TABLES
from nianbao.output.columns import CHECKS, FACTS, REPORTS, WIDE, fact_order, wide_cols
from nianbao.output.records import ReportRow

Chunk = list[tuple[ReportRow, list[Fact], list[Check]]]


def _frame(columns: dict[str, list], names: tuple[str, ...]) -> pd.DataFrame:
    data = {n: pd.Series(columns[n], dtype=object) for n in names}
    return pd.DataFrame(data, columns=list(names))


def _printed_order() -> dict[str | None, dict[tuple[str, str, str], int]]:
    """template (None: any other) -> cell key -> its position in that template's printed order."""
    keys = {(t, r.key, c.key) for template in SCHEMAS for t in TABLES
            for r in SCHEMAS[template][t].rows for c in r.cols}
    out = {}
    for template in (*SCHEMAS, None):
        ordered = sorted(keys, key=lambda k: fact_order(*k, template))
        out[template] = {k: i for i, k in enumerate(ordered)}
    return out


ORDER = _printed_order()


def _order_key(template: str | None) -> Callable[[Fact], tuple]:
    order = ORDER.get(template) or ORDER[None]

    def key(f: Fact) -> tuple:
        rank = order.get((f.table, f.row, f.col))
        return (rank,) if rank is not None else (1 << 30,) + fact_order(f.table, f.row, f.col)
    return key


def reports_frame(rows: Iterable[ReportRow]) -> pd.DataFrame:
    """``reports``, sorted by report id."""
    ordered = sorted(rows, key=lambda r: r.report_id)
    names = tuple(c.name for c in REPORTS)
    cols = {n: [getattr(r, n) for r in ordered] for n in names}
    return _frame(cols, names)


def facts_frame(chunk: Chunk) -> pd.DataFrame:
    """``facts`` of a chunk of reports, each report's facts in printed order."""
    names = tuple(c.name for c in FACTS)
    get = attrgetter(*names[1:])
    ids: list[str] = []
    cells: list[tuple] = []
    for row, facts, _checks in chunk:
        ids.extend([row.report_id] * len(facts))
        cells.extend(map(get, sorted(facts, key=_order_key(row.template))))
    columns = list(zip(*cells)) if cells else [()] * (len(names) - 1)
    return _frame(dict(zip(names, [ids, *map(list, columns)])), names)


def checks_frame(chunk: Chunk, extra: dict[str, list[Check]]) -> pd.DataFrame:
    """``checks`` of a chunk: the report's own checks, then its cross-year checks."""
    names = tuple(c.name for c in CHECKS)
    get = attrgetter(*names[1:])
    ids: list[str] = []
    lines: list[tuple] = []
    for row, _facts, checks in chunk:
        every = list(checks) + extra.get(row.report_id, [])
        ids.extend([row.report_id] * len(every))
        lines.extend(map(get, every))
    columns = list(zip(*lines)) if lines else [()] * (len(names) - 1)
    return _frame(dict(zip(names, [ids, *map(list, columns)])), names)


def _row_labels() -> dict[tuple[str, str, str], str]:
    return {(template, t, r.key): r.label for template in SCHEMAS for t in TABLES
            for r in SCHEMAS[template][t].rows}


_LABELS = _row_labels()


_WIDE_INDEX = {t: {k: i for i, k in enumerate(wide_cols(t))} for t in TABLES}


def wide_frames(chunk: Chunk) -> dict[str, pd.DataFrame]:
    """One frame per table: a line per report and row, the columns as printed."""
    lines: dict[str, list[list]] = {t: [] for t in TABLES}
    for report, facts, _checks in chunk:
        cells: dict[tuple[str, str], list] = {}
        for f in facts:
            index = _WIDE_INDEX.get(f.table)
            if index is not None and f.col in index:
                line = cells.get((f.table, f.row))
                if line is None:
                    line = cells[(f.table, f.row)] = [None] * len(index)
                line[index[f.col]] = f.value
        for table, row in sorted(cells, key=lambda k: fact_order(k[0], k[1], "", report.template)):
            label = _LABELS.get((report.template or "", table, row))
            lines[table].append([report.report_id, report.agency, report.year, report.template,
                                 row, label, *cells[(table, row)]])
    out: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        names = tuple(c.name for c in WIDE[table])
        columns = list(zip(*lines[table])) if lines[table] else [()] * len(names)
        out[table] = _frame(dict(zip(names, map(list, columns))), names)
    return out
