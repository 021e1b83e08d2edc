"""Crawling by shards of hosts, then `nianbao merge`: two shards of a fixture portal of three
hosts, crawled into two folders and merged, give the same dataset (byte-identical CSV) as one
crawl of everything; a URL fetched in two folders keeps its newest version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fixtures.portal import Page, Portal, PortalServer
from nianbao.cli import main
from nianbao.scraper.sources import Source, in_shard, parse_shard, shard_of
from fixtures.reports.render import Variant, case_for
from fixtures.reports.spec import year_spec
from tests.nianbao.site import COLUMN, build_site

IPS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")  # shards of 2: 2, 2, 1 (asserted below)


class HostServer(PortalServer):
    """The fixture portal on another loopback address: another host for the crawler."""

    def __init__(self, portal: Portal, ip: str) -> None:
        super().__init__(portal, host=ip)
        self.ip = ip

    @property
    def base(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def host(self) -> str:
        return f"{self.ip}:{self.port}"


@pytest.fixture(scope="module")
def hosts() -> Iterator[list[HostServer]]:
    servers = []
    for ip in IPS:
        portal = Portal()
        server = HostServer(portal, ip).start()
        build_site(portal, server.base)
        servers.append(server)
    yield servers
    for s in servers:
        s.stop()


@pytest.fixture()
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The crawl clock, set by the test: crawls made apart in time, and the same timestamps in
    the datasets that are compared."""
    clock = ["2026-01-05T03:00:00+00:00"]
    monkeypatch.setattr("nianbao.scraper.state.now", lambda: clock[0])
    yield clock


def _sources(tmp: Path, servers: list[HostServer]) -> Path:
    lines = ["sources:"]
    for i, s in enumerate(servers):
        lines += [f"  - name: 示例门户{i + 1}", f"    start: {s.base}{COLUMN}index.html",
                  f"    allow: [\"{s.host}\"]"]
    path = tmp / "sources.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ok(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _dataset(data: Path) -> dict[str, bytes]:
    _ok(["parse", "--data", str(data), "-q"])
    _ok(["export", "--data", str(data), "--format", "csv", "-q"])
    out = data / "export"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.csv"))}


def test_two_shards_merged_give_the_dataset_of_one_crawl(hosts, frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = _sources(tmp_path, hosts)
    srcs = [Source("x", f"{s.base}{COLUMN}index.html", ()) for s in hosts]
    assert [shard_of(s, 2) for s in srcs] == [2, 2, 1]  # both shards have work
    _ok(["crawl", "--sources", str(sources), "--data", str(tmp_path / "one"), "--delay", "0"])
    one = _dataset(tmp_path / "one")

    out1 = _ok(["crawl", "--sources", str(sources), "--data", str(tmp_path / "s1"),
                "--delay", "0", "--shard", "1/2"])
    assert "shard 1/2: 1 source of 3" in out1
    out2 = _ok(["run", "--sources", str(sources), "--data", str(tmp_path / "s2"),
                "--delay", "0", "--shard", "2/2", "--format", "csv"])
    assert "shard 2/2: 2 sources of 3" in out2
    merged = tmp_path / "merged"
    out = _ok(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--into", str(merged)])
    assert "merged 2 folders" in out
    assert _dataset(merged) == one
    reports = pd.read_csv(merged / "export" / "reports.csv")
    assert reports["source_url"].str.contains("127.0.0.3").any()  # shard 1's hosts are there
    assert reports["source_url"].str.contains("127.0.0.2").any()  # and shard 2's

    # merging again adds nothing and parses nothing new
    out = _ok(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--into", str(merged)])
    assert "0 versions added" in out
    assert "parsed 0 documents" in _ok(["parse", "--data", str(merged), "--new-only"])
    assert _dataset(merged) == one


def test_a_url_fetched_in_two_folders_keeps_its_newest_version(hosts, frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = hosts[2]
    sources = _sources(tmp_path, [server])
    page = COLUMN + "202301/t20230112_7.html"  # the page that is no report, until it is
    before = server.portal.routes[page]
    try:
        _ok(["crawl", "--sources", str(sources), "--data", str(tmp_path / "old"), "--delay", "0"])
        frozen[0] = "2026-01-06T03:00:00+00:00"
        case = case_for(year_spec(9, "2021", "模拟县教育局", 2022), "html_single", Variant(seed=19),
                        "shard-new")
        server.portal.add(page, Page(case.data, case.content_type or "text/html; charset=utf-8"))
        _ok(["crawl", "--sources", str(sources), "--data", str(tmp_path / "new"), "--delay", "0"])
    finally:
        server.portal.add(page, before)
    for order in (("old", "new"), ("new", "old")):
        into = tmp_path / f"merged-{order[0]}"
        out = _ok(["merge", *(str(tmp_path / o) for o in order), "--into", str(into)])
        assert "10 versions added (10 left out: a newer one is there)" in out  # all in both
        _dataset(into)
        reports = pd.read_csv(into / "export" / "reports.csv").set_index("source_url")
        row = reports.loc[server.base + page]
        assert row["status"] == "ok" and row["agency"] == "模拟县教育局"
        assert row["fetched_at"] == "2026-01-06T03:00:00+00:00"
        assert len(reports) == 7


def test_shard_selection_is_stable_and_keeps_a_host_together() -> None:
    a = [Source("a", f"http://www.shilishi.gov.cn:{port}/xxgk/{i}/", ()) for i, port in
         ((1, 80), (2, 8080), (3, 80))]
    assert {shard_of(s, 4) for s in a} == {4}  # SHA-1 of the host name: the same on any machine
    many = [Source("s", f"http://host{i}.example.gov.cn/", ()) for i in range(200)]
    shards = [in_shard(many, k, 3) for k in (1, 2, 3)]
    assert sorted(s.start for part in shards for s in part) == sorted(s.start for s in many)
    assert all(40 < len(part) < 95 for part in shards)  # roughly even
    assert parse_shard(" 2/5 ") == (2, 5)
    for bad in ("0/2", "3/2", "2", "a/b", "1/0", "-1/2"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    for args in (["crawl", "--shard", "3/2"], ["run", "--shard", "1of2"]):
        result = CliRunner().invoke(main, [*args, "--data", str(tmp_path / "d")])
        assert result.exit_code == 2
        assert "Invalid value for '--shard'" in result.output
    result = CliRunner().invoke(main, ["merge", str(tmp_path), "--into", str(tmp_path)])
    assert result.exit_code == 2 and "is one of the folders to merge" in result.output
