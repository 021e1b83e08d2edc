"""Families whose lists are data: gkmlpt JSON API, script arrays, JSON APIs, Hanweb POST paging,
and a column that skips ``index_1``. The crawl is the shared ``full_crawl``."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from warcio.archiveiterator import ArchiveIterator

from tests.scraper.conftest import db_rows

PREFIXES = ("/gdgk/", "/jsdata/", "/jsapi/", "/hwpost/", "/gap/")


def _hits(full_crawl, prefix: str):
    return [h for h in full_crawl["portal"].requests(prefix)]


def test_never_twice_and_nothing_past_the_last_page(full_crawl):
    """Every list and report of these families is requested once; pagers stop where they must."""
    for prefix in PREFIXES:
        keys = [(h.path, h.body) for h in _hits(full_crawl, prefix)]
        assert keys and len(keys) == len(set(keys)), prefix


def test_gkmlpt_api_pages(full_crawl):
    api = [h for h in _hits(full_crawl, "/gdgk/gkmlpt/api/")]
    pages = [dict(parse_qsl(urlsplit(h.path).query)) for h in api]
    assert [p["page"] for p in pages] == ["1", "2", "3", "4"]  # page 0 repeats page 1: skipped
    assert {p["sid"] for p in pages} == {"755101"}
    assert all(urlsplit(h.path).path == "/gdgk/gkmlpt/api/all/2817" for h in api)


def test_json_api_stops_when_a_page_repeats(full_crawl):
    api = [dict(parse_qsl(urlsplit(h.path).query)) for h in _hits(full_crawl, "/jsapi/api/")]
    # The server repeats page 3 for page 4: the crawl reads it once and asks for nothing more.
    assert [p["pageNo"] for p in api] == ["1", "2", "3", "4"]


def test_script_data_pages(full_crawl):
    paths = [h.path for h in _hits(full_crawl, "/jsdata/zfxxgkndbg/index")]
    assert paths == ["/jsdata/zfxxgkndbg/index.html", "/jsdata/zfxxgkndbg/index_1.html",
                     "/jsdata/zfxxgkndbg/index_2.html"]


def test_hanweb_windows_are_posted_with_the_form(full_crawl):
    hits = _hits(full_crawl, "/hwpost/module/web/jpage/dataproxy.jsp")
    assert [h.method for h in hits] == ["POST", "POST"]
    windows = [dict(parse_qsl(urlsplit(h.path).query)) for h in hits]
    assert windows == [{"startrecord": "7", "endrecord": "12", "perpage": "3"},
                       {"startrecord": "13", "endrecord": "15", "perpage": "3"}]
    for h in hits:
        form = dict(parse_qsl(h.body.decode()))
        assert form == {"col": "1", "appid": "1", "webid": "3", "path": "/hwpost/", "columnid": "8810",
                        "sourceContentType": "1", "unitid": "40112", "webname": "示例省水利厅",
                        "permissiontype": "0"}
        assert h.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_hanweb_post_archived_as_post(full_crawl):
    methods = {}
    for path in (full_crawl["data"] / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                if "dataproxy.jsp?startrecord=" in uri:
                    if rec.rec_type == "request":
                        methods[uri] = rec.http_headers.protocol
                    elif rec.rec_type == "response":
                        assert "columnid=8810" in rec.rec_headers.get_header("WARC-Nianbao-Form")
    assert len(methods) == 2 and set(methods.values()) == {"POST"}


def test_missing_index_1_is_not_a_failure(full_crawl):
    base = full_crawl["server"].base
    rows = db_rows(full_crawl["data"], "SELECT status, error FROM documents WHERE url=?",
                   base + "/gap/zfxxgkndbg/index_1.html")
    assert rows == [("skipped", "list page absent (HTTP 404)")]
    failed_lists = db_rows(full_crawl["data"], "SELECT d.url FROM documents d JOIN urls u "
                           "ON u.url=d.url WHERE u.kind='list' AND d.status='failed'")
    assert failed_lists == []
    s = full_crawl["summary"]
    assert s.skipped["list page absent (HTTP 404)"] == 1 and s.failed["HTTP 404"] == 1  # flaky's report
    paths = [h.path for h in _hits(full_crawl, "/gap/zfxxgkndbg/index")]
    assert paths == ["/gap/zfxxgkndbg/index.html", "/gap/zfxxgkndbg/index_1.html",
                     "/gap/zfxxgkndbg/index_2.html", "/gap/zfxxgkndbg/index_3.html"]
