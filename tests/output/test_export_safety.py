"""Deterministic output, atomic replacement, cross-year checks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nianbao.output.cross_year import cross_year_checks
from nianbao.output.export import export
from nianbao.output.records import Dataset, report_id
from tests.output.helpers import small_dataset


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_same_input_gives_identical_files_whatever_the_order(tmp_path: Path) -> None:
    export(small_dataset(), tmp_path / "a")
    shuffled = small_dataset()
    random.Random(4).shuffle(shuffled.reports)
    export(shuffled, tmp_path / "b", chunk_size=1)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert set(a) == set(b)
    for name in a:
        if not name.endswith(".sqlite") and "parquet" not in name:
            assert a[name] == b[name], name


def test_a_failure_mid_export_leaves_the_old_files(tmp_path: Path) -> None:
    export(small_dataset(), tmp_path)
    before = _files(tmp_path)
    good = small_dataset()
    calls = {"n": 0}

    def failing(row):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return small_dataset().load(row)

    with pytest.raises(Exception, match="No space left"):
        export(Dataset(good.reports, failing), tmp_path, chunk_size=1)
    assert _files(tmp_path) == before
    assert not [p for p in tmp_path.rglob(".*tmp*")]


def test_an_interrupted_export_leaves_the_old_files(tmp_path: Path) -> None:
    export(small_dataset(), tmp_path, ["csv", "sqlite"])
    before = _files(tmp_path)
    good = small_dataset()

    def interrupted(row):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(Dataset(good.reports, interrupted), tmp_path, ["csv", "sqlite"])
    assert _files(tmp_path) == before


def test_stale_temp_files_of_dead_exports_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".facts.csv.tmp-999999999-abcdef12"
    stale.write_text("half")
    export(small_dataset(), tmp_path, ["csv"])
    assert not stale.exists()


def test_cross_year_checks() -> None:
    rows = {r.source_url: r for r in small_dataset().reports}
    checks = cross_year_checks(list(rows.values()))
    r2021, r2022, r2023 = (rows[f"http://a.example/{y}.html"] for y in (2021, 2022, 2023))
    assert r2021.report_id not in checks  # no 2020 report
    by_name = {c.name: c for c in checks[r2022.report_id].checks()}
    assert len(by_name) == 7
    assert by_name["cross_year.carry.natural_person"].ok  # 5 == 5
    assert (by_name["cross_year.carry.natural_person"].lhs, by_name["cross_year.carry.natural_person"].rhs) == (5, 5)
    assert by_name["cross_year.carry.total"].ok  # absent on both sides: 0 == 0
    bad = {c.name: c for c in checks[r2023.report_id].checks()}["cross_year.carry.natural_person"]
    assert checks[r2023.report_id].failed == 1
    assert (bad.ok, bad.lhs, bad.rhs) == (False, 6, 7)
    assert report_id("http://b.example/x.html") not in checks  # no agency, no year


def test_cross_year_failures_count_in_reports(tmp_path: Path) -> None:
    export(small_dataset(), tmp_path, ["csv"])
    lines = (tmp_path / "reports.csv").read_text(encoding="utf-8").splitlines()
    rid = report_id("http://a.example/2023.html")
    line = next(line for line in lines if line.startswith(rid))
    assert ",ok,2," in line  # its own failed check plus the cross-year one
    checks = (tmp_path / "checks.csv").read_text(encoding="utf-8")
    assert f"{rid},cross_year.carry.natural_person,false,6,7" in checks
