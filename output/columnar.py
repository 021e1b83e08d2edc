"""Facts and checks as Arrow columns: how they are stored, and the per-chunk tables export writes.

A report's facts are kept in ``parsed.sqlite`` as one serialized Arrow record batch (its order
as parsed); export reads a chunk of reports' batches, concatenates them (no Python object per
fact) and sorts each report's facts into printed order with integer ranks. Next to each
number sits its text as Python prints it (``value:text``), so the CSV is byte-identical to the
one the csv module wrote from Python values (``12``, ``12.0``, ``25.1``, ``1e-05``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nianbao.parsers.model import Check, Fact, Number
from nianbao.output.columns import fact_order

TEXT = ":text"  # suffix of a number column's printed text
BLOB_TAG = b"\x01"  # layout version of a stored batch, in any order
SORTED_TAG = b"\x02"  # the same layout, facts already in the report's printed order
UNSORTED = object()  # "in no known order" (a stored template may be None)

FACT_SCHEMA = pa.schema([
    ("table", pa.string()), ("row", pa.string()), ("col", pa.string()),
    ("value", pa.float64()), ("value" + TEXT, pa.string()), ("raw", pa.string()),
    ("unit", pa.string()), ("origin", pa.string()), ("inferred", pa.bool_())])
CHECK_SCHEMA = pa.schema([
    ("name", pa.string()), ("ok", pa.bool_()), ("lhs", pa.float64()), ("lhs" + TEXT, pa.string()),
    ("rhs", pa.float64()), ("rhs" + TEXT, pa.string())])


def _num(v: Number | None) -> float | None:
    return None if v is None else float(v)


def _text(v: Number | None) -> str | None:
    return None if v is None else str(v)


def facts_batch(facts: Sequence[Fact]) -> pa.RecordBatch:
    """A report's facts as one batch, in the order given."""
    return pa.record_batch([
        pa.array([f.table for f in facts], pa.string()),
        pa.array([f.row for f in facts], pa.string()),
        pa.array([f.col for f in facts], pa.string()),
        pa.array([_num(f.value) for f in facts], pa.float64()),
        pa.array([_text(f.value) for f in facts], pa.string()),
        pa.array([f.raw for f in facts], pa.string()),
        pa.array([f.unit for f in facts], pa.string()),
        pa.array([f.origin for f in facts], pa.string()),
        pa.array([bool(f.inferred) for f in facts], pa.bool_())], schema=FACT_SCHEMA)


def checks_batch(checks: Sequence[Check]) -> pa.RecordBatch:
    return pa.record_batch([
        pa.array([c.name for c in checks], pa.string()),
        pa.array([bool(c.ok) for c in checks], pa.bool_()),
        pa.array([_num(c.lhs) for c in checks], pa.float64()),
        pa.array([_text(c.lhs) for c in checks], pa.string()),
        pa.array([_num(c.rhs) for c in checks], pa.float64()),
        pa.array([_text(c.rhs) for c in checks], pa.string())], schema=CHECK_SCHEMA)


def _number(value: float | None, text: str | None) -> Number | None:
    if text is None:
        return None
    try:
        return int(text)  # printed as an int: it was one
    except ValueError:
        return value


def facts_of(batch: pa.RecordBatch) -> list[Fact]:
    """The Fact objects back (for the few callers that need them, e.g. same_report)."""
    c = batch.to_pydict()
    return [Fact(t, r, k, _number(v, vt), raw, u, o, i) for t, r, k, v, vt, raw, u, o, i in zip(
        c["table"], c["row"], c["col"], c["value"], c["value" + TEXT], c["raw"], c["unit"],
        c["origin"], c["inferred"])]


def checks_of(batch: pa.RecordBatch) -> list[Check]:
    c = batch.to_pydict()
    return [Check(n, ok, _number(lv, lt), _number(rv, rt)) for n, ok, lv, lt, rv, rt in zip(
        c["name"], c["ok"], c["lhs"], c["lhs" + TEXT], c["rhs"], c["rhs" + TEXT])]


def to_blob(batch: pa.RecordBatch, in_order: bool = False) -> bytes:
    return (SORTED_TAG if in_order else BLOB_TAG) + batch.serialize().to_pybytes()


def from_blob(blob: bytes, schema: pa.Schema) -> pa.RecordBatch:
    if blob[:1] not in (BLOB_TAG, SORTED_TAG):
        raise ValueError("unknown layout of stored columns")
    return pa.ipc.read_record_batch(pa.py_buffer(blob)[1:], schema)


def in_printed_order(facts: Sequence[Fact], template: str | None) -> list[Fact]:
    """The facts in the printed order of ``template`` (stable), as every export writes them."""
    from nianbao.output.frames import _order_key  # frames -> records -> results -> here

    return sorted(facts, key=_order_key(template))


def concat(batches: list[pa.RecordBatch], schema: pa.Schema, contiguous: bool = True) -> pa.Table:
    """One table of the batches (``contiguous``: copied into one chunk per column)."""
    table = pa.Table.from_batches(batches, schema=schema)
    return table.combine_chunks() if contiguous else table


def printed_order(facts: pa.Table, report_pos: np.ndarray, templates: list[str | None]) -> np.ndarray:
    """Row indices that put each report's facts in its template's printed order (stable).

    ``report_pos`` is each fact's report (index into ``templates``); reports keep their order.
    """
    from nianbao.output.frames import ORDER  # frames -> records -> results -> this module

    n = facts.num_rows
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key = pc.binary_join_element_wise(facts["table"], facts["row"], facts["col"], "\x1f")
    encoded = key.combine_chunks().dictionary_encode() if isinstance(key, pa.ChunkedArray) \
        else key.dictionary_encode()
    key_idx = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    cells = [tuple(s.split("\x1f")) for s in encoded.dictionary.to_pylist()]
    tmpl_names = sorted({t for t in templates}, key=lambda t: (t is None, t or ""))
    tmpl_code = {t: i for i, t in enumerate(tmpl_names)}
    per_report = np.array([tmpl_code[t] for t in templates], dtype=np.int64)
    combo = per_report[report_pos] * len(cells) + key_idx
    uniq, inverse = np.unique(combo, return_inverse=True)

    def rank(code: int) -> tuple:
        template = tmpl_names[code // len(cells)]
        t, r, c = cells[code % len(cells)]
        r_ = (ORDER.get(template) or ORDER[None]).get((t, r, c))
        return (r_,) if r_ is not None else (1 << 30,) + fact_order(t, r, c)

    ranks = np.empty(len(uniq), dtype=np.int64)
    ranks[np.array(sorted(range(len(uniq)), key=lambda i: rank(int(uniq[i]))), dtype=np.int64)] \
        = np.arange(len(uniq))
    return np.lexsort((np.arange(n), ranks[inverse], report_pos))
