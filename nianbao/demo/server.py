"""A tiny threaded HTTP server for made-up portals, on 127.0.0.1 and an ephemeral port.

Used by `nianbao demo` and by the tests' fixture portal (fixtures/portal imports it from here).

Routes are plain data (:class:`Page`) with a few behaviours a real portal shows: failures,
Retry-After, hangs, connection resets, truncated bodies, redirects, conditional requests.
Every request is logged so tests can measure spacing and count fetches.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

LAST_MODIFIED = "Wed, 15 Jan 2020 08:00:00 GMT"


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    validators: bool = True  # send ETag/Last-Modified and answer 304 to matching requests
    fail_first: int = 0  # answer 500 to the first N requests
    fail_status: int = 500
    retry_after_first: int = 0  # answer 429 with Retry-After to the first N requests
    retry_after: str = "1"
    reset_first: int = 0  # drop the connection (RST) on the first N requests; -1: always
    hang: float = 0.0  # sleep this long before answering
    truncate: bool = False  # announce more bytes than are sent, then close
    slow: float = 0.0  # sleep this long before answering (every request)


@dataclass
class Hit:
    t: float
    path: str
    status: int
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


# A handler answers every request to one path (query ignored) from its parameters: those of the
# query string and, for a POST, of the form body.
Handler = Callable[[str, dict[str, str]], "Page | None"]


class Portal:
    """Routes by path (with query), handlers by path, and an optional function for generated sites."""

    def __init__(self) -> None:
        self.routes: dict[str, Page] = {}
        self.handlers: dict[str, Handler] = {}
        self.dynamic: Callable[[str], Page | None] | None = None
        self.log: list[Hit] = []
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.log_enabled = True

    def add(self, path: str, page: Page) -> None:
        self.routes[path] = page

    def handle(self, path: str, handler: Handler) -> None:
        """Answer requests to ``path`` (any query) with ``handler(method, params)``."""
        self.handlers[path] = handler

    def lookup(self, path: str, method: str = "GET", form: bytes = b"") -> Page | None:
        parts = urlsplit(path)
        handler = self.handlers.get(parts.path)
        if handler is not None:
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            params.update(parse_qsl(form.decode("utf-8", "replace"), keep_blank_values=True))
            return handler(method, params)
        page = self.routes.get(path)
        if page is None and self.dynamic is not None:
            page = self.dynamic(path)
        return page

    def requests(self, path_prefix: str = "") -> list[Hit]:
        with self.lock:
            return [h for h in self.log if h.path.startswith(path_prefix)]


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FixturePortal/1.0"
    portal: Portal
    form: bytes = b""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _log(self, status: int) -> None:
        p = self.portal
        if p.log_enabled:
            with p.lock:
                p.log.append(Hit(time.monotonic(), self.path, status, dict(self.headers.items()),
                                 self.command, self.form))

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        length = self.headers.get("Content-Length", "0")
        self.form = self.rfile.read(int(length)) if length.isdigit() else b""
        self._serve()

    def do_GET(self) -> None:  # noqa: N802
        self.form = b""
        self._serve()

    def _serve(self) -> None:
        p = self.portal
        path = self.path
        if path.startswith("http://") or path.startswith("https://"):
            parts = urlsplit(path)
            path = parts.path + ("?" + parts.query if parts.query else "")
        page = p.lookup(path, self.command, self.form)
        with p.lock:
            p.hits[path] += 1
            n = p.hits[path]
        if page is None:
            self._log(404)
            self._send(404, b"<html><body>404 Not Found</body></html>",
                       [("Content-Type", "text/html; charset=utf-8")])
            return
        if page.hang:
            self._log(0)
            time.sleep(page.hang)
            self.close_connection = True
            return
        if page.slow:
            time.sleep(page.slow)
        if page.reset_first and (page.reset_first < 0 or n <= page.reset_first):
            self._log(-1)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if n <= page.fail_first:
            self._log(page.fail_status)
            self._send(page.fail_status, b"<html><body>Internal Server Error</body></html>",
                       [("Content-Type", "text/html")])
            return
        if n <= page.retry_after_first:
            self._log(429)
            self._send(429, b"Too Many Requests", [("Retry-After", page.retry_after),
                                                    ("Content-Type", "text/plain")])
            return
        headers = list(page.headers)
        if page.content_type:
            headers.append(("Content-Type", page.content_type))
        if page.status == 200 and page.validators:
            etag = _etag(page.body)
            headers += [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm and inm == etag) or (not inm and ims == LAST_MODIFIED):
                self._log(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        if page.truncate:
            self._log(page.status)
            self.send_response(page.status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(page.body) + 500))
            self.end_headers()
            self.wfile.write(page.body[: len(page.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._log(page.status)
        self._send(page.status, page.body, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class PortalServer:
    """Serve a :class:`Portal` from a background thread; use as a context manager."""

    def __init__(self, portal: Portal, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"portal": portal})
        self.portal = portal
        self.httpd = _Server((host, port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "PortalServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "PortalServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
