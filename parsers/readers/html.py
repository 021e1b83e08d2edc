"""HTML pages to lines of cells, in reading order.

Leaf tables (tables holding no other table) become one line per ``<tr>``; everything else
becomes one line per block of text, so headings between tables stay in order. Layout tables
that wrap the content are read as text blocks.

Leaf tables are read as a grid: rowspan and colspan are expanded into grid columns, the
header rows are found by their column words, and each value is placed under the header
column its grid span overlaps, so that a row comes out as its label cells and then exactly
one cell per data column, whatever spans the page used. A value straddling two columns leaves
both unknown: the row keeps its width, those cells hold "" and are named in ``Line.unknown``.
Rows the grid cannot map keep the plain reading (a value or blank cell spanning k
columns is followed by k - 1 blank cells; a label spanning columns is read once).

Speed: the page is parsed once by lexbor (selectolax), about four times faster than libxml2
on report pages; text blocks are not walked in Python but marked at their boundaries and read
as text in one call, and each cell's text is one call (lexbor's own textContent, which is the
same concatenation of text nodes as ``text(deep=True)`` and a third faster). Every selector
call parses its selector and matches each of its parts against every element of its subtree,
so the page is queried with few of them (tags found by name or by id where a walk will do),
and its tree is built without lexbor's mutation events (see :func:`_parse`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode

from nianbao.parsers import limits
from nianbao.parsers.document import Document, Line
from nianbao.parsers.normalize import collapse, label_key
from nianbao.parsers.schema import COLUMN_LABELS, HEADER_GROUPS
from nianbao.parsers.values import read_value

def _tag_ids(*tags: str) -> tuple[int, ...]:
    """lexbor's ids of the tags told apart here (an int compare, where ``tag`` builds a
    string)."""
    doc = LexborHTMLParser("")
    return tuple(doc.create_node(tag).tag_id for tag in tags)


_BLOCK = ("p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
          "tr", "td", "th", "table", "tbody", "thead", "section", "article", "header",
          "footer", "blockquote", "pre", "dd", "dt", "dl", "form", "center", "hr",
          "caption", "main", "nav", "aside", "figure", "figcaption", "title", "body")
_BLOCK_IDS = frozenset(_tag_ids(*_BLOCK))
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Elements hidden by an inline style.
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
# Private-use characters that mark block boundaries and table positions in the text read
# back; a page that contains them has them removed first (they carry no text).
_SEP = "\ue000"
_TABLE = "\ue001"
_MARKS = re.compile("[\ue000\ue001]")
_DROP = ("script", "style", "noscript", "template", "textarea", "select", "button", "iframe",
         "object", "svg")
_DROP_IDS = frozenset(_tag_ids(*_DROP))
_TITLE, _H1, _SELECTEDCONTENT = _tag_ids("title", "h1", "selectedcontent")
# The containers looked up by tag name later (a C walk each): only those the walk met.
_LOOKED_UP = ("ul", "ol", "table")
_ID_OF = dict(zip(_LOOKED_UP, _tag_ids(*_LOOKED_UP)))
_FIRSTS = frozenset((_TITLE, _H1, _SELECTEDCONTENT, *_ID_OF.values()))
# The tags the walk stops at (one set test for each of the page's other elements, not two).
_WATCHED = _DROP_IDS | _FIRSTS
_MAX_COLSPAN = 64
_MAX_ROWSPAN = 500


@dataclass(slots=True)
class HtmlDocument(Document):
    """An HTML page read into lines, with what the reader has to say about it (cells it
    could not place)."""

    notes: list[str] = field(default_factory=list)


# --- cell text and spans ----------------------------------------------------------------------

_clean = lru_cache(maxsize=65536)(collapse)


def _text(node: LexborNode) -> str:
    """The collapsed text of an element."""
    return _clean(node.text_lexbor())


@lru_cache(maxsize=1024)
def _span(value: str | None, cap: int) -> int:
    if not value:
        return 1
    try:
        return max(1, min(int(value), cap))
    except ValueError:
        return 1


# --- header words -----------------------------------------------------------------------------

# Upper header levels (groups of columns): a header row may hold only these.
_GROUP_WORDS = frozenset(label_key(w) for w in HEADER_GROUPS)
# Column words that are also row labels (（七）总计, 3.其他): a header only beside others.
_WEAK_WORDS = frozenset(label_key(w) for w in ("总计", "合计", "其他", "其它"))


def _leaf_words() -> frozenset[str]:
    words = {label_key(w) for w in COLUMN_LABELS}
    words |= {label_key(w) for w in ("上年项目数量", "维持", "纠正", "本年新制作", "本年新公开",
                                     "对外公开总数", "本年制发", "本年废止", "现行有效")}
    return frozenset(w for w in words if w)


_LEAF_WORDS = _leaf_words()
_LONG_WORDS = tuple(w for w in _LEAF_WORDS if len(w) >= 4)
_CAPTION = re.compile(r"[(（][^()（）]*勾稽[^()（）]*[)）]")


@lru_cache(maxsize=65536)
def _header_kind(text: str) -> int:
    """0: not a header word; 1: a weak column word (总计, 其他); 2: a column word;
    3: a group word (申请人情况)."""
    if "勾稽" in text:
        text = _CAPTION.sub("", text)
    key = label_key(text)
    if not key or len(key) > 24:
        return 0
    if key in _GROUP_WORDS:
        return 3
    if key in _WEAK_WORDS:
        return 1
    if key in _LEAF_WORDS:
        return 2
    for word in _LONG_WORDS:  # 本年收费金额（单位：万元）, 本年新 / 本年增 (shortened)
        if key.startswith(word) or (len(key) >= 3 and word.startswith(key)):
            return 2
    return 0


# --- the grid ---------------------------------------------------------------------------------

# A grid cell is a tuple, not an object (a page has hundreds of cells, and a tuple is built in
# a fraction of an instance's time): (text, start, end, kind, span, origin, head).
# ``start``/``end``: its first grid column and one past its last; ``kind``: 0 label, 1 blank
# (empty or placeholder), 2 number; ``span``: colspan as printed; ``origin``: false for the
# copy of a cell that a rowspan carries down from a row above; ``head``: _header_kind of a
# label (0 for values).
_Cell = tuple[str, int, int, int, int, bool, int]
_Row = list[_Cell]


def _kind(text: str) -> int:
    if not text:
        return 1
    cell = read_value(text)
    if cell is None:
        return 0
    return 1 if cell.number is None else 2


@lru_cache(maxsize=65536)
def _read(raw: str) -> tuple[str, int, int]:
    """A cell's raw text read once per distinct text: (collapsed text, kind, header kind)."""
    text = collapse(raw)
    kind = _kind(text)
    return text, kind, (_header_kind(text) if kind == 0 else 0)


_TABLE_ID, _TR, _TH, _TD, _LI, _A = _tag_ids("table", "tr", "th", "td", "li", "a")


def _grid(table: LexborNode) -> list[_Row]:
    """Rows of the table with rowspan and colspan expanded into grid columns."""
    rows: list[_Row] = []
    carry: list[tuple[_Cell, int]] = []  # copies of cells spanning down: (copy, rows covered)
    read = _read
    # the rows, and the attributes of the few cells that span (reading every cell's costs
    # more than all the other work on it), in one selector call: a spanning cell comes
    # after its row in document order (a leaf table holds no other rows), so only the cells
    # of rows that have one are asked their identity
    trs: list[LexborNode] = []
    row_spans: list[dict[int, dict[str, str | None]] | None] = []
    for node in table.css("tr, [colspan], [rowspan]"):
        if node.tag_id == _TR:
            trs.append(node)
            row_spans.append(None)
        elif trs:
            spans = row_spans[-1]
            if spans is None:
                spans = row_spans[-1] = {}
            spans[node.mem_id] = node.attributes
    for tr, spans in zip(trs, row_spans):
        row: _Row = []
        col = 0
        new: list[tuple[_Cell, int]] = []
        covered = ({c: cell for cell, _ in carry for c in range(cell[1], cell[2])}
                   if carry else None)
        for td in tr.iter():  # (element children only)
            tag = td.tag_id
            if tag != _TD and tag != _TH:
                continue
            if covered:
                while col in covered:
                    cell = covered[col]
                    row.append(cell)
                    col = cell[2]
            attrs = spans.get(td.mem_id) if spans else None
            if attrs is None:
                text, kind, head = read(td.text_lexbor())
                row.append((text, col, col + 1, kind, 1, True, head))
                col += 1
                continue
            colspan = attrs.get("colspan")
            span = 1 if colspan is None else _span(colspan, _MAX_COLSPAN)
            text, kind, head = read(td.text_lexbor())
            row.append((text, col, col + span, kind, span, True, head))
            rowspan = attrs.get("rowspan")
            if rowspan is not None and rowspan != "1":
                down = _span(rowspan, _MAX_ROWSPAN)
                if down > 1:
                    new.append(((text, col, col + span, kind, span, False, head), down - 1))
            col += span
        if carry:
            for cell, _ in carry:
                if cell[1] >= col:
                    row.append(cell)
            carry = [(c, n - 1) for c, n in carry if n > 1]
            carry.extend(new)
        else:
            carry = new
        rows.append(row)
    return rows


def _header_row(row: _Row) -> bool:
    """A row of column headers: no numbers, and column words (one distinctive word, a group
    word, or two words such as 其他 | 总计)."""
    strong = False
    weak = 0
    for cell in row:
        kind = cell[3]
        if kind == 2:
            return False
        if kind == 0:
            head = cell[6]
            if head >= 2:
                strong = True
            elif head:
                weak += 1
    return strong or weak >= 2


def _columns(row: _Row) -> list[_Cell] | None:
    """The data columns under a header band's bottom row: its cells from the first column
    word on (a label corner before it is the label area)."""
    for i, cell in enumerate(row):
        if cell[3] == 0 and cell[6] in (1, 2):
            return row[i:]
    return None


def _plain_line(row: _Row) -> Line | None:
    """Today's reading of a row: its printed cells; a value or blank cell spanning k columns
    is followed by k - 1 blanks so the cells after it keep their columns."""
    cells: list[str] = []
    for text, _, _, kind, span, origin, _ in row:
        if not origin:
            continue
        cells.append(text)
        if span > 1 and kind:
            cells.extend([""] * (span - 1))
    return Line(cells, True) if cells else None


def _column_index(cols: list[_Cell]) -> list[int]:
    """For each grid column up to the last data column: the data column holding it (-1 in
    the label area)."""
    index = [-1] * cols[-1][2]
    for j, c in enumerate(cols):
        for g in range(c[1], c[2]):
            index[g] = j
    return index


_NOTHING: frozenset[int] = frozenset()


def _data_line(row: _Row, cols: list[_Cell], index: list[int], notes: list[str]
               ) -> Line | None:
    """A row under a header: its label cells, then one cell per data column, each holding
    the value whose grid span overlaps that column only ("" where none does). ``None``
    when the row does not fit the columns (it is then read plainly)."""
    first = cols[0][1]
    width = len(index)
    labels: list[str] = []
    # the text of the one value claiming each column ("" none; claimed texts are never
    # empty: an empty cell claims nothing)
    claims = [""] * len(cols)
    unknown: set[int] | None = None  # columns claimed twice, or under a carried number
    wide: list[tuple[str, range]] = []
    in_data = False
    for text, start, end, kind, _, origin, _ in row:
        if end <= first:  # the label area
            if origin:
                if kind == 0:
                    labels.append(text)
                elif kind == 2:
                    return None  # a number beside the labels: the header does not fit
            continue
        if kind == 0:
            return None  # a text in the value area: a heading or a note, not a data row
        in_data = True
        if start < width:
            lo = index[start]
            hi = index[(end if end < width else width) - 1]
        else:
            lo = hi = -1
        if lo < 0 or hi < lo:
            if kind == 2:
                return None  # a number outside every column
            continue
        if not origin:
            if kind == 2:  # a number carried down by a rowspan
                if unknown is None:
                    unknown = set()
                unknown.update(range(lo, hi + 1))
            continue
        if kind == 1 and not text:
            continue  # a blank cell: its columns stay blank unless a value claims them
        if lo == hi:
            if claims[lo]:
                if unknown is None:
                    unknown = set()
                unknown.add(lo)
            else:
                claims[lo] = text
        elif kind == 2:
            wide.append((text, range(lo, hi + 1)))
        # a placeholder (/, —) spanning several columns leaves them blank
    if not in_data:
        return Line(labels, True) if labels else None
    if wide:
        if unknown is None:
            unknown = set()
        for k, (text, over) in enumerate(wide):
            free = [j for j in over if not claims[j] and j not in unknown
                    and not any(j in o for m, (_, o) in enumerate(wide) if m != k)]
            if len(free) == 1:
                claims[free[0]] = text
            else:
                unknown.update(j for j in over if not claims[j])
    if not unknown:
        return Line(labels + claims, True, unknown=_NOTHING)
    label = " ".join(labels) or "(no label)"
    heads = "、".join(cols[j][0] or f"#{j + 1}" for j in sorted(unknown))
    notes.append(f"HTML table row {label!r}: a value spans or shares the columns {heads}; "
                 "its column is ambiguous, those cells left out")
    cells = labels + ["" if j in unknown else c for j, c in enumerate(claims)]
    return Line(cells, True, unknown=frozenset(len(labels) + j for j in unknown))


def _table_lines(table: LexborNode, notes: list[str]) -> list[Line]:
    """One line per row: rows under a recognised header mapped onto its columns, the others
    (and tables without such a header) read plainly."""
    lines: list[Line] = []
    cols: list[_Cell] | None = None
    index: list[int] = []  # _column_index(cols), once per header
    band: _Row | None = None  # the last header row seen while in a header band
    for row in _grid(table):
        if not row:
            continue
        if _header_row(row):
            band = row
            line = _plain_line(row)
        else:
            if band is not None:
                found = _columns(band)
                if found:
                    cols, index = found, _column_index(found)
                band = None
            line = _data_line(row, cols, index, notes) if cols else None
            if line is None:
                line = _plain_line(row)
        if line is not None:
            lines.append(line)
    return lines


# --- the page ---------------------------------------------------------------------------------

# A list of at least this many items holding nothing but links is page chrome (navigation,
# sidebars, related reports): never a report's text, and the costliest part of a portal page
# to read (one text block per item, each classified by extraction).
_LINK_LIST = 4


def _in_body(tree: LexborHTMLParser, body: LexborNode, tags: tuple[str, ...],
             seen: dict[int, LexborNode] | None = None) -> list[LexborNode]:
    """The elements of ``tags`` in document order, as ``body.css(", ".join(tags))`` finds
    them (the parser puts no list or table outside the body). Looked up by tag name, a
    walk without a selector to parse (a fifth the cost), when at most one of the tags
    occurs; the selector orders them when several do. ``seen``: the page's first element
    of each tag before anything was removed (see :func:`_walk`); a tag without one is not
    looked up (removals add no element). ``None``: every tag is looked up."""
    found = [nodes for tag in tags if seen is None or _ID_OF[tag] in seen
             for nodes in (tree.tags(tag),) if nodes]
    if len(found) > 1:
        return body.css(", ".join(tags))
    return found[0] if found else []


def _drop_link_lists(body: LexborNode, lists: list[LexborNode] | None = None) -> None:
    """Remove the lists whose text is all link text (innermost first, so that a menu whose
    submenus are link lists goes too). A list holding a table, or any text of its own beyond
    a bullet or separator per item, stays. ``lists``: the body's lists in document order,
    where the caller has them."""
    for lst in reversed(body.css("ul, ol") if lists is None else lists):
        # its items, links and tables, walked in Python: a selector call costs more than
        # the walk of a list of links (each call parses its selector and sets up its
        # memory), and the walk meets them in the same order
        items = 0
        anchors: list[LexborNode] = []
        table = False
        for node in lst.traverse():  # (elements and comments, from the list itself)
            tag = node.tag_id
            if tag == _LI:
                items += 1
            elif tag == _A:
                anchors.append(node)
            elif tag == _TABLE_ID:
                table = True
                break
        if table or items < _LINK_LIST:
            continue
        # a link list when its text beyond the links' is at most a character per item:
        # links are added up only until that holds (each can only add to the sum)
        short = len(lst.text(True, "", True)) - items  # (deep, no separator, strip each)
        links = 0
        for a in anchors:
            links += len(a.text(True, "", True))
            if links and links >= short:
                lst.decompose()
                break


def _layout_tables(tables: list[LexborNode]) -> set[int]:
    """The ``mem_id`` of the tables holding another table (layout tables, read as text
    blocks): the tables above each one, found by walking up from it (no selector call per
    table), each walk stopping where an earlier one passed, since all above that node is
    done: tables nested thousands deep cost one walk, not one a table."""
    layout: set[int] = set()
    passed: set[int] = set()
    for table in tables:
        node = table.parent
        while node is not None:
            mem = node.mem_id
            if mem in passed:
                break
            passed.add(mem)
            if node.tag_id == _TABLE_ID:
                layout.add(mem)
            node = node.parent
    return layout


_PUBLISHED_META = frozenset({"pubdate", "firstpublishedtime", "publishdate", "publishtime",
                             "article:published_time"})


def _head_info(tree: LexborHTMLParser, firsts: dict[int, LexborNode]
               ) -> tuple[list[str], str | None]:
    """Title candidates (meta ArticleTitle, <title>, <h1>) and the publish date a CMS states
    in ``<meta name="PubDate">`` and the like (the year of a page without a title).
    ``firsts``: the page's first title and h1 by tag id (see :func:`_walk`)."""
    titles: list[str] = []
    published = None
    head = tree.head
    for meta in (head.css("meta") if head is not None else ()):
        attrs = meta.attrs
        content = attrs.get("content")
        if not content:
            continue
        name = (attrs.get("name") or attrs.get("property") or "").lower()
        if name == "articletitle":
            titles.append(collapse(content))
        elif published is None and name in _PUBLISHED_META:
            published = collapse(content)
    for tag in (_TITLE, _H1):
        found = firsts.get(tag)
        if found is not None:
            text = _text(found)
            if text:
                titles.append(text)
    return titles, published


_Walked = tuple[LexborHTMLParser, LexborNode, dict[int, LexborNode], list[LexborNode]]


def _walk(tree: LexborHTMLParser) -> _Walked | None:
    """The tree, its body, its first title, h1, selectedcontent, list and table by tag id
    (as ``css_first`` finds them), and its elements to drop (``_DROP``) in document order, found
    in one walk: strip_tags walks the page once a tag, and each lookup by tag name is a walk
    of its own. ``None`` without a body."""
    root, body = tree.root, tree.body
    if root is None or body is None:
        return None
    firsts: dict[int, LexborNode] = {}
    drop: list[LexborNode] = []
    for node in root.traverse():  # (elements and comments, in document order)
        tag = node.tag_id
        if tag in _WATCHED:
            if tag in _DROP_IDS:
                drop.append(node)
            elif tag not in firsts:
                firsts[tag] = node
    return tree, body, firsts, drop


# Start and end tags of the elements that nest: blocks, and list items (an <li> is closed by
# the next one, but one in a list inside it is one level more). A <p> or <td> left open is
# closed by the next one; a <table> bounds the search lexbor's parse makes down the stack.
_NESTS = re.compile(rb"<(/?)(div|ul|ol|dl|menu|dir|section|article|aside|nav|header|footer"
                    rb"|main|blockquote|center|fieldset|figure|details|address|hgroup|search"
                    rb"|li)[\s/>]")  # (searched in the page's bytes lowered: a third the cost)
_LISTS = frozenset({b"ul", b"ol"})
_ITEM_CLOSES_THROUGH = frozenset({b"div", b"address"})


# Pages shorter than this parse in under a second however they nest: not searched.
_NESTING_CHECKED = 100_000


def _depth(page: str | bytes) -> int:
    """How deep the page's blocks and list items nest at their deepest, closed or not, as the
    HTML parser nests them: an end tag closes what is open inside its element too, and is
    ignored with none open (an ``</li>`` with none open in its list); an item closes the item
    open in its list, through the <div> and <address> opened in it. Linear: each element is
    opened and closed once, and each tag looks only at the top of the stacks."""
    data = page if isinstance(page, bytes) else page.encode("utf-8", "replace")
    stack: list[bytes] = []
    at: dict[bytes, list[int]] = {}  # name -> where it is open on the stack
    scope: list[int] = []  # where the open items and lists are (an </li> looks at the last)
    special: list[int] = []  # where the elements an <li> does not close through are
    deepest = 0

    def close(i: int) -> None:
        for name in stack[i:]:
            at[name].pop()
        del stack[i:]
        while scope and scope[-1] >= i:
            scope.pop()
        while special and special[-1] >= i:
            special.pop()

    for closing, name in _NESTS.findall(data.lower()):
        if closing:
            if name == b"li":
                if scope and stack[scope[-1]] == b"li":
                    close(scope[-1])
            elif at.get(name):
                close(at[name][-1])
            continue
        if name == b"li" and special and stack[special[-1]] == b"li":
            close(special[-1])
        i = len(stack)
        stack.append(name)
        at.setdefault(name, []).append(i)
        if name == b"li" or name in _LISTS:
            scope.append(i)
        if name not in _ITEM_CLOSES_THROUGH:
            special.append(i)
        if i >= deepest:
            deepest = i + 1
    return deepest


def _check_nesting(page: str | bytes) -> None:
    """Raise :class:`~parsers.limits.LimitExceeded` for a page whose blocks and list items
    nest deeper than MAX_BLOCK_DEPTH anywhere, closed or not: lexbor's parse of it would take
    seconds to hours, in one call no deadline can stop. Short pages are not searched, nor
    pages with no more start tags than the limit (two counts: the search costs a third of a
    large page's parse)."""
    if len(page) <= _NESTING_CHECKED:
        return
    lt, end = ("<", "</") if isinstance(page, str) else (b"<", b"</")
    if page.count(lt) - page.count(end) <= limits.MAX_BLOCK_DEPTH:  # (no deeper than that)
        return
    deepest = _depth(page)
    if deepest > limits.MAX_BLOCK_DEPTH:
        raise limits.LimitExceeded(
            f"the page nests block elements (<div>, <ul>, <li> …) {deepest:,} deep; the limit "
            f"is {limits.MAX_BLOCK_DEPTH:,} (MAX_BLOCK_DEPTH): nested that deep, the HTML parser "
            "would take seconds to hours")


def page_tree(page: str | bytes, options: int = 0) -> LexborHTMLParser:
    """lexbor's tree of a page (``options``: LexborDocumentOptions), for every reader of
    pages; raises LimitExceeded, before the parse, for a page nested too deep to parse in
    time (:func:`_check_nesting`)."""
    _check_nesting(page)
    return LexborHTMLParser(page, options=options)


def _parse(page: str | bytes) -> _Walked | None:
    """The page's tree (see :func:`_walk`), built without lexbor's mutation events: their
    only effect on a tree read without CSS is a ``<selectedcontent>`` copying its select's
    chosen option, and a page with one is parsed again with them (the walk tells, and the
    events cost a twentieth of the parse)."""
    walked = _walk(page_tree(page, LexborDocumentOptions.WO_EVENTS))
    if walked is not None and _SELECTEDCONTENT in walked[2]:
        walked = _walk(LexborHTMLParser(page))  # (page_tree checked it)
    return walked


def html_document(text: str, utf8: bytes | None = None) -> HtmlDocument:
    """The page's lines. ``utf8``: the page's bytes where they are ``text`` encoded in UTF-8,
    parsed as they are when ``text`` needs no change (lexbor parses UTF-8, and encoding a
    page costs a tenth of parsing it). Raises LimitExceeded for a page nested too deep to
    parse (:func:`page_tree`)."""
    decl = _XML_DECL.match(text)  # (a match: ``sub`` would try every position of the page)
    if decl is not None:
        text = text[decl.end():]
        utf8 = None
    # (on the UTF-8 bytes, a search for the marks' lead byte 0xEE (U+E000-U+EFFF) is one
    # memchr; on the text, count is faster than ``in`` for the separator)
    if (utf8 is None or b"\xee" in utf8) and (_TABLE in text or text.count(_SEP)):
        text = _MARKS.sub("", text)
        utf8 = None
    parsed = _parse(text if utf8 is None else utf8)
    if parsed is None:
        return HtmlDocument("html", [], [])
    tree, body, firsts, drop = parsed
    titles, published = _head_info(tree, firsts)
    for node in reversed(drop):  # innermost first: no removal frees one still to be removed
        node.decompose()
    # innermost first: removing an element removes what it holds (the selector runs in C;
    # a case-insensitive search of the whole page text cost more)
    for node in reversed(body.css('[style*="none" i]')):
        if _HIDDEN.search(node.attrs.get("style") or ""):
            node.decompose()
    _drop_link_lists(body, _in_body(tree, body, ("ul", "ol"), firsts))
    notes: list[str] = []
    tables: list[list[Line]] = []
    found = _in_body(tree, body, ("table",), firsts)
    layout = _layout_tables(found)
    for table in found:
        if layout and table.mem_id in layout:
            continue
        tables.append(_table_lines(table, notes))
        table.replace_with(f"{_SEP}{_TABLE}{len(tables) - 1}{_SEP}")
    # the blocks as a selector of the block tags finds them (the body itself, then its
    # elements in document order), by tag id in one walk: 38 selectors cost more to match
    blocks = [node for node in body.traverse() if node.tag_id in _BLOCK_IDS]
    for node in blocks:
        node.insert_before(_SEP)
        node.insert_after(_SEP)
    lines: list[Line] = []
    for part in body.text_lexbor().split(_SEP):
        if not part or part.isspace():  # (most parts: the white space between blocks)
            continue
        if part[0] == _TABLE:
            lines.extend(tables[int(part[1:])])
            continue
        joined = collapse(part)
        if joined:
            lines.append(Line([joined], False))
    return HtmlDocument("html", lines, titles, published, notes)
