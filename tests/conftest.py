"""Shared test helpers: where the real seed report lives.

The seed is a real report given to the project; it is not in the repository. Tests read it
from the folder named by ``NIANBAO_SEEDS`` (default: ``../shared/seeds`` beside the checkout)
and skip, naming that variable, where it is absent. ``.ci/run`` sets it and fails without it,
so CI never skips them.
"""

from __future__ import annotations

import logging
import os
import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "000_45cb5db47e89188a.txt"


def missing_requirements() -> list[str]:
    """The requirements of pyproject.toml (and its ``test`` extra) this Python lacks. A checkout
    imports its own code without being installed, so without this a Python that never ran the
    README's ``pip install`` fails every test module with its own ModuleNotFoundError."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: no TOML reader in the standard library; pip will tell
        return []
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    missing = []
    for req in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        if ";" in req:  # only for some Pythons (rapidocr): its tests say why they skip
            continue
        name = re.match(r"[A-Za-z0-9._-]+", req).group()  # type: ignore[union-attr]
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def pytest_configure(config: pytest.Config) -> None:
    """One clear line, not a traceback per test module, where the requirements are missing."""
    if missing := missing_requirements():
        pytest.exit(f"this Python lacks nianbao's requirements ({', '.join(missing)}): install "
                    "them first, as the README's test command does: python3 -m venv .venv && "
                    ". .venv/bin/activate && pip install -e '.[test]' && python -m pytest -q",
                    returncode=4)


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
