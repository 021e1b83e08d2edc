"""Discovery never loops: endless 下一页 chains and huge announced page counts stop."""

from __future__ import annotations

import asyncio
import re

from fixtures.portal import Page, Portal, PortalServer
from fixtures.portal.scale import GeneratedSite, serve_generated
from fixtures.portal.sites import html
from nianbao.scraper.crawl import Crawler, CrawlSettings
from nianbao.scraper.fetch import FetchSettings
from nianbao.scraper.sources import Source


def _crawl(tmp_path, start: str, host: str, **kw) -> object:
    settings = CrawlSettings(tmp_path / "data", FetchSettings(delay=0, obey_robots=False), **kw)
    return asyncio.run(Crawler(settings, [Source("示例", start, (host,))]).run())


def test_endless_next_links_stop_when_content_repeats(tmp_path):
    """A portal that answers every ?page=N with page 1 and a link to N+1."""
    portal = Portal()
    body = html("年报", '<a href="/loop/t1.html">示例市2021年政府信息公开工作年度报告</a>'
                '<a href="list.jsp?page={n}">下一页</a>')

    def pages(path: str) -> Page | None:
        m = re.match(r"/loop/list\.jsp\?page=(\d+)$", path)
        return Page(body.replace("{n}", str(int(m.group(1)) + 1)).encode()) if m else None

    portal.dynamic = pages
    portal.add("/loop/t1.html", Page(b"<html>report</html>"))
    with PortalServer(portal) as server:
        summary = _crawl(tmp_path, server.base + "/loop/list.jsp?page=1", server.host)
    lists = [h.path for h in portal.requests() if "list.jsp" in h.path]
    # Page 2 repeats page 1 (same links): its 下一页 is not followed.
    assert lists == ["/loop/list.jsp?page=1", "/loop/list.jsp?page=2"]
    assert summary.reports == 1


def test_list_page_budget(tmp_path):
    portal = Portal()
    site = GeneratedSite(prefix="/big/", n_lists=40, per_page=1, pdf_every=0)
    serve_generated(portal, site)
    with PortalServer(portal) as server:
        summary = _crawl(tmp_path, server.base + site.start_path, server.host, max_list_pages=5)
    assert summary.pages == 5 and summary.reports == 5
    assert summary.notes and "5 list pages" in summary.notes[0]
