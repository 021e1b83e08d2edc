"""A UTF-8 page's own bytes are handed to the HTML parser instead of the text encoded again:
the page must read exactly as from its text, and bytes are ignored where the text had to be
changed first (an XML declaration, the reader's private marks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.parsers.readers.html import HtmlDocument, html_document

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def _reading(doc: HtmlDocument) -> tuple[object, ...]:
    return ([(line.cells, line.boundary, line.lead_gap, sorted(line.unknown))
             for line in doc.lines], doc.titles, doc.published, doc.notes)


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.html")
                                        if p.read_bytes().decode("utf-8", "ignore")
                                        .encode() == p.read_bytes()))
def test_bytes_read_as_the_text(name: str) -> None:
    text = (CASES / name).read_text("utf-8")
    assert _reading(html_document(text, text.encode())) == _reading(html_document(text))


def test_bytes_ignored_where_the_text_is_changed() -> None:
    text = ('<?xml version="1.0"?><html><head><title>示例县2021年政府信息公开工作年度报告</title>'
            "</head><body><p>正文\ue000一段</p><table><tr><td>规章</td><td>3</td></tr></table>"
            "</body></html>")
    assert _reading(html_document(text, text.encode())) == _reading(html_document(text))
    assert "正文一段" in html_document(text, text.encode()).lines[0].cells[0]
