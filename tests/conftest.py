"""Shared test helpers: where the real seed report lives.

The seed is a real report given to the project; it is not in the repository. Tests read it
from the folder named by ``NIANBAO_SEEDS`` (default: ``../shared/seeds`` beside the checkout)
and skip, naming that variable, where it is absent. ``.ci/run`` sets it and fails without it,
so CI never skips them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "000_45cb5db47e89188a.txt"


def seeds_dir() -> Path:
    return Path(os.environ.get("NIANBAO_SEEDS") or ROOT.parent / "shared" / "seeds")


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    path = seeds_dir() / SEED_NAME
    if not path.is_file():
        pytest.skip(f"seed report {SEED_NAME} not found in {path.parent}: set NIANBAO_SEEDS to "
                    "the folder that holds it (CI does)")
    return path.read_bytes()
