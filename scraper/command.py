"""``nianbao crawl``: the command-line face of :mod:`scraper.crawl`. Thin on purpose."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import click

from nianbao.scraper.crawl import CrawlError, CrawlSettings, Crawler, Event, Summary
from nianbao.scraper.fetch import FetchSettings
from nianbao.scraper.network import DaemonResolverPool
from nianbao.scraper.sources import Source, SourcesFileError, load_sources
from nianbao.scraper.state import StateError
from nianbao.ui import common_options, plural, setup_logging, sigterm_as_interrupt

EXIT_OK, EXIT_SOURCES_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
log = logging.getLogger("nianbao")


def fetch_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--timeout`` and ``--retries``, shared by ``crawl`` and ``run``."""
    f = click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries after a timeout, connection error, 429 or 5xx "
                          "(a name that does not resolve is not retried).")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
                     help="Seconds to wait for a connection or for data before a retry.")(f)
    return f


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    from nianbao.scraper.sources import parse_shard

    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def shard_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--shard K/N``, shared by ``crawl`` and ``run``."""
    return click.option("--shard", callback=_shard, metavar="K/N",
                        help="Crawl only the sources whose host hashes to shard K of N "
                             "(one data folder per shard; `nianbao merge` joins them).")(f)


def take_shard(sources: list[Source], shard: tuple[int, int] | None) -> list[Source]:
    """The sources of ``shard`` (all of them without one), saying how many that is."""
    from nianbao.scraper.sources import in_shard

    if shard is None:
        return sources
    mine = in_shard(sources, *shard)
    log.info("shard %d/%d: %s of %d", shard[0], shard[1], plural(len(mine), "source"),
             len(sources))
    return mine


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
    """Progress through the ``nianbao`` logger: one line per finished source, an overall line
    now and then, one line per document at debug level (``-v``, and the log file).

    Until some host has answered, the lines of finished sources are held back: if no host
    ever answers, one "no network" line says it all instead of one line per source.
    """

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.per_source: dict[str, Counter] = {}
        self.docs = 0
        self.sources_done = 0
        self.last_overall = time.monotonic()
        self.network_seen = False
        self.offline_said = False
        self._held: list[str] = []

    def __call__(self, e: Event) -> None:
        if e.what == "network":
            if e.kind == "answered":
                self.network_seen = True
                for line in self._held:
                    log.info("%s", line)
                self._held.clear()
            elif e.kind == "offline":
                self._held.clear()
                self.say_offline(e.url)
        elif e.what == "source_start":
            self.per_source[e.source.start] = Counter()
            log.debug("[%d/%d] %s: %s", e.index, e.total, e.source.name, e.source.start)
        elif e.what == "document" and e.outcome is not None:
            self.docs += 1
            c = self.per_source.setdefault(e.source.start, Counter())
            o = e.outcome
            key = {"fetched": e.kind, "unchanged": "not modified" if e.kind != "list" else "list",
                   "not_modified": "not modified"}.get(o.status, o.status)
            c[key] += 1
            detail = f" ({o.error})" if o.error else ""
            log.debug("  %-12s %-10s %s%s", o.status, e.kind, e.url, detail)
            now = time.monotonic()
            if not self.verbose and now - self.last_overall > 10:
                self.last_overall = now
                log.info("... %s, %s done", plural(self.docs, "document"),
                         plural(self.sources_done, "source"))
        elif e.what == "source_done":
            self.sources_done += 1
            c = self.per_source.pop(e.source.start, Counter())
            parts = [plural(c["list"], "page"), plural(c["report"], "report"),
                     plural(c["attachment"], "attachment"), f"{c['not modified']} not modified"]
            parts += [f"{c[k]} {k}" for k in ("blocked", "failed", "skipped") if c[k]]
            line = f"[{self.sources_done}/{e.total}] {e.source.name}: " + ", ".join(parts)
            if self.offline_said:
                return
            if self.network_seen:
                log.info("%s", line)
            else:
                self._held.append(line)

    def say_offline(self, what: str) -> None:
        """The one line that tells that no host could be reached (once)."""
        if not self.offline_said:
            self.offline_said = True
            log.error("no network: %s", what)

    def flush(self) -> None:
        """Lines still held back (the crawl ended without a verdict)."""
        for line in self._held:
            log.info("%s", line)
        self._held.clear()


def format_summary(s: Summary) -> str:
    if s.no_network is not None:
        return (f"run {s.run}{' (resumed)' if s.resumed else ''}: stopped, no host could be "
                f"reached ({plural(s.sources, 'source')}); nothing was lost: run the same "
                "command again when the network is back and it resumes")
    lines = [f"run {s.run}{' (resumed)' if s.resumed else ''}: {plural(s.sources, 'source')}, "
             f"{plural(s.pages, 'page')}, {plural(s.reports, 'report')}, "
             f"{plural(s.attachments, 'attachment')}, "
             f"{s.not_modified} not modified, {s.blocked} blocked, {sum(s.failed.values())} failed"]
    for reason, n in s.failed.most_common():
        lines.append(f"  failed {n}: {reason}")
    for reason, n in s.skipped.most_common():
        lines.append(f"  skipped {n}: {reason}")
    for name, why in s.sources_failed:
        lines.append(f"  source failed: {name}: {why}")
    if s.recovered_bytes:
        lines.append(f"  removed {plural(s.recovered_bytes, 'byte')} of uncommitted archive left "
                     "by a killed run")
    for note in s.notes:
        lines.append(f"  note: {note}")
    if s.lost_versions:
        lines.append(f"  {plural(s.lost_versions, 'archived document')} lost (power cut?) will "
                     "be fetched again")
    return "\n".join(lines)


def log_summary(s: Summary, reporter: Reporter) -> None:
    """The crawl's summary through the logger: problems as warnings, the rest as info."""
    if s.no_network is not None:
        reporter.say_offline(s.no_network)
        log.info("%s", format_summary(s))
        return
    reporter.flush()
    for line in format_summary(s).splitlines():
        (log.warning if "source failed" in line else log.info)("%s", line)


async def run_crawler(crawler: Crawler) -> Summary:
    """Run the crawl; SIGTERM is treated like Ctrl-C (cancel, save state, exit)."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    loop.set_default_executor(DaemonResolverPool())
    previous = signal.getsignal(signal.SIGTERM)
    installed = False
    try:
        if task is not None:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
            installed = True
    except (NotImplementedError, RuntimeError, ValueError):
        pass
    try:
        return await crawler.run()
    finally:
        if installed:  # the loop would reset SIGTERM to the default when it closes
            loop.remove_signal_handler(signal.SIGTERM)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


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
@fetch_options
@click.option("--max-size", type=click.IntRange(min=1), default=100, show_default=True,
              help="Largest body accepted, in MB.")
@shard_option
@common_options
def crawl(sources_path: Path | None, data_dir: Path, delay: float, concurrency: int,
          timeout: float, retries: int, max_size: int, shard: tuple[int, int] | None,
          quiet: bool, verbose: bool, log_file: Path | None) -> None:
    """Crawl the sources' report columns into the archive (WARC) and state (SQLite) in DATA.

    Re-runs fetch only what is new or changed; an interrupted run resumes where it stopped.
    Exit status: 0 done, 1 some sources failed (or no network), 2 usage error,
    130 interrupted (Ctrl-C or SIGTERM).
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    setup_logging(quiet, verbose, log_file)
    sources = resolve_sources(sources_path, lambda problem: log.warning("%s (skipped)", problem))
    sources = take_shard(sources, shard)
    if not sources:
        log.info("nothing to crawl in this shard")
        sys.exit(EXIT_OK)
    settings = CrawlSettings(
        data_dir=data_dir,
        fetch=FetchSettings(delay=delay, concurrency=concurrency, timeout=timeout,
                            retries=retries, max_bytes=max_size * 1024 * 1024))
    reporter = Reporter(quiet, verbose)
    crawler = Crawler(settings, sources, progress=reporter)
    try:
        with sigterm_as_interrupt():
            summary = asyncio.run(run_crawler(crawler))
    except (KeyboardInterrupt, asyncio.CancelledError):
        if crawler.last_summary is not None:
            for line in format_summary(crawler.last_summary).splitlines():
                log.info("%s", line)
        log.error("interrupted: state saved; run the same command again to resume")
        sys.exit(EXIT_INTERRUPTED)
    except (CrawlError, StateError) as exc:
        log.error("%s", exc)
        sys.exit(EXIT_USAGE)
    log_summary(summary, reporter)
    failed = bool(summary.sources_failed) or summary.no_network is not None
    sys.exit(EXIT_SOURCES_FAILED if failed else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    crawl()
