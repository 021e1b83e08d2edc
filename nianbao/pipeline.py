"""The stages joined: crawl → parse what is new or changed → export. Thin on purpose.

Each function runs one stage on a data folder and returns that stage's summary; the command
line decides what to print and which exit status it means.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from nianbao.output.export import ExportSummary, export
from nianbao.output.results import ResultStore
from nianbao.collect import load_dataset
from nianbao.reparse import ParseSummary, parse_archive
from nianbao.scraper.command import Reporter, run_crawler
from nianbao.scraper.crawl import CrawlSettings, Crawler, Summary
from nianbao.scraper.fetch import FetchSettings
from nianbao.scraper.sources import Source
from nianbao.scraper.state import open_read_only
from nianbao.ui import plural

log = logging.getLogger("nianbao")


def crawl(sources: list[Source], data_dir: Path, *, delay: float, concurrency: int,
          quiet: bool, verbose: bool, timeout: float = 30.0, retries: int = 3,
          reporter: Reporter | None = None) -> tuple[Crawler, Summary]:
    """Crawl the sources into ``data_dir``; KeyboardInterrupt propagates (state is saved), and
    so does the cancellation by SIGTERM (as :class:`asyncio.CancelledError`)."""
    settings = CrawlSettings(data_dir=data_dir,
                             fetch=FetchSettings(delay=delay, concurrency=concurrency,
                                                 timeout=timeout, retries=retries))
    crawler = Crawler(settings, sources, progress=reporter or Reporter(quiet, verbose))
    return crawler, asyncio.run(run_crawler(crawler))


def parse(data_dir: Path, *, everything: bool,
          bars: Callable[[int, str], Callable[[int], None] | None] | None = None,
          workers: int | None = None, scheduler: str | None = None) -> ParseSummary:
    """Parse the archive's new or changed reports (``everything``: all of them again), in this
    process, or on a Dask cluster: ``workers`` local processes or the one at ``scheduler``."""
    labels = iter(("parsing reports", "parsing attachments"))
    progress = (lambda total: _counting(bars(total, next(labels, "parsing")))) if bars else None
    if workers is None and scheduler is None:
        return parse_archive(data_dir, everything=everything, progress=progress)
    from nianbao.cluster import ClusterEngine, connect  # imports dask: only when asked for

    open_read_only(data_dir).close()  # no cluster started for a folder without a crawl
    with connect(workers, scheduler) as client:
        return parse_archive(data_dir, everything=everything, progress=progress,
                             engine=ClusterEngine(client))


def _counting(step: Callable[..., None] | None) -> Callable[[int, str], None] | None:
    """A bar step that also shows the documents by status in the bar's label."""
    if step is None:
        return None
    bar = getattr(step, "__self__", None)  # click's progress bar, whose label is redrawn
    label = getattr(bar, "label", None)
    counts: Counter = Counter()

    def on(n: int, status: str) -> None:
        counts[status] += n
        if isinstance(label, str):
            bar.label = f"{label} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
        step(n)
    return on


def export_data(data_dir: Path, out: Path, formats: Iterable[str], *, excel: bool,
                bars: Callable[[int, str], Callable[[int], None] | None] | None = None
                ) -> ExportSummary:
    """Export the stored parse results of ``data_dir`` into ``out``."""
    open_read_only(data_dir).close()  # a clear message when DATA holds no crawl
    with ResultStore(data_dir, read_only=True) as store:  # the data folder is only read
        dataset = load_dataset(data_dir, store)
        step = bars(len(dataset.reports), "exporting") if bars else None
        unparsed = dataset.reports.counts().not_parsed
        if unparsed:
            log.warning("%s not parsed yet (run `nianbao parse --data %s`)",
                        plural(unparsed, "archived report"), data_dir)
        return export(dataset, out, formats, excel=excel, progress=step)


def summary_page(data_dir: Path, out: Path) -> Path:
    """Write ``out/summary.html``, the one-page picture of the dataset (nianbao/summary.py)."""
    from nianbao.summary import write_summary  # imports matplotlib: only when asked for

    return write_summary(data_dir, out)[0]
