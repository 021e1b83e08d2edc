"""Shared test helpers: where the shared seeds live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    path = SHARED / "seeds" / "000_45cb5db47e89188a.txt"
    if not path.exists():  # a checkout without shared/ beside it cannot run this test
        pytest.fail(f"seed report missing: {path}")
    return path.read_bytes()
