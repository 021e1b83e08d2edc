"""One line of text drawn with the fixtures' Chinese font and cut as OCR cuts a cell's text:
the input of the recogniser tests (tests/parsers/test_ocr_*.py)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from fixtures.attachments.fonts import chinese_font
from nianbao.parsers.readers.ocr import _crop, _Piece


def drawn_line(text: str, px: int, key: object = None) -> tuple[_Piece, np.ndarray]:
    """``text`` at ``px`` pixels a character: its piece (in cell ``key``) and its crop."""
    font = ImageFont.truetype(str(chinese_font()), px)
    im = Image.new("L", (px * (len(text) + 4), px * 3), 255)
    ImageDraw.Draw(im).text((px, px), text, fill=0, font=font)
    gray = np.asarray(im)
    ys, xs = np.nonzero(gray < 128)
    piece = _Piece(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1, key)
    return piece, _crop(gray, piece)
