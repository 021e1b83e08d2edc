"""Shared fixtures: the fixture portal on 127.0.0.1 and a helper that runs a crawl."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.portal import Portal, PortalServer, build, sources_yaml
from nianbao.scraper.crawl import Crawler, CrawlSettings, Summary
from nianbao.scraper.fetch import FetchSettings
from nianbao.scraper.sources import load_sources

FAST = dict(delay=0.0, timeout=0.4, retries=2, backoff=0.02)


def run_crawl(data: Path, sources_file: Path, **fetch: float) -> Summary:
    settings = CrawlSettings(data, FetchSettings(**{**FAST, **fetch}))
    loaded = load_sources(sources_file)
    assert not loaded.problems, loaded.problems
    return asyncio.run(Crawler(settings, loaded.sources).run())


def db_rows(data: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(data / "state.sqlite") as db:
        return db.execute(sql, args).fetchall()


@pytest.fixture(scope="session")
def other_server() -> Iterator[PortalServer]:
    """A second host, outside every source's allow list."""
    with PortalServer(Portal()) as s:
        yield s


@pytest.fixture(scope="session")
def full_crawl(tmp_path_factory: pytest.TempPathFactory, other_server: PortalServer):
    """Every family crawled once; tests inspect the result without crawling again."""
    portal = Portal()
    with PortalServer(portal) as server:
        families = build(portal, server.base, other_server.base)
        tmp = tmp_path_factory.mktemp("full")
        src = tmp / "sources.yaml"
        src.write_text(sources_yaml(families, server.host), encoding="utf-8")
        summary = run_crawl(tmp / "data", src)
        yield {"portal": portal, "server": server, "families": families, "data": tmp / "data",
               "summary": summary, "sources": src}
