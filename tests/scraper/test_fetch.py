"""The fetcher alone: politeness per host, retries, limits."""

from __future__ import annotations

import asyncio
import time

import pytest

from fixtures.portal import Page, Portal, PortalServer
from nianbao.scraper.fetch import Fetcher, FetchSettings, retry_after_seconds


def _portal(n: int = 6, prefix: str = "/p") -> Portal:
    p = Portal()
    for i in range(n):
        p.add(f"{prefix}{i}.html", Page(f"<html>页面{i}</html>".encode()))
    return p


async def _fetch_all(fetcher: Fetcher, urls: list[str]):
    return await asyncio.gather(*(fetcher.fetch(u, lambda _u: True) for u in urls))


def test_one_request_at_a_time_per_host_with_delay():
    delay = 0.25
    a, b = _portal(), _portal()
    with PortalServer(a) as sa, PortalServer(b) as sb:
        async def go():
            async with Fetcher(FetchSettings(delay=delay, concurrency=8, obey_robots=False)) as f:
                t0 = time.monotonic()
                res = await _fetch_all(f, [f"{sa.base}/p{i}.html" for i in range(6)] +
                                       [f"{sb.base}/p{i}.html" for i in range(6)])
                return time.monotonic() - t0, res
        elapsed, res = asyncio.run(go())
    assert all(r.ok for r in res)
    for portal in (a, b):
        times = sorted(h.t for h in portal.requests())
        gaps = [t2 - t1 for t1, t2 in zip(times, times[1:])]
        assert len(times) == 6
        assert min(gaps) >= delay - 0.01, gaps
    # The two hosts were served side by side, not one after the other.
    assert elapsed < 2 * 5 * delay, elapsed
    ta = sorted(h.t for h in a.requests())
    tb = sorted(h.t for h in b.requests())
    assert tb[0] < ta[-1] and ta[0] < tb[-1]


def test_spacing_counts_retries_and_robots():
    p = _portal(2)
    p.add("/robots.txt", Page(b"User-agent: *\nDisallow: /p1.html\n", "text/plain"))
    p.add("/flaky.html", Page(b"ok", fail_first=1))
    with PortalServer(p) as s:
        async def go():
            async with Fetcher(FetchSettings(delay=0.2, backoff=0.0, obey_robots=True)) as f:
                assert await f.robots_allows(s.base + "/p0.html")
                assert not await f.robots_allows(s.base + "/p1.html")
                return await f.fetch(s.base + "/flaky.html", lambda _u: True)
        r = asyncio.run(go())
    assert r.ok and r.attempts == 2
    times = [h.t for h in p.requests()]
    assert [h.path for h in p.requests()] == ["/robots.txt", "/flaky.html", "/flaky.html"]
    assert all(t2 - t1 >= 0.19 for t1, t2 in zip(times, times[1:]))


def test_backoff_grows_and_gives_up_with_reason():
    p = Portal()
    p.add("/down.html", Page(b"x", fail_first=100, fail_status=503))
    with PortalServer(p) as s:
        async def go():
            async with Fetcher(FetchSettings(delay=0, retries=3, backoff=0.05, obey_robots=False)) as f:
                return await f.fetch(s.base + "/down.html", lambda _u: True)
        r = asyncio.run(go())
    assert not r.ok and r.error == "HTTP 503 after 4 attempts"
    t = [h.t for h in p.requests()]
    assert len(t) == 4
    gaps = [b - a for a, b in zip(t, t[1:])]
    # backoff * 2**n * [0.5, 1.5): 0.025+, 0.05+, 0.1+
    assert gaps[0] >= 0.02 and gaps[1] >= 0.045 and gaps[2] >= 0.095


def test_retry_after_too_long_gives_up_at_once():
    p = Portal()
    p.add("/busy.html", Page(b"x", retry_after_first=100, retry_after="86400"))
    with PortalServer(p) as s:
        async def go():
            async with Fetcher(FetchSettings(delay=0, obey_robots=False, max_retry_after=60)) as f:
                return await f.fetch(s.base + "/busy.html", lambda _u: True)
        r = asyncio.run(go())
    assert "Retry-After 86400s is too long" in r.error and r.attempts == 1


def test_max_body_size_and_timeout():
    p = Portal()
    p.add("/big.pdf", Page(b"%PDF" + b"0" * 5000, "application/pdf"))
    p.add("/slow.html", Page(b"x", hang=1.0))
    with PortalServer(p) as s:
        async def go():
            async with Fetcher(FetchSettings(delay=0, obey_robots=False, max_bytes=1000,
                                             timeout=0.2, retries=1, backoff=0.01)) as f:
                return (await f.fetch(s.base + "/big.pdf", lambda _u: True),
                        await f.fetch(s.base + "/slow.html", lambda _u: True))
        big, slow = asyncio.run(go())
    assert big.error == "body larger than 1000 bytes" and big.body is None
    assert slow.error == "timeout after 2 attempts"


def test_redirects_inside_and_outside_allow_and_schemes():
    p = Portal()
    p.add("/a.html", Page(status=301, headers=[("Location", "/b.html")], content_type=""))
    p.add("/b.html", Page(b"<html>b</html>"))
    p.add("/out.html", Page(status=302, headers=[("Location", "http://elsewhere.example/x")],
                            content_type=""))
    p.add("/ftp.html", Page(status=302, headers=[("Location", "ftp://127.0.0.1/x")], content_type=""))
    p.add("/loop.html", Page(status=302, headers=[("Location", "/loop2.html")], content_type=""))
    p.add("/loop2.html", Page(status=302, headers=[("Location", "/loop.html")], content_type=""))
    with PortalServer(p) as s:
        allowed = lambda u: u.startswith(s.base)  # noqa: E731

        async def go():
            async with Fetcher(FetchSettings(delay=0, obey_robots=False)) as f:
                return [await f.fetch(s.base + path, allowed)
                        for path in ("/a.html", "/out.html", "/ftp.html", "/loop.html")]
        a, out, ftp, loop = asyncio.run(go())
    assert a.ok and a.final_url == s.base + "/b.html" and a.redirects == [s.base + "/a.html"]
    assert out.error == "redirect outside allow: elsewhere.example"
    assert "non-http" in ftp.error
    assert loop.error == "redirect loop"


@pytest.mark.parametrize("value, low, high", [("5", 5, 5), ("0", 0, 0), ("soon", None, None),
                                             ("Wed, 21 Oct 2015 07:28:00 GMT", 0, 0)])
def test_retry_after_parsing(value, low, high):
    got = retry_after_seconds(value)
    if low is None:
        assert got is None
    else:
        assert low <= got <= high


def test_post_form_then_redirect_followed_with_get():
    p = Portal()
    seen: list[tuple[str, dict[str, str]]] = []

    def proxy(method: str, params: dict[str, str]) -> Page:
        seen.append((method, params))
        if params.get("columnid") != "8810":
            return Page(b"<datastore></datastore>", "text/xml")
        return Page(b"<datastore><recordset></recordset></datastore>", "text/xml")

    p.handle("/module/web/jpage/dataproxy.jsp", proxy)
    p.add("/moved.jsp", Page(status=302, headers=[("Location", "/module/web/jpage/dataproxy.jsp?x=1")],
                             content_type=""))
    with PortalServer(p) as s:
        async def go():
            async with Fetcher(FetchSettings(delay=0, obey_robots=False)) as f:
                a = await f.fetch(s.base + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3",
                                  lambda _u: True, form={"columnid": "8810", "webname": "示例"})
                b = await f.fetch(s.base + "/moved.jsp", lambda _u: True, form={"columnid": "1"})
                c = await f.fetch(s.base + "/module/web/jpage/dataproxy.jsp", lambda _u: True)
                return a, b, c
        a, b, c = asyncio.run(go())
    assert a.ok and a.method == "POST" and b"recordset" in a.read()
    assert ("Content-Type", "application/x-www-form-urlencoded") in a.request_headers
    assert seen[0] == ("POST", {"startrecord": "1", "endrecord": "3", "columnid": "8810", "webname": "示例"})
    assert b.ok and b.method == "GET" and seen[1] == ("GET", {"x": "1"})  # the hop after a POST
    assert c.method == "GET" and seen[2] == ("GET", {})
    assert [h.method for h in p.requests()] == ["POST", "POST", "GET", "GET"]
