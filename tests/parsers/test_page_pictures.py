"""A report page with its tables partly as pictures: the pictures' facts merged with the page's.

The OCR reader is replaced by one that returns a known document (a text rendering of the
same spec), so the merge itself is tested without OCR's cost; the real OCR round trip is in
tests/nianbao/test_page_pictures_e2e.py.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from fixtures.attachments.cases import spec_for, variant_for  # noqa: E402
from fixtures.portal.picture_site import page_html  # noqa: E402
from fixtures.reports import render as R  # noqa: E402
from fixtures.reports.spec import CellSpec, with_cells  # noqa: E402
from nianbao.parsers.readers import ocr  # noqa: E402
from nianbao.parsers.readers.attachment import AttachmentDocument  # noqa: E402
from nianbao.parsers.readers.text import text_document  # noqa: E402


def _case(seed: int = 3):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    spec = spec_for(rng, "2021")
    variant = variant_for(rng, "image")
    return spec, R.build_document(spec, variant, split_active=False)


@pytest.fixture()
def fake_ocr(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """images_document reads each 'picture' as the text it holds (pipe lines)."""
    calls: list[int] = []

    def images_document(images: list[bytes], deadline=None) -> AttachmentDocument:  # type: ignore[no-untyped-def]
        calls.append(len(images))
        lines = [ln for data in images for ln in text_document(data.decode("utf-8")).lines]
        return AttachmentDocument("ocr", lines, [])

    monkeypatch.setattr(ocr, "images_document", images_document)
    return calls


def _picture_of(spec, doc) -> bytes:  # type: ignore[no-untyped-def]
    """The spec's tables 三 and 四 as pipe text (the stand-in for their picture)."""
    data = R.pipe_text(spec, R.Variant(seed=1))[0]
    text = data.decode("utf-8")
    return text[text.index("三、"):text.index("五、")].encode("utf-8")


def test_html_cells_stay_and_a_different_reading_is_a_warning(fake_ocr) -> None:  # type: ignore[no-untyped-def]
    spec, doc = _case()
    key = ("requests", "received_new", "natural_person")
    truth = spec.cells[key]
    wrong = int(truth.value or 0) + 7
    total_key = ("requests", "received_new", "total")  # the row still sums: not left out
    total = int(spec.cells[total_key].value or 0) + 7
    picture = _picture_of(with_cells(spec, {key: CellSpec(wrong, str(wrong), truth.unit),
                                            total_key: CellSpec(total, str(total), truth.unit)}),
                          doc)
    page = page_html(doc, ["W01.png"], html=(1, 2), pictures=(2,)).encode("utf-8")
    report = parsers.parse(page, source="http://x.gov.cn/a.html",
                           pictures=lambda images: [picture for _ in images])
    assert fake_ocr == [1]
    assert report.status == "ok", report.error
    got = report.fact(*key)
    assert got is not None and got.value == truth.value and got.origin == "html"
    assert any(w.startswith("requests.received_new.natural_person: the page's HTML table reads")
               and repr(str(wrong)) in w for w in report.warnings), report.warnings
    by_origin = {f.table: f.origin for f in report.facts}
    assert by_origin == {"active": "html", "requests": "html", "appeals": "ocr"}
    assert not any(w.startswith("table ") for w in report.warnings), report.warnings
    for f in report.facts:  # every cell right: the HTML ones, and the picture's appeals
        assert f.value == spec.cells[(f.table, f.row, f.col)].value, f


def test_pictures_not_at_hand_are_said_plainly(fake_ocr) -> None:  # type: ignore[no-untyped-def]
    spec, doc = _case()
    page = page_html(doc, ["a_files/W01.png", "a_files/W02.png"]).encode("utf-8")
    report = parsers.parse(page, source="a.html",
                           pictures=lambda images: ["was not saved beside the page"] * len(images))
    assert fake_ocr == []
    assert report.status == "ok"  # table 二 is HTML
    assert {f.table for f in report.facts} == {"active"}
    missing = [w for w in report.warnings if "was not saved beside the page" in w]
    assert len(missing) == 2 and "a_files/W01.png" in missing[0]
    assert "table requests not found" in report.warnings

    no_tables = page_html(doc, ["W01.png", "W02.png", "W03.png"], html=(),
                          pictures=(1, 2, 3)).encode("utf-8")
    report = parsers.parse(no_tables, source="b.html",
                           pictures=lambda images: ["was not archived (failed: HTTP 404)"] * 3)
    assert report.status == "no_tables"
    assert "pictures" in (report.error or "")
    assert sum("HTTP 404" in w and w.startswith("pictures: ") for w in report.warnings) == 3


def test_a_page_read_without_a_loader_ignores_its_pictures(fake_ocr) -> None:  # type: ignore[no-untyped-def]
    spec, doc = _case()
    report = parsers.parse(page_html(doc, ["W01.png", "W02.png"]).encode("utf-8"))
    assert fake_ocr == [] and {f.table for f in report.facts} == {"active"}


def test_an_unreadable_picture_is_named_and_the_others_are_read(fake_ocr, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nianbao.parsers.readers.attachment import Unreadable

    spec, doc = _case()
    real = ocr.images_document

    def picky(images: list[bytes], deadline=None) -> AttachmentDocument:  # type: ignore[no-untyped-def]
        if b"not a picture" in images:
            raise Unreadable("an image that cannot be decoded (cannot identify image file)")
        return real(images, deadline)

    monkeypatch.setattr(ocr, "images_document", picky)
    text = _picture_of(spec, doc).decode("utf-8")
    appeals = text[text.index("四、政府信息公开"):].encode("utf-8")
    page = page_html(doc, ["W01.png", "W02.png"]).encode("utf-8")
    report = parsers.parse(page, pictures=lambda images: [b"not a picture", appeals])
    assert report.status == "ok"
    assert {f.table: f.origin for f in report.facts} == {"active": "html", "appeals": "ocr"}
    assert any(w.startswith("pictures: picture 1 cannot be read (an image that cannot be decoded")
               for w in report.warnings), report.warnings
    assert "pictures: 1 of 2 article pictures read by OCR; 15 cells taken from them" in report.warnings


def test_an_inline_data_picture_is_read_from_the_page_itself(fake_ocr) -> None:  # type: ignore[no-untyped-def]
    import base64

    spec, doc = _case()
    text = _picture_of(spec, doc).decode("utf-8")
    appeals = text[text.index("四、政府信息公开"):].encode("utf-8") + b"\n" * 3000  # a big one
    inline = "data:image/png;base64," + base64.b64encode(appeals).decode("ascii")
    page = page_html(doc, [inline], html=(1, 2), pictures=(3,)).encode("utf-8")

    def loader(images):  # type: ignore[no-untyped-def]
        raise AssertionError(f"nothing to load: {images}")

    report = parsers.parse(page, pictures=loader)
    assert fake_ocr == [1] and report.status == "ok"
    assert {f.table: f.origin for f in report.facts} == {"active": "html", "requests": "html",
                                                        "appeals": "ocr"}
    for f in report.facts:
        assert f.value == spec.cells[(f.table, f.row, f.col)].value, f
    from nianbao.scraper.discover import scan_report_page

    assert scan_report_page("http://x.gov.cn/a.html", page.decode("utf-8")) == []
