"""HTML pages to lines of cells, in reading order.

Leaf tables (tables holding no other table) become one line per ``<tr>``; everything else
becomes one line per block of text, so headings between tables stay in order. Layout tables
that wrap the content are read as text blocks.

Spans need little grid expansion here: extraction anchors every row on its label and reads
the cells that follow it, so a ``rowspan`` label printed once or a ``colspan`` heading is read
once, and copies of a merged cell never pose as values. Only a value or blank cell spanning
columns is widened with blanks, so that the cells after it stay in their columns.
"""

from __future__ import annotations

import re

from lxml import etree

from nianbao.parsers.document import Document, Line
from nianbao.parsers.normalize import collapse
from nianbao.parsers.values import is_value

_SKIP = frozenset({"head"})
_BLOCK = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
                    "tr", "td", "th", "table", "tbody", "thead", "section", "article", "header",
                    "footer", "blockquote", "pre", "dd", "dt", "dl", "form", "center", "hr",
                    "caption", "main", "nav", "aside", "figure", "figcaption", "title", "body"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)


# Plain lxml elements: lxml.html's element classes cost a lookup per element visited.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_DROP = ("script", "style", "noscript", "template", "textarea", "select", "button", "iframe",
         "object", "svg")


def _cell_text(cell: etree._Element) -> str:
    return collapse("".join(cell.itertext()))


def _span(cell: etree._Element) -> int:
    try:
        return max(1, min(int(cell.get("colspan") or 1), 64))
    except ValueError:
        return 1


def _table_lines(table: etree._Element) -> list[Line]:
    """One line per row. A value or blank cell spanning k columns is followed by k - 1 blank
    cells, so the values after it keep their columns; a label spanning columns is read once."""
    lines: list[Line] = []
    for tr in table.iter("tr"):
        cells: list[str] = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            text = _cell_text(td)
            cells.append(text)
            span = _span(td)
            if span > 1 and (not text or is_value(text)):
                cells.extend([""] * (span - 1))
        if cells:  # a row of blank cells is a blank data row (an appeals table left empty)
            lines.append(Line(cells, True))
    return lines


def _is_leaf_table(table: etree._Element) -> bool:
    return table.find(".//table") is None


def _titles(root: etree._Element) -> list[str]:
    titles: list[str] = []
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle" and meta.get("content"):
            titles.append(collapse(meta.get("content", "")))
    for tag in ("title", "h1"):
        el = next(root.iter(tag), None)
        if el is not None:
            text = _cell_text(el)
            if text:
                titles.append(text)
    return titles


def html_document(text: str) -> Document:
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Document("html", [], [])
    etree.strip_elements(root, *_DROP, with_tail=False)
    lines: list[Line] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            joined = collapse("".join(buf))
            buf.clear()
            if joined:
                lines.append(Line([joined], False))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            if tag is None or tag in _SKIP or _HIDDEN.search(el.get("style") or ""):
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                flush()
            if tag == "table" and _is_leaf_table(el):
                lines.extend(_table_lines(el))
                walker.skip_subtree()
                continue
            if el.text:
                buf.append(el.text)
        else:
            if tag in _BLOCK:
                flush()
            if el.tail:
                buf.append(el.tail)
    flush()
    return Document("html", lines, _titles(root))
