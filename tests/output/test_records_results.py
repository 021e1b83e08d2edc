"""The parse-results store and the rule that merges a report page with its attachments."""

from __future__ import annotations

from pathlib import Path

import nianbao.parsers as parsers
from nianbao.output.dictionary import dictionary_frame, dictionary_markdown
from nianbao.output.records import report_id, report_row
from nianbao.output.results import ResultStore, Stored, carry_values
from nianbao.parsers.model import Check, Fact, Report

ROOT = Path(__file__).resolve().parents[2]


def _stored(vid: int, url: str, status: str, numbers: int, **kw: object) -> Stored:
    base = dict(kind="report", sha256="s", parser_version="1.0.0", error=None, title=None,
                agency=None, year=None, template="unknown", script="hans", origin="html",
                n_facts=numbers, checks_failed=0)
    base.update(kw)
    return Stored(vid, url, status=status, n_numbers=numbers, **base)  # type: ignore[arg-type]


def test_store_round_trip_keeps_ints_floats_and_nulls(tmp_path: Path) -> None:
    report = Report(title="t", agency="示例市", year=2022, template="2021", script="hans",
                    status="ok", origin="text")
    report.facts = [Fact("requests", "carried_over", "total", 3, "3", "件", "text", True),
                    Fact("active", "art20_8.fees", "amount_wan_yuan", 2.5, "2.5", "万元", "text"),
                    Fact("requests", "carried_forward", "total", None, "/", "件", "text")]
    report.checks = [Check("requests.balance.total", False, 3, 0)]
    with ResultStore(tmp_path) as store:
        store.put(7, "http://x/1.html", "report", "abc", report, parsers.PARSER_VERSION)
        assert store.current(parsers.PARSER_VERSION) == {7: "abc"}
        assert store.current("0.0.1") == {}
        facts, checks = store.contents(7)
        meta = store.metadata()[7]
    # Stored in printed order (active before requests; carried_over before carried_forward).
    assert facts == [report.facts[1], report.facts[0], report.facts[2]]
    assert checks == report.checks
    assert type(facts[1].value) is int and type(facts[0].value) is float
    assert meta.n_facts == 3 and meta.n_numbers == 2 and meta.checks_failed == 1
    assert meta.carry == carry_values({"total": 3}, {"total": 0})


def test_page_without_tables_takes_facts_from_its_best_attachment() -> None:
    page = _stored(1, "http://x/r.html", "no_tables", 0, title="示例市2022年政府信息公开工作年度报告",
                   agency="示例市", year=2022, error="no statistical tables found in the report")
    pdf = _stored(2, "http://x/a.pdf", "unsupported", 0, error="a PDF document", script=None)
    html = _stored(3, "http://x/b.html", "ok", 120, template="2021", year=2021, agency="别处")
    row = report_row(page.url, page, fetched_at="t", page_sha256="p", source_name="s",
                     attachments=[(pdf, "h1"), (html, "h2")])
    assert (row.status, row.template, row.facts_from) == ("ok", "2021", 3)
    assert (row.attachment_url, row.attachment_sha256) == ("http://x/b.html", "h2")
    assert (row.title, row.agency, row.year) == (page.title, "示例市", 2022)  # from the page
    assert row.error is None and row.report_id == report_id("http://x/r.html")

    row = report_row(page.url, page, fetched_at="t", page_sha256="p", source_name="s",
                     attachments=[(pdf, "h1")])
    assert row.status == "unsupported" and row.error == "attachment: a PDF document"
    assert row.attachment_url == "http://x/a.pdf" and row.script == "hans"


def test_page_with_tables_or_legacy_ignores_attachments() -> None:
    html = _stored(3, "http://x/b.html", "ok", 120)
    for page in (_stored(1, "http://x/r.html", "ok", 50), _stored(1, "http://x/r.html", "legacy", 0)):
        row = report_row(page.url, page, fetched_at=None, page_sha256=None, source_name=None,
                         attachments=[(html, "h")])
        assert row.facts_from == 1 and row.attachment_url is None


def test_unparsed_page_is_listed_with_a_reason() -> None:
    row = report_row("http://x/r.html", None, fetched_at=None, page_sha256="p", source_name=None)
    assert row.status == "error" and "not parsed" in (row.error or "")


def test_data_dictionary_covers_every_cell_and_the_doc_is_current() -> None:
    frame = dictionary_frame()
    assert frame[["template", "table", "row", "col"]].duplicated().sum() == 0
    assert frame["row_meaning"].str.len().min() > 0 and frame["col_meaning"].str.len().min() > 0
    row = frame[(frame.template == "2019") & (frame.row == "withheld.state_secret")
                & (frame.col == "natural_person")].iloc[0]
    assert row.row_label == "属于国家秘密" and row.col_label == "自然人" and row.unit == "件"
    doc = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert doc == dictionary_markdown(), "regenerate: python -m nianbao.output.dictionary > docs/data-dictionary.md"


def test_page_read_from_its_pictures_gives_way_only_to_a_better_text_attachment() -> None:
    page = _stored(1, "http://x/r.html", "ok", 150, origin="ocr", template="2021")
    picture = _stored(2, "http://x/W01.png", "ok", 160, origin="ocr")
    short_pdf = _stored(3, "http://x/a.pdf", "ok", 90, origin="pdf")
    row = report_row(page.url, page, fetched_at=None, page_sha256=None, source_name=None,
                     attachments=[(picture, "h2"), (short_pdf, "h3")])
    assert row.facts_from == 1 and row.attachment_url is None and row.origin == "ocr"
    pdf = _stored(4, "http://x/b.pdf", "ok", 200, origin="pdf", template="2021")
    row = report_row(page.url, page, fetched_at=None, page_sha256=None, source_name=None,
                     attachments=[(picture, "h2"), (pdf, "h4")])
    assert row.facts_from == 4 and row.attachment_url == "http://x/b.pdf" and row.origin == "pdf"
    mixed = _stored(1, "http://x/r.html", "ok", 150, origin="html")  # HTML tables and pictures
    row = report_row(page.url, mixed, fetched_at=None, page_sha256=None, source_name=None,
                     attachments=[(pdf, "h4")])
    assert row.facts_from == 1
