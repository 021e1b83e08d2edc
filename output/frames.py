"""The ``reports`` frame, and the printed order of facts that every export follows.

Every column is an object column holding the values exactly as parsed (ints stay ints, None
stays None), so CSV prints ``12`` and not ``12.0`` and nothing is converted twice; each format
then applies its own types (output/columns.py). Facts, checks and wide tables are not frames:
they stream as Arrow tables (output/streams.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter

import pandas as pd

from nianbao.parsers.model import Fact
from nianbao.parsers.schema import SCHEMAS, TABLES
from nianbao.output.columns import REPORTS, fact_order
from nianbao.output.records import ReportRow


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


def reports_frame(rows: Iterable[ReportRow], more_failed: Mapping[str, int] | None = None
                  ) -> pd.DataFrame:
    """``reports``, sorted by report id; ``more_failed``: report id -> failed checks found
    beyond the report's own (the cross-year ones), added to ``checks_failed``."""
    ordered = sorted(rows, key=lambda r: r.report_id)
    names = tuple(c.name for c in REPORTS)
    # One tuple per row, then transposed: a third of the cost of a getattr per cell.
    values = zip(*map(attrgetter(*names), ordered)) if ordered else [[] for _n in names]
    cols = dict(zip(names, map(list, values)))
    if more_failed:
        cols["checks_failed"] = [n + more_failed.get(r.report_id, 0)
                                 for n, r in zip(cols["checks_failed"], ordered)]
    return _frame(cols, names)
