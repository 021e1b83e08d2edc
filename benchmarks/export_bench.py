"""Time and peak memory to export 100,000 generated reports' facts to each format.

    python benchmarks/export_bench.py                  # 100,000 reports, csv, parquet, sqlite
    python benchmarks/export_bench.py --reports 10000 --formats csv

Facts are generated (every cell of a 2019 or 2021 report, about 200 per report) while the
export streams, so the figures are the export's own: each format runs in a fresh process, and
"generate only" is the cost of making the facts without writing anything.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nianbao.output.export import FORMATS, export  # noqa: E402
from nianbao.output.records import Dataset, ReportRow, report_id  # noqa: E402
from nianbao.parsers.model import Check, Fact  # noqa: E402
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
_COLS = [c.key for c in REQUEST_COLS]


def synthetic(n: int) -> Dataset:
    """``n`` reports of n/5 agencies over five years; contents made on demand."""
    rows = []
    for i in range(n):
        year = 2019 + i % 5
        url = f"https://www{i // 5 % 997}.example.gov.cn/zfxxgknb/{i}.html"
        row = ReportRow(report_id(url), url, f"机关{i // 5}{year}年政府信息公开工作年度报告",
                        f"机关{i // 5}", year, "2019" if year < 2021 else "2021", "hans", "ok", 0,
                        "2024-01-15T08:00:00+00:00", f"{i:064x}", "1.0.0", origin="html",
                        source_name="基准")
        row.carry = {"carried_over": {c: (i + k) % 7 for k, c in enumerate(_COLS)},
                     "carried_forward": {c: (i + k + 1) % 7 for k, c in enumerate(_COLS)}}
        rows.append(row)
    ordinal = {r.report_id: i for i, r in enumerate(rows)}

    def load(row: ReportRow) -> tuple[list[Fact], list[Check]]:
        i = ordinal[row.report_id]
        facts = []
        for k, (t, r, c, unit) in enumerate(CELLS[row.template or "2021"]):
            v = (i * 7 + k * 13) % 50
            if v < 10:
                facts.append(Fact(t, r, c, None, "/", unit, "html"))
            elif unit == "万元":
                facts.append(Fact(t, r, c, v + 0.5, f"{v}.5", unit, "html"))
            else:
                facts.append(Fact(t, r, c, v, str(v), unit, "html"))
        checks = [Check(name, (i + k) % 9 != 0, k, k if (i + k) % 9 else k + 1)
                  for k, name in enumerate(CHECK_NAMES[row.template or "2021"])]
        return facts, checks

    return Dataset(rows, load)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(fmt: str, n: int, out: Path) -> dict[str, float]:
    dataset = synthetic(n)
    start = time.perf_counter()
    if fmt == "generate":
        facts = sum(len(dataset.load(r)[0]) for r in dataset.reports)
        size = 0
    else:
        summary = export(dataset, out, [fmt])
        facts = summary.facts
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "facts": facts,
            "mb_written": size / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.reports, args.out)))
        return
    print(f"exporting {args.reports:,} generated reports")
    print(f"{'format':<10} {'seconds':>8} {'peak MB':>8} {'facts':>12} {'MB written':>11}")
    for fmt in ["generate"] + args.formats.split(","):
        tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
        try:
            res = subprocess.run([sys.executable, __file__, "--worker", fmt, "--reports",
                                  str(args.reports), "--out", str(tmp / "out")],
                                 check=True, capture_output=True, text=True)
            r = json.loads(res.stdout)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        name = "generate only" if fmt == "generate" else fmt
        print(f"{name:<10} {r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {r['facts']:>12,} "
              f"{r['mb_written']:>11.1f}", flush=True)


if __name__ == "__main__":
    main()
