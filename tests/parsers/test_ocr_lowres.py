"""Labels are read at low resolution first, and that reading is kept only when it is a label.

:func:`nianbao.parsers.readers.ocr._read` reads each cell at ``_LOW_HEIGHT`` and keeps the
reading only where the cell's whole text is then one of the templates' labels; everything
else is read again at the model's full height. The guard is tested with made-up low
readings (a misread label, a label's piece, a number), then with the model on lines drawn
with the fixtures' Chinese font.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fixtures.attachments.fonts import NO_FONT_REASON, have_chinese_font
from nianbao.parsers.readers import ocr
from nianbao.parsers.readers.ocr import _known_label, _Piece, _read, recognise
from tests.parsers.drawn_lines import drawn_line

FULL = "full height"


def _fake_run(low: dict[int, str]) -> Any:
    """A recogniser that reads crop k as ``low[k]`` at low height and as FULL + k at full."""
    def run(crops: list[np.ndarray], batches: list[tuple[list[int], float]], height: int
            ) -> dict[int, tuple[str, float]]:
        idx = [k for ks, _ in batches for k in ks]
        if height == ocr._LOW_HEIGHT:
            return {k: (low[k], 0.99) for k in idx}
        return {k: (f"{FULL} {k}", 0.99) for k in idx}
    return run


def _pieces(cells: list[int]) -> tuple[list[_Piece], list[np.ndarray]]:
    """One piece a line, 20 pixels high (Chinese characters' height), in the given cells,
    and crops that are no prints of one another."""
    pieces = [_Piece(10, 30 * i, 90, 30 * i + 20, key) for i, key in enumerate(cells)]
    crops = [np.full((30, 100 + 7 * i), 255, np.uint8) for i in range(len(cells))]
    return pieces, crops


def test_a_low_reading_is_kept_only_when_the_cell_reads_as_a_known_label(
        monkeypatch: pytest.MonkeyPatch) -> None:
    low = {0: "行政许可",  # a label: kept
           1: "（一）子以公开",  # a label misread: read again
           2: "1.属于国家秘",  # half of a wrapped label, its other half (3) misread
           3: "蜜",
           4: "5.要求行政机关确认或重新出具已获",  # a wrapped label, both halves read right
           5: "取信息",
           6: "规章1"}  # a label and a digit
    monkeypatch.setattr(ocr, "_run", _fake_run(low))
    pieces, crops = _pieces([100, 101, 102, 102, 103, 103, 104])
    got = [text for text, _ in _read(pieces, crops, 20.0)]
    assert got == ["行政许可", f"{FULL} 1", f"{FULL} 2", f"{FULL} 3",
                   "5.要求行政机关确认或重新出具已获", "取信息", f"{FULL} 6"]


def test_lines_outside_tables_are_judged_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table's title cut at its gap (三、 | 收到和处理…) is one label; a line that is
    no label is read again, even where one of its pieces is a label."""
    monkeypatch.setattr(ocr, "_run", _fake_run({0: "三、", 1: "收到和处理政府信息公开申请情况",
                                                2: "总计", 3: "模拟县"}))
    pieces = [_Piece(10, 0, 40, 20, None), _Piece(80, 0, 400, 20, None),
              _Piece(10, 40, 40, 60, None), _Piece(80, 40, 140, 60, None)]
    crops = [np.full((30, 100 + 7 * i), 255, np.uint8) for i in range(4)]
    got = [text for text, _ in _read(pieces, crops, 20.0)]
    assert got == ["三、", "收到和处理政府信息公开申请情况", f"{FULL} 2", f"{FULL} 3"]


def test_digits_and_lone_glyphs_are_never_read_low(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line less high than Chinese characters (digits), or one narrow glyph, goes to full
    height at once, whatever the low reading would have been."""
    monkeypatch.setattr(ocr, "_run", _fake_run({0: "总计", 1: "总计"}))
    pieces = [_Piece(10, 0, 60, 14, 1), _Piece(10, 40, 22, 60, 2)]
    crops = [np.full((30, 100 + 7 * i), 255, np.uint8) for i in range(2)]
    assert [t for t, _ in _read(pieces, crops, 20.0)] == [f"{FULL} 0", f"{FULL} 1"]


def test_known_labels() -> None:
    for text in ("行政许可", "（一）予以公开", "(一)予以公开", "(一）予以公开", "总计",
                 "3.危及“三安全一稳定”", '3.危及"三安全一稳定"', "二、主动公开政府信息情况",
                 "法人或其他组织", "第二十条第（九）项"):
        assert _known_label(text), text
    for text in ("", "12", "（一）子以公开", "予以公开。", "1.属于国家秘", "规章1", "行政 许可",
                 "模拟县自然资源和规划局2020年政府信息公开年度报告"):
        assert not _known_label(text), text


@pytest.mark.skipif(not have_chinese_font(), reason=NO_FONT_REASON)
@pytest.mark.parametrize("px", [11, 14, 18, 24])
def test_with_the_model_each_cell_reads_as_at_full_height_or_as_a_label(px: int) -> None:
    """Every line reads exactly as :func:`recognise` reads it, or (read at low height) as
    one of the templates' labels."""
    texts = ["（一）予以公开", "行政许可", "2.其他法律行政法规禁止公开", "本年新制作数量",
             "信息内容", "规范性文件", "商业企业", "（六）其他处理", "模拟县财政局", "1,208",
             "11011.8万元", "7", "36", "增加10", "4680.48"]
    lines = [drawn_line(t, px, t) for t in texts]
    height = float(np.percentile([p.y1 - p.y0 for p, _ in lines], 75))
    crops = [c for _, c in lines]
    fast = _read([p for p, _ in lines], crops, height)
    full = recognise(crops)
    for text, (got, score), want in zip(texts, fast, full):
        assert (got, score) == want or _known_label(got), (text, got, score, want)
