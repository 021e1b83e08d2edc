"""Parquet files, typed from output/columns.py; facts, checks and wide tables partitioned by year.

Layout (Hive style, read by pandas, pyarrow, DuckDB, Spark): ``parquet/reports.parquet`` and
``parquet/<name>/year=<YYYY>/part-0.parquet``; reports without a year go to
``year=__HIVE_DEFAULT_PARTITION__``. The whole ``parquet`` folder is built beside the old one
and swapped in at the end. Streamed files take the chunks' repeated strings as dictionaries and
write them as such, without the Arrow schema (readers see plain string columns) and with
statistics for the report id and the numbers only; a partition's small pieces of several chunks
are gathered into one row group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nianbao.output import atomic
from nianbao.output.columns import FILES, WIDE, Column

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
SMALL_BYTES = 1 << 20  # a chunk's piece of a partition smaller than this waits for more
PENDING_BYTES = 16 << 20  # all waiting pieces are written once they hold this much
FRAMED_ROWS = 50_000  # rows of a row group of the files written in frames (reports, agencies)
_TYPES = {"str": pa.string(), "int": pa.int32(), "count": pa.int64(), "float": pa.float64(),
          "number": pa.float64(), "bool": pa.bool_(),
          "timestamp": pa.timestamp("ms", tz="UTC")}  # Parquet has no seconds


class NotWhole(Exception):
    """Count columns holding a value that is not whole: they must be written as floats."""

    def __init__(self, columns: frozenset[str]) -> None:
        super().__init__(", ".join(sorted(columns)))
        self.columns = columns


def _columns(name: str) -> tuple[Column, ...]:
    return FILES.get(name) or WIDE[name.removeprefix("wide_")]


def schema_of(name: str, partitioned: bool, floats: frozenset[str] = frozenset()) -> pa.Schema:
    """The file's schema; ``floats`` are count columns written as float64 (a value not whole)."""
    cols = [c for c in _columns(name) if not (partitioned and c.name == "year")]
    return pa.schema([pa.field(c.name, pa.float64() if c.name in floats else _TYPES[c.kind])
                      for c in cols])


def _array(series: pd.Series, kind: str) -> pa.Array:
    """One column in its Parquet type; values come as parsed (object columns, None for null)."""
    if kind == "timestamp":
        series = pd.to_datetime(series, utc=True, format="ISO8601")
        return pa.array(series, type=pa.timestamp("ns", tz="UTC"), from_pandas=True).cast(
            _TYPES[kind], safe=False)
    if kind == "count":  # via float64: a direct int64 conversion would truncate 2.5 to 2
        return pa.array(series.to_numpy(dtype=object), type=pa.float64(), from_pandas=True)
    return pa.array(series.to_numpy(dtype=object), type=_TYPES[kind], from_pandas=True)


def to_table(name: str, frame: pd.DataFrame, partitioned: bool,
             floats: frozenset[str] = frozenset()) -> pa.Table:
    """The frame as a typed table; NotWhole when a count column outside ``floats`` is not whole."""
    schema = schema_of(name, partitioned, floats)
    kinds = {c.name: c.kind for c in _columns(name)}
    arrays, not_whole = [], set()
    for f in schema:
        array = _array(frame[f.name], kinds[f.name])
        if kinds[f.name] == "count" and f.type == pa.int64():
            try:
                array = array.cast(pa.int64())  # safe cast: refuses to drop a fraction
            except pa.ArrowInvalid:
                not_whole.add(f.name)
        arrays.append(array)
    if not_whole:
        raise NotWhole(frozenset(not_whole))
    return pa.Table.from_arrays(arrays, schema=schema)


def _stream_schema(name: str, like: pa.Schema, floats: frozenset[str]) -> pa.Schema:
    """The file's schema, with ``like``'s dictionary type for string columns it has as
    dictionaries (written as they are: no decoding, no hashing of each value; the files do not
    keep the Arrow schema, so readers see the plain string columns)."""
    return pa.schema([pa.field(f.name, like.field(f.name).type)
                      if f.type == pa.string() and f.name in like.names
                      and pa.types.is_dictionary(like.field(f.name).type)
                      else f for f in schema_of(name, True, floats)])


def _typed(name: str, table: pa.Table, floats: frozenset[str],
           like: pa.Schema | None = None) -> pa.Table:
    """A streamed chunk (Arrow, see streams.py) in the file's schema (string columns as
    dictionaries where ``like``, by default the chunk, has them so); NotWhole as to_table."""
    schema = _stream_schema(name, like or table.schema, floats)
    kinds = {c.name: c.kind for c in _columns(name)}
    arrays, not_whole = [], set()
    for f in schema:
        array = table[f.name]
        if kinds[f.name] == "count" and f.type == pa.int64():
            try:
                array = array.cast(pa.int64())  # safe cast: refuses to drop a fraction
            except pa.ArrowInvalid:
                not_whole.add(f.name)
        elif array.type != f.type:
            array = array.cast(f.type)
        arrays.append(array)
    if not_whole:
        raise NotWhole(frozenset(not_whole))
    return pa.Table.from_arrays(arrays, schema=schema)


def _stream_options(schema: pa.Schema) -> dict:
    """Writer options of a streamed file: min/max statistics for the report id (the files'
    sort key, by which readers skip row groups) and the numbers, not for the other strings
    (cell keys, raw text, labels: every row group spans them, and they are most of the cost)."""
    stats = [f.name for f in schema if f.name == "report_id"
             or not (pa.types.is_string(f.type) or pa.types.is_dictionary(f.type))]
    return {"compression": "zstd", "store_schema": False, "write_statistics": stats}


class ParquetWriter:
    """Streams chunks into one writer per (file, year); ``commit`` swaps the folder in."""

    def __init__(self, out: Path) -> None:
        self.final = out / "parquet"
        self.tmp = atomic.temp_beside(self.final)
        self.tmp.mkdir(parents=True)
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self._floats: dict[str, frozenset[str]] = {}  # file -> count columns written as floats
        self._schemas: dict[str, pa.Schema] = {}  # file -> the schema its parts are written in
        # Slices waiting to be written as one row group: a row group per chunk and year would
        # be small, and each of its column chunks costs the writer a fixed effort.
        self._pending: dict[tuple[str, str], list[pa.Table]] = {}
        self._pending_size: dict[tuple[str, str], int] = {}  # bytes waiting, per partition
        self._pending_bytes = 0
        # files written in frames -> their writer and the tables waiting to be a row group
        self._framed: dict[str, tuple[pq.ParquetWriter, list[pa.Table]]] = {}

    def begin(self, names: list[str]) -> None:
        for name in names:
            (self.tmp / name).mkdir(exist_ok=True)

    def write(self, name: str, table: pa.Table) -> None:
        """A chunk of a streamed file; its ``year`` column (the report's) is the partition."""
        if not table.num_rows:
            return
        like = self._schemas.get(name)  # every part of a file in one schema
        try:
            typed = _typed(name, table, self._floats.get(name, frozenset()), like)
        except NotWhole as exc:
            self._promote(name, exc.columns, like or table.schema)
            typed = _typed(name, table, self._floats[name], self._schemas[name])
        self._schemas[name] = typed.schema
        # One stable sort by year (none when the chunk comes grouped by year, streams.by_year),
        # then a zero-copy slice per partition (the chunk's order within each year is kept).
        years = pc.fill_null(table["year"], -1).to_numpy()
        key = np.where(years < 0, np.iinfo(np.int64).max, years)
        if (np.diff(key) < 0).any():
            order = np.argsort(key, kind="stable")
            typed = typed.take(pa.array(order, type=pa.int64()))
            years = years[order]
        starts = np.concatenate([[0], np.nonzero(years[1:] != years[:-1])[0] + 1])
        ends = list(starts[1:]) + [len(years)]
        for year, begin, end in zip(years[starts].tolist(), starts.tolist(), ends):
            part = NULL_PARTITION if year < 0 else str(int(year))
            writer = self._writers.get((name, part))
            if writer is None:
                folder = self.tmp / name / f"year={part}"
                folder.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(folder / "part-0.parquet", typed.schema,
                                          **_stream_options(typed.schema))
                self._writers[(name, part)] = writer
            key = (name, part)
            piece = typed.slice(begin, int(end) - begin)
            size = piece.nbytes
            if size >= SMALL_BYTES:  # large enough to be a row group of its own
                self._flush(key)
                writer.write_table(piece, row_group_size=max(piece.num_rows, 1))
                continue
            # A small piece is copied (a slice would keep the whole chunk alive) and waits.
            self._pending.setdefault(key, []).append(piece.combine_chunks())
            self._pending_size[key] = self._pending_size.get(key, 0) + size
            self._pending_bytes += size
            if self._pending_bytes >= PENDING_BYTES:
                for waiting in list(self._pending):
                    self._flush(waiting)

    def _flush(self, key: tuple[str, str]) -> None:
        """Write a partition's waiting slices as one row group (their dictionaries unified)."""
        parts = self._pending.pop(key, [])
        self._pending_bytes -= self._pending_size.pop(key, 0)
        if parts:
            table = pa.concat_tables(parts)
            if any(pa.types.is_dictionary(f.type) for f in table.schema):
                table = table.unify_dictionaries()
            self._writers[key].write_table(table, row_group_size=max(table.num_rows, 1))

    def _promote(self, name: str, columns: frozenset[str], like: pa.Schema) -> None:
        """Make ``columns`` of file ``name`` float64, rewriting the parts already written (rare:
        a count that is not whole), so that every part of one file has the same schema."""
        for key in [k for k in self._pending if k[0] == name]:
            self._flush(key)
        self._floats[name] = self._floats.get(name, frozenset()) | columns
        schema = _stream_schema(name, like, self._floats[name])
        self._schemas[name] = schema
        for key, writer in list(self._writers.items()):
            if key[0] != name:
                continue
            writer.close()
            path = self.tmp / name / f"year={key[1]}" / "part-0.parquet"
            with pq.ParquetFile(path) as done:
                written = done.read().cast(schema)
            writer = pq.ParquetWriter(path, schema, **_stream_options(schema))
            writer.write_table(written)
            self._writers[key] = writer

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        """The next rows of a file written in frames (reports, agencies), one file each, in
        row groups of FRAMED_ROWS rows."""
        if name not in self._framed:
            self._framed[name] = (pq.ParquetWriter(self.tmp / f"{name}.parquet",
                                                   schema_of(name, False), compression="zstd"), [])
        writer, waiting = self._framed[name]
        waiting.append(to_table(name, frame, False))
        if sum(t.num_rows for t in waiting) >= FRAMED_ROWS:
            writer.write_table(pa.concat_tables(waiting))
            waiting.clear()

    def write_whole(self, name: str, frame: pd.DataFrame) -> None:
        pq.write_table(to_table(name, frame, False), self.tmp / f"{name}.parquet",
                       compression="zstd")

    def _close(self) -> None:
        for key in list(self._pending):
            self._flush(key)
        for writer, waiting in self._framed.values():
            if waiting:
                writer.write_table(pa.concat_tables(waiting))
            writer.close()
        self._framed.clear()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def commit(self) -> list[Path]:
        self._close()
        atomic.replace_dir(self.tmp, self.final)
        return [self.final]

    def abort(self) -> None:
        self._pending.clear()  # nothing more is written
        self._pending_size.clear()
        self._pending_bytes = 0
        for _writer, waiting in self._framed.values():
            waiting.clear()
        try:
            self._close()
        finally:
            atomic.remove(self.tmp)
