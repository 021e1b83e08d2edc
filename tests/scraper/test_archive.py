"""WARC writing and reading survive torn records."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from fixtures.portal import Portal, PortalServer, build, sources_yaml
from nianbao.scraper.archive import ArchiveWriter, archive_files, iter_records, iter_responses, truncate_to, valid_length
from tests.scraper.conftest import db_rows, run_crawl


def _write(w: ArchiveWriter, n: int) -> list:
    out = []
    for i in range(n):
        body = f"<html>第{i}页</html>".encode()
        out.append(w.write(url=f"http://a.gov.cn/{i}.html", method_line=f"GET /{i}.html HTTP/1.1",
                           request_headers=[("User-Agent", "nianbao/0"), ("Host", "a.gov.cn")],
                           status=200, reason="OK",
                           response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                             ("Content-Encoding", "gzip"), ("ETag", '"x"')],
                           body=io.BytesIO(body), size=len(body), extra={"WARC-Nianbao-Kind": "report"}))
    return out


def test_records_have_request_and_response_headers(tmp_path: Path):
    w = ArchiveWriter(tmp_path)
    stored = _write(w, 3)
    w.close()
    path = archive_files(tmp_path)[0]
    types = []
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f):
            types.append(rec.rec_type)
            if rec.rec_type == "request":
                assert rec.http_headers.get_header("User-Agent") == "nianbao/0"
            if rec.rec_type == "response":
                assert rec.http_headers.get_header("ETag") == '"x"'
                assert rec.http_headers.get_header("Content-Encoding") is None  # body stored decoded
                assert rec.rec_headers.get_header("WARC-Nianbao-Kind") == "report"
    assert types == ["warcinfo"] + ["response", "request"] * 3
    # Stored offsets point at the response records.
    with open(path, "rb") as f:
        f.seek(stored[1].offset)
        rec = next(iter(ArchiveIterator(f)))
        assert rec.rec_headers.get_header("WARC-Target-URI") == "http://a.gov.cn/1.html"
        assert "第1页" in rec.content_stream().read().decode()


def test_torn_tail_is_skipped_and_can_be_cut(tmp_path: Path):
    w = ArchiveWriter(tmp_path)
    _write(w, 2)
    good = w.position()
    w.close()
    path = archive_files(tmp_path)[0]
    whole = path.read_bytes()
    # A record cut in half by a kill: the first half of a copy of the last gzip member.
    path.write_bytes(whole + whole[-200:-100])
    assert [r.url for r in iter_responses(tmp_path)] == ["http://a.gov.cn/0.html", "http://a.gov.cn/1.html"]
    assert valid_length(path) == good
    assert truncate_to(path, valid_length(path)) == 100
    assert path.read_bytes() == whole
    # Garbage that is not gzip at all.
    path.write_bytes(whole + b"\x00garbage")
    assert len([o for o, _ in iter_records(path)]) == 5


def test_crawler_cuts_uncommitted_tail_on_start(tmp_path: Path, other_server):
    portal = Portal()
    with PortalServer(portal) as server:
        fams = build(portal, server.base, other_server.base, only=("trs6",))
        src = tmp_path / "s.yaml"
        src.write_text(sources_yaml(fams, server.host), encoding="utf-8")
        data = tmp_path / "data"
        run_crawl(data, src)
        path = archive_files(data)[0]
        committed = dict(db_rows(data, "SELECT name, committed FROM warc_files"))[path.name]
        assert committed == path.stat().st_size
        with open(path, "ab") as f:  # what a kill between write and commit leaves behind
            f.write(path.read_bytes()[-300:])
        summary = run_crawl(data, src)
        assert summary.recovered_bytes == 300
        assert path.stat().st_size == committed
        with open(path, "rb") as f:
            assert sum(1 for _ in ArchiveIterator(f)) > 0


def test_two_writers_same_second_do_not_collide(tmp_path: Path):
    a = ArchiveWriter(tmp_path)
    _write(a, 1)
    a.close()
    b = ArchiveWriter(tmp_path)
    b._stamp = a._stamp  # same second, same pid
    _write(b, 1)
    b.close()
    assert len(archive_files(tmp_path)) == 2
    assert len(list(iter_responses(tmp_path))) == 2


def test_power_cut_lost_tail_is_refetched(tmp_path: Path, other_server):
    """A file shorter than the state says: the lost versions are forgotten and fetched again."""
    portal = Portal()
    with PortalServer(portal) as server:
        fams = build(portal, server.base, other_server.base, only=("trs6",))
        src = tmp_path / "s.yaml"
        src.write_text(sources_yaml(fams, server.host), encoding="utf-8")
        data = tmp_path / "data"
        run_crawl(data, src)
        path = archive_files(data)[0]
        offsets = db_rows(data, "SELECT url, warc_offset FROM versions ORDER BY warc_offset")
        lost_url, cut = offsets[-1]
        with open(path, "r+b") as f:  # the last record never reached the disk
            f.truncate(cut + 10)
        mark = len(portal.log)
        summary = run_crawl(data, src)
        assert summary.lost_versions == 1
        refetched = [h for h in portal.log[mark:] if server.base + h.path == lost_url]
        assert refetched and refetched[0].status == 200 and "If-None-Match" not in refetched[0].headers
        urls = [r.url for r in iter_responses(data)]
        assert urls.count(lost_url) == 1 and len(urls) == len(set(urls))
