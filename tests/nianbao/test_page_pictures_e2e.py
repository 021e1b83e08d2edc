"""End to end: a report page whose table 二 is HTML and tables 三 and 四 are pictures.

`nianbao run` over the fixture portal (fixtures/portal/picture_site.py) fetches the two
article pictures (not the logo, the share icon nor the QR code), reads them by OCR with the
page and exports one report whose every fact is right, with ``origin`` html or ocr. Then the
same page saved on disk is read by `nianbao parse FILE.html`, with one picture saved beside it.
OCR costs seconds: three small pictures are OCR'd in this module.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fixtures.attachments.fonts import NO_FONT_REASON, have_chinese_font
from fixtures.portal import Page, Portal, PortalServer
from fixtures.portal.picture_site import LOGO, PICTURES, QR, SHARE, PictureSite, build
from fixtures.reports.render import norm_value
from nianbao.cli import main
from nianbao.output.results import ResultStore
from tests.nianbao.site import crawl

pytestmark = pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)


@pytest.fixture(scope="module")
def picture_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    portal = Portal()
    with PortalServer(portal) as server:
        site = build(portal, server.base)
        tmp = tmp_path_factory.mktemp("pictures")
        data, result = crawl(tmp, f"sources:\n  - name: {site.agency}\n    start: {site.start}\n"
                                  f"    allow: [\"{server.host}\"]\n", "--format", "csv")
        sources = tmp / "sources.yaml"
        yield {"site": site, "data": data, "result": result, "hits": portal.hits,
               "sources": sources}


def _cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return norm_value(value)


def _want(site: PictureSite) -> dict[tuple[str, str, str], tuple]:
    return {(f.table, f.row, f.col): (_cell(f.value), f.unit, f.origin) for f in site.facts}


def test_the_pictures_are_fetched_in_page_order_and_the_decoration_is_not(picture_run) -> None:  # type: ignore[no-untyped-def]
    assert picture_run["result"].exit_code == 0, picture_run["result"].output
    site, hits = picture_run["site"], picture_run["hits"]
    assert [hits[p] for p in PICTURES] == [1, 1]
    assert [hits[p] for p in (LOGO, QR, SHARE)] == [0, 0, 0]
    with sqlite3.connect(picture_run["data"] / "state.sqlite") as db:
        children = [u for (u,) in db.execute(
            "SELECT url FROM urls WHERE parent=? AND kind='attachment' ORDER BY rowid",
            (site.page,))]
    assert children == site.pictures


def test_one_report_with_every_fact_right_and_its_origin(picture_run) -> None:  # type: ignore[no-untyped-def]
    site = picture_run["site"]
    out = picture_run["data"] / "export"
    reports = pd.read_csv(out / "reports.csv", keep_default_na=False)
    assert len(reports) == 1
    row = reports.iloc[0]
    assert (row["source_url"], row["status"], row["title"], row["agency"], int(row["year"]),
            str(row["template"])) == (site.page, "ok", site.title, site.agency, site.year,
                                      site.template)
    assert row["origin"] == "html" and row["attachment_url"] == ""
    facts = pd.read_csv(out / "facts.csv", dtype={"raw": str, "unit": str}, keep_default_na=False,
                        na_values={"value": [""]})
    got = {(f.table, f.row, f.col): (_cell(None if pd.isna(f.value) else f.value),
                                     f.unit or None, f.origin)
           for f in facts.itertuples(index=False)}
    want = _want(site)
    assert {o for _, _, o in want.values()} == {"html", "ocr"}
    assert got == want


def test_a_saved_page_reads_the_pictures_beside_it_and_names_the_missing_one(
        picture_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = picture_run["site"]
    page = tmp_path / "report.html"
    page.write_bytes(site.html.replace(b"src=\"./W0", b"src=\"report_files/W0"))
    saved = tmp_path / "report_files"
    saved.mkdir()
    second = PICTURES[1].rsplit("/", 1)[-1]  # table 四 saved, table 三 not
    (saved / second).write_bytes(site.files[second])
    result = CliRunner().invoke(main, ["parse", "--json", str(tmp_path)])  # the folder: one page
    lines = [json.loads(x) for x in result.output.splitlines() if x.startswith("{")]
    assert len(lines) == 1, result.output
    report = lines[0]
    assert report["status"] == "ok", report["error"]
    got = {(f["table"], f["row"], f["col"]): (_cell(f["value"]), f["unit"], f["origin"])
           for f in report["facts"]}
    assert got == {k: v for k, v in _want(site).items() if k[0] != "requests"}
    missing = [w for w in report["warnings"] if "was not saved beside the page" in w]
    assert len(missing) == 1 and "picture 1 " in missing[0] and "W020220118500101.png" in missing[0]
    assert "table requests not found" in report["warnings"]


def test_a_saved_page_without_its_pictures_says_so_without_a_traceback(
        picture_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fixtures.portal.picture_site import page_html
    from fixtures.reports import render as R

    doc = R.Document(picture_run["site"].title, ["本报告……"], [
        ("一、总体情况", ["……"]), ("二、主动公开政府信息情况", []),
        ("三、收到和处理政府信息公开申请情况", []), ("四、政府信息公开行政复议、行政诉讼情况", [])])
    page = tmp_path / "only_pictures.htm"
    page.write_text(page_html(doc, ["a_files/1.png", "a_files/2.png", "a_files/3.png"], html=(),
                              pictures=(1, 2, 3)), encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--json", str(page)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    report = json.loads(next(x for x in result.output.splitlines() if x.startswith("{")))
    assert report["status"] == "no_tables" and "tables are pictures" in report["error"]
    missing = [w for w in report["warnings"] if "was not saved beside the page" in w
               and w.startswith("pictures: ")]
    assert [m.split(" of the article")[0] for m in missing] == [
        "pictures: picture 1", "pictures: picture 2", "pictures: picture 3"]
    plain = CliRunner().invoke(main, ["parse", str(page)])
    assert plain.exit_code == 1 and "none of the 3 pictures is at hand: picture 1 (a_files/1.png)" \
        " was not saved beside the page" in plain.output, plain.output


def _facts(data: Path) -> dict[tuple[str, str, str], tuple]:
    facts = pd.read_csv(data / "export" / "facts.csv", dtype={"raw": str, "unit": str},
                        keep_default_na=False, na_values={"value": [""]})
    return {(f.table, f.row, f.col): (_cell(None if pd.isna(f.value) else f.value),
                                      f.unit or None, f.origin)
            for f in facts.itertuples(index=False)}


def test_a_picture_archived_in_a_later_run_makes_its_page_parsed_again(tmp_path: Path) -> None:
    """The page is unchanged, but its picture failed the first time: the next run fetches
    the picture and parses the page again with it."""
    portal = Portal()
    with PortalServer(portal) as server:
        site = build(portal, server.base)
        good = portal.lookup(PICTURES[1])
        portal.add(PICTURES[1], Page(b"gone", "text/plain", status=404))
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"sources:\n  - name: {site.agency}\n    start: {site.start}\n"
                           f"    allow: [\"{server.host}\"]\n", encoding="utf-8")
        args = ["run", "--sources", str(sources), "--data", str(tmp_path / "data"),
                "--delay", "0", "--format", "csv"]
        first = CliRunner().invoke(main, args)
        assert first.exit_code == 0, first.output
        want = _want(site)
        assert _facts(tmp_path / "data") == {k: v for k, v in want.items() if k[0] != "appeals"}
        with ResultStore(tmp_path / "data", read_only=True) as store:
            warnings = [w for s in store.metadata().values() for w in s.warnings]
        assert any("picture 2 " in w and "was not archived (failed: HTTP 404)" in w
                   for w in warnings), warnings
        portal.add(PICTURES[1], good)
        second = CliRunner().invoke(main, args)
        assert second.exit_code == 0, second.output
        assert _facts(tmp_path / "data") == want
