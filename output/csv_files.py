"""CSV files: UTF-8 (with a BOM for Excel when asked), LF line ends, one header line.

Large files are written chunk by chunk into a temp file that replaces the old one at the end.
Streamed files (facts, checks, wide tables) come as Arrow tables and are written by Arrow's CSV
writer straight into the file, in the csv module's dialect (minimal quoting, numbers as Python
prints them), so the bytes are the same as the csv module would write; the rare rows with a
field to quote are formatted with Arrow compute kernels.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.api.types import infer_dtype

from nianbao.output import atomic
from nianbao.output.columnar import TEXT, one_array, plain
from nianbao.output.columns import FILES, WIDE, Column

_BOOL = np.array(["false", "true"], dtype=object)


def _kinds(name: str) -> dict[str, str]:
    cols: tuple[Column, ...] = FILES.get(name) or WIDE.get(name.removeprefix("wide_"), ())
    return {c.name: c.kind for c in cols}


def write_csv(f: IO[str], frame: pd.DataFrame, kinds: dict[str, str] | None = None,
              header: bool = True) -> None:
    """A frame as CSV; booleans as true/false, numbers as parsed (12, 25409.5), None empty.

    The csv module over the frame's rows: the same dialect as ``DataFrame.to_csv`` (minimal
    quoting) at several times its speed on object columns.
    """
    kinds = kinds or {}
    bools = [c for c in frame.columns if kinds.get(c) == "bool"]
    if bools:  # keep object dtype: pandas would infer (slow to iterate) Arrow strings
        frame = frame.copy(deep=False)
        for c in bools:
            text = _BOOL[frame[c].to_numpy(dtype=bool).astype(np.int8)]
            frame[c] = pd.Series(text, index=frame.index, dtype=object)
    writer = csv.writer(f, lineterminator="\n")
    if header:
        writer.writerow(frame.columns)
    # The rows as itertuples gives them (Python scalars), a column at a time: twice as fast.
    writer.writerows(zip(*(frame.iloc[:, k].tolist() for k in range(frame.shape[1]))))


_SPECIAL = '[,"\r\n]'  # what makes the csv module quote a field (QUOTE_MINIMAL)


def _field(table: pa.Table, c: Column) -> pa.Array:
    """One column as CSV text, no nulls."""
    if c.kind in ("count", "number"):
        return pc.fill_null(table[c.name + TEXT], "")
    col = plain(table[c.name])
    if c.kind == "bool":
        return pc.if_else(pc.fill_null(col, False), "true", "false")
    if c.kind != "str":
        return pc.fill_null(pc.cast(col, pa.string()), "")
    text = pc.fill_null(col, "")
    special = pc.match_substring_regex(text, _SPECIAL)
    if not pc.any(special).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


def _lines(table: pa.Table, cols: tuple[Column, ...]) -> pa.StringArray:
    """Each row as one CSV line (with its LF), formatted by compute kernels (any content)."""
    joined = pc.binary_join_element_wise(*(_field(table, c) for c in cols), ",")
    lines = pc.binary_join_element_wise(joined, "", "\n")
    return lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines


def _needs_quotes(table: pa.Table, cols: tuple[Column, ...]) -> np.ndarray | None:
    """Rows with a field the csv module would quote; None when there is none (the usual case)."""
    mask = None
    for c in cols:
        if c.kind != "str":
            continue
        col = one_array(table[c.name])
        codes = None
        if pa.types.is_dictionary(col.type):  # look at the distinct values only
            codes, col = col.indices, col.dictionary
        if not _has_special(col):
            continue
        hit = pc.fill_null(pc.match_substring_regex(col, _SPECIAL), False).to_numpy(
            zero_copy_only=False)
        if codes is not None:
            hit = hit[pc.fill_null(codes, 0).to_numpy(zero_copy_only=False)] & \
                pc.is_valid(codes).to_numpy(zero_copy_only=False)
        mask = hit if mask is None else mask | hit
    return mask if mask is not None and mask.any() else None


def _has_special(col: pa.Array) -> bool:
    """Whether any value of a string array holds a comma, quote or line break (a scan of its
    data buffer, no copy)."""
    if len(col) == 0:
        return False
    if col.type != pa.string():
        return True  # no quick scan: let the exact test decide
    _validity, offsets, data = col.buffers()
    if data is None:
        return False
    start, end = np.frombuffer(offsets, dtype=np.int32, count=len(col) + 1,
                               offset=col.offset * 4)[[0, -1]].tolist()
    view = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    for byte in (44, 34, 13, 10):  # , " CR LF
        if (view == byte).any():
            return True
    return False


_PLAIN = pacsv.WriteOptions(include_header=False, quoting_style="none")


def _decoded(table: pa.Table, cols: tuple[Column, ...]) -> pa.Table:
    """The columns Arrow's CSV writer writes for ``cols``: numbers as their printed text,
    dictionaries decoded, one chunk per column (pyarrow's CSV writer, 26.0, writes NUL bytes
    for columns whose chunks do not line up: an empty chunk from a report without facts)."""
    names = [c.name + TEXT if c.kind in ("count", "number") else c.name for c in cols]
    return pa.Table.from_arrays([plain(table[n]) for n in names], names=[c.name for c in cols])


def _plain(table: pa.Table, cols: tuple[Column, ...]) -> pa.Buffer:
    """Rows without a field to quote, by Arrow's own CSV writer (same bytes as the csv module:
    no quotes, nulls empty, booleans true/false, ints as ints, numbers from their printed text)."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(_decoded(table, cols), sink, _PLAIN)
    return sink.getvalue()


def write_lines(out: pa.NativeFile, table: pa.Table, cols: tuple[Column, ...]) -> None:
    """``csv_lines`` of ``table`` written to ``out``, straight from Arrow's writer when no
    field needs quotes (the usual case)."""
    if not table.num_rows:
        return
    if _needs_quotes(table, cols) is None:
        pacsv.write_csv(_decoded(table, cols), out, _PLAIN)
    else:
        out.write(csv_lines(table, cols))


def csv_lines(table: pa.Table, cols: tuple[Column, ...]) -> bytes | memoryview:
    """The lines of ``table`` (no header) as UTF-8 bytes, byte-identical to the csv module's."""
    if not table.num_rows:
        return b""
    special = _needs_quotes(table, cols)
    if special is None:
        return _plain(table, cols).to_pybytes()
    # Rare rows with a comma, quote or line break: formatted apart, then put back in place.
    dirty = np.nonzero(special)[0]
    clean = np.nonzero(~special)[0]
    pieces = [_lines(table.take(pa.array(dirty, type=pa.int64())), cols)]
    if len(clean):
        text = _plain(table.take(pa.array(clean, type=pa.int64())), cols)
        ends = np.nonzero(np.frombuffer(text, dtype=np.uint8) == 10)[0] + 1
        offsets = np.concatenate([[0], ends]).astype(np.int32)
        pieces.append(pa.StringArray.from_buffers(len(clean), pa.py_buffer(offsets.tobytes()),
                                                  text))
    lines = pa.concat_arrays(pieces)
    where = np.empty(table.num_rows, dtype=np.int64)  # row -> its line in ``lines``
    where[dirty] = np.arange(len(dirty))
    where[clean] = len(dirty) + np.arange(len(clean))
    lines = lines.take(pa.array(where))
    _validity, offsets_buf, data = lines.buffers()
    bounds = np.frombuffer(offsets_buf, dtype=np.int32, count=len(lines) + 1,
                           offset=lines.offset * 4)
    return memoryview(data)[bounds[0]:bounds[-1]]


def _write_back(f: pa.NativeFile, start: int) -> int:
    """Have the disk start writing the file's bytes from ``start`` on now, in the background,
    so that the commit's fsync finds little left to wait for (tens of MB a streamed file);
    returns the position reached. Only advice: where it is not supported, nothing changes."""
    end = f.tell()
    if end > start and hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(f.fileno(), start, end - start, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass
    return end


# column kind -> (Arrow type, what pandas' infer_dtype says of a column Arrow writes alike)
_ARROW_TYPES = {"str": (pa.string(), "string"), "timestamp": (pa.string(), "string"),
                "int": (pa.int64(), "integer")}


def _arrow(frame: pd.DataFrame, cols: tuple[Column, ...]) -> pa.Table | None:
    """A whole file's frame (values as parsed) as Arrow columns ``write_lines`` writes as the
    csv module would; None when a column is of a kind or holds a value that needs the csv
    module (a number that is not an int, say)."""
    if not cols or [c.name for c in cols] != list(frame.columns) or any(
            c.kind not in _ARROW_TYPES for c in cols):
        return None
    arrays = []
    for c in cols:
        column = frame[c.name]
        # pandas' C scan of the values' types: only ints (or only strs) and None, which
        # Arrow writes as the csv module would; a NaN, a bool or a float makes Arrow refuse
        arrow_type, inferred = _ARROW_TYPES[c.kind]
        if infer_dtype(column, skipna=True) not in (inferred, "empty"):
            return None
        try:
            arrays.append(pa.array(column.tolist(), arrow_type))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    return pa.Table.from_arrays(arrays, names=[c.name for c in cols])


def _header(names: list[str]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(names)
    return text.getvalue().encode("utf-8")


# A text field a spreadsheet would run as a formula: one that begins with = @ TAB or CR, or
# with + or - and is not a plain number or a run of dashes (a blank marker). In the files
# made for Excel such a field gets a leading ' (the usual defence against CSV injection: a
# page's title is not ours); the plain files keep every field as it is.
_TRIGGERS, _SIGNS = "=@\t\r", "+-"
_FORMULA_START = f"^[{_TRIGGERS}]"
_SIGNED = f"^[{_SIGNS}]"
_HARMLESS_SIGNED = "^(?:[+-][0-9.,]*|-+)$"
_HARMLESS = re.compile(_HARMLESS_SIGNED)


def is_formula(value: object) -> bool:
    """Whether a spreadsheet would take this text field for a formula (see _FORMULA_START);
    the test _neutral_array makes on a column, for one value."""
    if not isinstance(value, str) or not value:
        return False
    first = value[0]
    return first in _TRIGGERS or (first in _SIGNS and _HARMLESS.match(value) is None)


def _neutral_array(col: pa.Array) -> pa.Array | None:
    """``col`` (strings) with a ' before each formula; None when it holds none."""
    hit = pc.or_kleene(pc.match_substring_regex(col, _FORMULA_START),
                       pc.and_kleene(pc.match_substring_regex(col, _SIGNED),
                                     pc.invert(pc.match_substring_regex(col, _HARMLESS_SIGNED))))
    hit = pc.fill_null(hit, False)
    if not pc.any(hit).as_py():
        return None
    return pc.if_else(hit, pc.binary_join_element_wise("'", col, ""), col)


def for_excel(table: pa.Table, cols: tuple[Column, ...]) -> pa.Table:
    """``table`` with a ' before every formula in its text columns (a dictionary column is
    looked at in its distinct values only)."""
    for c in cols:
        if c.kind != "str" or c.name not in table.column_names:
            continue
        col = one_array(table[c.name])
        coded = pa.types.is_dictionary(col.type)
        fixed = _neutral_array(col.dictionary if coded else col)
        if fixed is not None:
            if coded:
                fixed = pa.DictionaryArray.from_arrays(col.indices, fixed)
            table = table.set_column(table.column_names.index(c.name), c.name, fixed)
    return table


def _frame_for_excel(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """``frame`` with a ' before every formula in its text columns."""
    out = frame
    for name in frame.columns:
        if kinds.get(name) != "str":
            continue
        values = frame[name].tolist()
        hits = [is_formula(v) for v in values]
        if any(hits):
            if out is frame:
                out = frame.copy(deep=False)
            out[name] = pd.Series([f"'{v}" if hit else v for v, hit in zip(values, hits)],
                                  index=frame.index, dtype=object)
    return out


class CsvWriter:
    """Writes the files of one export into temp files; ``commit`` moves them into place."""

    def __init__(self, out: Path, excel: bool = False) -> None:
        self.out = out
        self.excel = excel
        self._files: dict[str, tuple[Path, pa.NativeFile]] = {}
        self._done: list[tuple[Path, Path]] = []
        self._flushed: dict[str, int] = {}  # streamed file -> bytes handed to the disk so far

    def _open(self, name: str) -> pa.NativeFile:
        if name not in self._files:
            tmp = atomic.temp_beside(self.out / f"{name}.csv")
            f = pa.OSFile(str(tmp), "wb")
            if self.excel:
                f.write("\ufeff".encode("utf-8"))
            self._files[name] = (tmp, f)
            f.write(_header(list(_kinds(name))))
        return self._files[name][1]

    def begin(self, names: list[str]) -> None:
        """Create every streamed file now, so that an export of nothing still has headers."""
        for name in names:
            self._open(name)

    def write(self, name: str, table: pa.Table) -> None:
        """A chunk of a streamed file (an Arrow table with the file's columns, see streams.py)."""
        f = self._open(name)
        cols: tuple[Column, ...] = FILES.get(name) or WIDE[name.removeprefix("wide_")]
        write_lines(f, for_excel(table, cols) if self.excel else table, cols)
        self._flushed[name] = _write_back(f, self._flushed.get(name, 0))

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        """The next rows of a file written in frames (reports, agencies: values as parsed)."""
        f = self._open(name)
        table = _arrow(frame, FILES[name])
        if table is not None:  # a line per report, by Arrow's writer
            write_lines(f, for_excel(table, FILES[name]) if self.excel else table, FILES[name])
        else:
            text = io.StringIO()
            kinds = _kinds(name)
            write_csv(text, _frame_for_excel(frame, kinds) if self.excel else frame, kinds,
                      header=False)
            f.write(text.getvalue().encode("utf-8"))
        self._flushed[name] = _write_back(f, self._flushed.get(name, 0))

    def write_whole(self, name: str, frame: pd.DataFrame) -> None:
        tmp = atomic.temp_beside(self.out / f"{name}.csv")
        table = _arrow(frame, FILES.get(name, ()))
        if table is not None:  # reports, agencies: a line per report, by Arrow's writer
            with pa.OSFile(str(tmp), "wb") as f:
                if self.excel:
                    f.write("\ufeff".encode("utf-8"))
                f.write(_header(list(frame.columns)))
                write_lines(f, for_excel(table, FILES[name]) if self.excel else table,
                            FILES[name])
        else:
            kinds = _kinds(name) if name in FILES else {}
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                if self.excel:
                    f.write("\ufeff")
                    frame = _frame_for_excel(frame, kinds)
                write_csv(f, frame, kinds)
        self._done.append((tmp, self.out / f"{name}.csv"))

    def commit(self) -> list[Path]:
        for name, (tmp, f) in self._files.items():
            f.close()
            self._done.append((tmp, self.out / f"{name}.csv"))
        self._files.clear()
        self._flushed.clear()
        for tmp, final in self._done:
            atomic.replace_file(tmp, final)
        return [final for _tmp, final in self._done]

    def abort(self) -> None:
        for tmp, f in self._files.values():
            f.close()
            atomic.remove(tmp)
        for tmp, _final in self._done:
            atomic.remove(tmp)
        self._files.clear()
        self._flushed.clear()
        self._done.clear()

