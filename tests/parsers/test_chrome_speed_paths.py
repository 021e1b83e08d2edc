"""The cheaper paths taken for portal pages read a page exactly as the plain ones did: the
tree built without lexbor's mutation events (parsed again with them where a
``<selectedcontent>`` would copy an option), the elements dropped and the text blocks found
by tag id in one walk each (not strip_tags, not a selector list), and the checks summed from
the facts in one pass."""

from __future__ import annotations

import random

import pytest
from selectolax.lexbor import LexborHTMLParser

from nianbao.parsers.extraction.checks import run_checks
from nianbao.parsers.model import Fact
from nianbao.parsers.readers.html import (_BLOCK, _BLOCK_IDS, _DROP, _H1, _HIDDEN, _ID_OF,
                                          _SELECTEDCONTENT, _TITLE, _in_body, _layout_tables,
                                          _parse, html_document)
from nianbao.parsers.schema import SCHEMAS

PAGES = [
    # the body's own block, nested blocks, comments, breaks and rules between texts
    "<body>a<div>b<!-- c --><p>d<br>e</p><hr>f</div>g<center>h</center></body>",
    # foreign elements named like blocks (read as blocks by the selector too)
    ("<body><math><title>m</title><mtext><div>d</div></mtext></math><svg><title>s</title>"
     "<foreignObject><p>p</p></foreignObject></svg><p>q</p></body>"),
    # a report table with spans inside a layout table, a link list inside the article
    ("<body><table><tr><td><h3>二、主动公开政府信息情况</h3><table><tr><td rowspan=2>信息内容</td>"
     "<td colspan=2>本年新制作数量</td></tr><tr><td>1</td><td>2</td></tr></table>"
     "<ul><li><a href=a>甲</a></li><li><a href=b>乙</a></li><li><a href=c>丙</a></li>"
     "<li><a href=d>丁</a></li></ul></td></tr></table><dl><dt>x</dt><dd>y</dd></dl></body>"),
    # select lists: options, a selected one, a button inside
    ("<body><form><select><option>a</option><option selected>b</option></select>"
     "<button>go</button></form><p>after</p></body>"),
    # a selectedcontent copying the chosen option (heading included) in either case
    ("<body><select><button><selectedcontent></selectedcontent></button><option><h1>首项</h1>"
     "</option><option selected><h1>选中</h1></option></select><h1>正文标题</h1><p>x</p></body>"),
    ("<SELECT><BUTTON><SELECTEDCONTENT></SELECTEDCONTENT></BUTTON><OPTION SELECTED><TITLE>t"
     "</TITLE>z</OPTION></SELECT><title>real</title><p>y</p>"),
]


@pytest.mark.parametrize("page", PAGES)
def test_tree_as_lexbor_builds_it_with_its_events(page: str) -> None:
    for source in (page, page.encode("utf-8")):  # (a GBK page comes as text, UTF-8 as bytes)
        parsed = _parse(source)
        assert parsed is not None
        assert parsed[0].html == LexborHTMLParser(source).html


DROPPED = [
    "<p>a<svg><style>x</style><title>t</title></svg>b<math><style>y</style><mi>z</mi></math>c</p>",
    "<noscript><script>x</script><p>n</p></noscript><p>after</p>",
    "<template><script>a</script><p>in template</p></template><p>x</p>",
    ("<select><option>a<button>b</button></option></select><button><select><option>z</option>"
     "</select></button>"),
    ("<head><style>a</style><script>b</script></head><body><SCRIPT>c</SCRIPT><p>q</p>"
     "<textarea><p>t</p></textarea><object><iframe>i</iframe><p>o</p></object>"),
    "<table><tr><td>1<script>x</script></td></tr><script>y</script><style>z</style></table>",
    "<svg><foreignObject><script>f</script><p>fo</p></foreignObject></svg><p>e</p>",
    "<p>x</p></body></html><script>late</script><p>late p</p>",
    "<svg><svg><script>nested</script></svg></svg><p>p</p>",
]


@pytest.mark.parametrize("page", DROPPED + PAGES)
def test_dropped_elements_as_strip_tags_drops_them(page: str) -> None:
    parsed = _parse(page)
    assert parsed is not None
    tree, _, _, drop = parsed
    for node in reversed(drop):
        node.decompose()
    expected = LexborHTMLParser(page)
    expected.strip_tags(list(_DROP))
    assert tree.html == expected.html


FIRSTS = [
    "<title>a</title><h1>b</h1><h1>c</h1><title>d</title>",
    "<noscript><h1>in noscript</h1></noscript><h1>after</h1><script>x</script><title>t</title>",
    "<svg><title>s</title></svg><p>x</p><h1>h</h1><select><option>o</option></select>",
    "<p>no title, no heading</p><style>y</style>",
    # lists and tables: only inside dropped or foreign elements, or none, or several kinds
    "<noscript><ul><li>n</li></ul></noscript><template><ol><li>t</li></ol></template><p>x</p>",
    "<math><table><tr><td>m</td></tr></table></math><svg><ul></ul></svg><p>y</p>",
    "<ol><li>1</li></ol><table><tr><td><ul><li>a</li></ul></td></tr></table><ul></ul>",
    "<p style='display:none'><ul><li>h</li></ul></p><div style='DISPLAY: none'><ol></ol></div>",
]


@pytest.mark.parametrize("page", FIRSTS + DROPPED + PAGES)
def test_walk_finds_firsts_as_css_first(page: str) -> None:
    """The walk's one set test per element (``_WATCHED``) still tells the dropped elements
    from the first title, h1 and selectedcontent."""
    parsed = _parse(page)
    assert parsed is not None
    tree, _, firsts, _ = parsed
    for tag, tag_id in (("title", _TITLE), ("h1", _H1), ("selectedcontent", _SELECTEDCONTENT),
                        *_ID_OF.items()):
        found = tree.css_first(tag)
        got = firsts.get(tag_id)
        assert (got is None) == (found is None)
        assert got is None or got.mem_id == found.mem_id


@pytest.mark.parametrize("page", FIRSTS + DROPPED + PAGES)
def test_lookups_skipped_only_for_tags_the_page_lacks(page: str) -> None:
    """Lists and tables looked up only when the walk met one give what the lookups of every
    tag give, after the removals html_document makes."""
    parsed = _parse(page)
    assert parsed is not None
    tree, body, firsts, drop = parsed
    for node in reversed(drop):
        node.decompose()
    for node in reversed(body.css('[style*="none" i]')):
        if _HIDDEN.search(node.attrs.get("style") or ""):
            node.decompose()
    for tags in (("ul", "ol"), ("table",)):
        got = [n.mem_id for n in _in_body(tree, body, tags, firsts)]
        assert got == [n.mem_id for n in _in_body(tree, body, tags)]  # (every tag looked up)
        assert got == [n.mem_id for n in body.css(", ".join(tags))]


def test_selectedcontent_copy_kept() -> None:
    """The copy of the chosen option is the page's first heading, as a browser shows it
    (without the events, the first option's would be)."""
    assert html_document(PAGES[4]).titles == ["选中"]
    assert html_document(PAGES[5]).titles == ["t"]


@pytest.mark.parametrize("page", PAGES)
def test_blocks_by_tag_id_as_the_selector_finds_them(page: str) -> None:
    body = LexborHTMLParser(page).body
    assert body is not None
    by_id = [node.mem_id for node in body.traverse() if node.tag_id in _BLOCK_IDS]
    assert by_id == [node.mem_id for node in body.css(",".join(_BLOCK))]


def test_block_ids_one_per_tag() -> None:
    assert len(_BLOCK_IDS) == len(set(_BLOCK))


def _plain_checks(facts: list[Fact], template: str) -> list[tuple[str, bool, object, object]]:
    """The identities summed directly from the facts (absent and null cells: 0)."""
    tables = SCHEMAS[template]
    cell = {(f.table, f.row, f.col): f.value for f in facts if f.value is not None}
    have = {f.table for f in facts}
    out = []

    def value(table: str, row: str, col: str) -> object:
        return cell.get((table, row, col), 0)

    def clean(x: object) -> object:
        if isinstance(x, int):
            return x
        r = round(x, 6)  # type: ignore[call-overload]
        return int(r) if r == int(r) else r

    def check(name: str, lhs: object, rhs: object) -> None:
        if type(lhs) is not int or type(rhs) is not int:
            lhs, rhs = clean(lhs), clean(rhs)
        out.append((name, lhs == rhs, lhs, rhs))

    if "requests" in have:
        rows = [r.key for r in tables["requests"].rows]
        cols = [c.key for c in tables["requests"].rows[0].cols]
        flows = ("received_new", "carried_over", "closed_total", "carried_forward")
        for c in cols:
            check(f"requests.balance.{c}", sum([value("requests", r, c) for r in flows[:2]]),
                  sum([value("requests", r, c) for r in flows[2:]]))
        for c in cols:
            check(f"requests.closed_sum.{c}", value("requests", "closed_total", c),
                  sum([value("requests", r, c) for r in rows if r not in flows]))
        for r in rows:
            check(f"requests.row_sum.{r}", value("requests", r, cols[-1]),
                  sum([value("requests", r, c) for c in cols[:-1]]))
    if "appeals" in have:
        cols = [c.key for c in tables["appeals"].rows[0].cols]
        for r in (row.key for row in tables["appeals"].rows):
            check(f"appeals.row_sum.{r}", value("appeals", r, cols[-1]),
                  sum([value("appeals", r, c) for c in cols[:-1]]))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_checks_as_summed_directly(seed: int) -> None:
    rng = random.Random(seed)
    template = ("2019", "2021")[seed % 2]
    facts = []
    for name in ("active", "requests", "appeals"):
        if name != "active" and rng.random() < 0.2:
            continue  # a table missing as a whole has no checks
        for row in SCHEMAS[template][name].rows:
            for col in row.cols:
                if rng.random() < 0.1:
                    continue  # an absent cell
                value = rng.choice([None, 0, rng.randint(0, 50), rng.randint(0, 9) / 4,
                                    rng.random() * 10, -0.0])
                facts.append(Fact(name, row.key, col.key, value, str(value), None, "html"))
    rng.shuffle(facts)
    got = [(c.name, c.ok, c.lhs, c.rhs) for c in run_checks(facts, template)]
    expected = _plain_checks(facts, template)
    assert got == expected
    assert [repr(x) for x in got] == [repr(x) for x in expected]  # ints stay ints, -0.0 0.0


LAYOUTS = [
    "<table><tr><td>1</td></tr></table><table><tr><td>2</td></tr></table>",
    "<table><tr><td><table><tr><td>1</td></tr></table><table><tr><td>2</td></tr></table>"
    "</td></tr></table><table><tr><td>3</td></tr></table>",
    "<div><table><tr><td><div><table><tr><td><table><tr><td>1</td></tr></table></td></tr>"
    "</table></div><p>x</p><table><tr><td>2</td></tr></table></td></tr></table></div>",
    "<table><tr><td>" * 300 + "1",  # nested 300 deep, never closed
    "<div>" * 200 + "<table><tr><td>1</td></tr></table>" * 5 + "</div>" * 200
    + "<table><tr><td><table><tr><td>2</td></tr></table></td></tr></table>",
]


@pytest.mark.parametrize("page", LAYOUTS)
def test_layout_tables_are_the_tables_holding_a_table(page: str) -> None:
    tree = LexborHTMLParser(page)
    tables = tree.css("table")
    expected = {t.mem_id for t in tables
                if any(inner.mem_id != t.mem_id for inner in t.css("table"))}
    assert _layout_tables(tables) == expected
    assert len(expected) < len(tables)  # (a leaf table in every page)
