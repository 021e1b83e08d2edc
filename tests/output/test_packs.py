"""Packs: the results of many reports stored as one batch, in the order export reads them.

A pack changes where results live, never what they are: every test compares the exported CSV
(or the stored contents) with what the same results give unpacked.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from nianbao.output import columnar
from nianbao.output.export import export
from nianbao.output.records import Dataset
from nianbao.output.results import ResultStore, ResultsError
from nianbao.parsers.model import Fact, Report
from tests.output.test_storage_layouts import _check, _dataset, _store, expected_csv


def _export_order(dataset: Dataset) -> list[int]:
    return [r.facts_from for r in sorted(dataset.reports, key=lambda r: r.report_id)
            if r.facts_from is not None]


def _layout(data: Path) -> list[tuple]:
    db = sqlite3.connect(data / "parsed.sqlite")
    try:
        return db.execute("SELECT version_id, pack, pack_facts, pack_checks, n_checks, "
                          "facts_arrow IS NULL FROM parsed ORDER BY version_id").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("size", [1, 2, 1000])
@pytest.mark.parametrize("chunk_size", [1, 4, 1000])
def test_packed_in_export_order_the_export_is_unchanged(tmp_path: Path, size: int,
                                                         chunk_size: int) -> None:
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["cells"])
    dataset.store.close()  # type: ignore[union-attr]
    with ResultStore(tmp_path / "data") as store:
        assert store.pack(_export_order(dataset), size=size) == len(_export_order(dataset))
    layout = _layout(tmp_path / "data")
    assert all(pack is not None and unbatched for _v, pack, *_r, unbatched in layout)
    assert len({pack for _v, pack, *_r in layout}) == -(-len(layout) // size)
    with ResultStore(tmp_path / "data", read_only=True) as store:
        export(Dataset(dataset.reports, dataset.load, store), tmp_path / "out", ["csv"],
               chunk_size=chunk_size)
    _check(tmp_path / "out", expected_csv(source))


def test_a_result_parsed_again_after_packing_is_read_from_its_own_row(tmp_path: Path) -> None:
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["packed"])
    dataset.store.close()  # type: ignore[union-attr]
    row = dataset.reports[2]
    new = [Fact("requests", "received_new", "total", 99, "99", "件", "html")]
    with ResultStore(tmp_path / "data") as store:
        store.metadata()  # the store now knows where each packed result lies
        store.put(row.facts_from, row.source_url, "report", row.sha256 or "",  # type: ignore[arg-type]
                  Report(title=row.title, agency=row.agency, year=row.year,
                         template=row.template or "unknown", facts=new), "1.0.0")
        assert store.contents(row.facts_from) == (new, [])  # type: ignore[arg-type]
        # one loose result of eight is more than one in twenty: all are packed again
        assert store.pack(_export_order(dataset)) == len(_export_order(dataset))
        assert store.contents(row.facts_from) == (new, [])  # type: ignore[arg-type]
        store.metadata()
        for other in dataset.reports:
            if other.facts_from is not None and other is not row:
                facts, checks = store.contents(other.facts_from)
                want_facts, want_checks = source.load(source.reports[dataset.reports.index(other)])
                assert sorted(map(repr, facts)) == sorted(map(repr, want_facts))
                assert checks == list(want_checks)


@pytest.mark.parametrize("change", ["put", "pack"])
def test_where_facts_lay_before_a_change_is_not_trusted(tmp_path: Path, change: str) -> None:
    """Rows keep where their facts lay in the packs (export reads them without asking again);
    once a result is stored again or the packs are rewritten, that is asked again."""
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["packed"])
    dataset.store.close()  # type: ignore[union-attr]
    with ResultStore(tmp_path / "data") as store:
        meta = store.metadata()
        rows = [replace(r, facts_place=meta[r.facts_from].place) if r.facts_from else r
                for r in dataset.reports]
        assert sum(r.facts_place is not None for r in rows) >= 4
        row = rows[2]
        if change == "put":
            new = [Fact("requests", "received_new", "total", 99, "99", "件", "html")]
            store.put(row.facts_from, row.source_url, "report", row.sha256 or "",  # type: ignore[arg-type]
                      Report(title=row.title, agency=row.agency, year=row.year,
                             template=row.template or "unknown", facts=new), "1.0.0")
        else:  # the same results in the opposite order: every place moves
            store.put(row.facts_from, row.source_url, "report", row.sha256 or "",  # type: ignore[arg-type]
                      Report(title=row.title, agency=row.agency, year=row.year,
                             template=row.template or "unknown",
                             facts=source.load(source.reports[2])[0],
                             checks=source.load(source.reports[2])[1]), "1.0.0")
            assert store.pack(list(reversed(_export_order(dataset))), size=2)
        export(Dataset(rows, dataset.load, store), tmp_path / "out", ["csv"])
    facts = pd.read_csv(tmp_path / "out" / "facts.csv", dtype=str, keep_default_na=False)
    mine = facts[facts["report_id"] == row.report_id]
    if change == "put":
        assert mine[["row", "value"]].values.tolist() == [["received_new", "99"]]
    else:
        _check(tmp_path / "out", expected_csv(source))


def test_packing_waits_until_one_result_in_twenty_is_loose(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    facts = [Fact("requests", "received_new", "total", 1, "1", "件", "html")]
    with ResultStore(data) as store:
        for vid in range(1, 41):
            store.put(vid, f"http://e.example/{vid}.html", "report", "0" * 64,
                      Report(template="2021", facts=facts), "1.0.0")
        assert store.pack(range(1, 41)) == 40
        assert store.pack(range(1, 41)) == 0  # nothing loose: nothing to do
        store.put(41, "http://e.example/41.html", "report", "0" * 64,
                  Report(template="2021", facts=facts), "1.0.0")
        assert store.pack(range(1, 42)) == 0  # one loose in 41: read from its own row
        assert store.contents(41)[0] == facts
        for vid in (42, 43):
            store.put(vid, f"http://e.example/{vid}.html", "report", "0" * 64,
                      Report(template="2021", facts=facts), "1.0.0")
        assert store.pack(range(1, 44)) == 43  # three in 43: packed again
        assert store.db.execute("SELECT count(*) FROM packs").fetchone() == (1,)


def test_results_packed_before_and_no_longer_wanted_stay_readable(tmp_path: Path) -> None:
    """A superseded version that was packed keeps its contents when the packs are rewritten."""
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["packed"])
    dataset.store.close()  # type: ignore[union-attr]
    order = _export_order(dataset)
    with ResultStore(tmp_path / "data") as store:
        before = {vid: store.contents(vid) for vid in order}
        store.put(99, "http://e.example/new.html", "report", "0" * 64,
                  Report(template="2021"), "1.0.0")
        assert store.pack(order[1:] + [99]) == len(order) + 1  # order[0], unwanted, kept at the end
        assert {vid: store.contents(vid) for vid in order} == before
        # the old packs are gone: only the new ones are stored
        packs = {p for (p,) in store.db.execute("SELECT pack FROM packs")}
        assert packs == {p for (p,) in store.db.execute(
            "SELECT DISTINCT pack FROM parsed WHERE pack IS NOT NULL")}


def test_an_interrupted_pack_leaves_the_store_as_it_was(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["cells"])
    dataset.store.close()  # type: ignore[union-attr]
    before = _layout(tmp_path / "data")
    real, calls = columnar.to_blob, []

    def failing(batch, in_order=False):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 2:  # the second pack
            raise sqlite3.OperationalError("disk I/O error")
        return real(batch, in_order)

    monkeypatch.setattr(columnar, "to_blob", failing)
    with ResultStore(tmp_path / "data") as store:
        with pytest.raises(ResultsError, match="cannot pack"):
            store.pack(_export_order(dataset), size=2)
        assert store.db.execute("SELECT count(*) FROM packs").fetchone() == (0,)
    assert _layout(tmp_path / "data") == before
    monkeypatch.undo()
    with ResultStore(tmp_path / "data", read_only=True) as store:
        export(Dataset(dataset.reports, dataset.load, store), tmp_path / "out", ["csv"])
    _check(tmp_path / "out", expected_csv(source))


def test_a_missing_pack_is_a_clear_error(tmp_path: Path) -> None:
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["packed"])
    dataset.store.close()  # type: ignore[union-attr]
    db = sqlite3.connect(tmp_path / "data" / "parsed.sqlite")
    db.execute("DELETE FROM packs")
    db.commit()
    db.close()
    with ResultStore(tmp_path / "data", read_only=True) as store:
        with pytest.raises(ResultsError, match="missing; parse again"):
            store.contents(_export_order(dataset)[0])


def test_packing_gives_the_freed_pages_back(tmp_path: Path) -> None:
    """Each result's own batches are dropped once packed: a new store's file shrinks back to
    about the size of its packs instead of keeping both."""
    data = tmp_path / "data"
    data.mkdir()
    facts = [Fact("requests", f"row{k}", "total", k, str(k), "件", "html") for k in range(300)]
    with ResultStore(data) as store:
        for vid in range(1, 201):
            store.put(vid, f"http://e.example/{vid}.html", "report", "0" * 64,
                      Report(template="2021", facts=facts), "1.0.0")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = (data / "parsed.sqlite").stat().st_size
        assert store.pack(range(1, 201)) == 200
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert store.db.execute("PRAGMA freelist_count").fetchone() == (0,)
        assert (data / "parsed.sqlite").stat().st_size < 1.3 * before
        assert sorted(map(repr, store.contents(77)[0])) == sorted(map(repr, facts))
