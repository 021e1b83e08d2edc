"""Shared fixtures: the end-to-end site served on 127.0.0.1 and one `nianbao run` over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.portal import Portal, PortalServer
from tests.nianbao.site import Expected, build_site, crawl, sources_yaml


@pytest.fixture(scope="session")
def site() -> Iterator[tuple[PortalServer, list[Expected]]]:
    portal = Portal()
    with PortalServer(portal) as server:
        expected = build_site(portal, server.base)
        yield server, expected


@pytest.fixture(scope="session")
def first_run(site, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One `nianbao run --delay 0` into a fresh data folder."""
    server, expected = site
    tmp = tmp_path_factory.mktemp("e2e")
    data, result = crawl(tmp, sources_yaml(server.base, server.host))
    return {"server": server, "expected": expected, "data": data,
            "sources": tmp / "sources.yaml", "result": result}
