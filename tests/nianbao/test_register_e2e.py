"""End to end: the agency register of a crawl whose reports name their agencies every way.

`nianbao run` over the fixture portal of fixtures/portal/register_site.py: each report gets the
register entry its title, page and source entry point to, or none where they leave it open;
``agencies`` holds every entry and the governments above; the cross-year check pairs reports
of one agency whatever name each year printed; the summary page of that dataset, drawn by
headless Chromium, shows its provinces.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from click.testing import CliRunner

from fixtures.portal import Portal, PortalServer
from fixtures.portal.register_site import build, sources_yaml
from nianbao.cli import main
from nianbao.output.records import report_id
from tests.nianbao.site import crawl


@pytest.fixture(scope="module")
def register_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    portal = Portal()
    with PortalServer(portal) as server:
        columns = build(portal, server.base)
        data, result = crawl(tmp_path_factory.mktemp("register"),
                             sources_yaml(columns, server.base, server.host),
                             "--format", "csv,sqlite")
        entries = [(server.base + e.path, e) for c in columns for e in c.entries]
        yield {"result": result, "export": data / "export", "entries": entries, "portal": portal}


def _csv(run, name: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.read_csv(run["export"] / f"{name}.csv", dtype=str, keep_default_na=False)


def test_every_report_gets_the_register_entry_its_names_point_to(register_run) -> None:  # type: ignore[no-untyped-def]
    assert register_run["result"].exit_code == 0, register_run["result"].output
    reports = _csv(register_run, "reports").set_index("report_id")
    agencies = _csv(register_run, "agencies").set_index("agency_id")
    for url, e in register_run["entries"]:
        row = reports.loc[report_id(url)]
        assert row["status"] == "ok", (url, row["error"])
        if e.name is None:  # 朝阳区 with no source agency: two divisions bear the name
            assert (row["agency_id"], row["region_code"], row["level"]) == ("", "", ""), url
            continue
        entry = agencies.loc[row["agency_id"]]
        assert (entry["name"], entry["region_code"], entry["level"], entry["kind"]) == (
            e.name, e.region_code, e.level, e.kind), (e.printed, e.year)
        assert (row["region_code"], row["level"], row["kind"]) == (
            e.region_code, e.level, e.kind)
    # the bureau whose title names no agency takes its printed name from the page's signature
    signed = next(e for _u, e in register_run["entries"] if e.printed is None)
    assert reports.loc[report_id(next(u for u, e in register_run["entries"]
                                      if e is signed)), "agency"] == "汉阴县教育局"


def test_one_agency_is_one_entry_whatever_it_printed(register_run) -> None:  # type: ignore[no-untyped-def]
    reports = _csv(register_run, "reports")
    agencies = _csv(register_run, "agencies").set_index("agency_id")
    by_name = reports[reports["agency_id"] != ""].groupby("agency_id")["agency"].apply(set)
    printed = {agencies.loc[i, "name"]: names for i, names in by_name.items()}
    assert printed["陕西省安康市汉阴县卫生健康局"] == {"汉阴县卫生和计划生育局", "汉阴县卫生健康局"}
    assert printed["陕西省安康市汉阴县人民政府办公室"] == {
        "汉阴县政府办", "陕西省安康市汉阴县人民政府办公室"}
    assert printed["江苏省南京市鼓楼区人民政府"] == {"鼓楼区", "鼓楼区人民政府"}
    # the two 鼓楼区 are two entries, in two provinces
    gl = agencies[agencies["name"].str.endswith("鼓楼区人民政府")]
    assert sorted(gl["province"]) == ["江苏省", "福建省"]
    office = agencies[agencies["name"] == "陕西省安康市汉阴县人民政府办公室"].iloc[0]
    assert office["printed_names"] == "汉阴县政府办 | 陕西省安康市汉阴县人民政府办公室"
    assert (office["reports"], office["first_year"], office["last_year"]) == ("2", "2021", "2022")


def test_parents_lead_up_to_the_province(register_run) -> None:  # type: ignore[no-untyped-def]
    agencies = _csv(register_run, "agencies").set_index("agency_id")
    township = agencies[agencies["name"] == "陕西省安康市汉阴县城关镇人民政府"].iloc[0]
    chain = []
    parent = township["parent_id"]
    while parent:
        chain.append((agencies.loc[parent, "name"], agencies.loc[parent, "region_code"],
                      agencies.loc[parent, "reports"]))
        parent = agencies.loc[parent, "parent_id"]
    assert chain == [("陕西省安康市汉阴县人民政府", "610921", "0"),
                     ("陕西省安康市人民政府", "6109", "0"), ("陕西省人民政府", "61", "0")]
    # every parent id is a row of the table
    assert set(agencies["parent_id"]) - {""} <= set(agencies.index)


def test_cross_year_checks_pair_an_agency_across_its_names(register_run) -> None:  # type: ignore[no-untyped-def]
    reports = _csv(register_run, "reports").set_index("report_id")
    checks = _csv(register_run, "checks")
    cross = checks[checks["name"].str.startswith("cross_year.")]
    cross = cross.assign(agency=[reports.loc[r, "agency"] for r in cross["report_id"]])
    # 2020 卫生健康局 against 2019 卫生和计划生育局, 2022 鼓楼区人民政府 against 2021 鼓楼区,
    # the office in full against 政府办; 城关镇 and the other 鼓楼区 have no year before
    assert set(cross["agency"]) == {"汉阴县卫生健康局", "鼓楼区人民政府",
                                    "陕西省安康市汉阴县人民政府办公室"}
    chained = cross[cross["agency"] != "陕西省安康市汉阴县人民政府办公室"]
    assert len(chained) == 14 and (chained["ok"] == "true").all()  # 7 columns, carried over


def test_the_sqlite_file_joins_reports_to_agencies(register_run) -> None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(register_run["export"] / "nianbao.sqlite") as db:
        rows = db.execute("SELECT a.province, count(*) FROM reports r JOIN agencies a "
                          "USING (agency_id) GROUP BY a.province ORDER BY a.province").fetchall()
    assert dict(rows) == {"江苏省": 2, "福建省": 1, "陕西省": 6}


def test_parse_json_resolves_from_the_document_alone(register_run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without its source entry, 鼓楼区 is left open with a warning; 汉阴县政府办 is not."""
    got = {}
    for _url, e in register_run["entries"]:
        if e.printed in ("鼓楼区", "汉阴县政府办"):
            path = tmp_path / f"{e.year}.html"
            path.write_bytes(register_run["portal"].routes[e.path].body)
            result = CliRunner().invoke(main, ["parse", "--json", str(path)])
            got[e.printed] = json.loads(result.output.splitlines()[0])
    gl, office = got["鼓楼区"], got["汉阴县政府办"]
    assert gl["report"]["agency_id"] is None and gl["report"]["region_code"] is None
    assert any(w.startswith("agency: 鼓楼区 could be in any of 4 divisions") for w in gl["warnings"])
    assert office["report"]["agency_name"] == "陕西省安康市汉阴县人民政府办公室"
    assert (office["report"]["region_code"], office["report"]["kind"]) == ("610921",
                                                                           "government_office")


def test_status_says_how_many_agencies_and_which_reports_are_unplaced(register_run) -> None:  # type: ignore[no-untyped-def]
    data = register_run["export"].parent
    result = CliRunner().invoke(main, ["status", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert ("  agencies: 6 agencies in the register; 1 report whose agency could not be "
            "identified (give their source's agency in full in the sources file)") in result.output
    as_json = json.loads(CliRunner().invoke(main, ["status", "--data", str(data), "--json"]).output)
    assert (as_json["reports"]["agencies"], as_json["reports"]["unplaced"]) == (6, 1)


def test_the_summary_page_counts_reports_by_the_registers_provinces(register_run) -> None:  # type: ignore[no-untyped-def]
    import lxml.html

    doc = lxml.html.fromstring((register_run["export"] / "summary.html").read_bytes())
    rows = doc.xpath('//table[@class="coverage"]//tr[td]')
    coverage = {r.xpath("./td")[0].text_content(): r.xpath("./td")[-1].text_content() for r in rows}
    assert coverage == {"江苏省": "2", "福建省": "1", "陕西省": "6", "unknown": "1", "all": "10"}


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))
                 if p), None)


@pytest.mark.skipif(_chromium() is None, reason="no Chromium here (.ci/run installs Debian's "
                    "chromium package, so CI runs this)")
def test_the_summary_page_renders_in_a_real_browser(register_run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Headless Chromium draws export/summary.html offline: the tables and the inline SVG
    charts (bars #3b6ea5, the granted-share line #c0392b) fill a page of the expected length."""
    shot = tmp_path / "summary.png"
    page = (register_run["export"] / "summary.html").resolve()
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=1280,4000", f"--screenshot={shot}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    with Image.open(shot) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.int16)
    assert rgb.shape == (4000, 1280, 3)

    def share(color: tuple[int, int, int], tolerance: int) -> float:
        return float((np.abs(rgb - color).max(axis=2) <= tolerance).mean())

    assert share((0x3B, 0x6E, 0xA5), 12) > 0.005  # the bar charts
    assert share((0xC0, 0x39, 0x2B), 24) > 0.00001  # the line of the requests chart
    inked = np.nonzero((rgb < 250).any(axis=2).any(axis=1))[0]
    assert 2000 < inked.max() < 3990  # every section drawn, and the page ends on the screen
    assert inked.min() < 100  # the heading at the top
