"""Every command is documented in the README, and the README's queries run on a real export."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from nianbao.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for name in main.commands:
        assert f"nianbao {name}" in text, name


def test_readme_sqlite_queries_run(first_run) -> None:  # type: ignore[no-untyped-def]
    text = README.read_text(encoding="utf-8")
    queries = [q for q in re.findall(r"```sql\n(.*?)```", text, re.S) if q.startswith("-- sqlite3")]
    assert len(queries) == 3
    with sqlite3.connect(first_run["data"] / "export" / "nianbao.sqlite") as db:
        results = [db.execute(q).fetchall() for q in queries]
    assert all(results)  # the fixture portal has an answer to each question
