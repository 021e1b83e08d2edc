"""The ``nianbao`` command line: a thin layer over the library."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from nianbao import __version__
from nianbao.ui import Bars, common_options, setup_logging
from nianbao.parsers.model import FAILED_STATUSES, Report

log = logging.getLogger("nianbao")
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """Crawl, parse and export the annual reports on government information disclosure
    (政府信息公开工作年度报告) as one validated dataset."""


def _files(paths: tuple[Path, ...]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def _summary_line(path: Path, report: Report) -> str:
    numbers = sum(1 for f in report.facts if f.value is not None)
    failed = report.checks_failed
    parts = [f"template {report.template}", f"year {report.year or '?'}",
             f"{len(report.facts)} cells ({numbers} numbers)",
             f"{len(failed)} of {len(report.checks)} checks failed"]
    title = f" — {report.title}" if report.title else ""
    return f"{path}{title}\n  " + ", ".join(parts)


@main.command("parse")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Re-parse the archive of this data folder instead of files (offline).")
@click.option("--new-only", is_flag=True,
              help="With --data: parse only reports that are new or changed since the last parse.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per document per line (the format of SCHEMA.md).")
@common_options
def parse_command(paths: tuple[Path, ...], data_dir: Path | None, new_only: bool, as_json: bool,
                  quiet: bool, verbose: bool, log_file: Path | None) -> None:
    """Parse report files (HTML, text, PDF, Word, images) or folders of them; or, with
    --data DIR, every archived report of a data folder (the newest version of each), offline.

    Exit status: 0 when every document parsed, 1 when some failed, 2 on a usage error.
    With --data, 1 means some archived records could not be read or crashed the parser;
    reports that are simply not parseable are listed in the export with their status.
    """
    setup_logging(quiet, verbose, log_file)
    if data_dir is not None:
        if paths or as_json:
            raise click.UsageError("--data cannot be combined with PATHS or --json")
        sys.exit(_parse_data(data_dir, everything=not new_only, quiet=quiet))
    if not paths:
        raise click.UsageError("give report files or folders, or --data DIR")
    if new_only:
        raise click.UsageError("--new-only needs --data")
    _parse_files(paths, as_json, quiet)


def _parse_files(paths: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    from nianbao.parsers import limits, parse

    total = failed = 0
    for path in _files(paths):
        total += 1
        try:
            size = path.stat().st_size
            if size > limits.MAX_INPUT_BYTES:  # refused before it is read into memory
                failed += 1
                click.echo(f"{path}: file of {size:,} bytes; the limit is "
                           f"{limits.MAX_INPUT_BYTES:,} (MAX_INPUT_BYTES)", err=True)
                continue
            data = path.read_bytes()
        except OSError as exc:
            failed += 1
            click.echo(f"{path}: cannot read: {exc.strerror or exc}", err=True)
            continue
        report = parse(data, source=str(path))
        bad = report.status in FAILED_STATUSES
        failed += bad
        if bad:
            click.echo(f"{path}: {report.error}", err=True)
        if as_json:
            sys.stdout.write(json.dumps(report.to_json_dict(), ensure_ascii=False) + "\n")
        elif not bad and not quiet:
            click.echo(_summary_line(path, report))
            for warning in report.warnings:
                click.echo(f"  ! {warning}")
    if not as_json and not quiet:
        click.echo(f"{total} documents: {total - failed} parsed, {failed} failed")
    sys.exit(1 if failed else 0)


# --- archive, datasets, status --------------------------------------------------------------

def _data_option(default: Path | None = Path("data")) -> Callable[[F], F]:
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=default, show_default=default is not None,
                        help="Data folder: archive (warc/), crawl state, parse results.")


def _export_options(f: F) -> F:
    f = click.option("--excel", is_flag=True,
                     help="Start every CSV with a BOM so that Excel shows Chinese correctly.")(f)
    f = click.option("--format", "formats", default="csv,parquet,sqlite", show_default=True,
                     help="Comma-separated formats to write: csv, parquet, sqlite.")(f)
    f = click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                     help="Output folder (default: DATA/export).")(f)
    return f


def _formats(text: str) -> tuple[str, ...]:
    from nianbao.output.export import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _guard(func: Callable[[], T]) -> T:
    """Turn the stages' expected failures into one-line messages and an exit status."""
    from nianbao.output.export import ExportError
    from nianbao.output.results import ResultsError
    from nianbao.scraper.state import StateError

    try:
        return func()
    except (StateError, ResultsError) as exc:
        log.error("%s", exc)
        sys.exit(EXIT_USAGE)
    except ExportError as exc:
        log.error("%s", exc)
        sys.exit(EXIT_PARTIAL)
    except KeyboardInterrupt:
        log.error("interrupted; nothing collected was lost, run the same command again")
        sys.exit(EXIT_INTERRUPTED)


def _parse_data(data_dir: Path, *, everything: bool, quiet: bool) -> int:
    from nianbao import pipeline

    bars = Bars(not quiet)
    try:
        summary = _guard(lambda: pipeline.parse(data_dir, everything=everything, bars=bars.start))
    finally:
        bars.close()
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(summary.statuses.items())) or "nothing new"
    log.info("parsed %d documents (%s); %d reports already up to date", summary.parsed, statuses,
             summary.up_to_date)
    for url, why in summary.unreadable:
        log.warning("unreadable archive record skipped: %s: %s", url, why)
    for url, why in summary.crashed:
        log.warning("parser crashed on %s: %s", url, why)
    return EXIT_PARTIAL if summary.problems else EXIT_OK


def _export(data_dir: Path, out: Path | None, formats: tuple[str, ...], excel: bool,
            quiet: bool) -> int:
    from nianbao import pipeline

    out = out or data_dir / "export"
    bars = Bars(not quiet)
    try:
        s = _guard(lambda: pipeline.export_data(data_dir, out, formats, excel=excel,
                                                bars=bars.start))
    finally:
        bars.close()
    log.info("exported %d reports, %d facts, %d checks (%d failed, %d cross-year) to %s",
             s.reports, s.facts, s.checks, s.checks_failed, s.cross_year, out)
    return EXIT_OK


@main.command("export")
@_data_option()
@_export_options
@common_options
def export_command(data_dir: Path, out: Path | None, formats: str, excel: bool, quiet: bool,
                   verbose: bool, log_file: Path | None) -> None:
    """Write the datasets (reports, facts, checks, wide tables, data dictionary) from the
    parse results in DATA, as CSV, Parquet and one SQLite file. Nothing is re-parsed.

    Exit status: 0 done, 1 the files could not be written (the old ones are kept),
    2 usage error (no data folder).
    """
    setup_logging(quiet, verbose, log_file)
    sys.exit(_export(data_dir, out, _formats(formats), excel, quiet))


@main.command("status")
@_data_option()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Export folder to look at (default: DATA/export).")
@common_options
def status_command(data_dir: Path, out: Path | None, quiet: bool, verbose: bool,
                   log_file: Path | None) -> None:
    """What DATA holds: archive, documents by outcome (fetched, failed, blocked ...), parse
    results, the export, and when each source was last crawled.

    Exit status: 0, or 2 when DATA holds no crawl state.
    """
    from nianbao.status import collect_status, format_status

    setup_logging(quiet, verbose, log_file)
    st = _guard(lambda: collect_status(data_dir, out))
    click.echo(format_status(st, data_dir))
    sys.exit(EXIT_OK)


@main.command("run")
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or CSV file of sources (default: the packaged nianbao/data/sources.yaml).")
@_data_option()
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True,
              help="Requests in flight over all hosts.")
@_export_options
@common_options
def run_command(sources_path: Path | None, data_dir: Path, delay: float, concurrency: int,
                out: Path | None, formats: str, excel: bool, quiet: bool, verbose: bool,
                log_file: Path | None) -> None:
    """The main job: crawl the sources into DATA, parse what is new or changed, export.

    Re-runs download only what changed. Exit status: 0 done; 1 partial failure (a source
    failed, an archived record was unreadable, or the export could not be written); 2 usage
    error; 130 interrupted (state saved: run again to resume).
    """
    from nianbao import pipeline
    from nianbao.scraper.command import format_summary, resolve_sources
    from nianbao.scraper.crawl import CrawlError
    from nianbao.scraper.state import StateError

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    setup_logging(quiet, verbose, log_file)
    fmts = _formats(formats)
    sources = resolve_sources(sources_path, lambda problem: log.warning("%s (skipped)", problem))
    log.info("crawling %d sources into %s", len(sources), data_dir)
    try:
        _, crawled = pipeline.crawl(sources, data_dir, delay=delay,
                                          concurrency=concurrency, quiet=quiet, verbose=verbose)
    except KeyboardInterrupt:
        log.error("interrupted: state saved; run the same command again to resume")
        sys.exit(EXIT_INTERRUPTED)
    except (CrawlError, StateError) as exc:
        log.error("%s", exc)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # a bug: say so in one line; the state is saved by the crawler
        log.error("crawl stopped by an internal error: %r", exc)
        sys.exit(EXIT_PARTIAL)
    for line in format_summary(crawled).splitlines():
        (log.warning if crawled.sources_failed and "source failed" in line else log.info)(line)
    code = _parse_data(data_dir, everything=False, quiet=quiet)
    code = max(code, _export(data_dir, out, fmts, excel, quiet))
    if crawled.sources_failed:
        code = max(code, EXIT_PARTIAL)
    log.info("done%s", "" if code == EXIT_OK else " with problems (see above)")
    sys.exit(code)


def _register() -> None:
    from nianbao.scraper.command import crawl

    main.add_command(crawl)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
