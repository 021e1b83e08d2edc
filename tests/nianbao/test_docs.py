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
    assert len(queries) == 4
    with sqlite3.connect(first_run["data"] / "export" / "nianbao.sqlite") as db:
        results = [db.execute(q).fetchall() for q in queries]
    assert all(results)  # the fixture portal has an answer to each question


def test_schema_doc_is_generated_from_the_code() -> None:
    from nianbao.output.schema_doc import schema_markdown

    doc = (README.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    assert doc == schema_markdown(), \
        "regenerate: python -m nianbao.output.schema_doc > docs/schema.md"


def test_schema_doc_example_is_what_parse_json_prints(tmp_path: Path) -> None:
    """The JSON example of docs/schema.md has the keys of a real ``parse --json`` line."""
    import json

    from click.testing import CliRunner

    doc = (README.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("```json\n", 1)[1].split("\n```", 1)[0])
    case = README.parent / "fixtures" / "cases" / "variants_2019.txt"
    result = CliRunner().invoke(main, ["parse", "--json", str(case)])
    line = json.loads(result.output.splitlines()[0])
    assert list(line) == list(example)
    assert list(line["report"]) == list(example["report"])
    assert set(line["facts"][0]) == set(example["facts"][0])
    assert set(line["checks"][0]) == set(example["checks"][0])


def test_docs_need_nothing_outside_the_repository() -> None:
    """Links in the README and docs/ point inside the repository (a clone has nothing beside it)."""
    for path in [README, *sorted((README.parent / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text, path
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
