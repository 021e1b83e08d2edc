"""What one exported report is made of: its ``reports`` row and where its facts come from.

A report page without tables that links attachments takes its facts from the best-parsed
attachment and its title, agency and year from the page; both URLs are kept.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nianbao.parsers.extraction.agency import UNKNOWN, Agency, resolve
from nianbao.parsers.model import STATUSES, SUCCESS_STATUSES, Check, Fact
from nianbao.output.results import Carry, Place, Stored
from nianbao.scraper.urls import twin_key

if TYPE_CHECKING:
    from nianbao.output.results import ResultStore
    from nianbao.output.row_table import RowTable

SUCCESS = SUCCESS_STATUSES
# Better outcomes first, for picking among attachments.
_RANK = {status: rank for rank, status in enumerate(STATUSES)}


ID_PREFIX = "r"


def report_id(source_url: str) -> str:
    """A stable id: the same URL gives the same id in every export, whatever its versions.

    ``r`` and 16 hex digits of the SHA-256 of the URL (of its desktop twin for a mobile page):
    the letter keeps Excel, pandas and datasette from reading an id such as ``1234e567...`` as a
    number, which would break the join between ``reports`` and ``facts``.
    """
    key = twin_key(source_url)
    return ID_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class ReportRow:
    """One line of ``reports`` plus what export needs to find its facts (not written)."""

    report_id: str
    source_url: str
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    script: str | None = None
    status: str = "error"
    checks_failed: int = 0
    fetched_at: str | None = None
    sha256: str | None = None
    parser_version: str | None = None
    error: str | None = None
    attachment_url: str | None = None
    attachment_sha256: str | None = None
    origin: str | None = None
    source_name: str | None = None
    other_urls: str | None = None  # the same report found at other URLs, space-separated
    agency_id: str | None = None
    region_code: str | None = None
    level: str | None = None
    kind: str | None = None
    carry: Carry | None = field(default=None, repr=False)
    facts_from: int | None = field(default=None, repr=False)  # version id whose facts to use
    facts_place: Place | None = field(default=None, repr=False)  # where they lie, if packed
    register: Agency = field(default=UNKNOWN, repr=False)  # the agency's register entry
    # what the register was resolved from besides the printed name: (clues, source agency)
    agency_context: tuple = field(default=((), None), repr=False)


@dataclass(slots=True)
class ReportCounts:
    """Reports by outcome: the one set of numbers that run, parse, status and export print."""

    archived: int = 0
    parsed: int = 0  # ok, empty, legacy
    failed: int = 0  # parsed, with a failure status
    not_parsed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)  # of the parsed reports

    @classmethod
    def tally(cls, groups: Iterable[tuple[bool, str, int]]) -> "ReportCounts":
        """The counts of (not parsed yet, status, how many reports) groups."""
        counts = cls()
        by_status: Counter[str] = Counter()
        for not_parsed, status, n in groups:
            counts.archived += n
            if not_parsed:
                counts.not_parsed += n
            else:
                by_status[status] += n
        counts.by_status = dict(sorted(by_status.items()))
        counts.parsed = sum(n for s, n in by_status.items() if s in SUCCESS)
        counts.failed = sum(by_status.values()) - counts.parsed
        return counts

    def line(self) -> str:
        return (f"{self.archived} archived, {self.parsed} parsed, {self.failed} failed to parse, "
                f"{self.not_parsed} not parsed yet")


# Loads the facts and checks of one report (from the results store, or generated).
Loader = Callable[[ReportRow], tuple[list[Fact], list[Check]]]


@dataclass(slots=True)
class Dataset:
    """Everything an export needs: the report rows and a way to load each one's contents.

    ``reports`` is a list, or for a whole data folder a RowTable (output/row_table.py: the
    rows on disk, not in memory). With ``store`` (the results store ``load`` reads from),
    export reads the facts as Arrow columns straight from it, in chunks, without making Python
    objects per fact.
    """

    reports: list[ReportRow] | RowTable
    load: Loader
    store: ResultStore | None = None

    def contents(self, rows: list[ReportRow]) -> Iterator[tuple[ReportRow, list[Fact], list[Check]]]:
        for row in rows:
            facts, checks = self.load(row)
            yield row, facts, checks


def needs_attachment(page: Stored) -> bool:
    """A page whose own parse gave no numbers (and is not a free-form pre-2019 report), or
    whose numbers all came from its pictures by OCR (a text PDF beside them reads better)."""
    return page.status != "legacy" and (page.n_numbers == 0 or page.origin == "ocr")


def _attachment_key(a: Stored) -> tuple[int, int, str]:
    return (_RANK.get(a.status, 9), -a.n_numbers, a.url)


def set_register(row: ReportRow, clues: Iterable[tuple[str, str]],
                 source_agency: str | None) -> None:
    """The row's agency as a register entry: what the document says, decided by the source
    entry it was crawled from where the document leaves it open (parsers/extraction/agency.py)."""
    clues = tuple(clues)
    row.agency_context = (clues, source_agency)
    row.register = a = resolve(row.agency, clues=clues, source_agency=source_agency,
                               source_name=row.source_name).agency
    row.agency_id, row.region_code, row.level, row.kind = a.agency_id, a.region_code, a.level, a.kind


def report_row(source_url: str, page: Stored | None, *, fetched_at: str | None,
               page_sha256: str | None, source_name: str | None,
               attachments: list[tuple[Stored, str | None]] = (),
               source_agency: str | None = None) -> ReportRow:
    """The ``reports`` row of one report page (newest version) and its parsed attachments.

    ``attachments`` are (result, sha256) of the newest version of each attachment the page links.
    """
    row = _report_row(source_url, page, fetched_at=fetched_at, page_sha256=page_sha256,
                      source_name=source_name, attachments=attachments)
    clues = [*(page.agency_clues if page else ()),
             *(c for a, _ in attachments if a.version_id == row.facts_from
               for c in a.agency_clues)]
    set_register(row, clues, source_agency)  # a page not parsed yet: the source's agency
    return row


def _report_row(source_url: str, page: Stored | None, *, fetched_at: str | None,
                page_sha256: str | None, source_name: str | None,
                attachments: list[tuple[Stored, str | None]]) -> ReportRow:
    row = ReportRow(report_id(source_url), source_url, fetched_at=fetched_at, sha256=page_sha256,
                    source_name=source_name)
    if page is None:
        row.status, row.error = "error", "not parsed yet (run `nianbao parse --data`)"
        return row
    row.title, row.agency, row.year = page.title, page.agency, page.year
    row.template, row.script, row.status, row.error = page.template, page.script, page.status, page.error
    row.parser_version, row.origin, row.carry = page.parser_version, page.origin, page.carry
    row.checks_failed, row.facts_from = page.checks_failed, page.version_id
    row.facts_place = page.place
    if not needs_attachment(page) or not attachments:
        return row
    if page.n_numbers:  # read from the page's pictures: only a better reading replaces it
        attachments = [a for a in attachments if a[0].origin != "ocr" and a[0].status == "ok"
                       and a[0].n_numbers >= page.n_numbers]
        if not attachments:
            return row
    best, best_sha = min(attachments, key=lambda a: _attachment_key(a[0]))
    row.attachment_url, row.attachment_sha256 = best.url, best_sha
    if best.n_numbers == 0 and page.status in SUCCESS:
        return row  # the page's own (empty) result is as good as any attachment
    row.template, row.script, row.status = best.template, best.script or row.script, best.status
    row.origin, row.carry, row.checks_failed = best.origin, best.carry, best.checks_failed
    row.facts_from, row.facts_place = best.version_id, best.place
    row.parser_version = best.parser_version
    row.title = row.title or best.title
    row.agency = row.agency or best.agency
    row.year = row.year or best.year
    row.error = None if best.status in SUCCESS else f"attachment: {best.error}"
    return row
