"""Runs of narrow digits keep every digit at the sizes table pictures print.

The recogniser reads a crop scaled to 48 pixels high; the paper OCR puts above and below a
line (``_PAD``) sets how small its characters come out, and so how many of the model's
columns each digit gets. Too few, and two 1s in a row read as one (11011.8 as 111.8: a
different number, with confidence enough to be kept). These lines are drawn with the
fixtures' Chinese font, 11 to 24 pixels a character, and cut as a table cell's text is.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from fixtures.attachments.fonts import NO_FONT_REASON, chinese_font, have_chinese_font
from nianbao.parsers.readers.ocr import _crop, _Piece, clean_cell, recognise
from nianbao.parsers.values import read_value

pytestmark = pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)

TEXTS = ["11011.8万元", "1111", "100111", "11,011", "111", "2011", "0.11", "1,111", "11.11",
         "7711", "1001", "10,101", "111件"]


def _line(text: str, px: int) -> np.ndarray:
    """A cell's crop of one line of text, ``px`` pixels a character."""
    font = ImageFont.truetype(str(chinese_font()), px)
    im = Image.new("L", (px * (len(text) + 4), px * 3), 255)
    ImageDraw.Draw(im).text((px, px), text, fill=0, font=font)
    gray = np.asarray(im)
    ys, xs = np.nonzero(gray < 128)
    piece = _Piece(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1, None)
    return _crop(gray, piece)


@pytest.mark.parametrize("px", range(11, 25))
def test_repeated_narrow_digits_are_never_read_as_another_number(px: int) -> None:
    """Each line reads as its own number, or as no number (left out with a warning)."""
    for text, (got, score) in zip(TEXTS, recognise([_line(t, px) for t in TEXTS])):
        value = read_value(clean_cell(got))
        assert value is None or value.value == read_value(text).value, (px, text, got, score)
