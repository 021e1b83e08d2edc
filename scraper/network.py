"""Is the network there at all? Connection-level failures per host, and the verdict "no network".

A crawl of many government sites sees dead hosts all the time; that is not "no network". No
network is when no host has answered anything (not even an error page) and the hosts tried
have all failed before HTTP: their names did not resolve, or nothing could be connected to.
Names that do not resolve are remembered for the run, so that a host is asked for once (unless
the host answered earlier in the run: then it is a passing resolver hiccup, retried as usual).
"""

from __future__ import annotations

import concurrent.futures
import errno
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx

DNS = "DNS resolution failed"
REFUSED = "connection refused"
UNREACHABLE = "network unreachable"
CONNECT_FAILED = "connection failed"
CONNECT_TIMEOUT = "timeout"
# Hosts that must have failed, with no host answering, before the crawl is called offline
# while it is still running (it is always called offline at the end when every host failed).
EARLY_VERDICT_HOSTS = 8
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def connect_failure(exc: BaseException) -> str | None:
    """The reason when ``exc`` failed before any byte of HTTP (DNS, refused, unreachable,
    connect timeout); None for failures after connecting (reset, read timeout, protocol)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return CONNECT_TIMEOUT
    if not isinstance(exc, (httpx.ConnectError, OSError)):
        return None
    for e in _chain(exc):
        if isinstance(e, socket.gaierror):
            return DNS
        if isinstance(e, ConnectionRefusedError):
            return REFUSED
        if isinstance(e, OSError) and e.errno in _UNREACHABLE:
            return UNREACHABLE
    text = str(exc).lower()
    if "name or service not known" in text or "name resolution" in text \
            or "nodename nor servname" in text or "getaddrinfo" in text:
        return DNS
    return CONNECT_FAILED if isinstance(exc, httpx.ConnectError) else None


class NetworkWatch:
    """What the hosts of one crawl did at connection level; ``on_change`` hears the verdicts."""

    def __init__(self, expected_hosts: int = 0) -> None:
        self.expected_hosts = expected_hosts  # distinct start hosts of the crawl
        self.answered: set[str] = set()
        self.failed: dict[str, str] = {}  # host -> reason of its first connection failure
        self.unresolved: set[str] = set()
        self.on_change: Callable[[str], None] | None = None  # "answered" or "offline"
        self._offline_said = False

    def answer(self, host: str) -> None:
        """Some HTTP response came from ``host``: the network works."""
        first = not self.answered
        self.answered.add(host)
        self.failed.pop(host, None)
        if first and self.on_change:
            self.on_change("answered")

    def fail(self, host: str, reason: str) -> None:
        """``host`` could not be reached (``reason`` from :func:`connect_failure`)."""
        if host in self.answered:  # it resolved before in this run: a passing resolver hiccup
            return
        if reason == DNS:
            self.unresolved.add(host)
        self.failed.setdefault(host, reason)
        if self.offline() and not self._offline_said:
            self._offline_said = True
            if self.on_change:
                self.on_change("offline")

    def offline(self, finished: bool = False) -> bool:
        """No host answered and enough hosts failed: all the crawl's hosts (``finished``: all
        those tried), or, while running, :data:`EARLY_VERDICT_HOSTS` whose names did not
        resolve (real names not resolving is the strong sign)."""
        if self.answered or not self.failed:
            return False
        if finished or len(self.failed) >= max(1, self.expected_hosts):
            return True
        dns = sum(1 for r in self.failed.values() if r == DNS)
        return dns >= min(EARLY_VERDICT_HOSTS, max(1, self.expected_hosts))

    def describe(self, shown: int = 3) -> str:
        """One line: what failed for how many hosts, a few of them named."""
        by_reason: dict[str, list[str]] = {}
        for host, reason in self.failed.items():
            by_reason.setdefault(reason, []).append(host)
        parts = []
        for reason, hosts in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
            names = ", ".join(sorted(hosts)[:shown]) + (", …" if len(hosts) > shown else "")
            what = "DNS resolution failed" if reason == DNS else reason
            n = len(hosts)
            parts.append(f"{what} for {n} host{'' if n == 1 else 's'} ({names})")
        tried = len(self.failed)
        rest = f" (stopped after {tried} of {self.expected_hosts} hosts)" \
            if self.expected_hosts > tried else ""
        return "; ".join(parts) + "; no host answered" + rest



class DaemonResolverPool(concurrent.futures.ThreadPoolExecutor):
    """The event loop's executor, which runs ``getaddrinfo``: each call in a daemon thread, so
    that a crawl stopped for "no network" (or Ctrl-C) does not wait at exit for name lookups
    a slow resolver takes seconds to fail."""

    def __init__(self, max_workers: int = 16) -> None:
        super().__init__(max_workers=1)
        self._slots = threading.BoundedSemaphore(max_workers)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
               ) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()

        def work() -> None:
            with self._slots:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:  # handed to the awaiting coroutine
                    future.set_exception(exc)

        threading.Thread(target=work, daemon=True, name="nianbao-resolver").start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=cancel_futures)
