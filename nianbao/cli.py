"""The ``nianbao`` command line: a thin layer over the library."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from nianbao import __version__

FAILED_STATUSES = frozenset({"error", "unsupported", "not_report", "no_tables"})


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


def _summary_line(path: Path, report) -> str:  # type: ignore[no-untyped-def]
    numbers = sum(1 for f in report.facts if f.value is not None)
    failed = report.checks_failed
    parts = [f"template {report.template}", f"year {report.year or '?'}",
             f"{len(report.facts)} cells ({numbers} numbers)",
             f"{len(failed)} of {len(report.checks)} checks failed"]
    title = f" — {report.title}" if report.title else ""
    return f"{path}{title}\n  " + ", ".join(parts)


@main.command("parse")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per document per line (the format of SCHEMA.md).")
@click.option("-q", "--quiet", is_flag=True, help="Print failures only.")
def parse_command(paths: tuple[Path, ...], as_json: bool, quiet: bool) -> None:
    """Parse report files (HTML or text) or folders of them.

    Exit status: 0 when every document parsed, 1 when some failed, 2 on a usage error.
    """
    from parsers import parse

    total = failed = 0
    for path in _files(paths):
        total += 1
        try:
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


def _register() -> None:
    from scraper.command import crawl

    main.add_command(crawl)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
