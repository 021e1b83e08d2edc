"""Re-runs: conditional requests, nothing unchanged downloaded or archived again, new versions kept."""

from __future__ import annotations

from fixtures.portal import Page, Portal, PortalServer, build, sources_yaml
from fixtures.portal.sites import report_page
from nianbao.scraper.archive import iter_responses
from tests.scraper.conftest import db_rows, run_crawl


def test_recrawl_fetches_nothing_unchanged_and_archives_new_versions(tmp_path, other_server):
    portal = Portal()
    with PortalServer(portal) as server:
        fams = build(portal, server.base, other_server.base,
                     only=("trs", "guangdong", "vsb", "hanweb", "gbk"))
        # One report without validators: unchanged-ness must come from the content hash.
        gd = server.base + "/gd/zfxxgknb/content/post_123451.html"
        portal.routes["/gd/zfxxgknb/content/post_123451.html"].validators = False
        src = tmp_path / "s.yaml"
        src.write_text(sources_yaml(fams, server.host), encoding="utf-8")
        data = tmp_path / "data"
        first = run_crawl(data, src)
        assert first.reports > 10 and first.attachments == 6
        n_archived = len(list(iter_responses(data)))

        mark = len(portal.log)
        second = run_crawl(data, src)
        run2 = portal.log[mark:]
        assert second.reports == 0 and second.attachments == 0
        assert second.not_modified == first.reports + first.attachments
        assert len(list(iter_responses(data))) == n_archived  # nothing archived again
        list_urls = set().union(*(f.lists for f in fams.values()))
        for hit in run2:
            url = server.base + hit.path
            if hit.path == "/robots.txt" or url in list_urls:
                continue
            if url == gd:
                assert hit.status == 200 and "If-None-Match" not in hit.headers
            elif hit.status in (301, 302):
                continue
            else:
                assert hit.status == 304, hit.path
                assert hit.headers.get("If-None-Match") and hit.headers.get("If-Modified-Since")
        assert db_rows(data, "SELECT status FROM documents WHERE url=?", gd) == [("unchanged",)]

        # A report and an attachment change; a new report appears on a list page.
        changed = "/trs/zfxxgknb/202101/t20210120_100006.html"
        portal.routes[changed] = Page(report_page("示例市人民政府2020年政府信息公开工作年度报告", n=9).encode())
        att = "/trs/zfxxgknb/202001/P020200115100001000001.pdf"
        portal.routes[att] = Page(b"%PDF-1.4 changed\n%%EOF\n", "application/pdf")
        new = "/gbk/ndbg/t20220105_200009.htm"
        old_list = portal.routes["/gbk/ndbg/index.htm"]
        old_list.body = old_list.body.replace(
            b"<ul class='list'>", "<ul class='list'><li><a href='./t20220105_200009.htm'>样例县2021年政府信息"
            "公开工作年度报告</a></li>".encode("gbk"))
        portal.add(new, Page(report_page("样例县2021年政府信息公开工作年度报告").encode("gbk"), "text/html"))
        third = run_crawl(data, src)
        assert (third.reports, third.attachments) == (2, 1)
        responses = list(iter_responses(data))
        for path in (changed, att):
            versions = [r for r in responses if r.url == server.base + path]
            assert len(versions) == 2 and versions[0].body != versions[1].body
            assert db_rows(data, "SELECT count(*) FROM versions WHERE url=?",
                           server.base + path) == [(2,)]
        assert any(r.url == server.base + new for r in responses)
        # Only the changed list page was archived again.
        lists_archived = [r.url for r in responses if r.kind == "list"]
        assert lists_archived.count(server.base + "/gbk/ndbg/index.htm") == 2
        assert lists_archived.count(server.base + "/trs/zfxxgknb/index.html") == 1
