"""Machine-readable results: `status --json`, run records, a running crawl, `parse --json` lines
for every input; and one set of report counts that `run`, `parse --data -v`, `status` and the
export all print, on a portal where one report is published at several URLs."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fixtures.portal import Page, Portal, PortalServer
from fixtures.reports.render import Variant, case_for
from nianbao.cli import main
from nianbao.output.records import report_id
from nianbao.parsers.model import STATUSES
from fixtures.reports.spec import year_spec
from tests.nianbao.site import _page, build_site

TWINS = "/xxgk/content/"
COPIES = "/zwgk/ndbg/"


def _column(portal: Portal, path: str, links: list[tuple[str, str]]) -> None:
    items = "".join(f"<li><a href='{p}' title='{t}'>{t}</a><span>2024-01-15</span></li>"
                    for p, t in links)
    portal.add(path + "index.html", Page(_page("政府信息公开年报", f"<ul>{items}</ul>")))


@pytest.fixture(scope="module")
def twins_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The end-to-end site plus one report at four URLs: desktop, mobile twin, a byte-identical
    copy, and a reprint rendered differently (same facts); and a TRS `_wap` pair."""
    portal = Portal()
    with PortalServer(portal) as server:
        build_site(portal, server.base)
        spec = year_spec(21, "2021", "青山县教育局", 2022)
        desk = case_for(spec, "html_single", Variant(seed=31), "desk")
        mobile = case_for(spec, "html_single", Variant(seed=32, script="hans"), "mobile")
        assert desk.data != mobile.data
        title = desk.report.title
        portal.add(TWINS + "post_8.html", Page(desk.data))
        portal.add(TWINS + "mpost_8.html", Page(mobile.data))
        portal.add(COPIES + "202301/t20230115_8.html", Page(desk.data))  # same bytes
        reprint = case_for(spec, "html_single", Variant(seed=33), "reprint")
        portal.add(COPIES + "202301/t20230116_9.html", Page(reprint.data))  # same facts
        wap_spec = year_spec(22, "2019", "白云镇人民政府", 2020)
        portal.add(COPIES + "202101/t20210110_10.html",
                   Page(case_for(wap_spec, "html_single", Variant(seed=34), "trs").data))
        portal.add(COPIES + "202101/t20210110_10_wap.html",
                   Page(case_for(wap_spec, "html_single", Variant(seed=35), "wap").data))
        wap_title = "白云镇人民政府2020年政府信息公开工作年度报告"
        _column(portal, TWINS, [("post_8.html", title), ("mpost_8.html", title)])
        _column(portal, COPIES, [("202301/t20230115_8.html", title),
                                 ("202301/t20230116_9.html", title),
                                 ("202101/t20210110_10.html", wap_title),
                                 ("202101/t20210110_10_wap.html", wap_title)])
        tmp = tmp_path_factory.mktemp("twins")
        sources = tmp / "sources.yaml"
        sources.write_text(
            "sources:\n" + "".join(
                f"  - name: {name}\n    start: {server.base}{path}index.html\n"
                f"    allow: [\"{server.host}\"]\n"
                for name, path in (("示例市政府信息公开年报", "/xxgk/ndbg/"), ("青山县移动版", TWINS),
                                   ("转载", COPIES))), encoding="utf-8")
        data = tmp / "data"
        result = CliRunner().invoke(main, ["run", "--sources", str(sources), "--data", str(data),
                                           "--delay", "0"])
        yield {"data": data, "result": result, "base": server.base, "sources": sources}


def _reports_line(text: str) -> tuple[int, int, int, int]:
    m = re.search(r"(\d+) archived, (\d+) parsed, (\d+) failed to parse, (\d+) not parsed yet",
                  text)
    assert m, text
    return tuple(int(g) for g in m.groups())  # type: ignore[return-value]


def test_every_command_gives_the_same_report_counts(twins_run) -> None:  # type: ignore[no-untyped-def]
    data, run = twins_run["data"], twins_run["result"]
    assert run.exit_code == 0, run.output
    runner = CliRunner()
    parse = runner.invoke(main, ["parse", "--data", str(data), "-v"])
    status = runner.invoke(main, ["status", "--data", str(data)])
    as_json = json.loads(runner.invoke(main, ["status", "--json", "--data", str(data)]).output)
    assert parse.exit_code == 0 and status.exit_code == 0, parse.output + status.output
    reports = pd.read_csv(data / "export" / "reports.csv")
    with sqlite3.connect(data / "export" / "nianbao.sqlite") as db:
        in_sqlite = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    ok = int(reports["status"].isin(["ok", "empty", "legacy"]).sum())
    # 7 reports of the base site + the report at four URLs + the _wap pair = 9 reports
    expected = (9, ok, len(reports) - ok, 0)
    assert ok == 7 and len(reports) == in_sqlite == 9
    run_counts = re.search(r"exported (\d+) reports \((\d+) parsed, (\d+) failed to parse, "
                           r"(\d+) not parsed yet\)", run.output)
    assert run_counts and tuple(int(g) for g in run_counts.groups()) == expected
    assert _reports_line(run.output) == expected
    assert _reports_line(parse.output) == expected
    assert _reports_line(status.output) == expected
    j = as_json["reports"]
    assert (j["archived"], j["parsed"], j["failed"], j["not_parsed"]) == expected
    assert j["report_pages"] == 13 and "4 are the same report as another" in status.output
    assert sum(j["by_status"].values()) == 9


def test_one_report_at_several_urls_is_one_row_with_the_other_urls(twins_run) -> None:  # type: ignore[no-untyped-def]
    data, base = twins_run["data"], twins_run["base"]
    reports = pd.read_csv(data / "export" / "reports.csv", keep_default_na=False)
    desk = base + TWINS + "post_8.html"
    row = reports[reports["source_url"] == desk]
    assert len(row) == 1 and row["report_id"].item() == report_id(desk)
    assert row["other_urls"].item().split() == sorted(
        [base + TWINS + "mpost_8.html", base + COPIES + "202301/t20230115_8.html",
         base + COPIES + "202301/t20230116_9.html"])
    trs = base + COPIES + "202101/t20210110_10.html"
    assert reports.loc[reports["source_url"] == trs, "other_urls"].item() == \
        base + COPIES + "202101/t20210110_10_wap.html"
    facts = pd.read_csv(data / "export" / "facts.csv")
    one = facts[facts["report_id"] == report_id(desk)]
    assert len(one) and not one.duplicated(["table", "row", "col"]).any()
    assert set(facts["report_id"]) <= set(reports["report_id"])
    with sqlite3.connect(data / "export" / "nianbao.sqlite") as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        hits = db.execute("SELECT r.source_url FROM reports_fts JOIN reports r ON "
                          "r.rowid = reports_fts.rowid WHERE reports_fts MATCH '青山县教育局'").fetchall()
    assert hits == [(desk,)]


def test_status_json_has_what_status_prints_and_the_last_runs(twins_run) -> None:  # type: ignore[no-untyped-def]
    data = twins_run["data"]
    result = CliRunner().invoke(main, ["status", "--json", "--data", str(data)])
    assert result.exit_code == 0, result.output
    st = json.loads(result.output)
    assert st["documents"]["report"] == {"fetched": 13}
    assert st["export"] == str(data / "export")
    assert st["crawl"]["running"] is False and st["crawl"]["run"] == 1
    assert [s["name"] for s in st["sources"]] == ["示例市政府信息公开年报", "转载", "青山县移动版"]
    runs = [r for r in st["runs"] if r["command"] == "run"]
    assert runs, st["runs"]
    run = runs[-1]  # the first `nianbao run`
    assert run["crawl_run"] == 1 and run["exit_code"] == 0 and run["started"] <= run["finished"]
    assert run["fetched"]["reports"] == 13 and run["fetched"]["attachments"] == 2
    assert run["parsed"]["parsed"] == 15 and run["exported"]["reports"] == 9
    assert run["reports"]["archived"] == 9
    text = CliRunner().invoke(main, ["status", "--data", str(data)]).output
    assert "last runs:" in text and "run (crawl run 1): fetched 3 pages, 13 reports" in text


def test_status_shows_a_running_crawl_and_an_interrupted_one(twins_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(twins_run["data"], data)
    with sqlite3.connect(data / "state.sqlite") as db:  # a crawl run that has not finished
        db.execute("INSERT INTO runs(started) VALUES ('2026-01-02T03:04:05+00:00')")
    fd = os.open(data / ".crawl.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what the crawler holds while it runs
        st = json.loads(CliRunner().invoke(main, ["status", "--json", "--data", str(data)]).output)
        text = CliRunner().invoke(main, ["status", "--data", str(data)]).output
    finally:
        os.close(fd)
    assert st["crawl"]["running"] is True and st["crawl"]["run"] == 2
    assert st["crawl"]["pid"] in (os.getpid(), None)
    assert "crawl: running now" in text and "since 2026-01-02T03:04:05+00:00" in text
    # the lock released: the unfinished run is an interrupted one, resumed by the next run
    st = json.loads(CliRunner().invoke(main, ["status", "--json", "--data", str(data)]).output)
    assert st["crawl"]["running"] is False and st["crawl"]["interrupted"] is True
    assert any(r.get("interrupted") for r in st["runs"] if r["crawl_run"] == 2)
    text = CliRunner().invoke(main, ["status", "--data", str(data)]).output
    assert "run 2 started 2026-01-02T03:04:05+00:00 was interrupted" in text


def test_a_results_store_from_before_still_exports_with_new_ids(twins_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(twins_run["data"], data, ignore=shutil.ignore_patterns("export"))
    with sqlite3.connect(data / "parsed.sqlite") as db:
        db.execute("DROP TABLE runs")  # the store as it was before runs were recorded
    status = CliRunner().invoke(main, ["status", "--json", "--data", str(data)])
    assert status.exit_code == 0, status.output
    assert [r["command"] for r in json.loads(status.output)["runs"]] == ["crawl"]
    result = CliRunner().invoke(main, ["export", "--data", str(data), "--format", "csv"])
    assert result.exit_code == 0, result.output
    ids = pd.read_csv(data / "export" / "reports.csv")["report_id"]
    assert len(ids) == 9 and ids.str.fullmatch(r"r[0-9a-f]{16}").all()


def test_parse_json_gives_every_input_a_line_with_status_and_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao.parsers import limits

    spec = year_spec(23, "2021", "白云镇人民政府", 2022)
    (tmp_path / "a_report.html").write_bytes(case_for(spec, "html_single", Variant(seed=1),
                                                      "a").data)
    (tmp_path / "b_big.html").write_bytes(b"<html>" + b"x" * 3_000_000)
    (tmp_path / "c_empty.html").write_bytes(b"")
    (tmp_path / "d_locked.html").write_bytes(b"<html></html>")
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 2_000_000)
    read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # a file the user may not read (root reads any)
        if self.name == "d_locked.html":
            raise PermissionError(13, "Permission denied")
        return read(self)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = CliRunner().invoke(main, ["parse", "--json", str(tmp_path)])
    assert result.exit_code == 1
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    names = [Path(d["report"]["source"]).name for d in docs]
    assert names == ["a_report.html", "b_big.html", "c_empty.html", "d_locked.html"]
    for d in docs:
        assert d["status"] in STATUSES and "error" in d
        assert (d["error"] is None) == (d["status"] in ("ok", "empty", "legacy"))
    assert docs[0]["status"] == "ok" and docs[0]["facts"]
    assert docs[1]["status"] == "limit" and "MAX_INPUT_BYTES" in docs[1]["error"]
    assert docs[2]["status"] not in ("ok", "empty", "legacy")
    assert docs[3]["status"] == "error" and docs[3]["error"] == "cannot read: Permission denied"
    assert "d_locked.html: cannot read: Permission denied" in result.stderr
