"""Parquet files, typed from output/columns.py; facts, checks and wide tables partitioned by year.

Layout (Hive style, read by pandas, pyarrow, DuckDB, Spark): ``parquet/reports.parquet`` and
``parquet/<name>/year=<YYYY>/part-0.parquet``; reports without a year go to
``year=__HIVE_DEFAULT_PARTITION__``. The whole ``parquet`` folder is built beside the old one
and swapped in at the end.
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


def _typed(name: str, table: pa.Table, floats: frozenset[str]) -> pa.Table:
    """A streamed chunk (Arrow, see streams.py) in the file's schema; NotWhole as to_table."""
    schema = schema_of(name, True, floats)
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


class ParquetWriter:
    """Streams chunks into one writer per (file, year); ``commit`` swaps the folder in."""

    def __init__(self, out: Path) -> None:
        self.final = out / "parquet"
        self.tmp = atomic.temp_beside(self.final)
        self.tmp.mkdir(parents=True)
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self._floats: dict[str, frozenset[str]] = {}  # file -> count columns written as floats

    def begin(self, names: list[str]) -> None:
        for name in names:
            (self.tmp / name).mkdir(exist_ok=True)

    def write(self, name: str, table: pa.Table) -> None:
        """A chunk of a streamed file; its ``year`` column (the report's) is the partition."""
        if not table.num_rows:
            return
        try:
            typed = _typed(name, table, self._floats.get(name, frozenset()))
        except NotWhole as exc:
            self._promote(name, exc.columns)
            typed = _typed(name, table, self._floats[name])
        # One stable sort by year, then a zero-copy slice per partition (the chunk's order
        # within each year is kept).
        years = pc.fill_null(table["year"], -1).to_numpy()
        order = np.argsort(years, kind="stable")
        typed = typed.take(pa.array(order, type=pa.int64()))
        values, starts = np.unique(years[order], return_index=True)
        ends = list(starts[1:]) + [len(order)]
        for year, begin, end in sorted(zip(values.tolist(), starts.tolist(), ends),
                                       key=lambda p: (p[0] < 0, p[0])):
            part = NULL_PARTITION if year < 0 else str(int(year))
            writer = self._writers.get((name, part))
            if writer is None:
                folder = self.tmp / name / f"year={part}"
                folder.mkdir(parents=True, exist_ok=True)
                schema = schema_of(name, True, self._floats.get(name, frozenset()))
                writer = pq.ParquetWriter(folder / "part-0.parquet", schema, compression="zstd")
                self._writers[(name, part)] = writer
            writer.write_table(typed.slice(begin, int(end) - begin))

    def _promote(self, name: str, columns: frozenset[str]) -> None:
        """Make ``columns`` of file ``name`` float64, rewriting the parts already written (rare:
        a count that is not whole), so that every part of one file has the same schema."""
        self._floats[name] = self._floats.get(name, frozenset()) | columns
        schema = schema_of(name, True, self._floats[name])
        for key, writer in list(self._writers.items()):
            if key[0] != name:
                continue
            writer.close()
            path = self.tmp / name / f"year={key[1]}" / "part-0.parquet"
            with pq.ParquetFile(path) as done:
                table = done.read().cast(schema)
            writer = pq.ParquetWriter(path, schema, compression="zstd")
            writer.write_table(table)
            self._writers[key] = writer

    def write_whole(self, name: str, frame: pd.DataFrame) -> None:
        pq.write_table(to_table(name, frame, False), self.tmp / f"{name}.parquet",
                       compression="zstd")

    def _close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def commit(self) -> list[Path]:
        self._close()
        atomic.replace_dir(self.tmp, self.final)
        return [self.final]

    def abort(self) -> None:
        try:
            self._close()
        finally:
            atomic.remove(self.tmp)
