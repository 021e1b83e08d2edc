"""Attachment parse speed and memory per format: PDF, DOCX, DOC (LibreOffice), image, scanned PDF.

Usage: ``python benchmarks/attachments_bench.py [--pdf 40] [--docx 100] [--doc 4] [--image 2]
[--scan 1] [--pictures 1] [--seed 0]``

Each format runs in its own process (so peak RSS is that format's own, OCR model included),
pinned to one core. Documents are generated in memory by fixtures/attachments from known
facts; generation is not timed. Prints documents per second, seconds per page (wall and CPU: on a shared machine CPU time is
the steadier figure), peak memory (RSS of the worker,
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
# Picture formats (fixtures/attachments/pictures.py): one page-sized image of the tables
# each, drawn as an agency publishes them.
PICTURES = {"png": "png150_1px", "jpeg": "jpeg200_1px", "gif": "gif96_big",
            "bmp": "bmp120_thick_grey", "webp": "webp200_colour_shaded", "tiff": "tiff300_scan"}


def worker(fmt: str, n: int, seed: int) -> dict[str, object]:
    """Parse ``n`` generated documents of one format; figures as a dict."""
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    import nianbao.parsers as parsers
    from fixtures.attachments import cases as C
    if fmt in PICTURES:
        return _picture_worker(fmt, n, seed)
    docs = [C.make_attachment(seed * 1000 + i, ("2019", "2021")[i % 2], fmt) for i in range(n)]
    if fmt in ("image", "pdf_scan"):
        from nianbao.parsers.readers.ocr import engine

        engine()  # model load (about 0.5 s) is not per document
    start = time.perf_counter()
    cpu = time.process_time()
    reports = [parsers.parse(d.data, source=d.name) for d in docs]
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
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
    return {"fmt": fmt, "n": n, "seconds": elapsed, "cpu": cpu,
            "bytes": sum(len(d.data) for d in docs),
            "pages": sum(d.pages for d in docs), "good": good, "right": right, "total": total,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "py_peak_mb": py_peak / 1e6}


def _picture_worker(fmt: str, n: int, seed: int) -> dict[str, object]:
    """Picture formats: each image read by the OCR reader (BMP is not sniffed as an image
    by parse, so the reader is called directly), then extracted and verified as parse does."""
    from fixtures.attachments import pictures as P
    from fixtures.attachments.cases import read_right
    from nianbao.parsers.extraction.extract import extract
    from nianbao.parsers.extraction.ocr_verify import verify
    from nianbao.parsers.readers.ocr import engine, image_document

    cases = [P.make_variant(PICTURES[fmt], seed * 1000 + i, ("2019", "2021")[i % 2],
                            tiff_pages=True) for i in range(n)]
    engine()

    def run(case: P.PictureCase) -> tuple[list, list[str]]:  # type: ignore[type-arg]
        doc = image_document(case.images[0])
        ext = extract(doc, case.spec.template)  # type: ignore[attr-defined]
        facts, doubts = verify(doc, ext.facts, ext.template or "2021",
                               case.spec.template, ext.warnings)  # type: ignore[attr-defined]
        return facts, doc.notes + ext.warnings + doubts

    start = time.perf_counter()
    cpu = time.process_time()
    results = [run(c) for c in cases]
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    tracemalloc.start()
    run(cases[0])
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    good = right = total = 0
    for c, (facts, warnings) in zip(cases, results):
        got = {(f.table, f.row, f.col): f for f in facts}
        silent = 0
        for e in c.facts:
            key = (e.table, e.row, e.col)
            if read_right(got.get(key), e, ocr=True):
                right += 1
            elif not any(key[0] in w and key[1] in w for w in warnings):
                silent += 1
        total += len(c.facts)
        good += not silent
    return {"fmt": fmt, "n": n, "seconds": elapsed, "cpu": cpu,
            "bytes": sum(len(c.images[0]) for c in cases), "pages": sum(len(c.sizes) for c in cases),
            "good": good, "right": right, "total": total,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "py_peak_mb": py_peak / 1e6}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdf", type=int, default=40)
    ap.add_argument("--docx", type=int, default=100)
    ap.add_argument("--doc", type=int, default=4)
    ap.add_argument("--image", type=int, default=2)
    ap.add_argument("--scan", type=int, default=1)
    ap.add_argument("--pictures", type=int, default=1,
                    help="documents per picture format (png jpeg gif bmp webp tiff)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", choices=FORMATS + tuple(PICTURES), help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.seed)))
        return 0

    from nianbao.parsers.readers.office import find_soffice

    counts = {"pdf": args.pdf, "docx": args.docx, "doc": args.doc, "image": args.image,
              "pdf_scan": args.scan, **{f: args.pictures for f in PICTURES}}
    print(f"{'format':9s} {'docs':>5s} {'docs/s':>9s} {'ms/doc':>9s} {'s/page':>7s} "
          f"{'cpu s/pg':>8s} {'RSS MB':>7s} {'py peak MB':>10s}  read right (no silent misread)")
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
              f"{s / r['pages']:7.2f} {r['cpu'] / r['pages']:8.2f} {r['rss_mb']:7.0f} {r['py_peak_mb']:10.1f}  {r['good']}/{r['n']} docs, "
              f"{r['right']}/{r['total']} facts ({r['pages']} pages, "
              f"{r['bytes'] / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
