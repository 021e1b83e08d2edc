"""OCR reads each text once for all its prints: lossy noise is one print, a stroke is not.

Crops are drawn here with the fixtures' Chinese font at the sizes table pictures print
(9 to 24 pixel characters), then put through JPEG at a low quality, as pictures published
by agencies are. Known limit: characters that differ only by a stroke's length (士/土 at 12 and
16 pixels) can be taken for one print; digits cannot, and no two labels of the templates
differ that way.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from fixtures.attachments.fonts import NO_FONT_REASON, chinese_font, have_chinese_font
from nianbao.parsers.readers.ocr import _PAD, _prints

pytestmark = pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)


def _crop(text: str, px: int, *, chars: int = 0, quality: int | None = None) -> np.ndarray:
    """One text line as OCR crops it: the characters ``px`` high, padded above and below,
    as wide as ``chars`` characters (at least the text's) plus a margin."""
    font = ImageFont.truetype(str(chinese_font()), px)
    height = round(px * (1 + 2 * _PAD))
    im = Image.new("L", (px * (max(chars, len(text)) + 2), height), 255)
    ImageDraw.Draw(im).text((px, height / 2), text, fill=0, font=font, anchor="lm")
    if quality is not None:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality)
        im = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    return np.asarray(im)


@pytest.mark.parametrize("px", [12, 16, 20, 24])
def test_prints_of_one_number_are_read_once(px: int) -> None:
    """(Below 12 pixels, noise and strokes are too alike: lossy prints are read apart.)"""
    crops = [_crop("1,208", px), _crop("1,208", px, quality=60), _crop("1,208", px, quality=40)]
    assert _prints(crops) == [0, 0, 0]


@pytest.mark.parametrize("px", [9, 10, 12, 16, 20, 24])
@pytest.mark.parametrize(("a", "b"), [("6", "8"), ("3", "8"), ("1", "7"), ("0", "8"),
                                      ("108", "106"), ("1.5", "15"), ("12", "17"),
                                      ("1,208", "1,206"), ("0", "0.")])
def test_numbers_that_differ_by_a_stroke_are_never_one_print(px: int, a: str, b: str) -> None:
    chars = max(len(a), len(b))  # crops of one size: only those are ever compared
    for quality in (None, 75, 50):
        crops = [_crop(a, px, chars=chars, quality=quality),
                 _crop(b, px, chars=chars, quality=quality)]
        assert _prints(crops) == [0, 1], (a, b, px, quality)


def test_the_same_pixels_are_one_print_at_any_size() -> None:
    for px in (6, 8, 30):
        crops = [_crop("25", px), _crop("25", px), _crop("52", px)]
        assert _prints(crops) == [0, 0, 2]
