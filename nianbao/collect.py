"""The dataset of a data folder: the newest version of every archived report with its results.

Joins the crawl state (which versions exist, where they came from, which attachments a page
links) with the stored parse results; nothing is parsed here. The rows go into a RowTable as
they are made (output/row_table.py), a batch of pages at a time: memory does not grow with the
number of reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from nianbao.parsers.model import Check, Fact
from nianbao.output.hosts import place_by_host
from nianbao.output.records import Dataset, ReportRow, report_row
from nianbao.output.results import ResultStore, Stored
from nianbao.output.row_table import BATCH, RowTable
from nianbao.scraper.state import ArchivedVersion, newest_versions, open_read_only

Page = tuple[ArchivedVersion, list[ArchivedVersion]]  # a report page and the attachments it links


def _pages(db) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """Every report page's newest version with the newest version of each attachment it
    links: both read in URL order (the attachments by their page's) and joined as they come."""
    attachments = newest_versions(db, "attachment", by_parent=True)
    a = next(attachments, None)
    for page in newest_versions(db, "report"):
        while a is not None and (not a.parent or a.parent < page.url):
            a = next(attachments, None)
        linked = []
        while a is not None and a.parent == page.url:
            linked.append(a)
            a = next(attachments, None)
        yield page, linked


def _rows(batch: list[Page], meta: dict[int, Stored]) -> Iterator[ReportRow]:
    def current(version_id: int, sha256: str) -> Stored | None:
        m = meta.get(version_id)
        return m if m is not None and m.sha256 == sha256 else None

    for v, linked in batch:
        atts = [(m, a.sha256) for a in linked if (m := current(a.id, a.sha256)) is not None]
        yield report_row(v.url, current(v.id, v.sha256), fetched_at=v.fetched_at,
                         page_sha256=v.sha256, source_name=v.source_name, attachments=atts,
                         source_agency=v.source_agency)


def load_dataset(data_dir: Path, store: ResultStore) -> Dataset:
    """Every report page archived in ``data_dir`` as a ``reports`` row; facts loaded lazily."""
    table = RowTable()
    db = open_read_only(data_dir)
    try:
        pages = _pages(db)
        while batch := list(islice(pages, BATCH)):
            ids = [v.id for v, linked in batch] + [a.id for _v, linked in batch for a in linked]
            table.add(_rows(batch, store.metadata(ids, warnings=False)))
    finally:
        db.close()
    place_by_host(table)

    def load(row: ReportRow) -> tuple[list[Fact], list[Check]]:
        return store.contents(row.facts_from) if row.facts_from is not None else ([], [])

    return Dataset(table, load, store)
