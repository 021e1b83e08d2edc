"""Polite HTTP fetching: robots.txt, one request at a time per host, retries, size limits.

Bodies are streamed to a spooled temporary file (memory up to 1 MB, then disk) and hashed
on the way, so that neither a big PDF nor a long crawl makes memory grow.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import random
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib import robotparser
from urllib.parse import urlsplit

import httpx

from nianbao.scraper import blocked
from nianbao.scraper.network import DNS, NetworkWatch, connect_failure
from nianbao.scraper.urls import host_of, normalize

try:
    from nianbao import __version__ as _VERSION
except ImportError:  # pragma: no cover
    _VERSION = "0"

USER_AGENT = f"nianbao/{_VERSION} (+https://github.com/nianbao/nianbao)"
ROBOTS_AGENT = "nianbao"
REDIRECTS = (301, 302, 303, 307, 308)
_SPOOL = 1 << 20
_HEAD = 16384
_ROBOTS_MAX = 512 * 1024
_timeout = getattr(asyncio, "timeout", None)


@dataclass(slots=True)
class FetchSettings:
    delay: float = 1.0
    concurrency: int = 16
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 600.0
    max_bytes: int = 100 * 1024 * 1024
    max_redirects: int = 10
    user_agent: str = USER_AGENT
    obey_robots: bool = True


@dataclass(slots=True)
class Response:
    """The outcome of fetching one URL, following redirects; ``error`` or ``blocked`` if it failed."""

    url: str
    final_url: str
    status: int | None = None
    method: str = "GET"
    http_version: str = "HTTP/1.1"
    reason_phrase: str = ""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    body: tempfile.SpooledTemporaryFile | None = None
    size: int = 0
    sha256: str | None = None
    head: bytes = b""
    error: str | None = None
    blocked: str | None = None
    attempts: int = 0
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.blocked is None and self.status is not None \
            and 200 <= self.status < 300

    def read(self) -> bytes:
        if self.body is None:
            return b""
        self.body.seek(0)
        return self.body.read()

    def close(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None


class _TooLarge(Exception):
    pass


class HostGate:
    """One request at a time per host, ``delay`` seconds apart (end of one to start of next)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay: float) -> None:
        """A host-specific minimum (robots.txt Crawl-delay), never below the global delay."""
        self._delays[host] = max(self.delay, delay)

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (Retry-After, backoff)."""
        loop = asyncio.get_running_loop()
        self._next[host] = max(self._next.get(host, 0.0), loop.time() + seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(host, asyncio.Lock())
        loop = asyncio.get_running_loop()
        async with lock:
            while (wait := self._next.get(host, 0.0) - loop.time()) > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._next[host] = max(self._next.get(host, 0.0),
                                       loop.time() + self._delays.get(host, self.delay))


def retry_after_seconds(value: str | None) -> float | None:
    """Parse Retry-After: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _transport_reason(exc: Exception) -> str:
    connect = connect_failure(exc)
    if connect is not None:
        return connect
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return "timeout"
    if isinstance(exc, httpx.RemoteProtocolError):
        msg = str(exc).lower()
        if "incomplete" in msg or "complete message body" in msg or "received" in msg:
            return "truncated body"
        return "protocol error"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return "connection reset"
    if isinstance(exc, httpx.DecodingError):
        return "bad content encoding"
    return type(exc).__name__


class Fetcher:
    """An httpx client with politeness, retries and robots.txt; use as an async context manager."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None,
                 network: NetworkWatch | None = None):
        self.s = settings
        self.network = network or NetworkWatch()
        self.gate = HostGate(settings.delay)
        self._sem = asyncio.Semaphore(max(1, settings.concurrency))
        self._robots: dict[str, asyncio.Future[robotparser.RobotFileParser | None]] = {}
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept": "*/*",
                     "Accept-Language": "zh-CN,zh;q=0.9"},
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=max(1, settings.concurrency) * 2,
                                max_keepalive_connections=max(1, settings.concurrency) * 2),
            follow_redirects=False, transport=transport)

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # robots.txt -------------------------------------------------------------------------
    async def _load_robots(self, url: str) -> robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        host = host_of(url)
        if host in self.network.unresolved:
            return None
        try:
            async with self.gate.slot(host), self._sem:
                r = await asyncio.wait_for(
                    self._client.get(robots_url, follow_redirects=True), self.s.timeout * 2)
        except (httpx.HTTPError, asyncio.TimeoutError, OSError) as exc:
            reason = connect_failure(exc)
            if reason is not None:
                self.network.fail(host, reason)
            return None  # unreachable robots.txt: the pages themselves will tell
        self.network.answer(host)
        if r.status_code >= 400 or len(r.content) > _ROBOTS_MAX:
            return None  # RFC 9309: 4xx means no rules; 5xx is treated the same on gov sites
        parser = robotparser.RobotFileParser()
        parser.parse(r.content.decode("utf-8", "replace").splitlines())
        delay = parser.crawl_delay(ROBOTS_AGENT)
        if delay:
            self.gate.set_delay(host, min(float(delay), 60.0))
        return parser

    async def robots_allows(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets nianbao fetch it (fetched once per host)."""
        if not self.s.obey_robots:
            return True
        key = host_of(url) + "|" + urlsplit(url).scheme
        fut = self._robots.get(key)
        if fut is None:
            fut = asyncio.get_running_loop().create_future()
            self._robots[key] = fut
            try:
                fut.set_result(await self._load_robots(url))
            except BaseException:
                fut.set_result(None)
                raise
        parser = await fut
        return parser is None or parser.can_fetch(ROBOTS_AGENT, url)

    # one request ----------------------------------------------------------------------
    async def _once(self, url: str, headers: dict[str, str], resp: Response,
                    form: dict[str, str] | None = None) -> None:
        """One GET (a POST when ``form`` is given): status and headers into ``resp``, the body
        into a spooled file."""
        resp.method = "POST" if form else "GET"
        async with self._client.stream(resp.method, url, headers=headers, data=form) as r:
            resp.status = r.status_code
            resp.reason_phrase = r.reason_phrase
            resp.http_version = r.http_version
            resp.headers = r.headers
            resp.request_headers = [(k.decode("latin-1"), v.decode("latin-1"))
                                   for k, v in r.request.headers.raw]
            length = r.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.s.max_bytes:
                raise _TooLarge()
            spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
            digest = hashlib.sha256()
            size = 0
            head = bytearray()
            try:
                async for chunk in r.aiter_bytes():
                    size += len(chunk)
                    if size > self.s.max_bytes:
                        raise _TooLarge()
                    digest.update(chunk)
                    spool.write(chunk)
                    if len(head) < _HEAD:
                        head += chunk[:_HEAD - len(head)]
            except BaseException:
                spool.close()
                raise
            resp.body, resp.size, resp.sha256, resp.head = spool, size, digest.hexdigest(), bytes(head)

    async def _attempts(self, url: str, headers: dict[str, str],
                        form: dict[str, str] | None = None) -> Response:
        """GET one URL (no redirects) with retries and backoff; never raises for HTTP trouble."""
        host = host_of(url)
        resp = Response(url=url, final_url=url)
        if host in self.network.unresolved:  # asked once per run; the answer will not change
            resp.error = DNS
            return resp
        for attempt in range(self.s.retries + 1):
            resp.close()
            resp.error = None
            resp.status = None
            resp.attempts += 1
            retry_after: float | None = None
            try:
                async with self.gate.slot(host), self._sem:
                    if _timeout is not None:  # Python 3.11+: no extra task per request
                        async with _timeout(self.s.timeout * 10):
                            await self._once(url, headers, resp, form)
                    else:
                        await asyncio.wait_for(self._once(url, headers, resp, form),
                                               self.s.timeout * 10)
            except _TooLarge:
                resp.close()
                resp.error = f"body larger than {self.s.max_bytes} bytes"
                return resp
            except (httpx.RequestError, asyncio.TimeoutError, OSError) as exc:
                resp.close()
                resp.error = _transport_reason(exc)
                reason = connect_failure(exc)
                if reason is not None:
                    self.network.fail(host, reason)
                if host in self.network.unresolved:  # a name that does not resolve: no retry
                    return resp
            else:
                self.network.answer(host)
                reason = blocked.detect(resp.status or 0, resp.headers, resp.head, url=url,
                                        location=self._location(url, resp))
                if reason:
                    resp.blocked = reason
                    return resp
                if resp.status == 429 or (resp.status or 0) >= 500:
                    resp.error = f"HTTP {resp.status}"
                    retry_after = retry_after_seconds(resp.headers.get("retry-after"))
                else:
                    return resp
            if attempt >= self.s.retries:
                break
            wait = self.s.backoff * (2 ** attempt) * (0.5 + random.random())
            if retry_after is not None:
                if retry_after > self.s.max_retry_after:
                    resp.error += f" (Retry-After {retry_after:.0f}s is too long)"
                    break
                wait = max(wait, retry_after)
            self.gate.defer(host, wait)
        resp.error = f"{resp.error} after {resp.attempts} attempt{'' if resp.attempts == 1 else 's'}"
        return resp

    @staticmethod
    def _location(url: str, resp: Response) -> str | None:
        if resp.status in REDIRECTS and "location" in resp.headers:
            return normalize(resp.headers["location"], url)
        return None

    async def fetch(self, url: str, allowed: Callable[[str], bool], *, etag: str | None = None,
                    last_modified: str | None = None, form: dict[str, str] | None = None
                    ) -> Response:
        """GET ``url`` following redirects that stay inside ``allowed``; conditional if validators.

        With ``form`` the first request is a POST of that form data (Hanweb ``dataproxy.jsp``);
        redirects after it are followed with GET.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        chain = [url]
        current = url
        while True:
            resp = await self._attempts(current, headers, form if current == url else None)
            resp.url = url
            resp.final_url = current
            resp.redirects = chain[:-1]
            if resp.error or resp.blocked or resp.status not in REDIRECTS:
                return resp
            target = self._location(current, resp)
            resp.close()
            if target is None:
                raw = resp.headers.get("location")
                resp.error = "redirect without a usable Location" if not raw else \
                    f"redirect to a non-http(s) URL: {raw[:100]}"
                return resp
            if not allowed(target):
                resp.error = f"redirect outside allow: {host_of(target)}"
                return resp
            if target in chain:
                resp.error = "redirect loop"
                return resp
            if len(chain) > self.s.max_redirects:
                resp.error = "too many redirects"
                return resp
            if not await self.robots_allows(target):
                resp.error = "robots.txt disallows redirect target"
                return resp
            chain.append(target)
            current = target
