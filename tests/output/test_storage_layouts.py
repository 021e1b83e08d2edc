"""Every stored layout of facts exports the CSV the documented format asks for, byte for byte.

The expected files are written here by a slow, independent path: the csv module over Fact
objects, in the order and with the columns FORMATS.md describes (facts in each report's printed
order, numbers as Python prints them, one wide line per report and row). The export reads the
same reports from a results store whose rows are in each layout parse has ever stored: cell ids
(tag 3), cells as strings unsorted (tag 1) or sorted (tag 2), JSON, and packs of several
results; mixed in one chunk, in a store older than ``cell_ids``, and after a rolled-back
transaction.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from nianbao.output import columnar
from nianbao.output.columns import FILES, WIDE, fact_order, wide_cols
from nianbao.output.cross_year import cross_year_checks
from nianbao.output.export import export
from nianbao.output.records import Dataset, ReportRow
from nianbao.output.results import ResultStore
from nianbao.parsers.model import Check, Fact, Report
from nianbao.parsers.schema import SCHEMAS, TABLES
from tests.output.helpers import golden_dataset

KNOWN = {(t, r.key, c.key) for tm in SCHEMAS for t in TABLES for r in SCHEMAS[tm][t].rows
         for c in r.cols}
LABELS = {(tm, t, r.key): r.label for tm in SCHEMAS for t in TABLES for r in SCHEMAS[tm][t].rows}


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _printed(facts: list[Fact], template: str | None) -> list[Fact]:
    def key(f: Fact) -> tuple:
        if (f.table, f.row, f.col) in KNOWN:
            return (0, fact_order(f.table, f.row, f.col, template))
        return (1, fact_order(f.table, f.row, f.col))
    return sorted(facts, key=key)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def expected_csv(dataset: Dataset) -> dict[str, bytes]:
    """facts.csv, checks.csv and wide_*.csv of ``dataset``, the slow way."""
    rows = sorted(dataset.reports, key=lambda r: r.report_id)
    extra = cross_year_checks(rows)
    facts_out, checks_out = [], []
    wide_out: dict[str, list[list[str]]] = {t: [] for t in TABLES}
    for row in rows:
        facts, checks = dataset.load(row)
        ordered = _printed(list(facts), row.template)
        for f in ordered:
            facts_out.append([row.report_id, f.table, f.row, f.col, _text(f.value), f.raw or "",
                              f.unit or "", f.origin or "", _text(bool(f.inferred))])
        carried = extra[row.report_id].checks() if row.report_id in extra else []
        for c in list(checks) + carried:
            checks_out.append([row.report_id, c.name, _text(bool(c.ok)), _text(c.lhs),
                               _text(c.rhs)])
        for t in TABLES:
            keys = wide_cols(t)
            lines: dict[str, dict[str, Fact]] = {}
            for f in ordered:
                if f.table == t and f.col in keys:
                    lines.setdefault(f.row, {})[f.col] = f  # the last of duplicates
            for r in sorted(lines, key=lambda r: fact_order(t, r, "", row.template)):
                label = LABELS.get((row.template or "", t, r))
                wide_out[t].append([row.report_id, row.agency or "", _text(row.year),
                                    row.template or "", r, label or ""]
                                   + [_text(lines[r][k].value) if k in lines[r] else ""
                                      for k in keys])
    out = {"facts": _csv([c.name for c in FILES["facts"]], facts_out),
           "checks": _csv([c.name for c in FILES["checks"]], checks_out)}
    for t in TABLES:
        out[f"wide_{t}"] = _csv([c.name for c in WIDE[t]], wide_out[t])
    return out


def _dataset() -> Dataset:
    """The golden dataset plus a report with a duplicated cell, a raw text to quote, a unit-less
    cell and a row of the other template."""
    gold = golden_dataset()
    items = [(r, *gold.load(r)) for r in gold.reports]
    row, facts, checks = items[4]
    url = "http://e.example/odd.html"
    odd = replace(row, report_id="r00000000000000ee", source_url=url, sha256="e" * 64,
                  agency="双河镇", year=2023)
    odd_facts = [Fact("requests", "received_new", "total", 5, "5", "件", "html"),
                 Fact("requests", "received_new", "total", 6.5, "6.5", "件", "html"),
                 Fact("active", "art20_1.rules", "issued", 1, '1,"件"', None, "ocr", True),
                 Fact("requests", "other.overdue", "total", 2, "2", "件", "html")]
    odd_facts += facts[:20]
    items.append((odd, odd_facts, [Check("requests.balance.total", True, 1, 1)]))
    contents = {r.report_id: (f, c) for r, f, c in items}
    return Dataset([r for r, _f, _c in items], lambda r: contents[r.report_id])


LAYOUTS = ("cells", "strings", "strings_sorted", "json", "packed")


def _store(data: Path, source: Dataset, layouts: list[str]) -> Dataset:
    """``source`` put into a results store, row i rewritten to ``layouts[i % len]``."""
    rows: list[ReportRow] = []
    packed: list[int] = []
    data.mkdir(parents=True)
    with ResultStore(data) as store:
        for vid, row in enumerate(source.reports, start=1):
            if row.parser_version is None:
                rows.append(row)
                continue
            facts, checks = source.load(row)
            report = Report(title=row.title, agency=row.agency, year=row.year,
                            template=row.template or "unknown", status=row.status,
                            origin=row.origin, facts=list(facts), checks=list(checks))
            store.put(vid, row.source_url, "report", row.sha256 or "", report, "1.0.0")
            layout = layouts[vid % len(layouts)]
            if layout == "packed":
                packed.append(vid)
            elif layout in ("strings", "strings_sorted"):
                kept = (columnar.in_printed_order(facts, report.template)
                        if layout == "strings_sorted" else list(facts))
                blob = columnar.to_blob(columnar.facts_batch(kept),
                                        in_order=layout == "strings_sorted")
                store.db.execute("UPDATE parsed SET facts_arrow=? WHERE version_id=?",
                                 (blob, vid))
            elif layout == "json":
                store.db.execute(
                    "UPDATE parsed SET facts=?, checks=?, facts_arrow=NULL, checks_arrow=NULL "
                    "WHERE version_id=?",
                    (json.dumps([[f.table, f.row, f.col, f.value, f.raw, f.unit, f.origin,
                                  f.inferred] for f in facts], ensure_ascii=False),
                     json.dumps([[c.name, c.ok, c.lhs, c.rhs] for c in checks]), vid))
            rows.append(replace(row, facts_from=vid))
        # packs of two, in reverse order: runs of adjacent results, and packs read out of order
        assert store.pack(packed[::-1], size=2) == len(packed)
    store = ResultStore(data, read_only=True)

    def load(r: ReportRow):  # type: ignore[no-untyped-def]
        return store.contents(r.facts_from) if r.facts_from is not None else ([], [])

    return Dataset(rows, load, store)


def _check(out: Path, expected: dict[str, bytes]) -> None:
    for name, want in expected.items():
        assert (out / f"{name}.csv").read_bytes() == want, name


def test_the_slow_path_agrees_with_the_golden_files() -> None:
    """The reference itself is right: it gives the golden files of the object-per-fact export."""
    golden = Path(__file__).parent / "golden"
    for name, data in expected_csv(golden_dataset()).items():
        assert data == (golden / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize("layouts", [[layout] for layout in LAYOUTS] + [list(LAYOUTS)],
                         ids=[*LAYOUTS, "mixed"])
@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
def test_every_stored_layout_exports_the_documented_csv(tmp_path: Path, layouts: list[str],
                                                        chunk_size: int) -> None:
    source = _dataset()
    expected = expected_csv(source)
    dataset = _store(tmp_path / "data", source, layouts)
    with dataset.store:  # type: ignore[union-attr]
        export(dataset, tmp_path / "out", ["csv"], chunk_size=chunk_size)
    _check(tmp_path / "out", expected)
    export(source, tmp_path / "loaded", ["csv"], chunk_size=chunk_size)  # no store at all
    _check(tmp_path / "loaded", expected)


def test_a_store_older_than_cell_ids_still_exports(tmp_path: Path) -> None:
    """A parsed.sqlite from before ``cell_ids`` (string-keyed Arrow rows) exports as it is,
    read-only; opened for writing, it gains the table and keeps every row."""
    source = _dataset()
    dataset = _store(tmp_path / "data", source, ["strings_sorted", "json"])
    dataset.store.close()  # type: ignore[union-attr]
    db = sqlite3.connect(tmp_path / "data" / "parsed.sqlite")
    db.execute("DROP TABLE cell_ids")
    db.commit()
    db.close()
    store = ResultStore(tmp_path / "data", read_only=True)
    with store:
        export(Dataset(dataset.reports, dataset.load, store), tmp_path / "out", ["csv"],
               chunk_size=2)
    _check(tmp_path / "out", expected_csv(source))
    with ResultStore(tmp_path / "data") as store:  # writable: the table is made, rows kept
        assert store.db.execute("SELECT count(*) FROM cell_ids").fetchone() == (0,)
        for row, kept in zip(dataset.reports, source.reports):
            if row.facts_from is None:
                continue
            facts, checks = store.contents(row.facts_from)
            want_facts, want_checks = source.load(kept)
            assert sorted(map(repr, facts)) == sorted(map(repr, want_facts))
            assert checks == list(want_checks)


def test_cell_ids_of_a_rolled_back_transaction_are_not_reused(tmp_path: Path) -> None:
    """Ids handed out in a transaction the caller rolls back are forgotten: a later result
    never names a cell ``cell_ids`` does not hold."""
    first = Report(title="t", agency="a", year=2022, template="2021", status="ok", origin="html",
                   facts=[Fact("requests", "zz_row", "total", 1, "1", "件", "html")])
    second = Report(title="t", agency="a", year=2022, template="2021", status="ok",
                    origin="html", facts=[Fact("requests", "zz_other", "total", 2, "2", "件",
                                               "html"),
                                          Fact("requests", "zz_row", "total", 3, "3", "件",
                                               "html")])
    with ResultStore(tmp_path) as store:
        store.db.execute("BEGIN")
        store.put(1, "http://x/1", "report", "a", first, "1.0.0")
        store.db.execute("ROLLBACK")
        store.put(2, "http://x/2", "report", "b", second, "1.0.0")
    with ResultStore(tmp_path, read_only=True) as store:
        facts, _ = store.contents(2)
        assert [(f.row, f.value) for f in facts] == [("zz_other", 2), ("zz_row", 3)]
        assert store.db.execute("SELECT count(*) FROM parsed").fetchone() == (1,)
