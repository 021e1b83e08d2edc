"""Shared test helpers: where the real seed report lives.

The seed is a real report given to the project; it is not in the repository. Tests read it
from the folder named by ``NIANBAO_SEEDS`` (default: ``../shared/seeds`` beside the checkout)
and skip, naming that variable, where it is absent. ``.ci/run`` sets it and fails without it,
so CI never skips them.
"""

from __future__ import annotations

import logging
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


_LOG = logging.getLogger("nianbao")
_LOG_AT_START = (list(_LOG.handlers), _LOG.level, _LOG.propagate)


@pytest.fixture(autouse=True)
def _nianbao_logger_reset() -> None:
    """Each test starts with the ``nianbao`` logger as the process began with it: a CLI
    command run by CliRunner (in a test or in a session fixture set up just before one) sets
    it up for that command, with its own handlers and no propagation, which hides the test's
    records from pytest's log capture."""
    _LOG.handlers[:], _LOG.level, _LOG.propagate = _LOG_AT_START
