"""`nianbao demo`: the whole job against the bundled portal, offline, and its server stopped."""

from __future__ import annotations

import csv
import json
import re
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nianbao import pipeline
from nianbao.cli import main
from nianbao.demo.site import documents


def _port(result: Result) -> int:
    found = re.search(r"demo portal on http://127\.0\.0\.1:(\d+)", result.output)
    assert found, result.output
    return int(found.group(1))


def _closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    data = tmp_path_factory.mktemp("demo") / "tmp"
    return CliRunner().invoke(main, ["demo", "--data", str(data)]), data


def test_demo_exports_every_bundled_report(demo_run: tuple[Result, Path]) -> None:
    result, data = demo_run
    assert result.exit_code == 0, result.output
    docs = documents()
    reports = _rows(data / "export" / "reports.csv")
    got = sorted((r["agency"], int(r["year"]), r["template"], r["status"], r["origin"])
                 for r in reports)
    origin = {"html": "html", "text": "text", "pdf": "pdf", "docx": "docx"}
    want = sorted((str(d["agency"]), int(d["year"]), str(d["template"]), "ok",  # type: ignore[call-overload]
                   origin[str(d["format"])]) for d in docs.values())
    assert got == want
    assert {r["origin"] for r in reports} == {"html", "text", "pdf", "docx"}
    facts = _rows(data / "export" / "facts.csv")
    assert len(facts) == sum(int(d["facts"]) for d in docs.values())  # type: ignore[call-overload]
    with sqlite3.connect(data / "export" / "nianbao.sqlite") as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone() == (len(docs),)
        failed = db.execute("SELECT DISTINCT r.agency, r.year FROM checks c JOIN reports r "
                            "USING (report_id) WHERE NOT c.ok").fetchall()
    assert failed == [("示例市水务局", 2023)]  # the one carry broken on purpose


def test_demo_crawl_meets_robots_and_the_anti_bot_page(demo_run: tuple[Result, Path]) -> None:
    result, data = demo_run
    status = CliRunner().invoke(main, ["status", "--data", str(data), "--json"])
    assert status.exit_code == 0, status.output
    st = json.loads(status.output)
    assert st["documents"]["report"] == {"fetched": len(documents()), "blocked": 1, "skipped": 1}
    assert st["documents"]["attachment"] == {"fetched": 2}  # the PDF and the Word report
    assert [s["status"] for s in st["sources"]] == ["ok"] * 3
    assert "robots.txt disallows" in result.output


def test_demo_says_what_to_try(demo_run: tuple[Result, Path]) -> None:
    result, data = demo_run
    assert f"sqlite3 {data}/export/nianbao.sqlite" in result.output
    assert f"{data}/export/reports.csv" in result.output
    assert f"nianbao status --data {data}" in result.output


def test_demo_stops_its_server(demo_run: tuple[Result, Path]) -> None:
    assert _closed(_port(demo_run[0]))


@pytest.mark.parametrize("failure,code", [(KeyboardInterrupt, 130), (RuntimeError("boom"), 1)])
def test_demo_stops_its_server_when_the_run_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  failure: BaseException, code: int) -> None:
    def crawl(*args: object, **kwargs: object) -> None:
        raise failure
    monkeypatch.setattr(pipeline, "crawl", crawl)
    result = CliRunner().invoke(main, ["demo", "--data", str(tmp_path / "d")])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert _closed(_port(result))


def test_demo_again_replaces_its_own_folder_only(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "crawl", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "--data", str(mine)])
    assert result.exit_code == 2 and "not made by `nianbao demo`" in result.output
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    demo_dir = tmp_path / "demo"
    for _ in range(2):
        result = CliRunner().invoke(main, ["demo", "--data", str(demo_dir)])
        assert result.exit_code == 130, result.output
    assert (demo_dir / ".nianbao-demo").is_file()


def test_bundled_documents_are_what_the_generator_writes(tmp_path: Path) -> None:
    """nianbao/demo/files/ is fixtures/demo/make_documents.py's output (regenerate it if not):
    the same HTML, text and manifest, and PDF and Word files that parse to the same facts."""
    from fixtures.demo.make_documents import OUT, build
    from nianbao.parsers import parse

    build(tmp_path)
    for name in sorted(p.name for p in OUT.iterdir()):
        old, new = (OUT / name).read_bytes(), (tmp_path / name).read_bytes()
        if name.endswith((".pdf", ".docx")):
            facts = [sorted((f.table, f.row, f.col, f.value) for f in parse(data).facts)
                     for data in (old, new)]
            assert facts[0] == facts[1], name
        else:
            assert old == new, f"{name}: run python -m fixtures.demo.make_documents"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in OUT.iterdir())
