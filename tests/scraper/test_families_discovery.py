"""Column discovery end to end: from an agency's home to its report column, bounded, and a
re-run that starts from the column it found."""

from __future__ import annotations

from fixtures.portal import Portal, PortalServer, build, sources_yaml
from fixtures.portal.server import Page
from fixtures.portal.sites import html
from tests.scraper.conftest import db_rows, run_crawl


def _paths(portal: Portal, prefix: str) -> list[str]:
    return [h.path for h in portal.requests(prefix)]


def test_home_to_column_then_rerun_from_the_column(tmp_path, other_server):
    portal = Portal()
    with PortalServer(portal) as server:
        fam = build(portal, server.base, other_server.base, only=("discovery",))
        src = tmp_path / "sources.yaml"
        src.write_text(sources_yaml(fam, server.host), encoding="utf-8")
        (f,) = fam.values()
        summary = run_crawl(tmp_path / "data", src)
        first = _paths(portal, "/disc/")
        assert sorted(first) == sorted({u[len(server.base):] for u in f.lists | f.reports})
        assert summary.reports == len(f.reports) == 4 and not summary.failed
        col = server.base + "/disc/xxgk/zfxxgknb_5101/index.html"
        marks = dict(db_rows(tmp_path / "data", "SELECT url, link_text FROM urls WHERE kind='list' "
                             "AND link_text IS NOT NULL"))
        assert marks == {server.base + "/disc/xxgk/index.html": "section 1: 政府信息公开",
                         col: "column: 政府信息公开年报"}

        portal.log.clear()
        summary = run_crawl(tmp_path / "data", src)
        second = _paths(portal, "/disc/")
        assert "/disc/xxgk/index.html" not in second  # the known column, no hop through the section
        assert {"/disc/index.html", "/disc/xxgk/zfxxgknb_5101/index.html",
                "/disc/xxgk/zfxxgknb_5101/index_1.html"} <= set(second)
        assert summary.not_modified == 4 and summary.reports == 0


def test_discovery_is_bounded(tmp_path):
    """A home with 45 信息公开 links: at most 30 are read, none of their links followed further."""
    portal = Portal()
    links = "".join(f'<a href="/many/s{i}/">信息公开</a>' for i in range(45))
    portal.add("/many/index.html", Page(html("样本市人民政府", links).encode()))
    for i in range(45):
        portal.add(f"/many/s{i}/", Page(html("信息公开", '<a href="/many/deep/">政务公开</a>'
                                              '<a href="/many/s0/">信息公开</a>').encode()))
    with PortalServer(portal) as server:
        src = tmp_path / "sources.yaml"
        src.write_text(f"sources:\n  - name: 样本市\n    start: {server.base}/many/index.html\n",
                       encoding="utf-8")
        run_crawl(tmp_path / "data", src)
        paths = [p for p in _paths(portal, "/many/")]
    assert len(paths) == len(set(paths)) == 31
    assert "/many/deep/" not in paths
