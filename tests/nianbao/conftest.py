"""Shared fixtures: the end-to-end site served on 127.0.0.1 and one `nianbao run` over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from fixtures.portal import Portal, PortalServer
from nianbao.cli import main
from tests.nianbao.site import Expected, build_site, sources_yaml


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
    sources = tmp / "sources.yaml"
    sources.write_text(sources_yaml(server.base, server.host), encoding="utf-8")
    data = tmp / "data"
    result = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data", str(data),
                                       "--delay", "0"])
    return {"server": server, "expected": expected, "data": data, "sources": sources,
            "result": result}
