"""What the parse stage selects (nianbao/reparse.py: Plan), against the selection it made in
Python over every archived version before it was made in SQL.

Random crawl states (several versions of a page, attachments linked from pages that were never
archived or from none, pictures by content type or by name, archived before or after a page's
result) and random stored results (current, of other bytes, of another parser) go through
``parse_archive`` with an engine that records the chunks it is given and answers with made-up
reports (with numbers or without, legacy, OCR'd, having read their pictures or not).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from nianbao import parsers
from nianbao.output.records import needs_attachment
from nianbao.output.results import ResultStore
from nianbao.parsers.model import Fact, Report
from nianbao.reparse import NEEDS_ATTACHMENT, parse_archive, picture_of
from nianbao.scraper.state import SCHEMA, ArchivedVersion, archived_versions

PV = parsers.PARSER_VERSION


def newest(versions: Iterable[ArchivedVersion]) -> dict[str, ArchivedVersion]:
    """url -> its newest archived version (highest version id): the reference selection."""
    out: dict[str, ArchivedVersion] = {}
    for v in versions:
        if v.url not in out or v.id > out[v.url].id:
            out[v.url] = v
    return out


def is_picture(v: ArchivedVersion) -> bool:
    return picture_of(v.content_type, v.final_url, v.url)
SITE = "https://s.example.invalid"


def _made_up(v: ArchivedVersion) -> Report:
    """A result decided by the version id alone (so the reference can tell it too)."""
    rng = random.Random(v.id)
    numbers = rng.random() < 0.4
    return Report(source=v.url, sha256=v.sha256, template="2021",
                  status=rng.choice(["ok", "ok", "no_tables", "legacy"]),
                  origin=rng.choice(["html", "ocr", None]),
                  facts=[Fact("requests", "received", "total", 3, "3", None, "html")]
                  if numbers else [],
                  warnings=rng.choice([[], ["pictures: picture 1 read by OCR"],
                                       ["Pictures: not ours"], ["a note", "pictures: two"]]))


class Recorder:
    """An engine that parses nothing: records its chunks, answers with made-up reports."""

    def __init__(self) -> None:
        self.chunks: list[list[int]] = []

    def __call__(self, data_dir: Path, todo: list[ArchivedVersion]
                 ) -> Iterator[tuple[ArchivedVersion, Report, None]]:
        self.chunks.append([v.id for v in todo])
        for v in todo:
            yield v, _made_up(v), None


def _folder(tmp_path: Path, seed: int) -> Path:
    """A data folder: a random crawl state, and random results stored before the parse."""
    rng = random.Random(seed)
    data = tmp_path / f"d{seed}"
    data.mkdir()
    db = sqlite3.connect(data / "state.sqlite")
    db.executescript(SCHEMA)
    db.execute("INSERT INTO sources (id, start, name, allow) VALUES (1, ?, '示例', '')",
               (SITE + "/",))
    pages = [f"{SITE}/p/{k}.html" for k in range(30)]
    urls = [(u, "report", None) for u in pages]
    for k in range(60):
        name = rng.choice([f"f{k}.pdf", f"i{k}.png", f"i{k}.JPG?x=1", f"d{k}"])
        parent = rng.choice(pages + [None, f"{SITE}/gone.html"])
        urls.append((f"{SITE}/a/{name}", "attachment", parent))
    db.executemany("INSERT INTO urls (url, source_id, kind, prio, parent, first_seen, seen_run) "
                   "VALUES (?, 1, ?, 0, ?, 'x', 1)", urls)
    ids = rng.sample(range(-50, 1000), 200)  # not in the order they were archived
    for vid in ids:
        url, kind, _parent = rng.choice(urls)
        ctype = rng.choice([None, "application/pdf", "image/png", "text/html"])
        fetched = rng.choice(["2000-01-01T00:00:00+00:00", "2999-01-01T00:00:00+00:00"])
        db.execute("INSERT INTO versions (id, url, final_url, kind, sha256, content_type, "
                   "fetched_at, warc_file, warc_offset, warc_length) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, 'w', 0, 0)",
                   (vid, url, rng.choice([None, url]), kind, f"{vid % 7:064x}", ctype, fetched))
    db.commit()
    with ResultStore(data) as store:
        for v in archived_versions(db):
            if rng.random() < 0.6:
                sha = v.sha256 if rng.random() < 0.8 else "f" * 64
                store.put(v.id, v.url, v.kind, sha, _made_up(v),
                          PV if rng.random() < 0.8 else "0.0.1")
    db.close()
    return data


def _reference(data: Path, everything: bool) -> tuple[list[int], list[int], int]:
    """(pages, attachments, pages up to date) as the Python selection made them; the pages'
    results after the first pass are the made-up ones of those it parses."""
    db = sqlite3.connect(data / "state.sqlite")
    versions = archived_versions(db)
    db.close()
    with ResultStore(data, read_only=True) as store:
        current = store.current(PV)
        made = dict(store.db.execute("SELECT version_id, parsed_at FROM parsed"))
        meta = store.metadata()
    pages = newest(v for v in versions if v.kind == "report")
    newest_picture: dict[str, str] = {}
    for a in versions:
        if a.kind == "attachment" and a.parent in pages and is_picture(a):
            newest_picture[a.parent] = max(newest_picture.get(a.parent, ""), a.fetched_at)
    stale = {pages[u].id for u, fetched in newest_picture.items()
             if pages[u].id in made and made[pages[u].id] <= fetched}
    first = sorted(v.id for v in pages.values()
                   if everything or current.get(v.id) != v.sha256 or v.id in stale)
    after = {vid: (m.sha256, needs_attachment(m), m.warnings) for vid, m in meta.items()}
    for v in pages.values():
        if v.id in first:
            r = _made_up(v)
            wants = r.status != "legacy" and (not r.facts or r.origin == "ocr")
            after[v.id] = (v.sha256, wants, r.warnings)
    wanting = {u for u, v in pages.items() if v.id in after and after[v.id][0] == v.sha256
               and after[v.id][1]}
    with_page = {u for u in wanting
                 if any(w.startswith("pictures: ") for w in after[pages[u].id][2])}
    linked = newest(a for a in versions if a.kind == "attachment" and a.parent in wanting
                    and not (a.parent in with_page and is_picture(a)))
    second = sorted(a.id for a in linked.values()
                    if everything or current.get(a.id) != a.sha256)
    return first, second, len(pages) - len(first)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("everything", [False, True])
def test_the_todo_is_the_newest_versions_not_current_in_chunks(tmp_path, seed, everything) -> None:  # type: ignore[no-untyped-def]
    data = _folder(tmp_path, seed)
    first, second, up_to_date = _reference(data, everything)
    state = (data / "state.sqlite").read_bytes()
    engine, totals = Recorder(), []
    summary = parse_archive(data, everything=everything, engine=engine, chunk=3,
                            progress=lambda total: totals.append(total) or None)
    assert first and second  # the states hold both passes' work
    assert [vid for chunk in engine.chunks for vid in chunk] == first + second
    assert all(0 < len(chunk) <= 3 for chunk in engine.chunks)
    assert totals == [len(first), len(second)]
    assert summary.parsed == len(first) + len(second) and summary.up_to_date == up_to_date
    assert (data / "state.sqlite").read_bytes() == state  # the crawl state is only read
    assert not list(data.glob("state.sqlite-*"))
    # again: only the pages whose pictures are "archived" in 2999, after any result of theirs
    first, second, up_to_date = _reference(data, False)
    again = Recorder()
    summary = parse_archive(data, engine=again)
    assert [vid for chunk in again.chunks for vid in chunk] == first and not second
    assert summary.up_to_date == up_to_date > 0


def test_a_page_is_parsed_again_when_a_picture_is_archived_after_its_result(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = _folder(tmp_path, 0)
    db = sqlite3.connect(data / "state.sqlite")
    db.execute("UPDATE versions SET fetched_at = '2000-01-01T00:00:00+00:00'")  # all long ago
    db.commit()
    parse_archive(data, engine=Recorder())
    assert parse_archive(data, engine=Recorder()).parsed == 0
    (page,) = db.execute("SELECT url FROM versions WHERE kind='report' "
                           "ORDER BY id DESC LIMIT 1").fetchone()
    vid = db.execute("SELECT max(id) FROM versions WHERE url=?", (page,)).fetchone()[0]
    db.execute("INSERT INTO urls (url, source_id, kind, prio, parent, first_seen, seen_run) "
               "VALUES (?, 1, 'attachment', 0, ?, 'x', 1)", (f"{SITE}/late.gif", page))
    db.execute("INSERT INTO versions (id, url, kind, sha256, fetched_at, warc_file, "
               "warc_offset, warc_length) VALUES (5000, ?, 'attachment', ?, "
               "'2998-01-01T00:00:00+00:00', 'w', 0, 0)", (f"{SITE}/late.gif", "a" * 64))
    db.commit()
    db.close()
    engine = Recorder()
    summary = parse_archive(data, engine=engine)
    assert engine.chunks[0] == [vid]  # the unchanged page, for its picture
    assert {v for chunk in engine.chunks for v in chunk} <= {vid, 5000}  # (and maybe the picture)
    assert summary.up_to_date == len(newest(v for v in _versions(data) if v.kind == "report")) - 1


def _versions(data: Path) -> list[ArchivedVersion]:
    db = sqlite3.connect(data / "state.sqlite")
    try:
        return archived_versions(db)
    finally:
        db.close()


def test_the_sql_of_needs_attachment_is_needs_attachment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cases = [(status, facts, origin) for status in ("ok", "legacy", "no_tables", "error")
             for facts in (0, 1) for origin in ("html", "ocr", None)]
    with ResultStore(tmp_path) as store:
        for vid, (status, facts, origin) in enumerate(cases):
            store.put(vid, f"{SITE}/{vid}", "report", hashlib.sha256(b"%d" % vid).hexdigest(),
                      Report(status=status, origin=origin, facts=[
                          Fact("requests", "received", "total", 3, "3", None, "html")] * facts),
                      PV)
        got = {vid for (vid,) in store.db.execute(
            f"SELECT version_id FROM parsed r WHERE {NEEDS_ATTACHMENT}")}
        meta = store.metadata()
    assert got == {vid for vid, m in meta.items() if needs_attachment(m)}
    assert 0 < len(got) < len(cases)
