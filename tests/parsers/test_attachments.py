"""Attachments with a text layer: PDF, DOCX, DOC/WPS; sniffing, limits and unsupported files.

Fixtures are drawn at test time from the same specs as the HTML fixtures (fixtures/attachments
on fixtures/reports), so every fact a document prints is known. OCR lives in
test_attachments_ocr.py.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `fixtures` is not an installed package
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from fixtures.attachments import cases as C  # noqa: E402
from fixtures.attachments.layout import Style, layout  # noqa: E402
from fixtures.reports import render as R  # noqa: E402
from nianbao.parsers import limits  # noqa: E402
from nianbao.parsers.readers import docx as docx_grid, ocr, office, pdf as pdf_grid  # noqa: E402
from nianbao.parsers.readers.attachments import read_attachment  # noqa: E402
from nianbao.parsers.limits import Deadline  # noqa: E402
from nianbao.parsers.schema import TEMPLATES  # noqa: E402
from nianbao.parsers.readers.sniff import sniff  # noqa: E402



def judge(report: parsers.Report, case: C.AttachmentCase) -> list[str]:
    """Exact round trip: metadata, every fact (value, raw, unit), origin, all checks hold."""
    problems = []
    for name in ("title", "agency", "year", "template"):
        got, want = getattr(report, name), getattr(case.report, name)
        if got != want:
            problems.append(f"{name}: expected {want!r}, got {got!r}")
    if report.status != "ok" or report.error:
        problems.append(f"status {report.status!r} error {report.error!r}")
    got = {R.fact_tuple(f) for f in report.facts}
    want = {R.fact_tuple(f) for f in case.facts}
    if want - got:
        problems.append(f"missing or different: {sorted(want - got, key=repr)[:8]}")
    if got - want:
        problems.append(f"unexpected: {sorted(got - want, key=repr)[:8]}")
    origins = {f.origin for f in report.facts}
    if origins != {C.ORIGIN[case.fmt]} or any(f.inferred for f in report.facts):
        problems.append(f"origins {origins}, inferred {sum(f.inferred for f in report.facts)}")
    problems += R.judge_checks(report, case.spec.template)
    return problems


def expect_round_trip(case: C.AttachmentCase) -> None:
    report = parsers.parse(case.data, source=case.name)
    problems = judge(report, case)
    if problems:
        pytest.fail(f"{case.name} {case.variant}\n  " + "\n  ".join(problems), pytrace=False)


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("seed", range(6))
def test_pdf_round_trip(template: str, seed: int) -> None:
    expect_round_trip(C.make_attachment(seed, template, "pdf"))


def test_pdf_table_over_a_page_break_and_wrapped_labels() -> None:
    case = C.make_attachment(3, "2021", "pdf")
    assert case.pages >= 2
    doc = pdf_grid.pdf_document(case.data)
    rows = [ln.cells for ln in doc.lines if ln.boundary]
    # the wrapped label is one cell, its lines joined without a space
    assert any("部分公开（区分处理的，只计这一情形，不计其他情形）" in c.replace("(", "（")
               .replace(")", "）") for r in rows for c in r)
    # page numbers in the footer are not read as lines (a bare "2" would pose as a value)
    assert not any(ln.cells[0].strip("- ").isdigit() for ln in doc.lines if not ln.boundary)
    # the requests table continues on the next page: its rows are read in order
    labels = [r[-8] for r in rows if len(r) >= 8]
    assert labels.index(next(x for x in labels if "总计" in x)) > 10
    expect_round_trip(case)


def test_pdf_requests_table_split_over_two_pages() -> None:
    """A long report: the requests table starts low on page 1 and ends on page 2."""
    import random

    rng = random.Random(7)
    spec = C.spec_for(rng, "2019")
    variant = C.variant_for(rng, "pdf")
    doc = R.build_document(spec, variant, split_active=False)
    pages = layout(doc, Style(table=10.5))
    from fixtures.attachments.pdf import text_pdf

    where = {}
    for i, page in enumerate(pages):
        for t in page.texts:
            for key in ("本年新收", "结转下年度"):
                if key in t.text:
                    where.setdefault(key, i)
    assert where["本年新收"] < where["结转下年度"], "fixture must split the requests table"
    case = C.AttachmentCase("split", "pdf", spec, variant, text_pdf(pages),
                            C.expected_facts(spec, doc, "pdf"), R.expected_report(spec, variant))
    expect_round_trip(case)


def test_pdf_title_from_metadata_when_the_text_has_none() -> None:
    from fixtures.attachments.pdf import text_pdf

    case = C.make_attachment(2, "2019", "pdf")
    pages = layout(R.build_document(case.spec, case.variant, split_active=False))
    pages[0].texts = [t for t in pages[0].texts if t.size < 16]  # drop the printed title
    report = parsers.parse(text_pdf(pages, title=case.report.title), source="x.pdf")
    assert (report.title, report.agency, report.year) == (
        case.report.title, case.report.agency, case.report.year)


def test_damaged_and_encrypted_pdf() -> None:
    r = parsers.parse(b"%PDF-1.7\n1 0 obj garbage", source="bad.pdf")
    assert r.status == "error" and "PDF" in (r.error or "")
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(100, 700, "x")
    c.save()
    r = parsers.parse(buf.getvalue(), source="locked.pdf")
    assert r.status == "error" and "encrypted" in (r.error or "")


# --- DOCX / DOC -------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("seed", range(6))
def test_docx_round_trip(template: str, seed: int) -> None:
    expect_round_trip(C.make_attachment(seed, template, "docx"))


def test_docx_merged_cells_appear_once() -> None:
    case = C.make_attachment(1, "2019", "docx")
    xml = zipfile.ZipFile(io.BytesIO(case.data)).read("word/document.xml")
    assert b"w:gridSpan" in xml and b"w:vMerge" in xml
    doc = docx_grid.docx_document(case.data)
    rows = [ln.cells for ln in doc.lines if ln.boundary]
    header = next(r for r in rows if any("勾稽关系" in c for c in r))
    assert len(header) == 2  # the 3x3 note and the 7-wide 申请人情况, once each
    withheld = [r for r in rows if any("不予公开" in c for c in r)]
    assert len(withheld) == 1  # the group label is printed once, in its first row
    assert doc.lines[0].cells[0] == case.report.title


def test_docx_without_body_and_not_a_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document xmlns:w='http://schemas.openxmlformats"
                    ".org/wordprocessingml/2006/main'><w:body/></w:document>")
    r = parsers.parse(buf.getvalue(), source="empty.docx")
    assert r.status == "error" and "no text" in (r.error or "")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<not xml")
    r = parsers.parse(buf.getvalue(), source="broken.docx")
    assert r.status == "error" and "damaged DOCX" in (r.error or "")


needs_soffice = pytest.mark.skipif(office.find_soffice() is None,
                                   reason="LibreOffice not installed (.ci/run installs it)")


@needs_soffice
@pytest.mark.parametrize("template", TEMPLATES)
def test_doc_round_trip_through_libreoffice(template: str) -> None:
    case = C.make_attachment(11, template, "doc")
    assert sniff(case.data) == "doc"
    expect_round_trip(case)


@needs_soffice
def test_doc_conversion_timeout_is_a_limit() -> None:
    case = C.make_attachment(11, "2021", "doc")
    with pytest.raises(limits.LimitExceeded, match="CONVERT_SECONDS"):
        office.to_docx(case.data, timeout=0.01)


def test_doc_without_libreoffice_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_SOFFICE", "")  # as if LibreOffice were not installed
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200 + "WordDocument".encode(
        "utf-16-le") + b"\x00" * 200
    r = parsers.parse(data, source="old.doc")
    assert r.status == "unsupported"
    assert "DOC/WPS needs LibreOffice" in (r.error or "")
    assert "apt-get install" in (r.error or "")


# --- sniffing and unsupported kinds -----------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data, kind", [
    (_zip({"word/document.xml": b"<x/>"}), "docx"),
    (_zip({"xl/workbook.xml": b"<x/>"}), "xlsx"),
    (_zip({"OFD.xml": b"<x/>"}), "ofd"),
    (_zip({"a.txt": b"x"}), "zip"),
    (b"PK\x03\x04broken", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"), "xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "doc"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "ole"),
    (b"%PDF-1.4\n", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"BM" + (70).to_bytes(4, "little") + b"\0\0\0\0" + b"\x36" + b"\0" * 59, "image"),
    ("BMW 示例市交通运输局2021年政府信息公开工作年度报告".encode(), "text"),
])
def test_sniff_attachments(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize("data, message", [
    (_zip({"xl/workbook.xml": b"<x/>"}), "spreadsheet"),
    (_zip({"OFD.xml": b"<x/>"}), "OFD"),
    (_zip({"a.txt": b"x"}), "ZIP container"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"), "spreadsheet"),
])
def test_other_containers_are_unsupported(data: bytes, message: str) -> None:
    r = parsers.parse(data, source="x")
    assert r.status == "unsupported" and message in (r.error or "")


def test_ocr_missing_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    r = parsers.parse(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, source="x.png")
    assert r.status == "unsupported" and "rapidocr-onnxruntime" in (r.error or "")


# --- limits -----------------------------------------------------------------------------------


def test_pdf_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    case = C.make_attachment(0, "2019", "pdf")
    monkeypatch.setattr(pdf_grid, "MAX_PAGES", 1)
    r = parsers.parse(case.data, source="long.pdf")
    assert r.status == "limit" and "MAX_PAGES" in (r.error or "") and r.facts == []


def test_scanned_pdf_ocr_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from fixtures.attachments.pdf import image_pdf
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 280), 255).save(buf, "PNG")
    data = image_pdf([buf.getvalue()] * 3, [(595, 842)] * 3)
    monkeypatch.setattr(pdf_grid, "MAX_OCR_PAGES", 2)
    r = parsers.parse(data, source="scan.pdf")
    assert r.status == "limit" and "MAX_OCR_PAGES" in (r.error or "")


def test_time_limit_per_document() -> None:
    case = C.make_attachment(0, "2019", "pdf")
    status, message = read_attachment("pdf", case.data, Deadline(seconds=0))  # type: ignore[misc]
    assert status == "limit" and "MAX_SECONDS" in message


def test_input_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nianbao.parsers.limits.MAX_INPUT_BYTES", 100)
    r = parsers.parse(b"%PDF-1.4\n" + b"x" * 200, source="big.pdf")
    assert r.status == "limit" and "MAX_INPUT_BYTES" in (r.error or "")


def test_zip_bomb_by_compression_ratio() -> None:
    data = _zip({"word/document.xml": b"<x/>", "word/media/bomb.bin": b"\x00" * 20_000_000})
    assert len(data) < 100_000
    r = parsers.parse(data, source="bomb.docx")
    assert r.status == "limit" and "zip bomb" in (r.error or "")


def test_zip_bomb_by_declared_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_grid, "MAX_UNZIPPED_BYTES", 1000)
    data = _zip({"word/document.xml": b"<x/>" + b" " * 2000})
    r = parsers.parse(data, source="big.docx")
    assert r.status == "limit" and "MAX_UNZIPPED_BYTES" in (r.error or "")


def test_zip_member_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_grid, "MAX_XML_BYTES", 1_000_000)
    monkeypatch.setattr(docx_grid, "MAX_COMPRESSION_RATIO", 10**9)
    data = _zip({"word/document.xml": b"<x>" + b"a" * 3_000_000 + b"</x>"})
    r = parsers.parse(data, source="big.docx")
    assert r.status == "limit" and "MAX_XML_BYTES" in (r.error or "")


def test_zip_member_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_grid, "MAX_ZIP_MEMBERS", 3)
    data = _zip({"word/document.xml": b"<x/>", **{f"m{i}": b"x" for i in range(5)}})
    r = parsers.parse(data, source="many.docx")
    assert r.status == "limit" and "MAX_ZIP_MEMBERS" in (r.error or "")


def test_image_pixel_limit() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (9000, 8000), 1).save(buf, "PNG")  # 72 megapixels, a few kB
    r = parsers.parse(buf.getvalue(), source="huge.png")
    assert r.status == "limit" and "MAX_IMAGE_PIXELS" in (r.error or "")


def test_a_batch_goes_on_after_bad_files() -> None:
    good = C.make_attachment(4, "2021", "docx")
    bomb = _zip({"word/document.xml": b"<x/>", "word/media/bomb.bin": b"\x00" * 20_000_000})
    reports = [parsers.parse(d, source=str(i)) for i, d in enumerate(
        [bomb, b"%PDF-1.5 broken", good.data, b"\x89PNG\r\n\x1a\nbroken"])]
    assert [r.status for r in reports] == ["limit", "error", "ok", "error"]
    assert all(r.error for r in reports if r.status != "ok")


def test_pdf_table_without_rules_never_gives_a_wrong_number() -> None:
    """Rows of a table printed without rules are split at wide gaps (a fallback: blank cells
    leave no trace there, so cells may be left out, with warnings, but never misplaced)."""
    import random

    from fixtures.attachments.pdf import text_pdf

    for seed in (4, 5):
        rng = random.Random(seed)
        spec = C.spec_for(rng, "2021")
        variant = C.variant_for(rng, "pdf")
        doc = R.build_document(spec, variant, split_active=False)
        pages = layout(doc)
        for page in pages:
            page.rules = []
        report = parsers.parse(text_pdf(pages), source="borderless.pdf")
        want = {(f.table, f.row, f.col): R.fact_tuple(f)
                for f in C.expected_facts(spec, doc, "pdf")}
        wrong = [f for f in report.facts if R.fact_tuple(f) != want.get((f.table, f.row, f.col))]
        assert not wrong
        if len(report.facts) < len(want):
            assert report.warnings


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_damaged_files_never_raise(fmt: str) -> None:
    """Truncated and bit-flipped attachments: a status and a message, never an exception."""
    import random

    data = C.make_attachment(9, "2019", fmt).data
    rng = random.Random(fmt)
    variants = [data[:n] for n in (20, len(data) // 3, len(data) - 50)]
    for _ in range(6):
        b = bytearray(data)
        for _ in range(20):
            b[rng.randrange(8, len(b))] = rng.randrange(256)
        variants.append(bytes(b))
    for damaged in variants:
        r = parsers.parse(damaged, source=f"damaged.{fmt}")
        assert r.status in ("ok", "error", "limit", "no_tables", "not_report", "empty",
                            "unsupported")
        assert r.status == "ok" or r.error
