"""How the commands talk: logging (stderr and an optional log file) and progress bars.

``--quiet`` leaves warnings and errors only, ``--verbose`` adds one line per document, and
``--log-file`` keeps everything, with times, whatever the terminal shows.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

log = logging.getLogger("nianbao")


class _Echo(logging.Handler):
    """Log records on stderr through click (plain text, no logger noise)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
            if record.levelno >= logging.ERROR:
                msg = f"error: {msg}"
            elif record.levelno >= logging.WARNING:
                msg = f"warning: {msg}"
            click.echo(msg, err=True)
        except Exception:  # pragma: no cover - logging must never break a run
            self.handleError(record)


def setup_logging(quiet: bool, verbose: bool, log_file: Path | None) -> None:
    """Configure the ``nianbao`` logger for one command (idempotent across CliRunner calls)."""
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    log.setLevel(logging.DEBUG)
    log.propagate = False
    echo = _Echo()
    echo.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    log.addHandler(echo)
    if log_file is not None:
        try:
            handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise click.UsageError(f"cannot open log file {log_file}: {exc.strerror}") from None
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handler.setLevel(logging.DEBUG)
        log.addHandler(handler)


class Bars:
    """One progress bar at a time on stderr; nothing when quiet."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def start(self, total: int, label: str) -> Callable[[int], None] | None:
        self.close()
        if not self.enabled or total <= 0:
            return None
        self._bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                      show_pos=True, show_eta=True)
        self._bar.__enter__()
        return self._bar.update

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def common_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--quiet``, ``--verbose`` and ``--log-file``, shared by the commands."""
    f = click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also write every message, with times, to this file.")(f)
    f = click.option("-v", "--verbose", is_flag=True, help="More detail: one line per document.")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")(f)
    return f
