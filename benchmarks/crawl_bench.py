"""Crawl throughput and peak memory: nianbao against Scrapy on the same generated portal.

    python benchmarks/crawl_bench.py [--sites 8] [--lists 25] [--per-page 45]

Serves ``--sites`` generated TRS-style sites (each on its own loopback address, 127.0.0.2 ...,
so both crawlers see distinct hosts) from a separate process, then crawls them with nianbao
(delay 0, concurrency 16, robots.txt obeyed, one request at a time per host, every body
archived to WARC and recorded in SQLite) and with Scrapy under the same politeness settings
(CONCURRENT_REQUESTS=16, CONCURRENT_REQUESTS_PER_DOMAIN=1, DOWNLOAD_DELAY=0, ROBOTSTXT_OBEY),
using the same link discovery functions. Each crawler runs in its own process so that its peak
RSS is its own. nianbao is also run on a quarter of the portal: its peak memory should not grow
with the number of pages archived.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.portal import Portal  # noqa: E402
from fixtures.portal.fastserver import serve  # noqa: E402
from fixtures.portal.scale import GeneratedSite, serve_generated  # noqa: E402

CONCURRENCY = 16


def _serve(n_sites: int, lists: int, per_page: int, ready: "mp.Queue[list[str]]") -> None:
    """Server process: one asyncio server per site, each on its own loopback address."""
    import asyncio

    async def main() -> None:
        bases = []
        for i in range(n_sites):
            portal = Portal()
            portal.log_enabled = False
            serve_generated(portal, GeneratedSite(n_lists=lists, per_page=per_page, pdf_every=5))
            server = await serve(portal, f"127.0.0.{i + 2}")
            bases.append(f"http://127.0.0.{i + 2}:{server.sockets[0].getsockname()[1]}")
        ready.put(bases)
        await asyncio.Event().wait()

    asyncio.run(main())


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_nianbao(starts: list[str], data: Path) -> dict:
    import asyncio

    from nianbao.scraper.crawl import Crawler, CrawlSettings
    from nianbao.scraper.fetch import FetchSettings
    from nianbao.scraper.sources import Source
    from nianbao.scraper.urls import host_of

    sources = [Source(name=f"site{i}", start=s, allow=(host_of(s),)) for i, s in enumerate(starts)]
    settings = CrawlSettings(data, FetchSettings(delay=0.0, concurrency=CONCURRENCY))
    t0 = time.perf_counter()
    summary = asyncio.run(Crawler(settings, sources).run())
    elapsed = time.perf_counter() - t0
    pages = summary.pages + summary.reports + summary.attachments
    return {"pages": pages, "seconds": elapsed, "peak_mb": _peak_mb(),
            "failed": sum(summary.failed.values())}


def run_scrapy(starts: list[str]) -> dict:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from nianbao.scraper.discover import scan_list_page, scan_report_page
    from nianbao.scraper.fetch import USER_AGENT

    counts = {"pages": 0}

    class Bench(scrapy.Spider):
        name = "bench"
        allowed_domains = [s.split("//")[1].split(":")[0] for s in starts]

        def start_requests(self):  # Scrapy < 2.13
            for s in starts:
                yield scrapy.Request(s, callback=self.parse_list, cb_kwargs={"start": s})

        async def start(self):  # Scrapy >= 2.13
            for request in self.start_requests():
                yield request

        def parse_list(self, response, start):
            counts["pages"] += 1
            scan = scan_list_page(response.url, response.text, start)
            for p in scan.pages:
                yield scrapy.Request(p, callback=self.parse_list, cb_kwargs={"start": start})
            for r in scan.reports:
                yield scrapy.Request(r.url, callback=self.parse_report)

        def parse_report(self, response):
            counts["pages"] += 1
            for a in scan_report_page(response.url, response.text):
                yield scrapy.Request(a.url, callback=self.parse_attachment)

        def parse_attachment(self, response):
            counts["pages"] += 1

    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": CONCURRENCY, "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0, "RANDOMIZE_DOWNLOAD_DELAY": False, "ROBOTSTXT_OBEY": True,
        "USER_AGENT": USER_AGENT, "RETRY_TIMES": 3, "DOWNLOAD_TIMEOUT": 30,
        "LOG_LEVEL": os.environ.get("BENCH_LOG", "ERROR"), "TELNETCONSOLE_ENABLED": False, "HTTPCACHE_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False, "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7"})
    process.crawl(Bench)
    t0 = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - t0
    return {"pages": counts["pages"], "seconds": elapsed, "peak_mb": _peak_mb(), "failed": 0}


def _worker(kind: str, starts: list[str], data: str | None) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--starts", json.dumps(starts)]
    if data:
        cmd += ["--data", data]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=8)
    ap.add_argument("--lists", type=int, default=25, help="list pages per site")
    ap.add_argument("--per-page", type=int, default=45, help="reports per list page")
    ap.add_argument("--worker", choices=["nianbao", "scrapy"], help=argparse.SUPPRESS)
    ap.add_argument("--starts", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        starts = json.loads(args.starts)
        result = run_nianbao(starts, Path(args.data)) if args.worker == "nianbao" else run_scrapy(starts)
        print(json.dumps(result))
        return

    site = GeneratedSite(n_lists=args.lists, per_page=args.per_page, pdf_every=5)
    expected = site.page_count() * args.sites
    ready: mp.Queue = mp.Queue()
    server = mp.Process(target=_serve, args=(args.sites, args.lists, args.per_page, ready), daemon=True)
    server.start()
    try:
        bases = ready.get(timeout=30)
        starts = [b + site.start_path for b in bases]
        print(f"portal: {args.sites} sites x {site.page_count()} pages = {expected} pages "
              f"(list pages, reports, PDFs) on loopback; delay 0, concurrency {CONCURRENCY}, "
              f"1 request at a time per host", flush=True)
        results = {}
        with tempfile.TemporaryDirectory() as tmp:
            quarter = max(1, args.sites // 4)
            results["nianbao (1/4 of the portal)"] = _worker("nianbao", starts[:quarter], tmp + "/q")
            results["nianbao"] = _worker("nianbao", starts, tmp + "/full")
            warc_mb = sum(f.stat().st_size for f in Path(tmp, "full", "warc").glob("*")) / 2 ** 20
            results["scrapy"] = _worker("scrapy", starts, None)
        for name, r in results.items():
            print(f"{name:<28} {r['pages']:>6} pages in {r['seconds']:6.1f} s = "
                  f"{r['pages'] / r['seconds']:7.1f} pages/s, peak RSS {r['peak_mb']:6.1f} MB"
                  + (f", {r['failed']} failed" if r["failed"] else ""))
        n, s = results["nianbao"], results["scrapy"]
        print(f"nianbao archive: {warc_mb:.1f} MB of WARC")
        print(f"throughput ratio nianbao/scrapy: {(n['pages'] / n['seconds']) / (s['pages'] / s['seconds']):.2f}")
        print(f"peak memory ratio nianbao/scrapy: {n['peak_mb'] / s['peak_mb']:.2f}")
        if n["pages"] != expected or s["pages"] != expected:
            print(f"warning: expected {expected} pages from each crawler")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
