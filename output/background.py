"""Streamed chunks written on a second thread while the next chunk is built.

Arrow's CSV and Parquet writers release the GIL, and so do most of the numpy and Arrow kernels
that build a chunk, so with two cores the writing of one chunk and the building of the next
overlap. At most ``depth`` chunks wait to be written: memory stays bounded by the chunk size.
The thread's error (a full disk, say) is raised in the caller, at its next ``put`` or at
``close``, with its own type and traceback.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_END = object()


class Background(Generic[T]):
    """``write(item)`` for each ``put(item)``, in order, on one thread of its own."""

    def __init__(self, write: Callable[[T], None], depth: int = 1) -> None:
        self._write = write
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="nianbao-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            if self._error is not None or self._cancelled:
                continue  # keep taking items, so that a blocked put returns
            try:
                self._write(item)  # type: ignore[arg-type]
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def put(self, item: T) -> None:
        """Queue ``item`` (waits while ``depth`` items are queued); raises an earlier error."""
        self._raise()
        self._queue.put(item)

    def close(self) -> None:
        """Wait until every item is written; raises the error of any that failed."""
        self._stop()
        self._raise()

    def cancel(self) -> None:
        """Drop the items not yet written and wait for the one being written (on abort)."""
        self._cancelled = True
        self._stop()
        self._error = None

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
