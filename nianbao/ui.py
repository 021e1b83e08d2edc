"""How the commands talk: logging (stderr and an optional log file), progress bars, signals.

``--quiet`` leaves warnings and errors only, ``--verbose`` adds one line per document, and
``--log-file`` keeps everything, with times, whatever the terminal shows. Every message goes
through the ``nianbao`` logger, so that the log file misses none; a record logged with
``extra=STDOUT`` goes to standard output (results), the others to standard error.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

log = logging.getLogger("nianbao")
STDOUT = {"stdout": True}
_bar_shown = False  # a progress bar is on the last line of the terminal


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 document``, ``2 documents`` (``many`` when the plural is not ``word + s``)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


class _Echo(logging.Handler):
    """Log records on stderr (or stdout) through click (plain text, no logger noise)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
            if record.levelno >= logging.ERROR:
                msg = f"error: {msg}"
            elif record.levelno >= logging.WARNING:
                msg = f"warning: {msg}"
            if _bar_shown:  # the bar is redrawn below the message at its next step
                click.echo("\r\x1b[K", err=True, nl=False)
            click.echo(msg, err=not getattr(record, "stdout", False))
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
    """One progress bar at a time on stderr, only when it is a terminal; nothing when quiet."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and _is_tty(sys.stderr)
        self._bar: Any = None

    def start(self, total: int, label: str) -> Callable[[int], None] | None:
        global _bar_shown
        self.close()
        if not self.enabled or total <= 0:
            return None
        self._bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                      show_pos=True, show_eta=True)
        self._bar.__enter__()
        _bar_shown = True
        return self._bar.update

    def clear(self) -> None:
        """Take the bar off its line, so that a message is printed on a clean line; the bar is
        drawn again at its next step."""
        if self._bar is not None:
            click.echo("\r\x1b[K", err=True, nl=False)

    def close(self) -> None:
        global _bar_shown
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            _bar_shown = False


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the command as Ctrl-C does (state saved, exit 130, no traceback).

    Inside the crawl's event loop, :func:`nianbao.scraper.command.run_crawler` cancels the
    main task instead, and puts this handler back when the loop ends.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread (tests running commands in threads)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def common_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--quiet``, ``--verbose`` and ``--log-file``, shared by the commands."""
    f = click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also write every message, with times, to this file.")(f)
    f = click.option("-v", "--verbose", is_flag=True, help="More detail: one line per document.")(f)
    f = click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")(f)
    return f
