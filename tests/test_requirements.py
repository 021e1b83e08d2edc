"""The suite refuses to start, with one line naming what to install, in a Python that lacks the
project's requirements (a checkout imports its own code without being installed)."""

from __future__ import annotations

from importlib import metadata

import pytest

from tests.conftest import missing_requirements


def test_a_missing_requirement_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = metadata.version

    def version(name: str) -> str:
        if name in ("httpx", "python-docx"):
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", version)
    assert missing_requirements() == ["httpx", "python-docx"]

