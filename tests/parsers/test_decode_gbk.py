"""GB pages are decoded with the GBK codec first and GB18030 only where GBK fails: both must
give the same text, and a page GBK cannot read must still come out whole."""

from __future__ import annotations

from nianbao.parsers.readers.decode import decode


def test_every_code_gbk_reads_is_read_alike_by_gb18030() -> None:
    """The shortcut is exact only if GBK and GB18030 agree on every one- and two-byte code
    GBK accepts (four-byte GB18030 codes are never valid GBK, so they fall back)."""
    codes = [bytes([a]) for a in range(256)]
    codes += [bytes([a, b]) for a in range(0x81, 0xFF) for b in range(256)]
    accepted = 0
    for code in codes:
        try:
            text = code.decode("gbk")
        except UnicodeDecodeError:
            continue
        accepted += 1
        assert code.decode("gb18030") == text, code
    assert accepted > 20000  # ASCII and the ~21,900 two-byte codes


def test_page_beyond_gbk_falls_back_to_gb18030() -> None:
    """A character GBK lacks (U+3400, four bytes in GB18030) makes GBK fail: the page is
    decoded as GB18030 in full, not cut or replaced."""
    text = "<html><head><meta charset=\"gb2312\"></head><body><p>示例县政府信息公开年度报告 㐀 €</p></body></html>"
    data = text.encode("gb18030")
    assert "㐀".encode("gb18030") in data
    decoded = decode(data)
    assert decoded.text == text
    assert decoded.encoding == "gb18030"
