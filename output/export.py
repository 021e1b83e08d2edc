"""Write a dataset to CSV, Parquet and SQLite in one streamed pass, every file replaced atomically.

Reports are processed in chunks in report-id order, so memory stays flat however many reports
there are and the same inputs always give the same bytes. Each chunk's facts, checks and wide
tables are Arrow tables (output/streams.py) that go straight into the writers.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import chain
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nianbao.parsers.schema import TABLES
from nianbao.output import atomic
from nianbao.output.agencies import agencies_frames
from nianbao.output.background import Background
from nianbao.output.csv_files import CsvWriter
from nianbao.output.cross_year import NAMES as CARRY_NAMES, cross_year_checks
from nianbao.output.dictionary import dictionary_frame, dictionary_markdown
from nianbao.output.frames import reports_frame
from nianbao.output.parquet_files import ParquetWriter
from nianbao.output.records import Dataset, ReportCounts
from nianbao.output.results import PACK_SIZE
from nianbao.output.same_report import merged
from nianbao.output.sqlite_file import SqliteWriter
from nianbao.output.streams import chunk as chunk_tables

FORMATS = ("csv", "parquet", "sqlite")
STREAMED = ["facts", "checks"] + [f"wide_{t}" for t in TABLES]


class Writer(Protocol):
    """One format's files: streamed chunks (Arrow tables; frames for reports and agencies),
    whole tables, then an atomic commit (or abort)."""

    def begin(self, names: list[str]) -> None: ...
    def write(self, name: str, table: pa.Table) -> None: ...
    def write_frame(self, name: str, frame: pd.DataFrame) -> None: ...
    def write_whole(self, name: str, frame: pd.DataFrame) -> None: ...
    def commit(self) -> list[Path]: ...
    def abort(self) -> None: ...


class ExportError(Exception):
    """The export cannot be written (output folder unusable, disk full)."""


@dataclass(slots=True)
class ExportSummary:
    reports: int = 0
    facts: int = 0
    checks: int = 0
    checks_failed: int = 0
    cross_year: int = 0
    files: list[Path] = field(default_factory=list)
    counts: ReportCounts = field(default_factory=ReportCounts)  # reports by outcome
    same_report: int = 0  # rows folded into another because they are the same report


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``csv,parquet`` -> ("csv", "parquet"), in canonical order; ValueError on unknown names."""
    names = [t.strip().lower() for t in (text.split(",") if isinstance(text, str) else text)]
    names = [n for n in names if n]
    unknown = sorted(set(names) - set(FORMATS))
    if unknown or not names:
        raise ValueError(f"unknown format {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in names)


def _writers(out: Path, formats: tuple[str, ...], excel: bool) -> dict[str, Writer]:
    made: dict[str, Writer] = {}
    try:
        for fmt in formats:
            made[fmt] = {"csv": lambda: CsvWriter(out, excel), "parquet": lambda: ParquetWriter(out),
                         "sqlite": lambda: SqliteWriter(out)}[fmt]()
    except BaseException:
        for w in made.values():
            w.abort()
        raise
    return made


def export(dataset: Dataset, out: Path, formats: Iterable[str] = FORMATS, *, excel: bool = False,
           chunk_size: int = PACK_SIZE, progress: Callable[[int], None] | None = None
           ) -> ExportSummary:
    """Write ``dataset`` into ``out``; on any error every old file stays as it was."""
    # The dataset's rows are long-lived: frozen, the collector does not scan them again and
    # again as the export makes objects (left alone when the caller froze objects itself).
    frozen = gc.isenabled() and gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    try:
        return _export(dataset, out, parse_formats(formats), excel, chunk_size, progress)
    finally:
        if frozen:
            gc.unfreeze()


def _export(dataset: Dataset, out: Path, formats: tuple[str, ...], excel: bool, chunk_size: int,
            progress: Callable[[int], None] | None) -> ExportSummary:
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic.clean_stale(out)
    except OSError as exc:
        raise ExportError(f"cannot use output folder {out}: {exc.strerror or exc}") from None
    table = merged(dataset)  # one row per report, whatever the URLs it was found at
    summary = ExportSummary()
    outcomes: Counter[tuple[bool, str]] = Counter()  # (not parsed yet, status) of the reports
    try:
        writers = _writers(out, formats, excel)
    except OSError as exc:
        raise ExportError(f"cannot write in {out}: {exc.strerror or exc}") from None
    # CSV and Parquet chunks are written on a second thread while the next one is built;
    # SQLite's connection stays on this thread (its inserts hold the GIL: little to overlap).
    later = {f: w for f, w in writers.items() if f != "sqlite"}
    behind = Background(lambda parts: _write_parts(later.values(), *parts))
    now = [w for f, w in writers.items() if f not in later]
    try:
        for w in writers.values():
            w.begin(STREAMED)
        done = 0
        for part in table.chunks(chunk_size, light=True):
            extra = cross_year_checks(table, part[0].report_id, part[-1].report_id)
            summary.cross_year += len(extra) * len(CARRY_NAMES)
            outcomes.update((r.parser_version is None, r.status) for r in part)
            tables = chunk_tables(dataset, part, done + 1, extra,
                                  year_major=formats == ("parquet",), texts="csv" in formats)
            summary.facts += tables.facts.num_rows
            summary.checks += tables.checks.num_rows
            summary.checks_failed += tables.checks.num_rows - int(
                pc.sum(pc.cast(tables.checks["ok"], pa.int64())).as_py() or 0)
            streamed = {"facts": tables.facts, "checks": tables.checks,
                        **{f"wide_{t}": w for t, w in tables.wide.items()}}
            # the cross-year failures count in reports.checks_failed (added as the frame is
            # made: copying a row per failing report cost more than the rest of the file)
            frames = {"reports": reports_frame(part, {k: n for k, v in extra.items()
                                                      if (n := v.failed)})}
            if later:
                behind.put((streamed, frames))
            _write_parts(now, streamed, frames)
            done += len(part)
            if progress:
                progress(len(part))
        summary.counts = ReportCounts.tally((*k, n) for k, n in outcomes.items())
        summary.reports = done
        summary.same_report = len(dataset.reports) - done
        # made while the second thread writes the last chunks; no reports: the reports file
        # still has its header
        ends = chain(({"agencies": frame} for frame in agencies_frames(table)),
                     [] if done else [{"reports": reports_frame([])}])
        for frames in ends:
            if later:
                behind.put(({}, frames))
            _write_parts(now, {}, frames)
        behind.close()
        dictionary = dictionary_frame()
        for fmt, w in writers.items():
            if fmt != "parquet":  # the dictionary as CSV and as a table to join labels from
                w.write_whole("dictionary", dictionary)
        for w in writers.values():
            summary.files += w.commit()
        atomic.write_bytes(out / "dictionary.md", dictionary_markdown().encode("utf-8"))
        summary.files.append(out / "dictionary.md")
    except OSError as exc:
        behind.cancel()
        for w in writers.values():
            w.abort()
        raise ExportError(f"cannot write in {out}: {exc.strerror or exc}") from None
    except BaseException:
        behind.cancel()
        for w in writers.values():
            w.abort()
        raise
    return summary


def _write_parts(writers: Iterable[Writer], streamed: dict[str, pa.Table],
                 frames: dict[str, pd.DataFrame]) -> None:
    for w in writers:
        for name, table in streamed.items():
            w.write(name, table)
        for name, frame in frames.items():
            w.write_frame(name, frame)
