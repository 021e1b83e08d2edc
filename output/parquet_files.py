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
import pyarrow.parquet as pq

from nianbao.output import atomic
from nianbao.output.columns import FILES, WIDE, Column

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_TYPES = {"str": pa.string(), "int": pa.int32(), "float": pa.float64(), "number": pa.float64(),
          "bool": pa.bool_(), "timestamp": pa.timestamp("ms", tz="UTC")}  # Parquet has no seconds


def _columns(name: str) -> tuple[Column, ...]:
    return FILES.get(name) or WIDE[name.removeprefix("wide_")]


def schema_of(name: str, partitioned: bool) -> pa.Schema:
    cols = [c for c in _columns(name) if not (partitioned and c.name == "year")]
    return pa.schema([pa.field(c.name, _TYPES[c.kind]) for c in cols])


def _array(series: pd.Series, kind: str) -> pa.Array:
    """One column in its Parquet type; values come as parsed (object columns, None for null)."""
    if kind == "timestamp":
        series = pd.to_datetime(series, utc=True, format="ISO8601")
        return pa.array(series, type=pa.timestamp("ns", tz="UTC"), from_pandas=True).cast(
            _TYPES[kind], safe=False)
    return pa.array(series.to_numpy(dtype=object), type=_TYPES[kind], from_pandas=True)


def to_table(name: str, frame: pd.DataFrame, partitioned: bool) -> pa.Table:
    schema = schema_of(name, partitioned)
    kinds = {c.name: c.kind for c in _columns(name)}
    arrays = [_array(frame[f.name], kinds[f.name]) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


class ParquetWriter:
    """Streams chunks into one writer per (file, year); ``commit`` swaps the folder in."""

    def __init__(self, out: Path) -> None:
        self.final = out / "parquet"
        self.tmp = atomic.temp_beside(self.final)
        self.tmp.mkdir(parents=True)
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}

    def begin(self, names: list[str]) -> None:
        for name in names:
            (self.tmp / name).mkdir(exist_ok=True)

    def write(self, name: str, frame: pd.DataFrame, years: dict) -> None:
        """``years`` maps report id to the report's year: the partition of each line."""
        if not len(frame):
            return
        parts = {rid: NULL_PARTITION if y is None else str(int(y)) for rid, y in years.items()}
        keys = np.array([parts[rid] for rid in frame["report_id"].to_numpy(dtype=object)],
                        dtype=object)
        table = to_table(name, frame, True)
        for part in sorted(set(keys)):
            writer = self._writers.get((name, part))
            if writer is None:
                folder = self.tmp / name / f"year={part}"
                folder.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(folder / "part-0.parquet", schema_of(name, True),
                                          compression="zstd")
                self._writers[(name, part)] = writer
            writer.write_table(table.filter(pa.array(keys == part)))

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
