"""``nianbao crawl``: the command-line face of :mod:`scraper.crawl`. Thin on purpose."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import click

from nianbao.scraper.crawl import CrawlError, CrawlSettings, Crawler, Event, Summary
from nianbao.scraper.fetch import FetchSettings
from nianbao.scraper.sources import Source, SourcesFileError, load_sources
from nianbao.scraper.state import StateError

EXIT_OK, EXIT_SOURCES_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def default_sources() -> Path | None:
    """The sources file shipped in the package, if it exists."""
    try:
        ref = resources.files("nianbao") / "data" / "sources.yaml"
    except (ModuleNotFoundError, TypeError):
        return None
    return Path(str(ref)) if ref.is_file() else None


def resolve_sources(path: Path | None, warn: Callable[[str], None]) -> list[Source]:
    """The sources to crawl (the packaged file when ``path`` is None); bad entries are passed
    to ``warn`` with their file and line; no usable source is a usage error."""
    if path is None:
        path = default_sources()
        if path is None:
            raise click.UsageError("the packaged default sources file (nianbao/data/sources.yaml) "
                                   "is missing; pass --sources FILE")
    try:
        loaded = load_sources(path)
    except SourcesFileError as exc:
        raise click.UsageError(f"{path}: {exc}") from None
    for problem in loaded.problems:
        warn(f"{path}: {problem}")
    if not loaded.sources:
        raise click.UsageError(f"{path}: no usable source")
    return loaded.sources


class Reporter:
    """Progress on stderr: one line per finished source, an overall line now and then."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.per_source: dict[str, Counter] = {}
        self.docs = 0
        self.sources_done = 0
        self.last_overall = time.monotonic()

    def __call__(self, e: Event) -> None:
        if e.what == "source_start":
            self.per_source[e.source.start] = Counter()
            if self.verbose:
                click.echo(f"[{e.index}/{e.total}] {e.source.name}: {e.source.start}", err=True)
        elif e.what == "document" and e.outcome is not None:
            self.docs += 1
            c = self.per_source.setdefault(e.source.start, Counter())
            o = e.outcome
            key = {"fetched": e.kind, "unchanged": "not modified" if e.kind != "list" else "list",
                   "not_modified": "not modified"}.get(o.status, o.status)
            c[key] += 1
            if self.verbose:
                detail = f" ({o.error})" if o.error else ""
                click.echo(f"  {o.status:<12} {e.kind:<10} {e.url}{detail}", err=True)
            now = time.monotonic()
            if not self.quiet and not self.verbose and now - self.last_overall > 10:
                self.last_overall = now
                click.echo(f"... {self.docs} documents, {self.sources_done} sources done", err=True)
        elif e.what == "source_done":
            self.sources_done += 1
            c = self.per_source.pop(e.source.start, Counter())
            if not self.quiet:
                parts = [f"{c['list']} pages", f"{c['report']} reports",
                         f"{c['attachment']} attachments", f"{c['not modified']} not modified"]
                parts += [f"{c[k]} {k}" for k in ("blocked", "failed", "skipped") if c[k]]
                click.echo(f"[{self.sources_done}/{e.total}] {e.source.name}: " + ", ".join(parts),
                           err=True)


def format_summary(s: Summary) -> str:
    lines = [f"run {s.run}{' (resumed)' if s.resumed else ''}: {s.sources} sources, "
             f"{s.pages} pages, {s.reports} reports, {s.attachments} attachments, "
             f"{s.not_modified} not modified, {s.blocked} blocked, {sum(s.failed.values())} failed"]
    for reason, n in s.failed.most_common():
        lines.append(f"  failed {n}: {reason}")
    for reason, n in s.skipped.most_common():
        lines.append(f"  skipped {n}: {reason}")
    for name, why in s.sources_failed:
        lines.append(f"  source failed: {name}: {why}")
    if s.recovered_bytes:
        lines.append(f"  removed {s.recovered_bytes} bytes of uncommitted archive left by a killed run")
    for note in s.notes:
        lines.append(f"  note: {note}")
    if s.lost_versions:
        lines.append(f"  {s.lost_versions} archived documents were lost (power cut?) and will be "
                     "fetched again")
    return "\n".join(lines)


async def run_crawler(crawler: Crawler) -> Summary:
    """Run the crawl; SIGTERM is treated like Ctrl-C (cancel, save state, exit)."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    try:
        if task is not None:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError):
        pass
    return await crawler.run()


@click.command("crawl")
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or CSV file of sources (default: the packaged nianbao/data/sources.yaml).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("data"), show_default=True,
              help="Folder for the WARC archive and the state database.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True,
              help="Requests in flight over all hosts.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for a connection or for data before a retry.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Retries after a timeout, connection error, 429 or 5xx.")
@click.option("--max-size", type=click.IntRange(min=1), default=100, show_default=True,
              help="Largest body accepted, in MB.")
@click.option("--quiet", "-q", is_flag=True, help="No progress; only problems.")
@click.option("--verbose", "-v", is_flag=True, help="One line per document.")
def crawl(sources_path: Path | None, data_dir: Path, delay: float, concurrency: int,
          timeout: float, retries: int, max_size: int, quiet: bool, verbose: bool) -> None:
    """Crawl the sources' report columns into the archive (WARC) and state (SQLite) in DATA.

    Re-runs fetch only what is new or changed; an interrupted run resumes where it stopped.
    Exit status: 0 done, 1 some sources failed, 2 usage error, 130 interrupted.
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    sources = resolve_sources(sources_path,
                              lambda problem: click.echo(f"{problem} (skipped)", err=True))
    settings = CrawlSettings(
        data_dir=data_dir,
        fetch=FetchSettings(delay=delay, concurrency=concurrency, timeout=timeout,
                            retries=retries, max_bytes=max_size * 1024 * 1024))
    crawler = Crawler(settings, sources, progress=Reporter(quiet, verbose))
    try:
        summary = asyncio.run(run_crawler(crawler))
    except (KeyboardInterrupt, asyncio.CancelledError):
        summary = crawler.last_summary
        if summary is not None and not quiet:
            click.echo(format_summary(summary), err=True)
        click.echo("interrupted: state saved; run the same command again to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (CrawlError, StateError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    failed = bool(summary.sources_failed)
    if not quiet or failed:
        click.echo(format_summary(summary), err=True)
    sys.exit(EXIT_SOURCES_FAILED if failed else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    crawl()
