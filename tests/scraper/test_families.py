"""One crawl of every portal family: exactly the reports, nothing else fetched."""

from __future__ import annotations

import pytest

from fixtures.portal.sites import FAMILIES
from nianbao.scraper.archive import iter_responses
from tests.scraper.conftest import db_rows

FAMILY_STARTS = {
    "trs": "/trs/zfxxgknb/index.html", "trs6": "/trs6/bmxxgknb/index.html",
    "guangdong": "/gd/zfxxgknb/index.html", "vsb": "/vsb/xxgknb.htm",
    "hanweb": "/hanweb/col/col12596/index.html", "gbk": "/gbk/ndbg/index.htm",
    "wall": "/wall/xxgknb/index.html", "flaky": "/flaky/ndbg/index.html",
    "gkmlpt": "/gdgk/gkmlpt/index", "jsdata": "/jsdata/zfxxgkndbg/index.html",
    "jsapi": "/jsapi/gknb/index.html", "hanweb_post": "/hwpost/col/col8810/index.html",
    "gap": "/gap/zfxxgkndbg/index.html", "discovery": "/disc/index.html",
}


def _family(full_crawl, name):
    return full_crawl["families"][full_crawl["server"].base + FAMILY_STARTS[name]]


def _source_urls(full_crawl, fam, kind):
    return {u for (u,) in db_rows(
        full_crawl["data"], "SELECT u.url FROM urls u JOIN sources s ON s.id=u.source_id "
        "WHERE s.start=? AND u.kind=?", fam.start, kind)}


@pytest.mark.parametrize("name", FAMILIES)
def test_every_report_found_and_nothing_else(full_crawl, name):
    fam = _family(full_crawl, name)
    reports = _source_urls(full_crawl, fam, "report")
    # A redirect's target is recorded under the same kind; drop those to compare what was linked.
    redirected = {u for (u,) in db_rows(full_crawl["data"], "SELECT url FROM urls WHERE parent IN "
                                        "(SELECT url FROM urls WHERE kind='report') AND kind='report'")}
    assert reports - redirected == fam.reports
    assert {u for u in _source_urls(full_crawl, fam, "attachment")
            if "/attach/" not in u} == fam.attachments
    lists = _source_urls(full_crawl, fam, "list")
    assert fam.lists <= lists
    assert lists == fam.lists | fam.blocked & {fam.start}


@pytest.mark.parametrize("name", FAMILIES)
def test_statuses(full_crawl, name):
    fam = _family(full_crawl, name)
    status = dict((u, (s, e)) for u, s, e in db_rows(
        full_crawl["data"], "SELECT d.url, d.status, d.error FROM documents d JOIN urls u ON u.url=d.url "
        "JOIN sources s ON s.id=u.source_id WHERE s.start=?", fam.start))
    for url in fam.reports | fam.attachments:
        st, err = status[url]
        if url in fam.failed:
            assert st == "failed" and fam.failed[url] in err, (url, st, err)
        elif url in fam.skipped:
            assert st == "skipped" and fam.skipped[url] in err
        elif url in fam.blocked:
            assert st == "blocked"
        else:
            assert st == "fetched", (url, st, err)


def test_nothing_but_reports_requested(full_crawl):
    """Non-report articles of a column (notices, 图解, budgets, 报表) are never requested."""
    base = full_crawl["server"].base
    requested = {base + h.path for h in full_crawl["portal"].requests()}
    fams = full_crawl["families"].values()
    expected = {"/robots.txt"}
    allowed = set().union(*(f.reports | f.attachments | f.lists | f.blocked | f.requests for f in fams))
    extra = {u for u in requested if u not in allowed and not u.endswith("/robots.txt")}
    # Redirect targets are fetched too.
    assert extra == {base + "/trs/zfxxgknb/202201/t20220110_100010.html", base + "/hanweb/attach/0/41790.pdf"}
    assert base + "/trs/private/202101/t20210101_100008.html" not in requested  # robots.txt
    assert len([h for h in full_crawl["portal"].requests() if h.path == "/robots.txt"]) == 1
    assert expected


def test_other_host_never_contacted(full_crawl, other_server):
    assert other_server.portal.requests() == []


def test_blocked_not_archived(full_crawl):
    archived = {r.url for r in iter_responses(full_crawl["data"])}
    wall = _family(full_crawl, "wall")
    flaky = _family(full_crawl, "flaky")
    assert not (wall.blocked | flaky.blocked) & archived
    rows = db_rows(full_crawl["data"], "SELECT status, error FROM sources WHERE start=?", wall.start)
    assert rows[0][0] == "blocked" and "412" in rows[0][1]
    assert full_crawl["summary"].sources_failed == [(wall.name, rows[0][0] + ": " + rows[0][1])]


def test_archive_has_every_fetched_document_once_with_headers(full_crawl):
    responses = list(iter_responses(full_crawl["data"]))
    urls = [r.url for r in responses]
    assert len(urls) == len(set(urls))
    fetched = {u for (u,) in db_rows(full_crawl["data"], "SELECT final_url FROM documents "
                                     "WHERE status='fetched'")}
    assert set(urls) == fetched
    pdf = next(r for r in responses if r.url.endswith("P020200115100001000001.pdf"))
    assert pdf.body.startswith(b"%PDF") and pdf.kind == "attachment"
    assert ("Content-Type", "application/pdf") in pdf.headers


def test_gbk_decoded_and_encoding_recorded(full_crawl):
    fam = _family(full_crawl, "gbk")
    rows = dict(db_rows(full_crawl["data"], "SELECT url, encoding FROM documents WHERE url LIKE ?",
                        "%/gbk/%"))
    assert rows[fam.start] == "gb18030"
    assert len(fam.lists) == 2 and all(rows[u] == "gb18030" for u in fam.lists)
    assert len(fam.reports) == 3 and all(rows[u] == "gb18030" for u in fam.reports)


def test_retries_counted(full_crawl):
    """500 twice then fine: three requests; always 500: gives up after retries+1 requests."""
    portal = full_crawl["portal"]
    assert portal.hits["/flaky/ndbg/r500twice.html"] == 3
    assert portal.hits["/flaky/ndbg/r500always.html"] == 3  # retries=2 in the tests
    assert portal.hits["/flaky/ndbg/rreset.html"] == 2
    assert portal.hits["/flaky/ndbg/r404.html"] == 1  # a 404 is not retried


def test_retry_after_obeyed(full_crawl):
    hits = full_crawl["portal"].requests("/flaky/ndbg/r429.html")
    assert [h.status for h in hits] == [429, 200]
    assert hits[1].t - hits[0].t >= 0.95


def test_user_agent(full_crawl):
    ua = full_crawl["portal"].requests()[0].headers["User-Agent"]
    assert ua.startswith("nianbao/") and "(+https://github.com/nianbao/nianbao)" in ua


def test_summary(full_crawl):
    s = full_crawl["summary"]
    assert s.blocked == 3 and s.attachments == 6
    assert s.failed["HTTP 500"] == 1 and s.failed["timeout"] == 1 and s.failed["truncated body"] == 1
    assert s.skipped["robots.txt disallows"] == 1
