"""CSV files: UTF-8 (with a BOM for Excel when asked), LF line ends, one header line.

Large files are written chunk by chunk into a temp file that replaces the old one at the end.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from nianbao.output import atomic
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
    writer.writerows(frame.itertuples(index=False, name=None))


class CsvWriter:
    """Writes the files of one export into temp files; ``commit`` moves them into place."""

    def __init__(self, out: Path, excel: bool = False) -> None:
        self.out = out
        self.excel = excel
        self._files: dict[str, tuple[Path, IO[str]]] = {}
        self._done: list[tuple[Path, Path]] = []

    def _open(self, name: str) -> IO[str]:
        if name not in self._files:
            tmp = atomic.temp_beside(self.out / f"{name}.csv")
            f = open(tmp, "w", encoding="utf-8", newline="")
            if self.excel:
                f.write("\ufeff")
            self._files[name] = (tmp, f)
            csv.writer(f, lineterminator="\n").writerow(_kinds(name))
        return self._files[name][1]

    def begin(self, names: list[str]) -> None:
        """Create every streamed file now, so that an export of nothing still has headers."""
        for name in names:
            self._open(name)

    def write(self, name: str, frame: pd.DataFrame, years: dict | None = None) -> None:
        f = self._open(name)
        if len(frame):
            write_csv(f, frame, _kinds(name), header=False)

    def write_whole(self, name: str, frame: pd.DataFrame) -> None:
        tmp = atomic.temp_beside(self.out / f"{name}.csv")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            if self.excel:
                f.write("\ufeff")
            write_csv(f, frame, _kinds(name) if name in FILES else {})
        self._done.append((tmp, self.out / f"{name}.csv"))

    def commit(self) -> list[Path]:
        for name, (tmp, f) in self._files.items():
            f.close()
            self._done.append((tmp, self.out / f"{name}.csv"))
        self._files.clear()
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
        self._done.clear()

