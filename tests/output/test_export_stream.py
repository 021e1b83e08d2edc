"""The streamed (Arrow) export writes what the object-per-fact export wrote.

``tests/output/golden/`` holds the CSV and Parquet files of ``golden_dataset()`` as written by
the export before it streamed Arrow columns (generated once from that code; ``reports`` and
``agencies`` again when the agency register was added, the others unchanged): the CSV must stay
byte-identical, the Parquet files must have the same schemas and values, whether the facts come
from a loader or from the results store (Arrow batches, or JSON rows of an older store).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from nianbao.output.columns import REPORT_KEY, REPORTS, SQLITE_TABLES
from nianbao.output.csv_files import is_formula
from nianbao.output.export import export
from nianbao.output.records import Dataset, ReportRow
from nianbao.output.results import ResultStore
from nianbao.parsers.model import Report
from tests.output.helpers import golden_dataset

GOLDEN = Path(__file__).parent / "golden"
CSV_FILES = sorted(p.name for p in GOLDEN.glob("*.csv"))


def _stored_dataset(data: Path, json_layout: bool = False) -> tuple[ResultStore, Dataset]:
    """The golden dataset put into a results store, as parse would; facts read from there."""
    source = golden_dataset()
    rows: list[ReportRow] = []
    data.mkdir(parents=True)
    with ResultStore(data) as store:
        for vid, row in enumerate(source.reports, start=1):
            if row.parser_version is None:
                rows.append(row)
                continue
            facts, checks = source.load(row)
            report = Report(title=row.title, agency=row.agency, year=row.year,
                            template=row.template or "unknown", status=row.status,
                            origin=row.origin, facts=facts, checks=checks)
            store.put(vid, row.source_url, "report", row.sha256 or "", report, "1.0.0")
            if json_layout:  # a row as stored before the Arrow layout
                store.db.execute(
                    "UPDATE parsed SET facts=?, checks=?, facts_arrow=NULL, checks_arrow=NULL "
                    "WHERE version_id=?",
                    (json.dumps([[f.table, f.row, f.col, f.value, f.raw, f.unit, f.origin,
                                  f.inferred] for f in facts], ensure_ascii=False),
                     json.dumps([[c.name, c.ok, c.lhs, c.rhs] for c in checks]), vid))
            rows.append(replace(row, facts_from=vid))
    store = ResultStore(data, read_only=True)

    def load(r: ReportRow):  # type: ignore[no-untyped-def]
        return store.contents(r.facts_from) if r.facts_from is not None else ([], [])

    return store, Dataset(rows, load, store)


def _same_csv(out: Path, bom: bool = False) -> None:
    assert CSV_FILES == ["agencies.csv", "checks.csv", "facts.csv", "reports.csv",
                         "wide_active.csv", "wide_appeals.csv", "wide_requests.csv"]
    for name in CSV_FILES:
        expected = (b"\xef\xbb\xbf" if bom else b"") + (GOLDEN / name).read_bytes()
        assert (out / name).read_bytes() == expected, name


def test_csv_is_byte_identical_to_the_golden_files(tmp_path: Path) -> None:
    export(golden_dataset(), tmp_path / "plain", ["csv"])
    _same_csv(tmp_path / "plain")
    export(golden_dataset(), tmp_path / "excel", ["csv"], excel=True)
    _same_csv(tmp_path / "excel", bom=True)


@pytest.mark.parametrize("json_layout", [False, True], ids=["arrow", "json"])
def test_csv_from_the_results_store_is_byte_identical(tmp_path: Path, json_layout: bool) -> None:
    store, dataset = _stored_dataset(tmp_path / "data", json_layout)
    with store:
        export(dataset, tmp_path / "out", ["csv"], chunk_size=3)  # several chunks
    _same_csv(tmp_path / "out")


def test_parquet_has_the_golden_schemas_and_values(tmp_path: Path) -> None:
    store, dataset = _stored_dataset(tmp_path / "data")
    with store:
        export(dataset, tmp_path, ["parquet"], chunk_size=4)
    golden = sorted(p.relative_to(GOLDEN) for p in (GOLDEN / "parquet").rglob("*.parquet"))
    made = sorted(p.relative_to(tmp_path) for p in (tmp_path / "parquet").rglob("*.parquet"))
    assert made == golden
    for rel in golden:
        want, got = pq.read_table(GOLDEN / rel), pq.read_table(tmp_path / rel)
        assert got.schema.remove_metadata() == want.schema.remove_metadata(), rel
        assert got.to_pylist() == want.to_pylist(), rel
    # 12.0 and 2.5 in count columns make them float64, as before; whole counts stay int64.
    wide = pq.read_table(GOLDEN / "parquet" / "wide_requests" / "year=2022" / "part-0.parquet")
    assert str(wide.schema.field("natural_person").type) == "double"


def test_sqlite_facts_view_gives_the_csv_rows_from_compact_cells(tmp_path: Path) -> None:
    export(golden_dataset(), tmp_path, ["sqlite"])
    lines = (GOLDEN / "facts.csv").read_text(encoding="utf-8")
    import csv
    import io

    expected = list(csv.reader(io.StringIO(lines)))[1:]
    with sqlite3.connect(tmp_path / "nianbao.sqlite") as db:
        got = db.execute("SELECT * FROM facts").fetchall()
        stored_raw = db.execute("SELECT count(raw), count(*) FROM cells").fetchone()
        stored_origin = db.execute("SELECT count(origin) FROM cells").fetchone()[0]
        keys = db.execute("SELECT count(*) FROM cell_keys").fetchone()[0]
        fks = {r[2] for r in db.execute("PRAGMA foreign_key_list(cells)")}
        layout = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
                  for t in ("cells", "cell_keys", "reports")}
    assert fks == {"reports", "cell_keys"}
    # The data dictionary documents the tables as they are.
    assert layout["cells"] == [c.name for c in SQLITE_TABLES["cells"]]
    assert layout["cell_keys"] == [c.name for c in SQLITE_TABLES["cell_keys"]]
    assert layout["reports"] == [c.name for c in REPORTS] + [REPORT_KEY.name]

    def text(v: object) -> str:
        if v is None:
            return ""
        return str(v)

    # SQLite keeps 12.0 as the integer 12 and prints 1e-05 as 1.0e-05: compare as numbers.
    # The view has no ORDER BY (it would keep SQLite from flattening it into queries).
    assert len(got) == len(expected)
    got.sort(key=lambda g: [text(x) for x in g[:4]] + [text(g[5])])
    expected.sort(key=lambda e: e[:4] + [e[5]])
    for g, e in zip(got, expected):
        assert [text(x) for x in g[:4]] == e[:4]
        assert (g[4] is None and e[4] == "") or float(g[4]) == float(e[4])
        assert [text(g[5]), text(g[6]), g[7], "true" if g[8] else "false"] == e[5:]
    # Most raw texts are the value's own text and most cells share the report's origin.
    assert stored_raw[0] < stored_raw[1] / 2 and stored_origin < stored_raw[1] / 4
    assert keys < len(got) / 2


_FORMULAS = {"=HYPERLINK(\"http://x.example\",\"年报\")": True, "@SUM(A1)": True,
             "+cmd|' /c calc'!A0": True, "-1+1": True, "\t=1": True,
             "-": False, "--": False, "-1": False, "+3": False, "1,234.5": False,
             "示例县=年报": False, "": False}


@pytest.mark.parametrize("text,formula", _FORMULAS.items())
def test_is_formula(text: str, formula: bool) -> None:
    assert is_formula(text) is formula


def test_excel_files_never_hold_a_formula_the_plain_files_keep_the_text(tmp_path: Path) -> None:
    """A page's title and a cell's raw text are not ours: in the files made for Excel, a field
    Excel would run as a formula (=, @, + or - not before a number) gets a leading '; blank
    markers and signed numbers stay as printed, and the plain CSV keeps every field."""
    source = golden_dataset()
    first = next(r for r in source.reports if r.parser_version is not None)
    facts, checks = source.load(first)
    raws = list(_FORMULAS)
    bad_facts = [replace(f, raw=raws[i % len(raws)]) for i, f in enumerate(facts)]
    title = "=HYPERLINK(\"http://x.example\",\"年报\")"
    rows = [replace(first, title=title, agency="@SUM(A1)")]
    dataset = Dataset(rows, lambda r: (bad_facts, checks))
    export(dataset, tmp_path / "plain", ["csv"])
    export(dataset, tmp_path / "excel", ["csv"], excel=True)

    def fields(folder: str, name: str) -> list[dict[str, str]]:
        text = (tmp_path / folder / name).read_text(encoding="utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    plain_reports, excel_reports = fields("plain", "reports.csv"), fields("excel", "reports.csv")
    assert plain_reports[0]["title"] == title and excel_reports[0]["title"] == "'" + title
    assert excel_reports[0]["agency"] == "'@SUM(A1)"
    plain_facts, excel_facts = fields("plain", "facts.csv"), fields("excel", "facts.csv")
    for plain_row, excel_row in zip(plain_facts, excel_facts, strict=True):
        raw = plain_row["raw"]
        assert excel_row["raw"] == ("'" + raw if is_formula(raw) else raw)
        assert excel_row["value"] == plain_row["value"]
    assert {f["raw"] for f in plain_facts} >= {"-1+1", "-", "@SUM(A1)"}
