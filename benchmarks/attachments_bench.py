"""Attachment parse speed and memory per format: PDF, DOCX, DOC (LibreOffice), image, scanned PDF.

Usage: ``python benchmarks/attachments_bench.py [--pdf 40] [--docx 100] [--doc 4] [--image 2]
[--scan 1] [--seed 0]``

Each format runs in its own process (so peak RSS is that format's own, OCR model included),
pinned to one core. Documents are generated in memory by fixtures/attachments from known
facts; generation is not timed. Prints documents per second, peak memory (RSS of the worker,
and tracemalloc's peak of Python allocations while parsing up to three documents again) and
how many documents parsed back exactly (OCR: every fact exact or left out with a warning).
Figures only: nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMATS = ("pdf", "docx", "doc", "image", "pdf_scan")


def worker(fmt: str, n: int, seed: int) -> dict[str, object]:
    """Parse ``n`` generated documents of one format; figures as a dict."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    import nianbao.parsers as parsers
    from fixtures.attachments import cases as C
    docs = [C.make_attachment(seed * 1000 + i, ("2019", "2021")[i % 2], fmt) for i in range(n)]
    if fmt in ("image", "pdf_scan"):
        from nianbao.parsers.readers.ocr import engine

        engine()  # model load (about 0.5 s) is not per document
    start = time.perf_counter()
    reports = [parsers.parse(d.data, source=d.name) for d in docs]
    elapsed = time.perf_counter() - start
    tracemalloc.start()  # a separate pass: tracing slows pure-Python parsing several times
    for d in docs[:3]:
        parsers.parse(d.data, source=d.name)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    good = right = total = 0
    for d, r in zip(docs, reports):
        n_right, silent = C.silent_misreads(r, d)
        right += n_right
        total += len(d.facts)
        good += r.status == "ok" and not silent
    return {"fmt": fmt, "n": n, "seconds": elapsed, "bytes": sum(len(d.data) for d in docs),
            "pages": sum(d.pages for d in docs), "good": good, "right": right, "total": total,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "py_peak_mb": py_peak / 1e6}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdf", type=int, default=40)
    ap.add_argument("--docx", type=int, default=100)
    ap.add_argument("--doc", type=int, default=4)
    ap.add_argument("--image", type=int, default=2)
    ap.add_argument("--scan", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", choices=FORMATS, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.seed)))
        return 0

    from nianbao.parsers.readers.office import find_soffice

    counts = {"pdf": args.pdf, "docx": args.docx, "doc": args.doc, "image": args.image,
              "pdf_scan": args.scan}
    print(f"{'format':9s} {'docs':>5s} {'docs/s':>9s} {'ms/doc':>9s} {'RSS MB':>7s} "
          f"{'py peak MB':>10s}  read right (no silent misread)")
    for fmt, n in counts.items():
        if n <= 0:
            continue
        if fmt == "doc" and find_soffice() is None:
            print(f"{fmt:9s} skipped: LibreOffice not installed")
            continue
        out = subprocess.run([sys.executable, __file__, "--worker", fmt, "--n", str(n),
                              "--seed", str(args.seed)], capture_output=True, text=True,
                             cwd=ROOT)
        if out.returncode != 0:
            print(f"{fmt:9s} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        s = r["seconds"]
        print(f"{fmt:9s} {r['n']:5d} {r['n'] / s:9.2f} {s * 1000 / r['n']:9.0f} "
              f"{r['rss_mb']:7.0f} {r['py_peak_mb']:10.1f}  {r['good']}/{r['n']} docs, "
              f"{r['right']}/{r['total']} facts ({r['pages']} pages, "
              f"{r['bytes'] / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
