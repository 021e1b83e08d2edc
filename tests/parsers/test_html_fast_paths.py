"""The HTML reader's cheaper paths read a page exactly as the plain ones did: the title and
first heading found by tag name (not a selector), the reader's private marks looked for in a
UTF-8 page's bytes, and link lists judged while their links' text is still being added up."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from nianbao.parsers.readers.html import (HtmlDocument, _drop_link_lists, _in_body,
                                          html_document)


def _reading(doc: HtmlDocument) -> tuple[object, ...]:
    return ([(line.cells, line.boundary, line.lead_gap, sorted(line.unknown))
             for line in doc.lines], doc.titles, doc.published, doc.notes)


@pytest.mark.parametrize("page", [
    "<html><head><title>A</title></head><body><svg><title>S</title></svg><h1>x</h1></body>",
    "<body><svg><title>S</title></svg><TITLE>B</TITLE><math><h1>m</h1></math><H1>y</H1>",
    "<body><template><h1>t</h1></template><h1>z</h1><h1>second</h1>",
    "<body><p>no title, no heading</p>",
    "<body><h1>  </h1><title>\u3000</title><p>blank ones</p>",
])
def test_title_and_heading_as_the_first_in_document_order(page: str) -> None:
    tree = LexborHTMLParser(page)
    expected = []
    for tag in ("title", "h1"):  # what the reader took before: the first match of a selector
        node = tree.css_first(tag)
        text = " ".join(node.text_lexbor().split()) if node is not None else ""
        if text:
            expected.append(text)
    assert html_document(page).titles == expected


@pytest.mark.parametrize("body, marked", [
    ("<p>正文\ue000一段</p><p>表\ue001格</p>", True),  # the marks themselves
    ("<p>私用区\ue5e5字</p>", False),  # a lead byte 0xEE, but no mark
    ("<p>没有私用区字符</p>", False),
])
def test_marks_found_from_the_utf8_bytes(body: str, marked: bool) -> None:
    text = (f"<html><head><title>示例县2021年政府信息公开工作年度报告</title></head><body>{body}"
            "<table><tr><td>规章</td><td>3</td></tr></table></body></html>")
    from_bytes = html_document(text, text.encode())
    assert _reading(from_bytes) == _reading(html_document(text))
    cells = [c for line in from_bytes.lines for c in line.cells]
    assert not any("\ue000" in c or "\ue001" in c for c in cells)
    if marked:
        assert "正文一段" in cells and "表格" in cells
    else:
        assert ("私用区\ue5e5字" in cells) == ("\ue5e5" in body)


def _lists_left(html: str) -> list[str]:
    tree = LexborHTMLParser(html)
    _drop_link_lists(tree.body)
    return [" ".join(n.text(True, " ", True).split()) for n in tree.body.css("ul, ol")]


def test_link_list_dropped_once_its_links_hold_the_text() -> None:
    links = "".join(f"<li><a href='/{i}'>栏目{i}</a></li>" for i in range(6))
    # the links' text reaches the list's after the first few links: dropped all the same
    assert _lists_left(f"<body><ul>{links}</ul><p>正文</p></body>") == []
    # a bullet per item beside the links is still a link list
    bullets = "".join(f"<li>·<a href='/{i}'>栏目{i}</a></li>" for i in range(6))
    assert _lists_left(f"<body><ul>{bullets}</ul></body>") == []


def test_list_with_its_own_text_kept() -> None:
    # two characters of its own per item: more than a bullet, not chrome
    items = "".join(f"<li>说明<a href='/{i}'>栏目{i}</a></li>" for i in range(6))
    assert len(_lists_left(f"<body><ul>{items}</ul></body>")) == 1
    # too few items, a table inside, no link text at all: kept
    few = "".join(f"<li><a href='/{i}'>栏目{i}</a></li>" for i in range(3))
    assert len(_lists_left(f"<body><ul>{few}</ul></body>")) == 1
    linked = "".join(f"<li><a href='/{i}'>栏目{i}</a></li>" for i in range(5))
    assert len(_lists_left(f"<body><ul>{linked}<li><table><tr><td>1</td></tr></table></li>"
                           "</ul></body>")) == 1
    empty = "".join(f"<li><a href='/{i}'> </a></li>" for i in range(5))
    assert len(_lists_left(f"<body><ul>{empty}</ul></body>")) == 1


def test_submenus_dropped_before_the_menu_is_judged() -> None:
    sub = "".join(f"<li><a href='/s{i}'>子栏目{i}</a></li>" for i in range(5))
    menu = "".join(f"<li><a href='/{i}'>栏目{i}</a><ul>{sub}</ul></li>" for i in range(4))
    # every submenu goes first; the menu then holds four linked items and goes too
    assert _lists_left(f"<body><ul>{menu}</ul></body>") == []
    # with three items left after its submenus go, the menu stays (its own links only)
    menu3 = "".join(f"<li><a href='/{i}'>栏目{i}</a><ul>{sub}</ul></li>" for i in range(3))
    assert _lists_left(f"<body><ul>{menu3}</ul></body>") == ["栏目0 栏目1 栏目2"]


@pytest.mark.parametrize("page", [
    "<body><ul><li>1</li><ul><li>2</li></ul></ul><p>x</p><ul><li>3</li></ul></body>",
    "<body><ol><li>1</li></ol><ol><li>2</li></ol></body>",
    "<body><ul><li>1<ol><li>2</li></ol></li></ul><ol><li>3</li></ol><ul></ul></body>",
    "<body><p>no lists, no tables</p></body>",
    "<head><title>t</title></head><ul><li>before the body tag</li></ul><table><tr><td>1"
    "</td></tr></table><template><ul><li>t</li></ul><table></table></template>"
    "<table><tr><td><table><tr><td>2</td></tr></table></td></tr></table></body>"
    "<ul><li>after the body</li></ul>",
])
def test_lists_and_tables_by_tag_name_as_the_selector_finds_them(page: str) -> None:
    tree = LexborHTMLParser(page)
    for tags in (("ul", "ol"), ("table",)):
        expected = [n.mem_id for n in tree.body.css(", ".join(tags))]
        assert [n.mem_id for n in _in_body(tree, tree.body, tags)] == expected
