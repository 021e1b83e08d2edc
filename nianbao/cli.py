"""The ``nianbao`` command line: a thin layer over the library."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from nianbao import __version__
from nianbao.ui import Bars, STDOUT, common_options, plural, setup_logging, sigterm_as_interrupt
from nianbao.scraper.command import fetch_options, shard_option
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
    from nianbao.pictures import is_page_file, saved_with_page

    for path in paths:
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if not p.is_dir())  # FIFOs: refused
            pages = {c for c in children if is_page_file(c)}
            for child in children:
                if not any(part.startswith(".") for part in child.relative_to(path).parts) \
                        and not saved_with_page(child, pages):  # a saved page's pictures
                    yield child
        else:
            yield path


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _not_a_file(mode: int) -> str:
    """Why a path that is not a regular file is refused (reading it could wait forever)."""
    what = next((name for test, name in _SPECIAL if test(mode)), "not a regular file")
    return f"{what}, not a regular file: refused (only report files are read)"


_NAMED = {".docx": ("a Word", "a Word document"), ".doc": ("a Word", "a Word or WPS document"),
          ".wps": ("a Word", "a Word or WPS document"), ".pdf": ("a PDF", "a PDF document")}


def _name_hint(path: Path, error: str) -> str:
    """When the name promises a format the content is not (a fake .docx), say so."""
    promised = _NAMED.get(path.suffix.lower())
    if promised is None or error.startswith(promised[0]) or f"not {promised[1]}" in error:
        return ""
    return f" (named {path.suffix}, but its content is not {promised[1]})"


def _with_bar(files: list[Path], quiet: bool) -> Iterator[Path]:
    """The files, with a progress bar on stderr (a terminal only) while there are several."""
    bars = Bars(not quiet and len(files) > 1)
    step = bars.start(len(files), "parsing")
    try:
        for path in files:
            bars.clear()  # what this document prints goes on a clean line
            yield path
            if step is not None:
                step(1)
    finally:
        bars.close()


def _summary_line(path: Path, report: Report) -> str:
    numbers = sum(1 for f in report.facts if f.value is not None)
    failed = report.checks_failed
    parts = [f"template {report.template}", f"year {report.year or '?'}",
             f"{plural(len(report.facts), 'cell')} ({plural(numbers, 'number')})",
             f"{len(failed)} of {len(report.checks)} checks failed"]
    title = f" — {report.title}" if report.title else ""
    return f"{path}{title}\n  " + ", ".join(parts)


def _cluster_options(f: F) -> F:
    """``--workers N`` and ``--scheduler ADDRESS``: the parse stage on a Dask cluster."""
    f = click.option("--scheduler", metavar="ADDRESS",
                     help="With --data: parse on the existing Dask cluster at ADDRESS (e.g. "
                          "tcp://10.0.0.5:8786); its workers must see DATA at the same path.")(f)
    f = click.option("--workers", type=click.IntRange(min=1), metavar="N",
                     help="With --data: parse on a local Dask cluster of N processes.")(f)
    return f


@main.command("parse")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Re-parse the archive of this data folder instead of files (offline).")
@click.option("--new-only", is_flag=True,
              help="With --data: parse only reports that are new or changed since the last parse.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per document per line (the format of docs/schema.md).")
@_cluster_options
@common_options
def parse_command(paths: tuple[Path, ...], data_dir: Path | None, new_only: bool, as_json: bool,
                  workers: int | None, scheduler: str | None,
                  quiet: bool, verbose: bool, log_file: Path | None) -> None:
    """Parse report files (HTML, text, PDF, Word, images) or folders of them; or, with
    --data DIR, every archived report of a data folder (the newest version of each), offline.

    Exit status: 0 when every document parsed, 1 when some failed, 2 on a usage error.
    With --data, 1 means some archived records could not be read or crashed the parser;
    reports that are simply not parseable are listed in the export with their status.
    """
    setup_logging(quiet, verbose, log_file)
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers and --scheduler exclude each other")
    if data_dir is not None:
        if paths or as_json:
            raise click.UsageError("--data cannot be combined with PATHS or --json")
        started, keep = _now(), {}
        code = _parse_data(data_dir, everything=not new_only, quiet=quiet, keep=keep,
                           workers=workers, scheduler=scheduler)
        _record(data_dir, "parse", started, code, parse=keep.get("parse"))
        sys.exit(code)
    if not paths:
        raise click.UsageError("give report files or folders, or --data DIR")
    if new_only:
        raise click.UsageError("--new-only needs --data")
    if workers is not None or scheduler is not None:
        raise click.UsageError("--workers and --scheduler need --data")
    _parse_files(paths, as_json, quiet)


def _parse_files(paths: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    from nianbao.parsers import limits, parse
    from nianbao.pictures import saved_pictures

    total = failed = 0
    for path in _with_bar(list(_files(paths)), quiet):
        total += 1
        report = None  # a file refused or unreadable still gets its line (and its status)
        try:
            st = path.stat()  # never open a FIFO or a device: reading it may never end
            size = st.st_size
            if not stat.S_ISREG(st.st_mode):
                report = Report(source=str(path), status="error", error=_not_a_file(st.st_mode))
            elif size > limits.MAX_INPUT_BYTES:  # refused before it is read into memory
                report = Report(source=str(path), status="limit",
                                error=f"file of {size:,} bytes; the limit is "
                                      f"{limits.MAX_INPUT_BYTES:,} (MAX_INPUT_BYTES)")
            else:
                data = path.read_bytes()
        except OSError as exc:
            report = Report(source=str(path), status="error",
                            error=f"cannot read: {exc.strerror or exc}")
        if report is None:
            report = parse(data, source=str(path), pictures=saved_pictures(path))
        bad = report.status in FAILED_STATUSES
        failed += bad
        if bad:
            report.error = f"{report.error}{_name_hint(path, report.error or '')}"
            log.error("%s: %s", path, report.error)
        if as_json:
            sys.stdout.write(json.dumps(report.to_json_line(), ensure_ascii=False) + "\n")
        elif not bad and not quiet:
            log.info("%s", _summary_line(path, report), extra=STDOUT)
            for warning in report.warnings:
                log.info("  ! %s", warning, extra=STDOUT)
    if not as_json and not quiet:
        log.info("%s: %d parsed, %d failed", plural(total, "document"), total - failed, failed,
                 extra=STDOUT)
    sys.exit(1 if failed else 0)


# --- archive, datasets, status --------------------------------------------------------------

def _data_option(default: Path | None = Path("data")) -> Callable[[F], F]:
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=default, show_default=default is not None,
                        help="Data folder: archive (warc/), crawl state, parse results.")


def _export_options(f: F) -> F:
    f = click.option("--excel", is_flag=True,
                     help="CSV for Excel: a BOM so that it shows Chinese correctly, and a "
                          "leading ' before any text it would run as a formula.")(f)
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
    except sqlite3.OperationalError as exc:
        # the stores wrap their own errors: a bare one is the temporary rows' (output/row_table.py)
        if "full" not in str(exc):
            raise
        log.error("no room left for temporary files in %s (the report rows are kept there, "
                  "about 1.5 kB a report); what was collected is kept and no output was half "
                  "written: free some room or set TMPDIR to a disk with room", tempfile.gettempdir())
        sys.exit(EXIT_PARTIAL)
    except Exception as exc:
        if type(exc).__name__ != "ClusterError":  # nianbao.cluster, imported only when used
            raise
        log.error("%s", exc)
        sys.exit(EXIT_PARTIAL)


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _record(data_dir: Path, command: str, started: str, code: int, **summaries: Any) -> None:
    """Keep the run for `nianbao status`; a folder that cannot be written only loses that."""
    from nianbao.status import record_run

    problem = record_run(data_dir, command, started, code, **summaries)
    if problem:
        log.debug("run not recorded: %s", problem)


def _parse_data(data_dir: Path, *, everything: bool, quiet: bool,
                keep: dict[str, Any] | None = None, workers: int | None = None,
                scheduler: str | None = None) -> int:
    from nianbao import pipeline

    bars = Bars(not quiet)
    try:
        summary = _guard(lambda: pipeline.parse(data_dir, everything=everything, bars=bars.start,
                                                workers=workers, scheduler=scheduler))
    finally:
        bars.close()
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(summary.statuses.items())) or "nothing new"
    log.info("parsed %s (%s); %s already up to date", plural(summary.parsed, "document"),
             statuses, plural(summary.up_to_date, "report"))
    if summary.reports is not None:
        log.info("reports: %s", summary.reports.line())
    if keep is not None:
        keep["parse"] = summary
    for url, why in summary.unreadable:
        log.warning("unreadable archive record skipped: %s: %s", url, why)
    for url, why in summary.crashed:
        log.warning("parser crashed on %s: %s", url, why)
    return EXIT_PARTIAL if summary.problems else EXIT_OK


def _export(data_dir: Path, out: Path | None, formats: tuple[str, ...], excel: bool,
            quiet: bool, keep: dict[str, Any] | None = None) -> int:
    from nianbao import pipeline

    out = out or data_dir / "export"
    bars = Bars(not quiet)
    try:
        s = _guard(lambda: pipeline.export_data(data_dir, out, formats, excel=excel,
                                                bars=bars.start))
    finally:
        bars.close()
    c = s.counts
    log.info("exported %s (%d parsed, %d failed to parse, %d not parsed yet), %s, "
             "%s (%d failed, %d cross-year) to %s", plural(s.reports, "report"), c.parsed, c.failed,
             c.not_parsed, plural(s.facts, "fact"), plural(s.checks, "check"), s.checks_failed,
             s.cross_year, out)
    if s.same_report:
        log.info("  %s the same report as another (kept in other_urls)",
                 plural(s.same_report, "report page is", "report pages are"))
    if keep is not None:
        keep["export"] = s
    return EXIT_OK


def _summary(data_dir: Path, out: Path | None) -> int:
    """Write the summary page; a page that cannot be written is a partial failure."""
    from nianbao import pipeline

    try:
        page = _guard(lambda: pipeline.summary_page(data_dir, out or data_dir / "export"))
    except OSError as exc:
        log.error("cannot write the summary page: %s", exc)
        return EXIT_PARTIAL
    except Exception as exc:  # a bug: the export is written already, say so in one line
        log.error("summary page not written: %r", exc)
        return EXIT_PARTIAL
    log.info("summary page: %s", page)
    return EXIT_OK


@main.command("summary")
@_data_option()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: DATA/export).")
@common_options
def summary_command(data_dir: Path, out: Path | None, quiet: bool, verbose: bool,
                    log_file: Path | None) -> None:
    """Write summary.html, one self-contained page that shows the dataset in DATA: reports by
    province, year and status, failed checks, requests by year, and what could not be read.

    Exit status: 0 done, 1 the page could not be written, 2 usage error (no data folder).
    """
    setup_logging(quiet, verbose, log_file)
    sys.exit(_summary(data_dir, out))


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
@click.option("--json", "as_json", is_flag=True,
              help="The same information as one JSON object, with the last runs.")
@common_options
def status_command(data_dir: Path, out: Path | None, as_json: bool, quiet: bool, verbose: bool,
                   log_file: Path | None) -> None:
    """What DATA holds: archive, documents by outcome (fetched, failed, blocked ...), reports
    by outcome (the export's counts), the export, whether a crawl is running, the last runs,
    and when each source was last crawled.

    Exit status: 0, or 2 when DATA holds no crawl state.
    """
    from nianbao.status import collect_status, format_status, status_dict

    setup_logging(quiet, verbose, log_file)
    st = _guard(lambda: collect_status(data_dir, out))
    if as_json:
        click.echo(json.dumps(status_dict(st, data_dir), ensure_ascii=False, indent=1))
    else:
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
@fetch_options
@shard_option
@_cluster_options
@_export_options
@common_options
def run_command(sources_path: Path | None, data_dir: Path, delay: float, concurrency: int,
                timeout: float, retries: int, shard: tuple[int, int] | None,
                workers: int | None, scheduler: str | None, out: Path | None, formats: str,
                excel: bool, quiet: bool, verbose: bool, log_file: Path | None) -> None:
    """The main job: crawl the sources into DATA, parse what is new or changed, export.

    Re-runs download only what changed. Exit status: 0 done; 1 partial failure (a source
    failed, an archived record was unreadable, or the export could not be written); 2 usage
    error; 130 interrupted by Ctrl-C or SIGTERM (state saved: run again to resume).
    With no network (no host answered) the run stops after the crawl with status 1.
    """
    import asyncio

    from nianbao import pipeline
    from nianbao.scraper.command import Reporter, log_summary, resolve_sources, take_shard
    from nianbao.scraper.crawl import CrawlError
    from nianbao.scraper.state import StateError

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers and --scheduler exclude each other")
    setup_logging(quiet, verbose, log_file)
    click.get_current_context().with_resource(sigterm_as_interrupt())
    fmts = _formats(formats)
    started, keep = _now(), {}
    sources = resolve_sources(sources_path, lambda problem: log.warning("%s (skipped)", problem))
    sources = take_shard(sources, shard)
    if not sources:
        log.info("nothing to crawl in this shard")
        sys.exit(EXIT_OK)
    log.info("crawling %s into %s", plural(len(sources), "source"), data_dir)
    reporter = Reporter(quiet, verbose)
    try:
        _, crawled = pipeline.crawl(sources, data_dir, delay=delay, concurrency=concurrency,
                                    quiet=quiet, verbose=verbose, timeout=timeout,
                                    retries=retries, reporter=reporter)
    except (KeyboardInterrupt, asyncio.CancelledError):
        log.error("interrupted: state saved; run the same command again to resume")
        sys.exit(EXIT_INTERRUPTED)
    except (CrawlError, StateError) as exc:
        log.error("%s", exc)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # a bug: say so in one line; the state is saved by the crawler
        log.error("crawl stopped by an internal error: %r", exc)
        sys.exit(EXIT_PARTIAL)
    log_summary(crawled, reporter)
    if crawled.no_network is not None:  # nothing new to parse or export
        _record(data_dir, "run", started, EXIT_PARTIAL, crawl=crawled)
        sys.exit(EXIT_PARTIAL)
    code = _parse_data(data_dir, everything=False, quiet=quiet, keep=keep, workers=workers,
                       scheduler=scheduler)
    code = max(code, _export(data_dir, out, fmts, excel, quiet, keep))
    code = max(code, _summary(data_dir, out))
    if crawled.sources_failed:
        code = max(code, EXIT_PARTIAL)
    _record(data_dir, "run", started, code, crawl=crawled, **keep)
    log.info("done%s", "" if code == EXIT_OK else " with problems (see above)")
    sys.exit(code)


@main.command("merge")
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--into", "into", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Data folder to merge into (made if missing; merging again adds what is new).")
@click.option("--link", is_flag=True,
              help="Hard-link the WARC files instead of copying them (same filesystem only).")
@common_options
def merge_command(sources: tuple[Path, ...], into: Path, link: bool, quiet: bool, verbose: bool,
                  log_file: Path | None) -> None:
    """Merge the data folders of shard crawls (archives and crawl state) into one, without
    duplicates: a URL fetched in several shards keeps its newest version. Then `nianbao parse
    --data INTO` and `nianbao export --data INTO` work as on one crawl.

    Exit status: 0 done, 2 usage error (a folder without a crawl, INTO among the sources).
    """
    from nianbao.merge import MergeError, merge

    setup_logging(quiet, verbose, log_file)
    try:
        s = _guard(lambda: merge(list(sources), into, link=link))
    except MergeError as exc:
        log.error("%s", exc)
        sys.exit(EXIT_USAGE)
    for warning in s.warnings:
        log.warning("%s", warning)
    log.info("merged %s into %s: %s added (%s left out: a newer one is there), "
             "%s %s, %s", plural(s.folders, "folder"), into, plural(s.versions, "version"),
             s.older, plural(s.warc_files, "WARC file"), "linked" if link else "copied",
             plural(s.urls, "URL") + " updated")
    sys.exit(EXIT_OK)


def _register() -> None:
    from nianbao.demo import demo
    from nianbao.scraper.command import crawl

    main.add_command(crawl)
    main.add_command(demo)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
