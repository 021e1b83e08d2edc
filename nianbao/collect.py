"""The dataset of a data folder: the newest version of every archived report with its results.

Joins the crawl state (which versions exist, where they came from, which attachments a page
links) with the stored parse results; nothing is parsed here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from nianbao.parsers.model import Check, Fact
from nianbao.output.records import Dataset, ReportRow, place_by_host, report_row
from nianbao.output.results import ResultStore, Stored
from nianbao.reparse import newest
from nianbao.scraper.state import archived_versions, open_read_only


def load_dataset(data_dir: Path, store: ResultStore) -> Dataset:
    """Every report page archived in ``data_dir`` as a ``reports`` row; facts loaded lazily."""
    db = open_read_only(data_dir)
    try:
        versions = archived_versions(db)
    finally:
        db.close()
    pages = newest(v for v in versions if v.kind == "report")
    attachments = defaultdict(list)
    for a in newest(v for v in versions if v.kind == "attachment").values():
        if a.parent:
            attachments[a.parent].append(a)
    meta = store.metadata(warnings=False)

    def current(version_id: int, sha256: str) -> Stored | None:
        m = meta.get(version_id)
        return m if m is not None and m.sha256 == sha256 else None

    rows = []
    for url, v in pages.items():
        atts = [(m, a.sha256) for a in attachments.get(url, ())
                if (m := current(a.id, a.sha256)) is not None]
        rows.append(report_row(url, current(v.id, v.sha256), fetched_at=v.fetched_at,
                               page_sha256=v.sha256, source_name=v.source_name, attachments=atts,
                               source_agency=v.source_agency))

    place_by_host(rows)

    def load(row: ReportRow) -> tuple[list[Fact], list[Check]]:
        return store.contents(row.facts_from) if row.facts_from is not None else ([], [])

    return Dataset(rows, load, store)
