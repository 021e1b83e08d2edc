"""Picture reports (fixtures/attachments/pictures.py): the grid is found in every style, and a
round trip through OCR gives every fact right or flagged.

OCR costs seconds a page on a shared machine, so only a handful of small variants are OCR'd;
grid finding is tested on all variants without the OCR model.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from fixtures.attachments import pictures as P  # noqa: E402
from fixtures.attachments.cases import read_right  # noqa: E402
from fixtures.attachments.fonts import NO_FONT_REASON, have_chinese_font  # noqa: E402

needs_font = pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)
MIN_SHARE = 0.9


@needs_font
@pytest.mark.parametrize("name", sorted(n for n, (_, s) in P.VARIANTS.items()
                                        if s.kind == "tables"))
def test_grid_found_in_every_style(name: str) -> None:
    """Every table of a one-image variant, with every row and cell, whatever its rules."""
    import numpy as np
    from PIL import Image

    from nianbao.parsers.readers import lattice

    case = P.make_variant(name)
    gray = np.asarray(Image.open(io.BytesIO(case.images[0])).convert("L"))
    bw = lattice.binarize(gray)
    angle = lattice.skew_angle(bw)
    if abs(angle) > 0.05:
        gray = lattice.rotate(gray, angle)
        bw = lattice.binarize(gray)
    tables = lattice.find_tables(bw, *lattice.line_masks(bw))
    grids = case.grids
    assert [[len(r) for r in t.rows] for t in tables] == [[len(r) for r in g.rows]
                                                          for g in grids]


@needs_font
@pytest.mark.parametrize("name", ["png150_1px", "gif96_big", "jpeg150_scan", "split_png"])
def test_picture_round_trip(name: str) -> None:
    """Every fact read right, or left out with a warning naming its row; never a wrong
    number silently. ``split_png``: a table split over two images, read as TIFF pages."""
    case = P.make_variant(name, tiff_pages=True)
    assert len(case.images) == 1
    report = parsers.parse(case.images[0], source=case.name)
    assert report.status == "ok", report.error
    assert report.template == "2021"
    got = {(f.table, f.row, f.col): f for f in report.facts}
    assert set(got) <= {(f.table, f.row, f.col) for f in case.facts}
    right, problems = 0, []
    for e in case.facts:
        key = (e.table, e.row, e.col)
        if read_right(got.get(key), e, ocr=True):
            right += 1
        elif not any(key[0] in w and key[1] in w for w in report.warnings):
            problems.append(f"{key}: expected {e.raw!r}, got "
                            f"{got[key].raw if key in got else None!r}, no warning")
    assert not problems, problems
    assert right / len(case.facts) >= MIN_SHARE, f"{right}/{len(case.facts)}"
    # zeros read with low confidence are summed up, not warned about one by one
    assert sum("read as '0' with low confidence" in w for w in report.warnings) <= 3
