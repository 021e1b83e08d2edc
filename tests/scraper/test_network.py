"""No network, said plainly: names that do not resolve, ports that refuse, and the difference
with one host down among others that answer.

Nothing here needs the machine's resolver: ``socket.getaddrinfo`` is replaced for names under
the reserved ``.invalid`` TLD (they fail at once, as a resolver says NXDOMAIN), and counted.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from fixtures.portal import Page, Portal, PortalServer
from nianbao.cli import main
from nianbao.scraper.fetch import Fetcher, FetchSettings
from nianbao.scraper.network import DNS, REFUSED, NetworkWatch, connect_failure

INVALID = [f"www.{c}.invalid" for c in "abcde"]


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Names under .invalid fail to resolve at once; every lookup is counted by host."""
    real = socket.getaddrinfo
    asked: Counter = Counter()

    def fake(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else str(host)
        asked[name] += 1
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening: connecting is refused."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    try:
        yield s.getsockname()[1]
    finally:
        s.close()


def _sources(path: Path, starts: list[str]) -> Path:
    path.write_text("sources:\n" + "".join(
        f"  - name: 来源{i}\n    start: \"{u}\"\n" for i, u in enumerate(starts, 1)),
        encoding="utf-8")
    return path


def test_connect_failure_reasons() -> None:
    dns = httpx.ConnectError("[Errno -2] Name or service not known")
    dns.__cause__ = socket.gaierror(-2, "Name or service not known")
    refused = httpx.ConnectError("All connection attempts failed")
    refused.__cause__ = ConnectionRefusedError(111, "Connect call failed")
    assert connect_failure(dns) == DNS
    assert connect_failure(refused) == REFUSED
    assert connect_failure(httpx.ConnectTimeout("x")) == "timeout"
    assert connect_failure(httpx.ReadTimeout("x")) is None  # connected: the host is there
    assert connect_failure(httpx.RemoteProtocolError("x")) is None


def test_verdict_needs_every_host_or_many_unresolved_names_and_no_answer() -> None:
    w = NetworkWatch(expected_hosts=3)
    w.fail("a", REFUSED)
    w.fail("b", DNS)
    assert not w.offline()
    w.fail("c", REFUSED)
    assert w.offline() and "connection refused for 2 hosts" in w.describe()
    w.answer("d")  # one host answered: the network is there, whatever failed
    assert not w.offline() and not w.offline(finished=True)
    many = NetworkWatch(expected_hosts=80)
    for i in range(7):
        many.fail(f"h{i}", DNS)
    assert not many.offline()
    many.fail("h7", DNS)  # eight real names that do not resolve: no network, say it early
    assert many.offline() and "DNS resolution failed for 8 hosts" in many.describe()


def test_fetcher_asks_an_unresolved_name_once_and_does_not_retry() -> None:
    calls: Counter = Counter()

    def handler(request: httpx.Request) -> httpx.Response:
        calls[request.url.host] += 1
        exc = httpx.ConnectError("[Errno -2] Name or service not known", request=request)
        exc.__cause__ = socket.gaierror(-2, "Name or service not known")
        raise exc

    async def go():  # type: ignore[no-untyped-def]
        async with Fetcher(FetchSettings(delay=0, retries=3, backoff=0.01),
                           transport=httpx.MockTransport(handler)) as f:
            first = await f.fetch("http://www.a.invalid/x.html", lambda _u: True)
            again = await f.fetch("http://www.a.invalid/y.html", lambda _u: True)
            return first, again, f.network
    first, again, network = asyncio.run(go())
    # robots.txt was the one lookup; neither page asked again, nothing was retried
    assert calls == {"www.a.invalid": 1}
    assert first.error == DNS and again.error == DNS and first.attempts <= 1
    assert network.unresolved == {"www.a.invalid"} and network.offline()


def test_run_without_network_says_so_in_one_line_and_stops(tmp_path: Path, lookups: Counter,
                                                           refused_port: int) -> None:
    starts = [f"http://{h}/xxgk/" for h in INVALID] + [f"http://127.0.0.1:{refused_port}/x/"]
    sources = _sources(tmp_path / "s.yaml", starts)
    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data", str(data),
                                       "--delay", "0"])
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    no_network = [ln for ln in lines if "no network:" in ln]
    assert len(no_network) == 1, out
    assert "DNS resolution failed for 5 hosts" in no_network[0]
    assert f"connection refused for 1 host (127.0.0.1:{refused_port})" in no_network[0]
    assert len(lines) <= 4, out  # not one line per source, twice
    assert "source failed" not in out and "[1/6]" not in out and "exported" not in out
    # each name was asked once (robots.txt); the pages were not retried
    assert {h: lookups[h] for h in INVALID} == {h: 1 for h in INVALID}
    with sqlite3.connect(data / "state.sqlite") as db:
        rows = db.execute("SELECT url, error, attempts FROM documents").fetchall()
        runs = db.execute("SELECT finished, interrupted FROM runs").fetchall()
    dns_rows = [r for r in rows if ".invalid" in r[0]]
    assert len(dns_rows) == 5 and all(r[1] == DNS and r[2] <= 1 for r in dns_rows), rows
    assert runs == [(None, 1)]  # left open: the next run resumes and tries them again
    again = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data", str(data),
                                      "--delay", "0"])
    assert again.exit_code == 1 and "(resumed)" in again.output
    assert {h: lookups[h] for h in INVALID} == {h: 2 for h in INVALID}


def test_crawl_without_network_exits_1_with_the_line(tmp_path: Path, lookups: Counter) -> None:
    sources = _sources(tmp_path / "s.yaml", [f"https://{h}/" for h in INVALID[:2]])
    result = CliRunner().invoke(main, ["crawl", "--sources", str(sources),
                                       "--data", str(tmp_path / "d"), "--delay", "0"])
    assert result.exit_code == 1, result.output
    assert result.output.count("no network: DNS resolution failed for 2 hosts") == 1
    assert "source failed" not in result.output


def test_one_host_down_among_working_ones_is_not_no_network(tmp_path: Path, lookups: Counter,
                                                             refused_port: int) -> None:
    portal = Portal()
    portal.add("/xxgk/ndbg/index.html", Page("<html><body><ul><li><a href='a.html'>示例市"
                                             "2023年政府信息公开工作年度报告</a></li></ul>"
                                             "</body></html>".encode()))
    portal.add("/xxgk/ndbg/a.html", Page("<html><body>报告</body></html>".encode()))
    with PortalServer(portal) as server:
        sources = _sources(tmp_path / "s.yaml", [f"{server.base}/xxgk/ndbg/index.html",
                                                 f"http://127.0.0.1:{refused_port}/x/",
                                                 "http://www.a.invalid/"])
        result = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data",
                                           str(tmp_path / "d"), "--delay", "0", "--retries", "1",
                                           "--format", "csv"])
    out = result.output
    assert result.exit_code == 1, out
    assert "no network" not in out
    assert "source failed: 来源2: failed: connection refused after 2 attempts" in out
    assert "source failed: 来源3: failed: DNS resolution failed" in out
    assert "exported 1 report" in out


def test_a_host_that_answered_before_is_retried_after_a_dns_hiccup() -> None:
    w = NetworkWatch(expected_hosts=1)
    w.answer("a.example")
    w.fail("a.example", DNS)
    assert "a.example" not in w.unresolved and not w.offline(finished=True)
