"""Report rows on disk (output/row_table.py) and the steps that look across them in SQL.

Each step is compared with what it must give on rows held in memory: the rows read back are
the rows put in, pages cover every row once, chunked results equal whole ones.
"""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from dataclasses import replace

import pandas as pd

from nianbao.collect import _pages
from nianbao.parsers.extraction.agency import UNKNOWN
from nianbao.output.agencies import agencies_frame, agencies_frames
from nianbao.output.cross_year import cross_year_checks
from nianbao.output.records import Dataset, ReportRow, report_id, set_register
from nianbao.output.row_table import RowTable
from nianbao.output.same_report import merge_rows, merged
from tests.nianbao.test_reparse_plan import newest
from nianbao.scraper.state import SCHEMA, archived_versions

from .helpers import small_dataset


def _rows(n: int, seed: int = 0) -> list[ReportRow]:
    """Rows with every kind of field value: carries of ints and floats, register entries
    known and unknown, agency clues, None where a field may be None."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        url = f"https://h{i % 7}.example.invalid/{i}.html"
        agency = rng.choice(["青山县人民政府", "汉阴县教育局", "城关镇", None, ""])
        row = ReportRow(report_id(url), url, rng.choice([None, f"标题{i}"]), agency,
                        rng.choice([None, 2020, 2021]), "2021", "hans", rng.choice(["ok", "error"]),
                        i % 3, "2024-01-15T08:00:00+00:00", f"{i:064x}", "1.0.0",
                        carry=rng.choice([None, tuple(range(13)) + (2.5,) + tuple(range(14))]),
                        facts_from=rng.choice([None, i]),
                        facts_place=rng.choice([None, (3, "2021", 1, 200 * i, 30 * i, 200, 30)]))
        set_register(row, [("site", "陕西省安康市")] if i % 2 else [], rng.choice([None, "示例局"]))
        out.append(row)
    return out


def test_rows_read_back_are_the_rows_put_in() -> None:
    rows = _rows(300)
    table = RowTable(rows)
    assert len(table) == 300
    assert list(table) == rows
    assert any(r.register.agency_id for r in rows) and any(r.carry for r in rows)


def test_pages_cover_every_row_once_even_when_rows_change_between_them() -> None:
    rows = _rows(50)
    table = RowTable(rows)
    seen = []
    for part in table.pages("seq", "year IS NOT NULL", size=7):
        seen += [r.source_url for _seq, r in part]
        table.replace((seq, replace(r, title="改")) for seq, r in part)
    assert seen == [r.source_url for r in rows if r.year is not None]
    assert {r.title for r in table if r.year is not None} == {"改"}


def test_chunks_come_in_report_id_order_whole_or_light() -> None:
    rows = _rows(120)
    ordered = sorted(rows, key=lambda r: r.report_id)
    plain = RowTable(rows)
    for table in (plain, RowTable.by_report_id(plain.db, "by_id", [(plain, "1")])):
        assert [r for part in table.chunks(11) for r in part] == ordered
        light = [r for part in table.chunks(11, light=True) for r in part]
        assert light == [replace(r, carry=None, register=UNKNOWN, agency_context=((), None))
                         for r in ordered]


def test_merging_twice_gives_the_same_rows() -> None:
    mob, desk = "http://x.example/content/mpost_8.html", "http://x.example/content/post_8.html"
    rows = _rows(40) + [replace(_rows(1)[0], source_url=u, report_id=report_id(u))
                        for u in (mob, desk)]
    dataset = Dataset(RowTable(rows), lambda r: ([], []))
    first, second = merge_rows(dataset), merge_rows(dataset)
    assert first == second
    assert len(first) == len(rows) - 1  # the mobile page is the desktop page's twin
    assert [r.other_urls for r in first if r.source_url == desk] == [mob]


def test_cross_year_checks_of_a_range_are_those_of_the_whole() -> None:
    table = merged(small_dataset())
    whole = cross_year_checks(table)
    ids = sorted(r.report_id for part in table.chunks(100) for r in part)
    for first, last in zip(ids, ids[1:]):
        assert cross_year_checks(table, first, last) == {
            k: v for k, v in whole.items() if first <= k <= last}
    assert len(whole) == 2


def test_agencies_in_pages_are_the_whole_table() -> None:
    rows = _rows(200)
    whole = agencies_frame(rows)
    parts = list(agencies_frames(RowTable(rows), size=2))
    assert len(parts) >= 3
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)
    assert whole["agency_id"].is_monotonic_increasing and whole["agency_id"].is_unique
    # every parent is a row: the governments above the reports' agencies are in
    assert set(whole["parent_id"].dropna()) <= set(whole["agency_id"])


def _state(rng: random.Random) -> sqlite3.Connection:
    """A crawl state of report pages and attachments, several versions of some, attachments
    linked from pages, from no page, or from a page that was never archived."""
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.execute("INSERT INTO sources VALUES (1, 'https://s.example.invalid/', '示例', NULL, "
               "'[]', NULL, NULL, NULL)")
    pages = [f"https://s.example.invalid/{rng.randrange(10**6)}/p.html" for _ in range(40)]
    vid = 0
    for url in pages:
        db.execute("INSERT OR IGNORE INTO urls (url, source_id, kind, prio, first_seen, seen_run) "
                   "VALUES (?, 1, 'report', 0, 'x', 1)", (url,))
    for k in range(80):
        url = f"https://s.example.invalid/f/{k}.pdf"
        parent = rng.choice(pages + [None, "", "https://s.example.invalid/gone.html"])
        db.execute("INSERT INTO urls (url, source_id, kind, prio, parent, first_seen, seen_run) "
                   "VALUES (?, 1, 'attachment', 0, ?, 'x', 1)", (url, parent))
        pages.append(url)
    for _ in range(300):
        url = rng.choice(pages)
        vid += 1
        kind = "attachment" if url.endswith(".pdf") else "report"
        db.execute("INSERT INTO versions (id, url, kind, sha256, fetched_at, warc_file, "
                   "warc_offset, warc_length) VALUES (?, ?, ?, ?, 'x', 'w', 0, 0)",
                   (vid, url, kind, f"{vid:064x}"))
    return db


def test_pages_and_their_attachments_are_joined_as_read() -> None:
    for seed in range(5):
        db = _state(random.Random(seed))
        versions = archived_versions(db)
        expected_pages = newest(v for v in versions if v.kind == "report")
        linked = defaultdict(list)
        for a in newest(v for v in versions if v.kind == "attachment").values():
            if a.parent:
                linked[a.parent].append(a.id)
        got = {page.url: (page.id, sorted(a.id for a in atts)) for page, atts in _pages(db)}
        assert got == {url: (v.id, sorted(linked.get(url, []))) for url, v in
                       expected_pages.items()}
        assert any(atts for _id, atts in got.values())
