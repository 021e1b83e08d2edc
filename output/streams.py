"""One chunk of reports as Arrow tables: ``facts``, ``checks`` and the wide tables.

Built from the stored record batches (or, for a dataset without a store, from its loaded
facts) with vectorised operations only: a chunk of 1,000 reports costs a few Python steps per
report, none per fact. Each table carries helper columns the writers use and do not write:
``year`` (the report's year, the Parquet partition), ``report_key`` (the report's position in
report-id order, from 1: the SQLite integer key) and, in ``facts``, ``report_origin``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nianbao.parsers.model import Check
from nianbao.parsers.schema import SCHEMAS, TABLES
from nianbao.output import columnar
from nianbao.output.columnar import CHECK_SCHEMA, FACT_SCHEMA, TEXT
from nianbao.output.columns import fact_order, wide_cols
from nianbao.output.records import Dataset, ReportRow

_WIDE_INDEX = {t: {k: i for i, k in enumerate(wide_cols(t))} for t in TABLES}
_LABELS = {(template, t, r.key): r.label for template in SCHEMAS for t in TABLES
           for r in SCHEMAS[template][t].rows}


@dataclass(slots=True)
class Chunk:
    facts: pa.Table
    checks: pa.Table
    wide: dict[str, pa.Table]  # table key -> its wide table


@dataclass(slots=True)
class _Reports:
    """The chunk's reports as Arrow arrays, taken per line by position."""

    ids: pa.Array
    years: pa.Array
    agencies: pa.Array
    templates: pa.Array
    origins: pa.Array

    @classmethod
    def of(cls, rows: list[ReportRow]) -> "_Reports":
        return cls(pa.array([r.report_id for r in rows], pa.string()),
                   pa.array([r.year for r in rows], pa.int32()),
                   pa.array([r.agency for r in rows], pa.string()),
                   pa.array([r.template for r in rows], pa.string()),
                   pa.array([r.origin for r in rows], pa.string()))


def _at(array: pa.Array, pos: np.ndarray) -> pa.Array:
    return array.take(pa.array(pos, type=pa.int64()))


_EMPTY = (columnar.facts_batch([]), columnar.checks_batch([]), None)


def _contents(dataset: Dataset, rows: list[ReportRow]) -> tuple[list, bool]:
    """Each row's (facts, checks) batches, and whether the facts are all in printed order."""
    if dataset.store is None:
        out = []
        for row in rows:
            facts, checks = dataset.load(row)
            out.append((columnar.facts_batch(facts), columnar.checks_batch(checks)))
        return out, False
    got = dataset.store.columns_ordered([r.facts_from for r in rows if r.facts_from is not None])
    picked = [got.get(r.facts_from, _EMPTY) if r.facts_from is not None else _EMPTY for r in rows]
    ordered = all(f.num_rows == 0 or t == r.template for r, (f, _c, t) in zip(rows, picked))
    return [(f, c) for f, c, _t in picked], ordered


def _helpers(table: pa.Table, pos: np.ndarray, reports: _Reports, first_key: int) -> pa.Table:
    table = table.append_column("report_id", _at(reports.ids, pos))
    table = table.append_column("year", _at(reports.years, pos))
    return table.append_column("report_key", pa.array(pos + first_key, type=pa.int64()))


def chunk(dataset: Dataset, rows: list[ReportRow], first_key: int,
          extra: dict[str, list[Check]]) -> Chunk:
    """The chunk's tables; ``rows`` in report-id order, the first one's key ``first_key``."""
    reports = _Reports.of(rows)
    contents, ordered = _contents(dataset, rows)
    facts = columnar.concat([f for f, _c in contents], FACT_SCHEMA, contiguous=not ordered)
    pos = np.repeat(np.arange(len(rows), dtype=np.int64), [f.num_rows for f, _c in contents])
    if not ordered:
        order = columnar.printed_order(facts, pos, [r.template for r in rows])
        facts, pos = facts.take(pa.array(order, type=pa.int64())), pos[order]
    facts = _helpers(facts, pos, reports, first_key)
    facts = facts.append_column("report_origin", _at(reports.origins, pos))

    # Checks: each report's own, then its cross-year ones.
    own = columnar.concat([c for _f, c in contents], CHECK_SCHEMA)
    own_pos = np.repeat(np.arange(len(rows), dtype=np.int64), [c.num_rows for _f, c in contents])
    more = [(i, c) for i, r in enumerate(rows) for c in extra.get(r.report_id, ())]
    if more:
        added = pa.Table.from_batches([columnar.checks_batch([c for _i, c in more])])
        cpos = np.concatenate([own_pos, np.array([i for i, _c in more], dtype=np.int64)])
        order = np.lexsort((np.arange(len(cpos)), cpos))
        checks = pa.concat_tables([own, added]).combine_chunks().take(
            pa.array(order, type=pa.int64()))
        cpos = cpos[order]
    else:
        checks, cpos = own, own_pos
    checks = _helpers(checks, cpos, reports, first_key)
    codes = {k: _codes(facts[k]) for k in ("table", "row", "col")}  # once for the wide tables
    return Chunk(facts, checks, {t: _wide(facts, pos, reports, first_key, t, codes)
                                 for t in TABLES})


def _codes(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list]:
    """Dictionary codes (int64) and the distinct values of a string column."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = array.dictionary_encode()
    return (encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
            encoded.dictionary.to_pylist())


def _wide(facts: pa.Table, pos: np.ndarray, reports: _Reports, first_key: int, table: str,
          codes: dict[str, tuple[np.ndarray, list]]) -> pa.Table:
    """One line per report and row of ``table``, the column keys as columns, in printed order."""
    index = _WIDE_INDEX[table]
    keys = wide_cols(table)
    table_codes, table_names = codes["table"]
    col_codes, col_names = codes["col"]
    row_codes, row_names = codes["row"]
    col_j = np.array([index.get(c, -1) for c in col_names], dtype=np.int64)[col_codes] \
        if col_names else np.zeros(0, dtype=np.int64)
    this = table_names.index(table) if table in table_names else -1
    sel = np.nonzero((table_codes == this) & (col_j >= 0))[0]
    rpos, cj, row_codes = pos[sel], col_j[sel], row_codes[sel]
    templates = reports.templates.to_pylist()
    names_t = sorted(set(templates), key=lambda t: (t is None, t or ""))
    code_t = np.array([names_t.index(t) for t in templates], dtype=np.int64)
    n_rows = max(len(row_names), 1)
    uniq, inverse = np.unique(code_t[rpos] * n_rows + row_codes, return_inverse=True)
    ordered = sorted(range(len(uniq)), key=lambda i: fact_order(
        table, row_names[int(uniq[i]) % n_rows], "", names_t[int(uniq[i]) // n_rows]))
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[np.array(ordered, dtype=np.int64)] = np.arange(len(uniq))
    line_code = rpos * max(len(uniq), 1) + rank[inverse]
    lines, line_of = np.unique(line_code, return_inverse=True)
    n_lines = len(lines)
    first = np.full(n_lines, -1, dtype=np.int64)
    first[line_of[::-1]] = np.arange(len(sel))[::-1]  # a fact of each line
    line_rpos = rpos[first] if n_lines else np.zeros(0, dtype=np.int64)
    line_combo = inverse[first] if n_lines else np.zeros(0, dtype=np.int64)
    combo_row = pa.array([row_names[int(u) % n_rows] for u in uniq], type=pa.string())
    combo_label = pa.array([_LABELS.get((names_t[int(u) // n_rows] or "", table,
                                         row_names[int(u) % n_rows])) for u in uniq],
                           type=pa.string())
    names: dict[str, pa.Array] = {
        "report_id": _at(reports.ids, line_rpos),
        "agency": _at(reports.agencies, line_rpos),
        "year": _at(reports.years, line_rpos),
        "template": _at(reports.templates, line_rpos),
        "row": _at(combo_row, line_combo),
        "row_label": _at(combo_label, line_combo),
    }
    for j, key in enumerate(keys):
        take = np.full(n_lines, -1, dtype=np.int64)
        hit = cj == j
        take[line_of[hit]] = sel[hit]
        where = pa.array(take, type=pa.int64(), mask=take < 0)
        names[key] = facts["value"].take(where)
        names[key + TEXT] = facts["value" + TEXT].take(where)
    names["report_key"] = pa.array(line_rpos + first_key, type=pa.int64())
    return pa.table(names)
