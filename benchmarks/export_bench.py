"""Export time, peak memory and size per format against the libraries' own writers.

    python benchmarks/export_bench.py                  # 100,000 reports
    python benchmarks/export_bench.py --reports 10000
    python benchmarks/export_bench.py --reports 10000 --formats csv,sqlite
    python benchmarks/export_bench.py --reports 5000 --repeat 5    # best of 5, interleaved

Generated reports (every cell of a 2019 or 2021 report, about 200 facts each) are stored in a
``parsed.sqlite`` first, as ``nianbao parse`` stores them, and exported from there: ``seconds``
is the whole export of one format (facts, checks, wide tables, reports, dictionary). The
baseline, measured in the same run, is the library's own writer writing only the same facts
columns from an Arrow table already in memory: ``pyarrow.csv.write_csv``,
``pyarrow.parquet.write_table`` (zstd, as the export), and a bare ``sqlite3`` ``executemany`` of
the same rows (tuples built beforehand) into an unindexed table with the journal off. Every
export and baseline runs in a fresh process, so ``peak_mb`` (maximum resident set) is its own.
With ``--repeat R`` the export and its baseline run R times each, alternately (on a loaded
machine both see the same load), and each figure is the best of its R runs. The same figures
in CPU time of the process (``cpu_*``) follow: on a machine shared with others, wall-clock
ratios of the same code swing by a third from run to run, CPU ratios much less.
One line per format::

    export-bench: FORMAT seconds=S baseline_seconds=B ratio=R peak_mb=M bytes_per_fact=F \
        cpu_seconds=C baseline_cpu_seconds=D cpu_ratio=Q
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nianbao.output.export import FORMATS, export  # noqa: E402
from nianbao.output.records import Dataset, ReportRow, report_row  # noqa: E402
from nianbao.output.results import ResultStore  # noqa: E402
from nianbao.parsers.model import Check, Fact, Report  # noqa: E402
from nianbao.parsers.schema import REQUEST_COLS, SCHEMAS, TABLES  # noqa: E402


def _cells(template: str) -> list[tuple[str, str, str, str | None]]:
    return [(t, r.key, c.key, c.unit) for t in TABLES for r in SCHEMAS[template][t].rows
            for c in r.cols]


def _check_names(template: str) -> list[str]:
    rows = [r.key for r in SCHEMAS[template]["requests"].rows]
    return ([f"requests.balance.{c.key}" for c in REQUEST_COLS]
            + [f"requests.closed_sum.{c.key}" for c in REQUEST_COLS]
            + [f"requests.row_sum.{r}" for r in rows]
            + [f"appeals.row_sum.{r.key}" for r in SCHEMAS[template]["appeals"].rows])


CELLS = {t: _cells(t) for t in ("2019", "2021")}
CHECK_NAMES = {t: _check_names(t) for t in ("2019", "2021")}


def _url(i: int) -> str:
    return f"https://www{i // 5 % 997}.example.gov.cn/zfxxgknb/{i}.html"


def _report(i: int) -> Report:
    """Report ``i`` of n/5 agencies over five years: ints, money with decimals, empty cells."""
    year = 2019 + i % 5
    template = "2019" if year < 2021 else "2021"
    facts = []
    for k, (t, r, c, unit) in enumerate(CELLS[template]):
        v = (i * 7 + k * 13) % 50
        if v < 10:
            facts.append(Fact(t, r, c, None, "/", unit, "html"))
        elif unit == "万元":
            facts.append(Fact(t, r, c, v + 0.5, f"{v}.5", unit, "html"))
        else:
            facts.append(Fact(t, r, c, v, str(v), unit, "html"))
    checks = [Check(name, (i + k) % 9 != 0, k, k if (i + k) % 9 else k + 1)
              for k, name in enumerate(CHECK_NAMES[template])]
    agency = f"示例市机关{i // 5}"  # five years of each agency: cross-year checks to run
    return Report(title=f"{agency}{year}年政府信息公开工作年度报告", agency=agency,
                  year=year, template=template, script="hans", origin="html", facts=facts,
                  checks=checks)


def setup(n: int, data: Path) -> None:
    """The parse results of ``n`` generated reports, as ``nianbao parse`` stores them."""
    data.mkdir(parents=True, exist_ok=True)
    with ResultStore(data) as store:
        store.db.execute("BEGIN")
        for i in range(n):
            store.put(i + 1, _url(i), "report", f"{i:064x}", _report(i), "1.0.0")
        store.db.execute("COMMIT")
        if hasattr(store, "pack"):  # packed in export order, as the end of a parse does
            store.pack(r.facts_from for r in sorted(dataset(store).reports,
                                                    key=lambda r: r.report_id))


def _rows(store: ResultStore) -> Iterator[ReportRow]:
    """The store's results as report rows, 2000 at a time (as collect.py reads them)."""
    lean = "warnings" in inspect.signature(store.metadata).parameters  # as collect.py asks
    after = 0
    while ids := [v for (v,) in store.db.execute(
            "SELECT version_id FROM parsed WHERE version_id > ? ORDER BY version_id LIMIT 2000",
            (after,))]:
        meta = store.metadata(ids, warnings=False) if lean else store.metadata(ids)
        yield from (report_row(s.url, s, fetched_at="2024-01-15T08:00:00+00:00",
                               page_sha256=s.sha256, source_name="基准") for s in meta.values())
        after = ids[-1]


def dataset(store: ResultStore) -> Dataset:
    """The dataset over the store, as nianbao/collect.py builds it (its rows in a RowTable,
    on disk; a list in trees before it)."""
    try:
        from nianbao.output.row_table import RowTable
    except ImportError:
        rows: object = list(_rows(store))
    else:
        rows = RowTable(_rows(store))

    def load(row: ReportRow) -> tuple[list[Fact], list[Check]]:
        return store.contents(row.facts_from) if row.facts_from is not None else ([], [])

    if "store" in getattr(Dataset, "__dataclass_fields__", {}):
        return Dataset(rows, load, store)  # type: ignore[call-arg, arg-type]
    return Dataset(rows, load)  # type: ignore[arg-type]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_export(fmt: str, data: Path, out: Path) -> dict[str, float]:
    with ResultStore(data, read_only=True) as store:
        ds = dataset(store)
        start, cpu = time.perf_counter(), time.process_time()
        summary = export(ds, out, [fmt])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb(), "facts": summary.facts,
            "bytes": size}


def _facts_table(data: Path):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    cols: dict[str, list] = {k: [] for k in ("report_id", "table", "row", "col", "value", "raw",
                                             "unit", "origin", "inferred")}
    with ResultStore(data, read_only=True) as store:
        for row in dataset(store).reports:
            facts, _checks = store.contents(row.facts_from)
            cols["report_id"] += [row.report_id] * len(facts)
            for f in facts:
                cols["table"].append(f.table)
                cols["row"].append(f.row)
                cols["col"].append(f.col)
                cols["value"].append(None if f.value is None else float(f.value))
                cols["raw"].append(f.raw)
                cols["unit"].append(f.unit)
                cols["origin"].append(f.origin)
                cols["inferred"].append(f.inferred)
    return pa.table({k: pa.array(v, type=pa.float64() if k == "value" else None)
                     for k, v in cols.items()})


def run_baseline(fmt: str, data: Path, out: Path) -> dict[str, float]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = _facts_table(data)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        start, cpu = time.perf_counter(), time.process_time()
        pacsv.write_csv(table, out / "facts.csv")
    elif fmt == "parquet":
        start, cpu = time.perf_counter(), time.process_time()
        pq.write_table(table, out / "facts.parquet", compression="zstd")
    else:
        rows = list(zip(*(table.column(i).to_pylist() for i in range(table.num_columns))))
        db = sqlite3.connect(out / "facts.sqlite", isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute('CREATE TABLE facts (report_id TEXT, "table" TEXT, "row" TEXT, col TEXT, '
                   "value NUMERIC, raw TEXT, unit TEXT, origin TEXT, inferred INTEGER)")
        start, cpu = time.perf_counter(), time.process_time()
        db.execute("BEGIN")
        db.executemany("INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?)", rows)
        db.execute("COMMIT")
        db.close()
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "peak_mb": _peak_mb(), "facts": table.num_rows, "bytes": 0}


def _child(*args: str) -> dict[str, float]:
    res = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True,
                         text=True)
    return json.loads(res.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--repeat", type=int, default=1, help="runs of each, best one kept")
    ap.add_argument("--child", nargs=3, metavar=("WHAT", "DATA", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        what, data, out = args.child
        kind, fmt = what.split(":")
        run = run_export if kind == "export" else run_baseline
        print(json.dumps(run(fmt, Path(data), Path(out))))
        return
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        setup(args.reports, tmp / "data")
        for fmt in args.formats.split(","):
            mine: dict[str, float] = {}
            base: dict[str, float] = {}
            cpu, base_cpu = float("inf"), float("inf")  # best CPU times, whichever run
            for _ in range(max(args.repeat, 1)):
                got = _child(f"export:{fmt}", str(tmp / "data"), str(tmp / f"out-{fmt}"))
                cpu = min(cpu, got["cpu"])
                if not mine or got["seconds"] < mine["seconds"]:
                    mine = got
                got = _child(f"baseline:{fmt}", str(tmp / "data"), str(tmp / f"base-{fmt}"))
                base_cpu = min(base_cpu, got["cpu"])
                if not base or got["seconds"] < base["seconds"]:
                    base = got
                shutil.rmtree(tmp / f"out-{fmt}", ignore_errors=True)
                shutil.rmtree(tmp / f"base-{fmt}", ignore_errors=True)
            print(f"export-bench: {fmt} seconds={mine['seconds']:.3f} "
                  f"baseline_seconds={base['seconds']:.3f} "
                  f"ratio={mine['seconds'] / base['seconds']:.2f} peak_mb={mine['peak_mb']:.0f} "
                  f"bytes_per_fact={mine['bytes'] / max(mine['facts'], 1):.1f} "
                  f"cpu_seconds={cpu:.3f} baseline_cpu_seconds={base_cpu:.3f} "
                  f"cpu_ratio={cpu / base_cpu:.2f}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
