"""WARC archive of every document fetched, safe against a process killed at any moment.

Each record is its own gzip member (warcio does that), flushed to the OS before the state
database says the document is done, and fsynced at least once a second. A new file is started by every process and whenever a
file grows past ``max_bytes``, so a torn record can only sit at the end of a file; the reader
stops there, and :func:`truncate_to` lets the crawler cut it away on the next start.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_DIR = "warc"
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a response record was written."""

    file: str
    offset: int
    length: int


class ArchiveWriter:
    """Appends request/response record pairs to rotating ``.warc.gz`` files. Thread-safe."""

    def __init__(self, data_dir: Path, *, max_bytes: int = 1 << 30, fsync_every: float = 1.0,
                 on_new_file: "Callable[[str, int], None] | None" = None) -> None:
        self.dir = Path(data_dir) / WARC_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.fsync_every = fsync_every  # seconds; 0 syncs every record, <0 never
        self._synced_at = time.monotonic()
        self.on_new_file = on_new_file
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._name = ""
        self._writer: WARCWriter | None = None
        self._seq = 0
        self._stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")

    @property
    def name(self) -> str:
        return self._name

    def position(self) -> int:
        return self._file.tell() if self._file else 0

    def _open(self) -> None:
        while True:  # a name no earlier run in the same second by the same pid has used
            self._seq += 1
            self._name = f"nianbao-{self._stamp}-{os.getpid()}-{self._seq:05d}.warc.gz"
            try:
                self._file = open(self.dir / self._name, "xb")
                break
            except FileExistsError:
                continue
        self._writer = WARCWriter(self._file, gzip=True, warc_version="WARC/1.1")
        info = self._writer.create_warcinfo_record(self._name, {
            "software": "nianbao", "format": "WARC File Format 1.1",
            "description": "annual reports on government information disclosure"})
        self._writer.write_record(info)
        self._sync(force=True)
        if self.on_new_file:
            self.on_new_file(self._name, self._file.tell())

    def _sync(self, force: bool = False) -> None:
        """Hand the bytes to the OS (enough against a killed process); fsync now and then.

        fsync on every record would cost milliseconds each; a power cut can therefore lose the
        last second of records, which the crawler detects and refetches on its next start.
        """
        assert self._file is not None
        self._file.flush()
        now = time.monotonic()
        if self.fsync_every >= 0 and (force or now - self._synced_at >= self.fsync_every):
            os.fsync(self._file.fileno())
            self._synced_at = now

    def write(self, *, url: str, method_line: str, request_headers: list[tuple[str, str]],
              status: int, reason: str, response_headers: list[tuple[str, str]],
              body: IO[bytes] | None, size: int, extra: dict[str, str]) -> Stored:
        """Write a response and its request; returns where the response record starts."""
        with self._lock:
            if self._file is None or self._file.tell() >= self.max_bytes:
                self.close()
                self._open()
            assert self._writer is not None and self._file is not None
            headers = [(k, v) for k, v in response_headers if k.lower() not in _DROP_HEADERS]
            headers.append(("Content-Length", str(size)))
            http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
            payload = body if body is not None else io.BytesIO(b"")
            payload.seek(0)
            extra = {k: v for k, v in extra.items() if v}
            response = self._writer.create_warc_record(
                url, "response", payload=payload, length=size, http_headers=http,
                warc_headers_dict=extra)
            req_http = StatusAndHeaders(method_line, request_headers, is_http_request=True)
            request = self._writer.create_warc_record(
                url, "request", http_headers=req_http,
                warc_headers_dict={"WARC-Concurrent-To": response.rec_headers.get_header(
                    "WARC-Record-ID")})
            offset = self._file.tell()
            self._writer.write_record(response)
            length = self._file.tell() - offset
            self._writer.write_record(request)
            self._sync()
            return Stored(self._name, offset, length)

    def close(self) -> None:
        with_lock = self._lock.acquire(blocking=False)
        try:
            if self._file is not None:
                self._sync(force=True)
                self._file.close()
            self._file = None
            self._writer = None
        finally:
            if with_lock:
                self._lock.release()


def _members(f: IO[bytes], start: int = 0) -> Iterator[tuple[int, int, tempfile.SpooledTemporaryFile]]:
    """Complete gzip members from ``start``: (offset, length, decompressed data). Stops at a torn one."""
    f.seek(start)
    offset = start
    pending = b""
    while True:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = tempfile.SpooledTemporaryFile(max_size=1 << 20)
        consumed = 0
        data = pending
        pending = b""
        while not d.eof:
            if not data:
                data = f.read(1 << 16)
                if not data:
                    out.close()
                    return  # end of file: nothing more, or a torn member
            try:
                out.write(d.decompress(data))
            except zlib.error:
                out.close()
                return  # corrupt bytes: stop at the last good member
            consumed += len(data) - len(d.unused_data)
            data = b""
        pending = d.unused_data
        out.seek(0)
        yield offset, consumed, out
        out.close()
        offset += consumed


def iter_records(path: Path, start: int = 0) -> Iterator[tuple[int, ArcWarcRecord]]:
    """Records of one WARC file as (offset, record); a torn or corrupt tail is skipped.

    Read a record's content before advancing: the record's stream is closed afterwards.
    """
    with open(path, "rb") as f:
        for offset, _length, data in _members(f, start):
            for record in ArchiveIterator(data):
                yield offset, record


def valid_length(path: Path, start: int = 0) -> int:
    """Bytes at the start of ``path`` made of complete gzip members (from ``start``)."""
    end = start
    with open(path, "rb") as f:
        for offset, length, _data in _members(f, start):
            end = offset + length
    return end


def truncate_to(path: Path, size: int) -> int:
    """Cut ``path`` to ``size`` bytes (records never committed to state); returns bytes removed."""
    current = path.stat().st_size
    if current <= size:
        return 0
    with open(path, "r+b") as f:
        f.truncate(size)
        f.flush()
        os.fsync(f.fileno())
    return current - size


def archive_files(data_dir: Path) -> list[Path]:
    return sorted((Path(data_dir) / WARC_DIR).glob("*.warc.gz"))


@dataclass(slots=True)
class ArchivedResponse:
    url: str
    kind: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    date: str
    file: str
    offset: int


def iter_responses(data_dir: Path) -> Iterator[ArchivedResponse]:
    """Every archived response in ``data_dir`` in the order written (bodies read into memory)."""
    for path in archive_files(data_dir):
        for offset, rec in iter_records(path):
            if rec.rec_type != "response":
                continue
            http = rec.http_headers
            status = int(http.get_statuscode() or 0) if http else 0
            yield ArchivedResponse(
                url=rec.rec_headers.get_header("WARC-Target-URI") or "",
                kind=rec.rec_headers.get_header("WARC-Nianbao-Kind") or "",
                status=status, headers=list(http.headers) if http else [],
                body=rec.content_stream().read(),
                date=rec.rec_headers.get_header("WARC-Date") or "",
                file=path.name, offset=offset)


class ArchiveReadError(Exception):
    """An archived record cannot be read back (missing file, corrupt bytes, wrong record)."""


def read_response(data_dir: Path, file: str, offset: int) -> ArchivedResponse:
    """The response record that starts at ``offset`` of WARC file ``file``.

    Used to re-read one archived version (the state knows where each one is) without scanning
    the whole file; any problem with the bytes becomes :class:`ArchiveReadError`.
    """
    path = Path(data_dir) / WARC_DIR / file
    try:
        with open(path, "rb") as f:
            for start, _length, data in _members(f, offset):
                if start != offset:
                    break
                for rec in ArchiveIterator(data):
                    if rec.rec_type != "response":
                        break
                    http = rec.http_headers
                    return ArchivedResponse(
                        url=rec.rec_headers.get_header("WARC-Target-URI") or "",
                        kind=rec.rec_headers.get_header("WARC-Nianbao-Kind") or "",
                        status=int(http.get_statuscode() or 0) if http else 0,
                        headers=list(http.headers) if http else [],
                        body=rec.content_stream().read(),
                        date=rec.rec_headers.get_header("WARC-Date") or "",
                        file=file, offset=offset)
                break
    except OSError as exc:
        raise ArchiveReadError(f"{file}: {exc.strerror or exc}") from None
    except Exception as exc:  # warcio raises a variety of errors on damaged records
        raise ArchiveReadError(f"{file} at {offset}: damaged record ({exc})") from None
    raise ArchiveReadError(f"{file} at {offset}: no readable response record")
