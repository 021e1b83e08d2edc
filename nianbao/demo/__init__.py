"""`nianbao demo`: the main job, offline, against a bundled made-up portal.

The portal (nianbao/demo/site.py, documents in nianbao/demo/files/) is served on 127.0.0.1 at
a free port for as long as the run lasts; the run is `nianbao run` itself, with no delay
between requests, so the demo shows exactly what the real job does.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from nianbao.demo.server import Portal, PortalServer
from nianbao.demo.site import build, sources_yaml

MARKER = ".nianbao-demo"  # a data folder made by the demo, which a new demo may replace


@contextmanager
def serve() -> Iterator[tuple[PortalServer, Path]]:
    """The demo portal on 127.0.0.1 and a sources file for it; stopped on leaving, always."""
    portal = Portal()
    portal.log_enabled = False
    server = PortalServer(portal).start()
    try:
        sources = build(portal, server.base)
        with tempfile.TemporaryDirectory(prefix="nianbao-demo-") as tmp:
            path = Path(tmp) / "sources.yaml"
            path.write_text(sources_yaml(sources, server.base, server.host), encoding="utf-8")
            yield server, path
    finally:
        server.stop()


def _fresh(data_dir: Path) -> None:
    """Start from an empty folder: the portal's port (and so every URL) changes per demo."""
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).is_file():
            raise click.UsageError(f"{data_dir} is not empty and was not made by `nianbao demo`; "
                                   "give another --data folder")
        shutil.rmtree(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / MARKER).write_text("made by `nianbao demo`; a new demo replaces this folder\n",
                                       encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"cannot use {data_dir} for the demo: {exc.strerror or exc}") from None


def _next_steps(data_dir: Path) -> str:
    export = data_dir / "export"
    return "\n".join([
        "",
        f"The demo's datasets are in {export}/ (CSV, parquet/, nianbao.sqlite, dictionary.md),",
        f"made from a made-up portal; the archive and crawl state are in {data_dir}/.",
        "Three things to try:",
        f"  sqlite3 {export}/nianbao.sqlite \"SELECT agency, year, template, status, "
        "checks_failed FROM reports ORDER BY agency, year\"",
        f"  open {export}/reports.csv or {export}/wide_requests.csv in a spreadsheet "
        "(one line per report; the requests table as printed)",
        f"  nianbao status --data {data_dir}",
    ])


@click.command("demo")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-data"), show_default=True,
              help="Data folder for the demo (replaced when an earlier demo made it).")
@click.pass_context
def demo(ctx: click.Context, data_dir: Path) -> None:
    """Run the main job offline: serve a bundled made-up portal (TRS, Hanweb and gkmlpt
    columns; reports in HTML, text, PDF and Word; an anti-bot page; a robots.txt) on
    127.0.0.1, crawl it, parse and export into DATA, then say what to try.

    Exit status: that of `nianbao run`.
    """
    from nianbao.cli import run_command
    from nianbao.ui import sigterm_as_interrupt

    ctx.with_resource(sigterm_as_interrupt())  # the server stops on SIGTERM too
    _fresh(data_dir)
    code: int | str | None = 0
    try:
        with serve() as (server, sources):
            click.echo(f"demo portal on {server.base} (stopped when the demo ends)", err=True)
            try:
                ctx.invoke(run_command, sources_path=sources, data_dir=data_dir, delay=0.0)
            except SystemExit as exc:  # run_command always ends with sys.exit
                code = exc.code
    except KeyboardInterrupt:  # outside the run, which handles its own
        click.echo("error: demo interrupted", err=True)
        sys.exit(130)
    if code == 0:
        click.echo(_next_steps(data_dir))
    sys.exit(code)
