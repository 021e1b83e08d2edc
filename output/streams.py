"""One chunk of reports as Arrow tables: ``facts``, ``checks`` and the wide tables.

Built from the stored record batches (or, for a dataset without a store, from its loaded
facts) with vectorised operations only: a chunk of 1,000 reports costs a few Python steps per
report, none per fact. A fact's cell is a dense integer (columnar.CellCatalog), so its strings,
its wide table, line rank and column, its printed rank and its row label are small per-cell
arrays looked up by position; the wide tables are one scatter of fact positions into a
(column, line) grid and one take per value column. Each table carries helper columns the writers
use and do not write: ``year`` (the report's year, the Parquet partition), ``report_key`` (the
report's position in report-id order, from 1: the SQLite integer key), and in ``facts``,
``report_origin`` and ``cell`` (the dense cell id). In ``facts``, ``table``, ``row``, ``col``,
``report_id`` and ``report_origin`` are dictionary arrays (nothing copied per fact); writers
decode them where they need the strings (columnar.plain).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import eq

import numpy as np
import pyarrow as pa

from nianbao.output.cross_year import NAMES as CARRY_NAMES, Carried
from nianbao.parsers.schema import SCHEMAS, TABLES
from nianbao.output import columnar
from nianbao.output.columnar import CELL_SCHEMA, CHECK_SCHEMA, FACT_SCHEMA, TEXT, CellCatalog
from nianbao.output.columns import fact_order, wide_cols
from nianbao.output.records import Dataset, ReportRow

_WIDE_INDEX = {t: {k: i for i, k in enumerate(wide_cols(t))} for t in TABLES}
_LABELS = {(template, t, r.key): r.label for template in SCHEMAS for t in TABLES
           for r in SCHEMAS[template][t].rows}
_LOCAL = CellCatalog()  # cells of datasets without a results store


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
    template_code: np.ndarray  # per report: index into ``template_names``
    template_names: list[str | None]

    @classmethod
    def of(cls, rows: list[ReportRow]) -> "_Reports":
        templates = [r.template for r in rows]
        names = sorted(set(templates), key=lambda t: (t is None, t or ""))
        code = {t: i for i, t in enumerate(names)}
        return cls(pa.array([r.report_id for r in rows], pa.string()),
                   pa.array([r.year for r in rows], pa.int32()),
                   pa.array([r.agency for r in rows], pa.string()),
                   pa.array(templates, pa.string()),
                   pa.array([r.origin for r in rows], pa.string()),
                   np.array([code[t] for t in templates], dtype=np.int64), names)


def _at(array: pa.Array, pos: np.ndarray) -> pa.Array:
    return array.take(pa.array(pos, type=pa.int64()))


def _coded(strings: pa.Array, pos: np.ndarray) -> pa.DictionaryArray:
    """``strings[pos]`` as a dictionary array: no string copied per line (Parquet writes it as
    it is; CSV and SQLite decode it). Nulls are null codes: Parquet refuses a null value in a
    dictionary."""
    encoded = strings.dictionary_encode()
    return pa.DictionaryArray.from_arrays(encoded.indices.take(pa.array(pos, type=pa.int64())),
                                          encoded.dictionary)


# Per-cell arrays (index: dense cell id), kept in the catalog's cache while it does not grow.

_SHIFT = 8  # below it, a cell's column in its wide table (fewer than 256 columns a table)


def _wide_code(catalog: CellCatalog) -> np.ndarray:
    """Per cell: (position of its table in TABLES) << _SHIFT | its column in that table's wide
    table; -1 for a cell whose column no wide table has."""
    if "wide_code" not in catalog.cache:
        where = {t: i for i, t in enumerate(TABLES)}
        catalog.cache["wide_code"] = np.array(
            [(where[t] << _SHIFT) | _WIDE_INDEX[t][c] if c in _WIDE_INDEX.get(t, {}) else -1
             for t, _r, c in catalog.keys], dtype=np.int64)
    return catalog.cache["wide_code"]  # type: ignore[return-value]


def _dense_rank(items: list, key) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Each item's rank by ``key``; items with equal keys share a rank."""
    keys = [key(k) for k in items]
    rank = np.zeros(len(items), dtype=np.int64)
    last, r = None, -1
    for i in sorted(range(len(items)), key=keys.__getitem__):
        if r < 0 or keys[i] != last:
            r, last = r + 1, keys[i]
        rank[i] = r
    return rank


def _line_rank(catalog: CellCatalog, template: str | None) -> np.ndarray:
    """Rank of each cell's (table, row) in ``template``'s printed order of wide lines."""
    key = ("line_rank", template)
    if key not in catalog.cache:
        catalog.cache[key] = _dense_rank(catalog.keys, lambda k: fact_order(k[0], k[1], "",
                                                                           template))
    return catalog.cache[key]  # type: ignore[return-value]


def _printed_rank(catalog: CellCatalog, template: str | None) -> np.ndarray:
    """Rank of each cell in ``template``'s printed order of facts (as frames._order_key)."""
    from nianbao.output.frames import ORDER

    key = ("printed_rank", template)
    if key not in catalog.cache:
        order = ORDER.get(template) or ORDER[None]

        def rank(k: tuple[str, str, str]) -> tuple:
            r = order.get(k)
            return (r,) if r is not None else (1 << 30,) + fact_order(*k)
        catalog.cache[key] = _dense_rank(catalog.keys, rank)
    return catalog.cache[key]  # type: ignore[return-value]


def _labels(catalog: CellCatalog, template: str | None) -> pa.Array:
    key = ("labels", template)
    if key not in catalog.cache:
        catalog.cache[key] = pa.array([_LABELS.get((template or "", t, r))
                                       for t, r, _c in catalog.keys], pa.string())
    return catalog.cache[key]  # type: ignore[return-value]


def _cell_strings(catalog: CellCatalog, cell: np.ndarray) -> list[pa.DictionaryArray]:
    """table, row and col of each fact as dictionary arrays (distinct values, int32 codes)."""
    if "strings" not in catalog.cache:
        made = []
        for values in catalog.strings():
            encoded = values.dictionary_encode()
            made.append((encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32),
                         encoded.dictionary))
        catalog.cache["strings"] = made
    return [pa.DictionaryArray.from_arrays(pa.array(codes[cell], pa.int32()), values)
            for codes, values in catalog.cache["strings"]]  # type: ignore[union-attr]


def _per_template(reports: _Reports, make) -> np.ndarray:  # type: ignore[no-untyped-def]
    """(template code, cell) -> value, stacked for the chunk's templates."""
    return np.stack([make(t) for t in reports.template_names])


# Reading the chunk's facts and checks.

_EMPTY_CELLS = CELL_SCHEMA.empty_table()
_CELL_COLUMNS = len(CELL_SCHEMA)
_EMPTY_CHECKS = CHECK_SCHEMA.empty_table()
_NOTHING = (None, None, None, None)


def _contents(dataset: Dataset, rows: list[ReportRow]
              ) -> tuple[CellCatalog, pa.Table, np.ndarray, pa.Table, np.ndarray, bool]:
    """The chunk's facts as one CELL_SCHEMA table (dense cell ids), each fact's report
    (position in ``rows``), the checks as one CHECK_SCHEMA table, each check's report, and
    whether any report needs sorting."""
    stored: list[bool] = []
    parts: list = []
    checks: list = []
    legacy: list[tuple[int, pa.RecordBatch]] = []
    unsorted = False
    if dataset.store is None:
        catalog = _LOCAL
        for i, row in enumerate(rows):
            facts, chk = dataset.load(row)
            legacy.append((i, columnar.facts_batch(facts)))
            parts.append(None)
            stored.append(False)
            checks.append(columnar.checks_batch(chk))
        unsorted = True
    else:
        store = dataset.store
        catalog = store.catalog
        got = store.columns_ordered([r.facts_from for r in rows if r.facts_from is not None],
                                    {r.facts_from: r.facts_place for r in rows
                                     if r.facts_place is not None})
        spans: list = []
        for i, row in enumerate(rows):
            f, c, order, span = got.get(row.facts_from, _NOTHING) \
                if row.facts_from is not None else _NOTHING
            checks.append(c if c is not None else _EMPTY_CHECKS)
            spans.append(span)
            if f is None or f.num_rows == 0:
                parts.append(_EMPTY_CELLS)
                stored.append(False)
                continue
            if order is columnar.UNSORTED or order != row.template:
                unsorted = True
            if f.num_columns == _CELL_COLUMNS:  # CELL_SCHEMA (older layouts have 9)
                parts.append(f)
                stored.append(True)
            else:
                legacy.append((i, f))
                parts.append(None)
                stored.append(False)
    if legacy:  # older batches (cell as strings): converted together, then put in place
        joined = columnar.cells_from_facts(columnar.join([b for _i, b in legacy], FACT_SCHEMA),
                                           catalog)
        start = 0
        for i, b in legacy:
            parts[i] = joined.slice(start, b.num_rows)
            start += b.num_rows
    sizes = np.array([p.num_rows for p in parts], dtype=np.int64)
    check_sizes = np.array([c.num_rows for c in checks], dtype=np.int64)
    if dataset.store is not None:
        parts = dataset.store.joined_runs(parts, spans)
        checks = dataset.store.joined_runs(checks, spans, checks=True)
    facts = columnar.join(parts, CELL_SCHEMA)
    if any(stored):
        ids = facts.column(0).to_numpy().astype(np.int64)
        mask = np.repeat(np.array(stored, dtype=bool), sizes)
        if mask.all():
            ids = dataset.store.dense_cells(ids)  # type: ignore[union-attr]
        else:
            ids[mask] = dataset.store.dense_cells(ids[mask])  # type: ignore[union-attr]
        facts = facts.set_column(0, "cell", pa.array(ids, pa.int32()))
    pos = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
    own_pos = np.repeat(np.arange(len(rows), dtype=np.int64), check_sizes)
    return catalog, facts, pos, columnar.join(checks, CHECK_SCHEMA), own_pos, unsorted


def _numbers(values: list) -> tuple[pa.Array, pa.Array]:
    """Numbers as float64 and as Python prints them; ints (the usual case) converted by
    Arrow in one call, anything else one by one."""
    try:
        ints = pa.array(values)  # int64 only when every value is an int (bool: bool_)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        ints = None
    if ints is not None and ints.type == pa.int64() and ints.null_count == 0:
        return ints.cast(pa.float64()), ints.cast(pa.string())
    return (pa.array([None if v is None else float(v) for v in values], pa.float64()),
            pa.array([None if v is None else str(v) for v in values], pa.string()))


_CARRY_NAMES = pa.array(CARRY_NAMES, pa.string())


def _carried_table(carried: list[Carried]) -> pa.Table:
    """Cross-year checks (several thousand a chunk) as CHECK_SCHEMA columns, report by report
    in NAMES order, with no Check object made."""
    lhs = [v for c in carried for v in c.lhs]
    rhs = [v for c in carried for v in c.rhs]
    lhs_num, lhs_text = _numbers(lhs)
    rhs_num, rhs_text = _numbers(rhs)
    names = _CARRY_NAMES.take(pa.array(np.tile(np.arange(len(CARRY_NAMES)), len(carried))))
    return pa.Table.from_arrays([names, pa.array(list(map(eq, lhs, rhs)), pa.bool_()),
                                 lhs_num, lhs_text, rhs_num, rhs_text], schema=CHECK_SCHEMA)


def _helpers(table: pa.Table, pos: np.ndarray, reports: _Reports, keys: np.ndarray) -> pa.Table:
    table = table.append_column("report_id", _coded(reports.ids, pos))
    table = table.append_column("year", _at(reports.years, pos))
    return table.append_column("report_key", pa.array(keys[pos], type=pa.int64()))


def by_year(rows: list[ReportRow]) -> np.ndarray:
    """Positions of ``rows`` grouped by year as Parquet partitions them (years ascending, no
    year last), report-id order kept within a year."""
    years = np.array([-1 if r.year is None else r.year for r in rows], dtype=np.int64)
    return np.lexsort((np.arange(len(rows)), years, years < 0))


def chunk(dataset: Dataset, rows: list[ReportRow], first_key: int,
          extra: dict[str, Carried], year_major: bool = False, texts: bool = True
          ) -> Chunk:
    """The chunk's tables; ``rows`` in report-id order, the first one's key ``first_key``.

    ``year_major``: the lines of each table grouped by year (``by_year``), so that a Parquet
    partition is one slice of them; report keys stay those of report-id order. ``texts``: the
    wide tables' ``<col>:text`` columns (the numbers as printed), which only CSV writes.
    """
    keys = np.arange(first_key, first_key + len(rows), dtype=np.int64)
    if year_major:
        order = by_year(rows)
        rows, keys = [rows[i] for i in order], keys[order]
    catalog, cells, pos, own, own_pos, unsorted = _contents(dataset, rows)
    reports = _Reports.of(rows)
    cell = cells.column(0).to_numpy().astype(np.int64)
    tcode = reports.template_code[pos]
    if unsorted and len(cell):  # each report's facts into its template's printed order
        rank = _per_template(reports, lambda t: _printed_rank(catalog, t))[tcode, cell]
        order = np.lexsort((np.arange(len(cell)), rank, pos))
        cells = cells.take(pa.array(order, type=pa.int64()))
        cell, pos, tcode = cell[order], pos[order], tcode[order]
    # Strings that repeat (the cell's, the report's) as dictionary columns: nothing copied
    # here; each writer decodes them or writes them as they are (Parquet).
    facts = pa.Table.from_arrays(_cell_strings(catalog, cell) + cells.columns[1:],
                                 names=FACT_SCHEMA.names)
    at = pa.array(pos, type=pa.int32())
    facts = facts.append_column("report_id", pa.DictionaryArray.from_arrays(at, reports.ids))
    facts = facts.append_column("year", _at(reports.years, pos))
    facts = facts.append_column("report_key", pa.array(keys[pos], type=pa.int64()))
    facts = facts.append_column("report_origin",
                                pa.DictionaryArray.from_arrays(at, reports.origins))
    facts = facts.append_column("cell", pa.array(cell, type=pa.int64()))

    # Checks: each report's own, then its cross-year ones.
    more = [(i, got) for i, r in enumerate(rows) if (got := extra.get(r.report_id)) is not None]
    if more:
        added = _carried_table([c for _i, c in more])
        cpos = np.concatenate([own_pos, np.repeat(np.array([i for i, _c in more], dtype=np.int64),
                                                  len(CARRY_NAMES))])
        order = np.argsort(cpos, kind="stable")  # two sorted runs: one merge
        checks = columnar.join([own, added], CHECK_SCHEMA).take(pa.array(order, type=pa.int64()))
        cpos = cpos[order]
    else:
        checks, cpos = own, own_pos
    checks = _helpers(checks, cpos, reports, keys)
    return Chunk(facts, checks, _wide(facts, cell, pos, tcode, reports, keys, catalog, texts))


def _lines(sel: np.ndarray, line_code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each selected fact's line (0, 1, ...) and the first fact of each line, lines in
    ``line_code`` order. Facts are in printed order, so a report's lines usually come in rank
    order and a line starts where the code changes; otherwise (a row the template does not
    print) the codes are sorted."""
    if len(sel) and (np.diff(line_code) >= 0).all():
        starts = np.concatenate([[True], line_code[1:] != line_code[:-1]])
        return np.cumsum(starts) - 1, np.nonzero(starts)[0]
    lines, line_of = np.unique(line_code, return_inverse=True)
    line_of = line_of.reshape(-1)
    first = np.full(len(lines), -1, dtype=np.int64)
    first[line_of[::-1]] = np.arange(len(sel))[::-1]  # a fact of each line: its first
    return line_of, first


def _wide(facts: pa.Table, cell: np.ndarray, pos: np.ndarray, tcode: np.ndarray,
          reports: _Reports, report_keys: np.ndarray, catalog: CellCatalog,
          texts: bool = True) -> dict[str, pa.Table]:
    """Per table key, one line per report and row of that table, the column keys as columns,
    in printed order.

    A line is a (report, row); lines follow the row's rank in the report's template. Of
    several facts for one cell of a line, the last is taken. The three tables are built
    together: one take per chunk for each value column and each line column, then sliced.
    """
    code = _wide_code(catalog)[cell] if len(cell) else np.zeros(0, dtype=np.int64)
    ranks = _per_template(reports, lambda t: _line_rank(catalog, t))
    line_key = pos * max(len(catalog), 1) + ranks[tcode, cell]
    missing = len(cell)  # the index of a null appended to each value column: an empty cell
    firsts, wheres, sizes = [], [], []  # per table: first fact of each line, its grid, lines
    for k, table in enumerate(TABLES):
        sel = np.nonzero((code >> _SHIFT) == k)[0]
        line_of, first = _lines(sel, line_key[sel])
        grid = np.full((len(wide_cols(table)), len(first)), missing, dtype=np.int64)
        grid[code[sel] & ((1 << _SHIFT) - 1), line_of] = sel  # (column, line) -> fact
        firsts.append(sel[first])
        wheres.append(grid.reshape(-1))
        sizes.append(len(first))
    head = np.concatenate(firsts)  # a fact of each line, all tables
    line_pos, line_cell = pos[head], cell[head]
    labels = pa.concat_arrays([_labels(catalog, t) for t in reports.template_names])
    lines = {"report_id": _coded(reports.ids, line_pos),
             "agency": _coded(reports.agencies, line_pos),
             "year": _at(reports.years, line_pos),
             "template": _coded(reports.templates, line_pos),
             "row": _coded(catalog.strings()[1], line_cell),
             "row_label": _coded(labels, tcode[head] * len(catalog) + line_cell),
             "report_key": pa.array(report_keys[line_pos], type=pa.int64())}
    where = pa.array(np.concatenate(wheres), type=pa.int64())  # no null index: a faster take

    def take(name: str) -> pa.Array:
        col = columnar.one_array(facts[name])
        return pa.concat_arrays([col, pa.nulls(1, col.type)]).take(where)
    values = take("value")
    printed = take("value" + TEXT) if texts else None
    out: dict[str, pa.Table] = {}
    line_at = cell_at = 0
    for table, n_lines in zip(TABLES, sizes):
        names = {k: a.slice(line_at, n_lines) for k, a in lines.items() if k != "report_key"}
        for j, key in enumerate(wide_cols(table)):
            names[key] = values.slice(cell_at + j * n_lines, n_lines)
            if printed is not None:
                names[key + TEXT] = printed.slice(cell_at + j * n_lines, n_lines)
        names["report_key"] = lines["report_key"].slice(line_at, n_lines)
        out[table] = pa.table(names)
        line_at += n_lines
        cell_at += len(wide_cols(table)) * n_lines
    return out
