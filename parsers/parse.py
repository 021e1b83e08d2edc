"""One document's bytes to a :class:`~parsers.model.Report`: the whole parsing pipeline.

decode → lines of cells (HTML or text; PDF, Word and images through parsers.readers.attachments) →
metadata → segments and facts → checks. Every failure is reported in the report (``status``,
``error``), never raised, so a batch goes on.
"""

from __future__ import annotations

import hashlib

from nianbao.parsers import limits
from nianbao.parsers.readers.attachment import AttachmentDocument
from nianbao.parsers.readers.attachments import read_attachment
from nianbao.parsers.extraction.checks import run_checks
from nianbao.parsers.extraction import prose
from nianbao.parsers.readers.decode import DecodeError, decode
from nianbao.parsers.document import Document
from nianbao.parsers.extraction.extract import extract
from nianbao.parsers.extraction.free_form import free_form_sections
from nianbao.parsers.readers.html import html_document
from nianbao.parsers.extraction.agency import Resolution, clues_of, resolve
from nianbao.parsers.extraction.meta import (agency_of, find_title, is_report_title,
                                             opens_as_report, report_year)
from nianbao.parsers.model import Report
from nianbao.parsers.normalize import printable, script_of
from nianbao.parsers.extraction.ocr_verify import verify as verify_ocr
from nianbao.parsers.page_pictures import PictureLoader, ocr_origin, read_pictures
from nianbao.parsers.readers.sniff import ATTACHMENTS, DESCRIPTIONS, READABLE, sniff
from nianbao.parsers.readers.text import text_document

# Stored results of another version are parsed again by ``parse --data`` (and ``run``): raised
# whenever a change can give other output for the same bytes.
PARSER_VERSION = "1.3.0"


def _fail(report: Report, status: str, message: str) -> Report:
    report.status = status
    report.error = message
    report.warnings.append(message)
    return report


def _document(kind: str, text: str, utf8: bytes | None = None) -> Document:
    """The document's lines; raises LimitExceeded for one too large or nested too deep to
    read (:func:`_check_cells`, ``html.page_tree``)."""
    _check_cells(kind, text)
    return html_document(text, utf8) if kind == "html" else text_document(text)


def _check_cells(kind: str, text: str) -> None:
    """Raise LimitExceeded for an HTML or text document that holds more table cells than a
    report can (limits.MAX_CELLS). Counted only in documents long enough to hold that many (a
    cell takes four characters at least in HTML, ``<td>``, and two in text, a value and its
    separator), by their cell tags or separators, an upper bound found in a few scans."""
    if len(text) <= (4 if kind == "html" else 2) * limits.MAX_CELLS:
        return
    if kind == "html":
        cells = sum(text.count(tag) for tag in ("<td", "<TD", "<th", "<TH"))
    else:
        cells = sum(text.count(sep) for sep in ("\n", "|", " ", "\t", "\u3000"))
    if cells > limits.MAX_CELLS:
        raise limits.LimitExceeded(
            f"the document holds up to {cells:,} table cells; the limit is "
            f"{limits.MAX_CELLS:,} (MAX_CELLS): a report has a few thousand at most")


def _sample(doc: Document, size: int = 1500) -> str:
    """The document's first few thousand characters of text, for script detection."""
    parts: list[str] = []
    total = 0
    for line in doc.lines:
        text = "".join(line.cells)
        parts.append(text)
        total += len(text)
        if total > size:
            break
    return "".join(parts)


def _set_agency(report: Report, found: Resolution) -> None:
    """The report's register fields; the page's name for its agency where the title has none."""
    a = found.agency
    report.agency_id, report.agency_name, report.region_code = a.agency_id, a.name, a.region_code
    report.level, report.kind = a.level, a.kind
    if report.agency is None and found.decided_by in ("page", "contact", "subject", "site"):
        report.agency = found.named
    if found.warning:
        report.warnings.append(found.warning)


def parse(data: bytes, *, source: str | None = None, content_type: str | None = None,
          pictures: PictureLoader | None = None, source_agency: str | None = None,
          source_name: str | None = None) -> Report:
    """Parse one report document (HTML, text, PDF, Word, image) into facts, checks and
    metadata. Never raises: every failure is a status and a message in the report.

    ``pictures``: for an HTML page, gives the bytes of its article pictures (tables published
    as ``<img>``), which are then read by OCR and merged with the page (parsers.page_pictures);
    without it a page is read from its HTML alone. ``source_agency``, ``source_name``: the
    source entry the document was crawled from, which may decide who its agency is where the
    document leaves it open (parsers/extraction/agency.py)."""
    try:
        report = _parse(data, source=source, content_type=content_type, pictures=pictures,
                        source_agency=source_agency, source_name=source_name)
    except Exception as exc:  # noqa: BLE001 - a bug must cost one document, not the batch
        report = _fail(Report(source=source, sha256=hashlib.sha256(data).hexdigest()), "error",
                       f"internal error while parsing this document ({type(exc).__name__}: "
                       f"{exc}); please report it")
    # the warnings quote the document: no control characters from it (its title and names
    # were cleaned where they were read)
    report.warnings = [printable(w) for w in report.warnings]
    return report


def _parse(data: bytes, *, source: str | None, content_type: str | None,
           pictures: PictureLoader | None, source_agency: str | None,
           source_name: str | None) -> Report:
    """The body of :func:`parse`."""
    report = Report(source=source, sha256=hashlib.sha256(data).hexdigest())
    page_text: str | None = None
    if not data.strip():
        return _fail(report, "error", "empty document")
    if len(data) > limits.MAX_INPUT_BYTES:
        return _fail(report, "limit", f"document of {len(data):,} bytes; the limit is "
                     f"{limits.MAX_INPUT_BYTES:,} (MAX_INPUT_BYTES)")
    kind = sniff(data, content_type)
    if kind in ATTACHMENTS:
        doc_or_failure = read_attachment(kind, data)
        if isinstance(doc_or_failure, tuple):
            return _fail(report, *doc_or_failure)
        doc: Document = doc_or_failure
        report.warnings.extend(doc_or_failure.notes)
    elif kind not in READABLE:
        return _fail(report, "unsupported", f"{DESCRIPTIONS[kind]}: this version reads HTML, "
                     "text, PDF, Word (DOCX, DOC/WPS) and image reports only")
    else:
        try:
            decoded = decode(data, content_type)
        except DecodeError as exc:
            return _fail(report, "error", f"cannot decode: {exc}")
        report.encoding = decoded.encoding
        page_text = decoded.text
        # bytes that are exactly the text in UTF-8 go to the HTML parser as they are (it
        # would encode the text back to them)
        try:
            doc = _document(kind, page_text, data if decoded.how == "utf-8" else None)
        except limits.LimitExceeded as exc:
            return _fail(report, "limit", str(exc))
        report.warnings.extend(getattr(doc, "notes", ()))  # cells the HTML grid could not place
    report.origin = doc.origin
    if not doc.lines:
        return _fail(report, "error", "no text in the document")

    title = find_title(doc)
    report.title = None if title is None else printable(title)
    if report.title and is_report_title(report.title):
        report.agency = agency_of(report.title)
    if report.title is None or is_report_title(report.title):  # not a notice's signatory
        report.agency_clues = [(where, printable(name)) for where, name in clues_of(doc)]
        _set_agency(report, resolve(report.agency, clues=report.agency_clues,
                                    source_agency=source_agency, source_name=source_name))
    year = report_year(report.title, doc)
    report.year = year.year
    report.warnings.extend(year.warnings)
    report.script = script_of(_sample(doc))

    hint = None if report.year is None else ("2021" if report.year >= 2021 else "2019")
    try:
        extraction = extract(doc, hint)
    except Exception as exc:  # noqa: BLE001 - a bug must cost one document, not the batch
        return _fail(report, "error", f"internal error while reading the tables of this "
                     f"{doc.origin} document ({type(exc).__name__}: {exc}); please report it")
    reading = None
    if pictures is not None and kind == "html" and page_text is not None:
        try:
            reading = read_pictures(page_text, extraction, hint, pictures,
                                    said=report.warnings + extraction.warnings)
        except Exception as exc:  # noqa: BLE001 - the page's own tables still count
            report.warnings.append(f"pictures: internal error while reading the page's "
                                   f"pictures ({type(exc).__name__}: {exc}); please report it")
        if reading is not None:
            extraction = reading.extraction
            report.warnings.extend(reading.warnings)
            if reading.read:
                report.warnings.append(
                    f"pictures: {reading.read} of {reading.total} article "
                    f"picture{'s' if reading.total > 1 else ''} read by OCR; "
                    f"{reading.ocr_facts} cell{'s' if reading.ocr_facts != 1 else ''} taken "
                    "from them")
    report.warnings.extend(extraction.warnings)
    if extraction.template is None:
        looks_like_report = (is_report_title(report.title) if report.title is not None
                             else opens_as_report(doc))  # a report without its title line
        if report.year is not None and report.year <= 2018 and looks_like_report:
            report.template = "legacy"
            report.status = "legacy"
            report.warnings.append("report before 2019: free-form, no statistical tables read")
            return report
        report.template = "unknown"
        if not looks_like_report:
            return _fail(report, "not_report",
                         "not an annual report on government information disclosure "
                         "(no report title and no statistical tables)")
        if reading is not None and reading.missing and not reading.read:
            n = reading.missing
            return _fail(report, "no_tables", "no statistical tables found in the report: its "
                         f"tables are pictures, and {'none of the' if n > 1 else 'the'} {n} "
                         f"picture{'s is' if n > 1 else ' is'} at hand: {reading.why_missing}"
                         f"{' …' if n > 1 else ''}")
        if sections := free_form_sections(doc.lines):
            return _fail(report, "no_tables", "no statistical tables: the report is written in "
                         f"the free form of the reports before 2019 ({'; '.join(sections[:2])}), "
                         "which has none")
        return _fail(report, "no_tables", "no statistical tables found in the report")
    report.template = extraction.template
    report.facts = extraction.facts
    if reading is not None and reading.ocr_facts and ocr_origin(report.facts):
        report.origin = "ocr"  # the page's tables are all pictures
    if isinstance(doc, AttachmentDocument) and doc.origin == "ocr":
        report.facts, doubts = verify_ocr(doc, report.facts, report.template, hint,
                                          report.warnings)
        report.warnings.extend(doubts)
    figures = prose.read_figures(doc, report.template, report.year)
    report.facts, prose_checks, prose_notes = prose.apply(figures, report.facts)
    report.warnings.extend(prose_notes)
    report.checks = run_checks(report.facts, report.template) + prose_checks
    if not any(f.value is not None for f in report.facts):
        report.status = "empty"
    return report
