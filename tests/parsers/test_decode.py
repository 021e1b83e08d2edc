"""Decoding: declared, wrong and missing charsets; the encoding used is always recorded."""

from __future__ import annotations

import pytest

from nianbao.parsers.readers.decode import DecodeError, decode

TEXT = "示例市人民政府2021年政府信息公开工作年度报告：本年新收政府信息公开申请数量"


def html(charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}</head><body><p>{TEXT}</p></body></html>"


@pytest.mark.parametrize("meta, header", [
    ("gbk", None),                          # right meta
    ("utf-8", None),                        # wrong meta
    (None, None),                           # no charset anywhere
    (None, "text/html; charset=ISO-8859-1"),  # a server's Western default
    ("gb2312", "text/html; charset=utf-8"),   # wrong header
])
def test_gbk_page_is_read_as_gb18030(meta: str | None, header: str | None) -> None:
    decoded = decode(html(meta).encode("gbk"), header)
    assert TEXT in decoded.text
    assert decoded.encoding == "gb18030"


def test_utf8_page_declared_gbk_is_read_as_utf8() -> None:
    decoded = decode(html("gbk").encode("utf-8"), "text/html; charset=gbk")
    assert TEXT in decoded.text and (decoded.encoding, decoded.how) == ("utf-8", "utf-8")


def test_bom_wins() -> None:
    decoded = decode("\ufeff".encode() + TEXT.encode("utf-8"))
    assert decoded.text == TEXT and decoded.how == "bom"


def test_big5_gateway_copy() -> None:
    text = "示例市政府資訊公開年度報告 申請"
    decoded = decode(html("big5").replace(TEXT, text).encode("big5"))
    assert text in decoded.text and decoded.encoding == "big5"


def test_latin1_declared_and_really_latin1() -> None:
    page = "<html><head><meta charset='iso-8859-1'></head><body>caf\u00e9 cr\u00e8me</body></html>"
    decoded = decode(page.encode("latin-1"))
    assert "caf\u00e9 cr\u00e8me" in decoded.text


def test_undecodable_bytes_raise_a_clear_error() -> None:
    with pytest.raises(DecodeError):
        decode(bytes(range(128, 256)) * 50 + b"\xff\xfe\xfd" * 1000 + b"\x80")
