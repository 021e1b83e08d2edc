"""Images and scanned PDFs, read by OCR; the guards that keep misreads out of the facts.

OCR takes seconds a page, so only two documents are OCR'd (a page image at scan resolution,
slightly rotated, noisy and JPEG-compressed, and a two-page scanned PDF); the table rebuilding
and the misread guards are tested on their own without the OCR model.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from fixtures.attachments import cases as C  # noqa: E402
from fixtures.attachments.fonts import NO_FONT_REASON, have_chinese_font  # noqa: E402
from fixtures.attachments.image import Scan, draw_page  # noqa: E402
from fixtures.attachments.layout import Style, layout, place  # noqa: E402
from fixtures.reports import render as R  # noqa: E402
from nianbao.parsers.readers.attachment import AttachmentDocument  # noqa: E402
from nianbao.parsers.extraction.checks import run_checks  # noqa: E402
from nianbao.parsers.extraction.extract import extract  # noqa: E402
from nianbao.parsers.extraction.ocr_verify import verify  # noqa: E402
from nianbao.parsers.readers.text import text_lines  # noqa: E402

needs_font = pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)
MIN_SHARE = 0.9  # share of facts read exactly; the rest must be left out with a warning


def judge_ocr(report: parsers.Report, case: C.AttachmentCase) -> tuple[float, list[str]]:
    """Share of facts read right, and problems: a fact that is wrong or missing without a
    warning naming its row is a silent misread (see cases.read_right for placeholders)."""
    right, problems = C.silent_misreads(report, case)
    if any(f.origin != "ocr" for f in report.facts):
        problems.append("a fact read by OCR is not marked origin=ocr")
    if report.template != case.spec.template or report.status != "ok":
        problems.append(f"template {report.template} status {report.status} {report.error}")
    return right / len(case.facts), problems


def expect_ocr(case: C.AttachmentCase) -> None:
    report = parsers.parse(case.data, source=case.name)
    share, problems = judge_ocr(report, case)
    print(f"\n{case.name}: {share:.1%} of {len(case.facts)} facts read exactly; "
          f"{len(report.warnings)} warnings")
    if problems or share < MIN_SHARE:
        pytest.fail(f"{case.name}: {share:.1%} exact\n  " + "\n  ".join(problems),
                    pytrace=False)


@needs_font
def test_image_at_scan_resolution_rotated_and_noisy() -> None:
    scan = Scan(dpi=200, angle=0.8, noise=0.002, fmt="JPEG", seed=5)
    case = C.make_attachment(21, "2021", "image", scan=scan)
    expect_ocr(case)


@needs_font
def test_scanned_pdf() -> None:
    case = C.make_attachment(22, "2019", "pdf_scan")
    assert case.pages == 2
    expect_ocr(case)


# --- tables from ruling lines (no OCR model) -------------------------------------------------


@needs_font
@pytest.mark.parametrize("angle", [0.0, -1.5])
def test_lattice_rebuilds_merged_cells(angle: float) -> None:
    import numpy as np
    from PIL import Image

    from nianbao.parsers.readers import lattice

    rng = random.Random(3)
    spec = C.spec_for(rng, "2019")
    doc = R.build_document(spec, R.Variant(), split_active=False)
    pages = layout(doc, Style(page_height=None, prose=False, table=8.0))
    gray = np.asarray(Image.open(io.BytesIO(draw_page(pages[0], Scan(dpi=150, angle=angle))))
                      .convert("L"))
    bw = lattice.binarize(gray)
    skew = lattice.skew_angle(bw)
    assert abs(skew + angle) < 0.2
    if abs(skew) > 0.05:
        gray = lattice.rotate(gray, skew)
        bw = lattice.binarize(gray)
    tables = lattice.find_tables(bw, *lattice.line_masks(bw))
    grids = [g for _, items in doc.sections for g in items if isinstance(g, R.Grid)]
    assert [len(t.rows) for t in tables] == [len(g.rows) for g in grids]
    for t, g in zip(tables, grids):
        assert [len(r) for r in t.rows] == [len(r) for r in g.rows]
    assert len(place(grids[1])) == sum(len(r) for r in tables[1].rows)


# --- misread guards (no OCR model) -------------------------------------------------------------


def _ocr_doc(seed: int, template: str) -> tuple[AttachmentDocument, R.Case]:
    """A document as OCR would hand it over, from a pipe rendering of a known spec."""
    case = R.make_case(seed, template, "pipe_text", script="hans", encoding="utf-8",
                       zeros="zero")
    lines = text_lines(case.data.decode("utf-8"))
    return AttachmentDocument("ocr", lines, [lines[0].cells[0]]), case


def _find(doc: AttachmentDocument, label: str) -> int:
    return next(i for i, ln in enumerate(doc.lines)
                if ln.boundary and any(label in c for c in ln.cells))


def _verify(doc: AttachmentDocument, template: str) -> tuple[list, list[str]]:
    ext = extract(doc, template)
    return verify(doc, ext.facts, template, template)


def test_misread_breaking_a_row_sum_leaves_the_row_out() -> None:
    doc, case = _ocr_doc(5, "2021")
    i = _find(doc, "重复申请")
    cells = doc.lines[i].cells
    first = next(k for k, c in enumerate(cells) if c.isdigit())
    cells[first] = str(int(cells[first]) + 3)  # 8 read as 3, say
    kept, warnings = _verify(doc, "2021")
    assert not any(f.row == "not_handled.repeated" for f in kept)
    assert any("not_handled.repeated breaks its row sum" in w for w in warnings)
    assert all(c.ok or "repeated" in c.name or ".balance." in c.name or ".closed_sum." in c.name
               for c in run_checks(kept, "2021"))
    assert any("closed_sum" in w or "balance" in w for w in warnings)


def test_low_confidence_cells_are_warned_about_or_left_out() -> None:
    doc, case = _ocr_doc(6, "2019")
    i = _find(doc, "予以公开")
    j = _find(doc, "规章")
    total = max(k for k, c in enumerate(doc.lines[i].cells) if c)  # padding may follow
    doc.confidence[(i, total)] = 0.3  # the row's total
    doc.lines[j].cells[1] = "7"
    doc.confidence[(j, 1)] = 0.7
    kept, warnings = _verify(doc, "2019")
    keys = {(f.table, f.row, f.col) for f in kept}
    assert ("requests", "granted", "total") not in keys
    assert any("requests.granted.total" in w and "left out" in w for w in warnings)
    assert ("active", "art20_1.rules", "newly_made") in keys
    assert any("active.art20_1.rules.newly_made" in w and "low confidence" in w
               for w in warnings)
    # the total left out explains its row's failed sum: the other cells stay
    assert sum(1 for f in kept if f.row == "granted") == 6


def test_low_confidence_zeros_are_summed_up_in_one_line() -> None:
    doc, _ = _ocr_doc(10, "2021")
    zeros = [(li, ci) for li, ln in enumerate(doc.lines) if ln.boundary
             for ci, c in enumerate(ln.cells) if c == "0"]
    assert len(zeros) > 10
    for key in zeros:
        doc.confidence[key] = 0.7
    i = _find(doc, "重复申请")
    cells = doc.lines[i].cells
    k = next(k for k, c in enumerate(cells) if c == "0")
    cells[k] = "8"  # a zero misread as 8 (or an 8 printed where the spec had 0)
    kept, warnings = _verify(doc, "2021")
    per_cell = [w for w in warnings if "low confidence" in w and "read as '0'" in w]
    assert per_cell == []  # zeros whose identities hold are not warned about one by one
    summary = [w for w in warnings if "cells read with low confidence as 0 or blank" in w]
    assert len(summary) == 1 and "consistent with the table's identities" in summary[0]
    assert any("not_handled.repeated breaks its row sum" in w for w in warnings)
    assert any("requests.balance." in w or "requests.closed_sum." in w for w in warnings)
    assert any("does not hold" in w and "read with low confidence in it" in w
               for w in warnings)  # the failing column names its doubtful cells


def test_ink_without_text_is_left_out_not_read_as_blank() -> None:
    doc, _ = _ocr_doc(7, "2021")
    i = _find(doc, "行政许可")
    doc.lines[i].cells[1] = ""  # OCR found no text where the cell has ink
    doc.confidence[(i, 1)] = 0.0
    kept, warnings = _verify(doc, "2021")
    assert not any(f.row == "art20_5.licensing" for f in kept)
    assert any("art20_5.licensing.decisions holds marks OCR could not read" in w
               for w in warnings)


def test_clean_ocr_passes_untouched() -> None:
    doc, case = _ocr_doc(8, "2021")
    ext = extract(doc, "2021")
    kept, warnings = verify(doc, ext.facts, "2021", "2021")
    assert kept == ext.facts and warnings == []


def test_ocr_cell_cleaning() -> None:
    from nianbao.parsers.readers.ocr import clean_cell

    assert [clean_cell(t) for t in ["o", "。", "１２", "1O", "l2件", "行政许可", "Other", "25",
                                    "31. ", "3807.09.", "0.00", ".5", "一", "--", "/"]] \
        == ["0", "0", "12", "10", "12件", "行政许可", "Other", "25", "31", "3807.09", "0.00", "5",
            "—", "—", "/"]


def test_text_in_a_number_column_is_a_misread() -> None:
    from nianbao.parsers.readers.ocr import _misread_numbers

    texts = ["5.要求行政机关确认或重新出具已获取信息", "", "！", "6", "5", "", "", "11"]
    confs: list[float | None] = [1.0, None, 0.44, 0.7, 1.0, None, None, 0.99]
    _misread_numbers(texts, confs, [False] + [True] * 7)
    assert texts[2] == "" and confs[2] == 0.0 and texts[0].startswith("5.")
    header = ["结果维持", "结果纠正", "其他结果"]
    _misread_numbers(header, [1.0, 1.0, 1.0], [True, True, True])
    assert header == ["结果维持", "结果纠正", "其他结果"]  # a header row: no numbers in it


def test_a_row_ocr_could_not_read_is_named() -> None:
    doc, _ = _ocr_doc(9, "2021")
    i = _find(doc, "重复申请")
    doc.lines[i].cells[0] = "！"  # garbled: extraction places the row by order, and says so
    ext = extract(doc, "2021")
    kept, warnings = verify(doc, ext.facts, "2021", "2021", ext.warnings)
    assert any("not_handled.repeated" in w for w in ext.warnings + warnings)
    facts = [f for f in ext.facts if f.row != "not_handled.repeated"]  # a row that gave nothing
    kept, warnings = verify(doc, facts, "2021", "2021")
    assert any("requests.not_handled.repeated not read" in w for w in warnings)


def test_unread_cell_in_a_row_of_numbers_only_is_left_out() -> None:
    """The appeals table prints its labels in rows above its numbers: a cell with ink OCR
    could not read, in that row, is left out with a warning, never kept as a blank."""
    doc, _ = _ocr_doc(11, "2021")
    i = max(li for li, ln in enumerate(doc.lines) if ln.boundary and len(ln.cells) > 10
            and all(c.isdigit() for c in ln.cells if c))
    doc.lines[i].cells[3] = ""
    doc.confidence[(i, 3)] = 0.0
    kept, warnings = _verify(doc, "2021")
    assert not any(f.table == "appeals" and f.value is None for f in kept)
    assert any(w.startswith("OCR: appeals.") and "holds marks OCR could not read" in w
               for w in warnings)


def test_pictures_are_decoded_to_grey_with_transparency_as_paper() -> None:
    """RGBA, LA and palette pictures (a transparent GIF) become one grey channel, their
    transparent parts white paper, their opaque ink as dark as it was."""
    import numpy as np
    from PIL import Image

    from nianbao.parsers.readers.ocr import _frames

    rgba = np.zeros((20, 30, 4), np.uint8)  # black, transparent
    rgba[5:10, 5:25] = (0, 0, 0, 255)  # an opaque black bar
    rgba[12:15, 5:25] = (200, 200, 200, 255)  # an opaque light grey bar
    gif = Image.fromarray(np.where(rgba[..., 3] == 0, 0, np.where(rgba[..., 0] == 0, 1, 2))
                          .astype(np.uint8), "P")
    gif.putpalette([0, 0, 0, 0, 0, 0, 200, 200, 200])  # index 0 (black) is transparent
    pictures = {"PNG": Image.fromarray(rgba, "RGBA"), "GIF": gif,
                "WEBP": Image.fromarray(rgba, "RGBA"),
                "LA": Image.fromarray(rgba, "RGBA").convert("LA")}
    for name, img in pictures.items():
        out = io.BytesIO()
        kw = {"lossless": True} if name == "WEBP" else {"transparency": 0} if name == "GIF" \
            else {}
        img.save(out, "PNG" if name == "LA" else name, **kw)
        (gray,) = _frames(out.getvalue())
        assert gray.dtype == np.uint8 and gray.shape == (20, 30), name
        assert gray[0, 0] == 255 and gray[18, 28] == 255, name  # transparent: paper
        assert gray[7, 10] < 30, name  # ink stays ink
        assert 180 < gray[13, 10] < 220, name


def test_a_line_of_specks_outside_the_tables_is_left_out_with_a_note() -> None:
    from nianbao.parsers.readers.ocr import Box, _text_rows

    specks = [Box(100, 900, 110, 912, "*", 0.44), Box(700, 900, 708, 912, "1", 0.47)]
    text = [Box(100, 50, 600, 80, "二、主动公开政府信息情况", 0.99)]
    words = [Box(100, 300, 200, 312, "说明", 0.4)]  # a word read badly is still text
    items, junk = _text_rows(specks + text + words, 1000)
    assert junk == 1
    assert [row.texts for _, rows in items for row in rows] == [["二、主动公开政府信息情况"],
                                                                 ["说明"]]
