"""Runs of narrow digits keep every digit at the sizes table pictures print.

The recogniser reads a crop scaled to 48 pixels high; the paper OCR puts above and below a
line (``_PAD``) sets how small its characters come out, and so how many of the model's
columns each digit gets. Too few, and two 1s in a row read as one (11011.8 as 111.8: a
different number, with confidence enough to be kept). These lines are drawn with the
fixtures' Chinese font, 11 to 24 pixels a character, and cut as a table cell's text is.
"""

from __future__ import annotations

import pytest

from fixtures.attachments.fonts import NO_FONT_REASON, have_chinese_font
from nianbao.parsers.readers.ocr import clean_cell, recognise
from nianbao.parsers.values import read_value
from tests.parsers.drawn_lines import drawn_line

pytestmark = pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)

TEXTS = ["11011.8万元", "1111", "100111", "11,011", "111", "2011", "0.11", "1,111", "11.11",
         "7711", "1001", "10,101", "111件"]


@pytest.mark.parametrize("px", range(11, 25))
def test_repeated_narrow_digits_are_never_read_as_another_number(px: int) -> None:
    """Each line reads as its own number, or as no number (left out with a warning)."""
    for text, (got, score) in zip(TEXTS, recognise([drawn_line(t, px)[1] for t in TEXTS])):
        value = read_value(clean_cell(got))
        assert value is None or value.value == read_value(text).value, (px, text, got, score)
