"""Facts and checks as Arrow columns: how they are stored, and the per-chunk tables export writes.

A report's facts are kept in ``parsed.sqlite`` as one serialized Arrow record batch in its
template's printed order, the cell (table, row, column) as an integer key into the store's
``cell_ids`` table (``CELL_SCHEMA``, tag 3). Export reads a chunk of reports' batches, joins them
column by column (no Python object per fact) and looks the cell's strings, wide-table line and
column up in small per-cell arrays. Batches of older stores (strings for the cell, tags 1 and
2, or JSON) are turned into the same columns when read. Next to each
number sits its text as Python prints it (``value:text``), so the CSV is byte-identical to the
one the csv module wrote from Python values (``12``, ``12.0``, ``25.1``, ``1e-05``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nianbao.parsers.model import Check, Fact, Number

TEXT = ":text"  # suffix of a number column's printed text
BLOB_TAG = b"\x01"  # layout version of a stored batch, in any order
SORTED_TAG = b"\x02"  # the same layout, facts already in the report's printed order
CELLS_TAG = b"\x03"  # CELL_SCHEMA (cell keys as integers), in the report's printed order
UNSORTED = object()  # "in no known order" (a stored template may be None)

FACT_SCHEMA = pa.schema([
    ("table", pa.string()), ("row", pa.string()), ("col", pa.string()),
    ("value", pa.float64()), ("value" + TEXT, pa.string()), ("raw", pa.string()),
    ("unit", pa.string()), ("origin", pa.string()), ("inferred", pa.bool_())])
CELL_SCHEMA = pa.schema([("cell", pa.int32()), *(f for f in FACT_SCHEMA
                                                 if f.name not in ("table", "row", "col"))])
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


def cells_batch(facts: Sequence[Fact], cells: Sequence[int]) -> pa.RecordBatch:
    """A report's facts with their cell keys (``cells``, one per fact) as integers."""
    return pa.record_batch([
        pa.array(cells, pa.int32()),
        pa.array([_num(f.value) for f in facts], pa.float64()),
        pa.array([_text(f.value) for f in facts], pa.string()),
        pa.array([f.raw for f in facts], pa.string()),
        pa.array([f.unit for f in facts], pa.string()),
        pa.array([f.origin for f in facts], pa.string()),
        pa.array([bool(f.inferred) for f in facts], pa.bool_())], schema=CELL_SCHEMA)


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
    tag = CELLS_TAG if batch.schema.equals(CELL_SCHEMA) else SORTED_TAG if in_order else BLOB_TAG
    return tag + batch.serialize().to_pybytes()


def from_blob(blob: bytes, schema: pa.Schema) -> pa.RecordBatch:
    """A stored batch; ``schema`` is FACT_SCHEMA or CHECK_SCHEMA for tags 1 and 2, and is
    ignored for tag 3 (always CELL_SCHEMA)."""
    tag = blob[:1]
    if tag == CELLS_TAG:
        schema = CELL_SCHEMA
    elif tag not in (BLOB_TAG, SORTED_TAG):
        raise ValueError("unknown layout of stored columns")
    return pa.ipc.read_record_batch(pa.py_buffer(blob)[1:], schema)


Cell = tuple[str, str, str]  # table, row, col


class CellCatalog:
    """Cell keys as dense integers for this process, and the store's ids mapped onto them.

    Stored batches name cells by the id of the store's ``cell_ids`` table; export works with
    dense ids (0, 1, ...) so that per-cell facts (strings, wide line and column) are arrays.
    A cell the store has no id for (an older batch read from a read-only store) gets a dense
    id only.
    """

    def __init__(self) -> None:
        self.keys: list[Cell] = []
        self._dense: dict[Cell, int] = {}
        self._of_stored = np.full(1, -1, dtype=np.int64)  # stored id -> dense id
        self._strings: tuple[int, tuple[pa.Array, pa.Array, pa.Array]] | None = None
        self.cache: dict[object, object] = {}  # per-cell arrays of export, for len(keys)

    def __len__(self) -> int:
        return len(self.keys)

    def dense(self, key: Cell) -> int:
        got = self._dense.get(key)
        if got is None:
            got = self._dense[key] = len(self.keys)
            self.keys.append(key)
            self.cache.clear()
        return got

    def add_stored(self, stored_id: int, key: Cell) -> None:
        if stored_id >= len(self._of_stored):
            grown = np.full(max(stored_id + 1, 2 * len(self._of_stored)), -1, dtype=np.int64)
            grown[:len(self._of_stored)] = self._of_stored
            self._of_stored = grown
        self._of_stored[stored_id] = self.dense(key)

    def forget_stored(self, stored_id: int) -> None:
        if stored_id < len(self._of_stored):
            self._of_stored[stored_id] = -1

    def from_stored(self, ids: np.ndarray) -> np.ndarray:
        """Dense ids of stored ids; KeyError for an id this catalog has not loaded."""
        ids = ids.astype(np.int64, copy=False)
        if len(ids) and (ids.max() >= len(self._of_stored) or ids.min() < 0
                         or (self._of_stored[ids] < 0).any()):
            raise KeyError("cell id not in the catalog")
        return self._of_stored[ids]

    def of_strings(self, table: pa.Array, row: pa.Array, col: pa.Array) -> np.ndarray:
        """Dense ids of facts given as strings (older batches): one dictionary lookup per
        distinct cell."""
        if len(table) == 0:
            return np.zeros(0, dtype=np.int64)
        key = pc.binary_join_element_wise(table, row, col, "\x1f")
        if isinstance(key, pa.ChunkedArray):
            key = key.combine_chunks()
        encoded = key.dictionary_encode()
        ids = np.array([self.dense(tuple(s.split("\x1f"))) for s in encoded.dictionary.to_pylist()],
                       dtype=np.int64)
        return ids[encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)]

    def strings(self) -> tuple[pa.Array, pa.Array, pa.Array]:
        """table, row and col of every dense id, as string arrays to take from."""
        if self._strings is None or self._strings[0] != len(self.keys):
            cols = list(zip(*self.keys)) if self.keys else ([], [], [])
            self._strings = (len(self.keys), tuple(pa.array(list(c), pa.string())
                                                    for c in cols))  # type: ignore[assignment]
        return self._strings[1]  # type: ignore[index]


def cells_from_facts(batch: pa.RecordBatch | pa.Table, catalog: CellCatalog) -> pa.Table:
    """A FACT_SCHEMA batch (older layout) as CELL_SCHEMA columns with dense cell ids."""
    ids = catalog.of_strings(batch.column("table"), batch.column("row"), batch.column("col"))
    cols = [pa.array(ids, pa.int32())] + [batch.column(n) for n in CELL_SCHEMA.names[1:]]
    return pa.Table.from_arrays(cols, schema=CELL_SCHEMA)


def facts_from_cells(batch: pa.RecordBatch | pa.Table, catalog: CellCatalog,
                     dense: np.ndarray) -> pa.RecordBatch:
    """CELL_SCHEMA columns (their dense ids ``dense``) back as a FACT_SCHEMA batch."""
    where = pa.array(dense, pa.int64())
    table, row, col = (a.take(where) for a in catalog.strings())
    cols = [table, row, col] + [_array(batch.column(n)) for n in FACT_SCHEMA.names[3:]]
    return pa.record_batch(cols, schema=FACT_SCHEMA)


def _array(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array (no copy when there is a single chunk: combine_chunks would copy it)."""
    if isinstance(col, pa.ChunkedArray):
        return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    return col


one_array = _array


def plain(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array, a dictionary column decoded to its values."""
    col = _array(col)
    if pa.types.is_dictionary(col.type):
        col = col.dictionary.take(col.indices)
    return col


def join(batches: Sequence[pa.RecordBatch | pa.Table], schema: pa.Schema) -> pa.Table:
    """The batches end to end, one contiguous chunk per column."""
    flat: list[pa.RecordBatch] = []
    for b in batches:
        if isinstance(b, pa.Table):
            flat.extend(b.to_batches())
        else:
            flat.append(b)
    return pa.Table.from_batches(flat, schema=schema).combine_chunks()


def in_printed_order(facts: Sequence[Fact], template: str | None) -> list[Fact]:
    """The facts in the printed order of ``template`` (stable), as every export writes them."""
    from nianbao.output.frames import _order_key  # frames -> records -> results -> here

    return sorted(facts, key=_order_key(template))
