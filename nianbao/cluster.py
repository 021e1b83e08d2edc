"""The parse stage on a Dask cluster: tasks of archive references, one writer, serial order.

The client (the ``nianbao`` process) plans tasks from the crawl state: each task is a short
list of :class:`ArchivedVersion` (WARC file + offset, never the bytes), and each worker reads
its records from the archive itself, so the data folder must be at the same path on every
worker (a shared filesystem or object-store mount). Light documents (HTML, text) go in small
batches; anything that may need a PDF reader or OCR goes alone, so one slow scanned PDF holds
up no other document. Results come back to the client, which yields them in the order of the
serial parse; :func:`nianbao.reparse.parse_archive` stores them through its one writer. It
calls the engine once per chunk of its work (a few thousand versions), so that neither process
holds the whole archive's list; a chunk's last slow document holds up the next chunk's start.

A worker that dies loses its task, which the scheduler runs again elsewhere; a task that kills
workers ``allowed-failures + 1`` times (3 on the clusters started here) comes back as
``KilledWorker``: a batch is then split into single documents, and a single document becomes
an ``error`` result with the reason. Dask is imported only here, so the serial path needs none.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.parsers.model import Report
from nianbao.reparse import Outcome, ParseFn, Problem, parse_version
from nianbao.scraper.state import ArchivedVersion, open_read_only
from nianbao.scraper.state import version_sizes as state_sizes  # this module has its own

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger("nianbao")

ALLOWED_FAILURES = 2  # worker deaths a task may cause before it is given up (3rd death: error)
LIGHT_TYPES = ("text/html", "text/plain", "application/xhtml+xml", "text/xml")
LIGHT_MAX_BYTES = 1 << 20  # a light document larger than this goes alone too
BATCH_DOCS = 32  # light documents per task at most
BATCH_BYTES = 4 << 20  # and their bytes at most
WINDOW_DOCS = 4000  # documents submitted but not yet stored: bounds the client's memory


class ClusterError(Exception):
    """The cluster cannot be started, reached, or cannot read the data folder."""


@dataclass(slots=True)
class Task:
    """One unit of work: archived versions to parse in one go on one worker."""

    versions: list[ArchivedVersion]
    heavy: bool


def parse_task(data_dir: str, versions: list[ArchivedVersion],
               parse_fn: ParseFn | None = None) -> list[tuple[int, Report, Problem | None]]:
    """Run on a worker: read each version from the archive and parse it."""
    root = Path(data_dir)
    return [(v.id, *parse_version(root, v, parse_fn)) for v in versions]


def is_light(v: ArchivedVersion, size: int | None) -> bool:
    """HTML or text of ordinary size: milliseconds to parse, safe to batch."""
    ctype = (v.content_type or "").split(";", 1)[0].strip().lower()
    path = v.url.split("?", 1)[0].lower()
    if path.endswith((".pdf", ".doc", ".docx", ".wps", ".jpg", ".jpeg", ".png", ".gif",
                      ".bmp", ".tif", ".tiff", ".xls", ".xlsx", ".ofd")):
        return False
    return ctype in LIGHT_TYPES and (size or 0) <= LIGHT_MAX_BYTES


def plan(todo: list[ArchivedVersion], sizes: dict[int, int], workers: int) -> list[Task]:
    """Tasks in ``todo`` order: heavy documents alone, light ones in batches small enough
    that every worker gets several even on a small archive (so the load balances)."""
    light = sum(1 for v in todo if is_light(v, sizes.get(v.id)))
    per_task = max(1, min(BATCH_DOCS, math.ceil(light / max(1, 4 * workers))))
    tasks: list[Task] = []
    batch: list[ArchivedVersion] = []
    held = 0
    for v in todo:
        size = sizes.get(v.id) or 0
        if not is_light(v, size):
            tasks.append(Task([v], heavy=True))
            continue
        if batch and (len(batch) >= per_task or held + size > BATCH_BYTES):
            tasks.append(Task(batch, heavy=False))
            batch, held = [], 0
        batch.append(v)
        held += size
    if batch:
        tasks.append(Task(batch, heavy=False))
    return tasks


def version_sizes(data_dir: Path, todo: list[ArchivedVersion]) -> dict[int, int]:
    """version id -> size in bytes of the versions of ``todo``, from the crawl state (to weigh
    the batches); only theirs, since the engine is called once per chunk of the archive."""
    db = open_read_only(data_dir)
    try:
        return state_sizes(db, [v.id for v in todo])
    finally:
        db.close()


def _killed_report(v: ArchivedVersion, reason: str) -> tuple[Report, Problem]:
    why = f"crashed its worker process repeatedly: {reason}"[:300]
    return Report(source=v.url, sha256=v.sha256, status="error", error=why), ("crashed", why)


def _task_failed(v: ArchivedVersion, exc: BaseException) -> tuple[Report, Problem]:
    why = f"task failed on the cluster: {exc!r}"[:300]
    return Report(source=v.url, sha256=v.sha256, status="error", error=why), ("crashed", why)


class ClusterEngine:
    """An engine for :func:`nianbao.reparse.parse_archive` that runs on a Dask client."""

    def __init__(self, client: "Client", *, parse_fn: ParseFn | None = None,
                 window: int = WINDOW_DOCS) -> None:
        self.client = client
        self.parse_fn = parse_fn
        self.window = window
        self._checked = False

    def workers(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def check(self, data_dir: Path) -> None:
        """Fail early and clearly when a worker cannot see the data folder or runs another
        parser version (its results would be stored as current and never re-parsed)."""
        from nianbao import parsers

        path = str(Path(data_dir).resolve())
        try:
            seen = self.client.run(_probe, path)
        except Exception as exc:
            raise ClusterError(f"cannot reach the Dask workers: {exc}") from None
        if not seen:
            raise ClusterError("the Dask cluster has no workers")
        for worker, (readable, version) in sorted(seen.items()):
            if not readable:
                raise ClusterError(f"worker {worker} cannot read {path}/warc: the data folder "
                                   "must be at the same path on every worker (a shared mount)")
            if version != parsers.PARSER_VERSION:
                raise ClusterError(f"worker {worker} runs parser {version}, this process "
                                   f"{parsers.PARSER_VERSION}: install the same nianbao on both")
        self._checked = True

    def __call__(self, data_dir: Path, todo: list[ArchivedVersion]) -> Iterator[Outcome]:
        if not todo:
            return
        if not self._checked:
            self.check(data_dir)
        yield from self._run(str(Path(data_dir).resolve()), todo,
                             plan(todo, version_sizes(data_dir, todo), self.workers()))

    def _run(self, data_dir: str, todo: list[ArchivedVersion],
             tasks: list[Task]) -> Iterator[Outcome]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        order = [v.id for v in todo]
        by_id = {v.id: v for v in todo}
        done: dict[int, tuple[Report, Problem | None]] = {}
        queue = list(reversed(tasks))  # popped from the end: submission in plan order
        futures: dict[Any, Task] = {}
        waiting = as_completed()
        in_flight = 0  # documents submitted and not yet yielded
        next_out = 0

        def submit(task: Task) -> None:
            nonlocal in_flight
            fut = self.client.submit(parse_task, data_dir, task.versions, self.parse_fn,
                                     pure=False, key=f"nianbao-parse-{task.versions[0].id}-"
                                     f"{len(task.versions)}-{os.urandom(4).hex()}")
            futures[fut] = task
            waiting.add(fut)
            in_flight += len(task.versions)

        def fill() -> None:
            while queue and (in_flight < self.window or not futures):
                submit(queue.pop())

        fill()
        try:
            for fut in waiting:
                task = futures.pop(fut)
                try:
                    for vid, report, problem in fut.result():
                        done[vid] = (report, problem)
                except KilledWorker as exc:
                    in_flight -= len(task.versions)
                    if len(task.versions) > 1:  # find the one that kills: each alone
                        log.debug("a batch killed its workers; running its %d documents alone",
                                  len(task.versions))
                        for v in reversed(task.versions):
                            queue.append(Task([v], heavy=True))
                    else:
                        v = task.versions[0]
                        log.debug("%s killed its worker: %s", v.url, exc)
                        done[v.id] = _killed_report(v, str(exc))
                        in_flight += 1
                except Exception as exc:  # noqa: BLE001 - the environment, not a document
                    if not _is_task_error(exc):
                        raise ClusterError(f"lost the Dask cluster: {exc!r}") from None
                    for v in task.versions:
                        done[v.id] = _task_failed(v, exc)
                fut.release()
                while next_out < len(order) and order[next_out] in done:
                    vid = order[next_out]
                    report, problem = done.pop(vid)
                    next_out += 1
                    in_flight -= 1
                    yield by_id[vid], report, problem
                fill()
        finally:
            for fut in futures:
                fut.cancel()
        if next_out != len(order):  # pragma: no cover - every task answers or raises
            raise ClusterError(f"the cluster returned {next_out} of {len(order)} results")


def _is_task_error(exc: BaseException) -> bool:
    """An exception raised by the task itself (reported per document), not a lost cluster."""
    from asyncio import CancelledError as AsyncCancelled
    from concurrent.futures import CancelledError

    return not isinstance(exc, (CancelledError, AsyncCancelled, OSError, TimeoutError))


def _probe(path: str) -> tuple[bool, str]:
    """Run on each worker: can it read the archive, and which parser does it run?"""
    from nianbao import parsers

    return os.access(os.path.join(path, "warc"), os.R_OK | os.X_OK), parsers.PARSER_VERSION


@contextmanager
def connect(workers: int | None = None, scheduler: str | None = None) -> Iterator["Client"]:
    """A client: on ``workers`` local processes (a LocalCluster started and stopped here), or
    on the existing cluster at ``scheduler``."""
    import dask

    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - a declared dependency
        raise ClusterError("--workers/--scheduler need dask[distributed]: "
                           "pip install 'dask[distributed]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="15s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    # saturation 1.0: a worker holds only the task it runs, so that a worker killed by one
    # document does not count against a bystander task queued on it
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                          "distributed.scheduler.worker-saturation": 1.0,
                          "distributed.worker.daemon": False,
                          "distributed.admin.system-monitor.gil.enabled": False,
                          # Dask's default MALLOC_TRIM_THRESHOLD_/OMP_NUM_THREADS made PDF
                          # parsing ~1.5x slower in a worker than in this process
                          "distributed.nanny.pre-spawn-environ": {},
                          "logging.distributed": "error"}):
        try:
            with warnings.catch_warnings():  # "port in use, using another": not for users
                warnings.simplefilter("ignore")
                cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.CRITICAL)
        except Exception as exc:  # ports, forking, memory: one clear line
            raise ClusterError(f"cannot start a local Dask cluster: {exc}") from None
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
