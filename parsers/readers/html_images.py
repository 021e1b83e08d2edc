"""The pictures inside a report page's article body, in page order: tables published as `<img>`.

Many agencies put their tables in a report page as pictures (a JPEG per table, or one long
screenshot) where the HTML tables should be. This module says which `<img>` elements of a page
are such pictures and which are the site's decoration (logos, icons, QR codes, banners, share
buttons), from what the page itself shows:

- position: inside the article body (the content container: ``TRS_Editor``, ``content``,
  ``article``, ``zoom`` ... the one holding the most text), never in a header, navigation,
  footer, side bar, share box, nor inside a link to another page;
- size attributes: a declared width under 100 px or height under 60 px, or a small square
  (at most 260 px: a QR code, an emblem) is decoration;
- file names and folders: ``logo``, ``icon``, ``qrcode``/``ewm``/``erweima``, ``banner``,
  ``share``, template and style folders, spacers and placeholders are decoration;
- inline pictures (``data:image/…;base64,…``, pasted by an editor) are article pictures held in
  the page itself, unless small (icons, bullets);
- the sections: each picture is tagged with the table section whose heading precedes it
  (二、主动公开… ``active``, 三、收到和处理… ``requests``, 四、…行政复议、行政诉讼 ``appeals``) and
  whether an HTML table already stands in that section before it; a picture in a section that
  has its HTML table, on a page whose three tables are all HTML, is not a table picture.

Pure functions over the page text: the crawler uses them to decide what to fetch, the parser
to read the fetched pictures in page order, ``nianbao parse`` to find them beside a saved page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from nianbao.parsers.extraction.segments import heading_region
from nianbao.parsers.normalize import label_key
from nianbao.parsers.readers.html import page_tree

IMAGE_EXTS = frozenset("jpg jpeg png gif bmp tif tiff webp".split())
# Folders and names of the site's own images.
_NAME_HINTS = ("logo", "icon", "banner", "ewm", "qrcode", "qr_", "_qr", "erweima", "share",
               "/images/", "/img/", "/template", "/style", "/skin", "/static/", "/theme",
               "gov_icon", "jiucuo", "dzjg", "weixin", "wechat", "weibo", "/wx", "_wx",
               "print", "close", "arrow", "spacer", "blank.", "pixel", "loading", "btn",
               "button", "favicon", "beian", "gongan", "wza", "avatar", "/ad/", "bg_", "_bg")
# Class and id words of the containers that hold the article (one class or id token).
_CONTENT = re.compile(r"trs_editor|trs_ueditor|unionstyle|content|article|zoom|detail|maintext|"
                      r"main-text|main_text|wenzhang|zhengwen|xl_con|txt|view|^(?:zw|con|text|"
                      r"nr|zwnr|wz|body|main|info)$", re.I)
# Class and id words of the page's furniture: never article pictures.
_FURNITURE = re.compile(r"^(?:nav|navbar|menu|header|head|foot|footer|share|fenxiang|"
                        r"bdshare|qrcode|ewm|erweima|logo|banner|sidebar|side|crumb|"
                        r"breadcrumb|position|location|toolbar|tools|print|related|xgxx|"
                        r"copyright|jiucuo|dzjg)(?:$|[-_\d])|(?:[-_])(?:nav|menu|header|head|foot|"
                        r"footer|share|qrcode|ewm|logo|banner|sidebar|crumb|copyright)(?:$|[-_\d])",
                        re.I)
_FURNITURE_TAGS = frozenset({"header", "nav", "footer", "aside"})
_LAZY = ("data-src", "data-original", "data-lazy-src", "data-url", "original", "_src")
_PX = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", re.I)
_STYLE = re.compile(r"(?:^|;)\s*(width|height)\s*:\s*(\d+(?:\.\d+)?)\s*px", re.I)
_HEADING_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "strong", "b",
                           "span", "font", "td", "th", "center", "dt", "dd"})
_MAX_HEADING = 40  # characters: a section heading is short
_MIN_WIDTH, _MIN_HEIGHT, _ICON_SQUARE = 100, 60, 260
_MIN_INLINE = 4000  # characters of base64: smaller inline pictures are icons and bullets
TABLE_REGIONS = ("active", "requests", "appeals")


@dataclass(frozen=True, slots=True)
class BodyImage:
    """One picture of the article body."""

    src: str  # resolved against the page's URL (and its <base>) when one was given
    alt: str
    position: int  # 1-based, among the page's article pictures
    region: str | None  # the table section whose heading precedes it, if any
    heading: str | None  # that heading as printed
    section_table: bool  # an HTML table stands in that section before the picture
    width: int | None = None
    height: int | None = None

    @property
    def label(self) -> str:
        """The address for a message (an inline picture's is its data, thousands long)."""
        return "an inline data: picture" if is_inline(self.src) else self.src


@dataclass(slots=True)
class PageImages:
    """The article pictures of a page and what the page holds besides them."""

    images: list[BodyImage] = field(default_factory=list)
    decoration: list[str] = field(default_factory=list)  # srcs left out as the site's images
    html_tables: set[str] = field(default_factory=set)  # table sections with an HTML table

    @property
    def tables(self) -> list[BodyImage]:
        """The pictures that may hold tables: all of them, unless the page's three tables
        are HTML and the picture sits in a section that has its HTML table."""
        if set(TABLE_REGIONS) <= self.html_tables:
            return [i for i in self.images if not i.section_table and i.region is not None
                    and i.region not in self.html_tables]
        return list(self.images)


def is_inline(src: str) -> bool:
    """A picture held in the page itself (``data:image/png;base64,…``, pasted by an editor)."""
    return src[:5].lower() == "data:" and src[5:11].lower() == "image/" and \
        ";base64," in src[:60].lower()


def inline_bytes(src: str) -> bytes | None:
    """The bytes of an inline picture, or None when they cannot be decoded."""
    import base64
    import binascii

    try:
        return base64.b64decode(src[src.index(",") + 1:].strip(), validate=False)
    except (ValueError, binascii.Error):
        return None


def _ext(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _px(value: str | None) -> int | None:
    m = _PX.match(value or "")
    return round(float(m.group(1))) if m else None


def _size(img: LexborNode) -> tuple[int | None, int | None]:
    attrs = img.attrs
    width, height = _px(attrs.get("width")), _px(attrs.get("height"))
    for name, value in _STYLE.findall(attrs.get("style") or ""):
        if name.lower() == "width":
            width = round(float(value))
        else:
            height = round(float(value))
    return width, height


def _src(img: LexborNode) -> str:
    """The picture's address: ``src``, or a lazy loader's real one when ``src`` is a
    placeholder."""
    attrs = img.attrs
    src = (attrs.get("src") or "").strip()
    placeholder = not src or src.startswith("data:") or any(
        h in src[:300].lower() for h in ("loading", "lazy", "blank.", "spacer", "placeholder"))
    if placeholder:
        for name in _LAZY:
            value = (attrs.get(name) or "").strip()
            if value and not value.startswith("data:"):
                return value
    return src


def _tokens(node: LexborNode) -> list[str]:
    attrs = node.attrs
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split()


def _is_content(tokens: list[str]) -> bool:
    return any(_CONTENT.search(t) for t in tokens)


def _is_furniture(tokens: list[str]) -> bool:
    return any(_FURNITURE.search(t) for t in tokens) and not _is_content(tokens)


def _furniture(img: LexborNode, root: LexborNode) -> str | None:
    """Why an image is the page's furniture (by where it sits), or None."""
    node = img.parent
    while node is not None:
        if node.tag in _FURNITURE_TAGS:
            return f"inside <{node.tag}>"
        tokens = _tokens(node)
        if tokens and _is_furniture(tokens):
            return f"inside {' '.join(tokens)!r}"
        if node.tag == "a":
            href = (node.attrs.get("href") or "").strip()
            if href and not href.startswith("#") and _ext(href) not in IMAGE_EXTS \
                    and href != img.attrs.get("src"):
                return "a link to another page"
        if node.mem_id == root.mem_id:
            return None
        node = node.parent
    return None


def _named_decoration(img: LexborNode, src: str) -> str | None:
    """Why an image is the site's decoration by its address and size, or None."""
    if is_inline(src):
        return None if len(src) >= _MIN_INLINE else "a small inline picture"
    if not src or src.startswith(("data:", "javascript:", "about:")):
        return "no address"
    lowered = urlsplit(src).path.lower() or src.lower()
    ext = _ext(src)
    if ext and ext not in IMAGE_EXTS:
        return f"a .{ext} image"
    hint = next((h for h in _NAME_HINTS if h in lowered), None)
    if hint:
        return f"named {hint.strip('/_.')!r}"
    width, height = _size(img)
    if (width is not None and width < _MIN_WIDTH) or (height is not None and height < _MIN_HEIGHT):
        return "small"
    if width and height and max(width, height) <= _ICON_SQUARE and \
            0.8 <= width / height <= 1.25:
        return "a small square (QR code, emblem)"
    return None


def _decoration(img: LexborNode, src: str, root: LexborNode) -> str | None:
    """Why an image is the site's decoration, or None for an article picture."""
    return _named_decoration(img, src) or _furniture(img, root)


def _inside(node: LexborNode, outer: LexborNode) -> bool:
    up = node.parent
    while up is not None:
        if up.mem_id == outer.mem_id:
            return True
        up = up.parent
    return False


def _container(body: LexborNode) -> LexborNode:
    """The article's container: the content-named element holding the most text, or a
    content-named element inside it that holds most of that text (the body when the page
    names none)."""
    found: list[tuple[int, LexborNode]] = []
    for node in body.css("div, td, section, article, main, span, font"):
        tokens = _tokens(node)
        if not tokens or not _is_content(tokens) or _is_furniture(tokens):
            continue
        if node.css_first("img") is None and node.css_first("table") is None:
            continue
        found.append((len(node.text(deep=True, strip=True)), node))
    if not found:
        return body
    size, best = max(found, key=lambda f: f[0])
    narrowed = True
    while narrowed:
        narrowed = False
        for n, node in found:
            if node.mem_id != best.mem_id and n >= 0.7 * size and n < size + 1 \
                    and _inside(node, best):
                best, size, narrowed = node, n, True
                break
    return best


def _in_data_tables(root: LexborNode) -> set[int]:
    """Nodes inside leaf tables (whose cells are no section headings: 行政复议 is a header)."""
    inside: set[int] = set()
    for table in root.css("table"):
        # a leaf table (the match includes itself) of rows: one cell laying out the article
        # holds its headings
        if len(table.css("table")) == 1 and len(table.css("tr")) >= 3:
            inside.update(n.mem_id for n in table.traverse() if n.mem_id != table.mem_id)
    return inside


_DIGIT = re.compile(r"\d")


def _base(tree: LexborHTMLParser, page_url: str | None) -> str | None:
    node = tree.css_first("base[href]")
    href = (node.attrs.get("href") or "").strip() if node is not None else ""
    if page_url and href:
        return urljoin(page_url, href)
    return page_url


def page_images(text: str, page_url: str | None = None) -> PageImages:
    """The article pictures of a page in page order, and its decoration (left out).

    ``page_url``: resolve each picture's address against it (and the page's ``<base>``);
    without it the addresses are as written (for a saved page on disk).
    """
    out = PageImages()
    if "<img" not in text and "<IMG" not in text:
        return out  # most report pages: no tree needed
    try:
        tree = page_tree(text)  # (a page nested too deep to parse in time: no pictures)
    except Exception:  # noqa: BLE001 - garbage is a page without pictures, never a crash
        return out
    body = tree.body
    if body is None:
        return out
    base = _base(tree, page_url)
    imgs = body.css("img")
    if all(_named_decoration(img, _src(img)) is not None for img in imgs):
        for img in imgs:  # only the site's logos and icons (most pages): no walk needed
            src = _src(img)
            out.decoration.append(urljoin(base, src) if base and src else src)
        return out
    root = _container(body)
    region: str | None = None
    heading: str | None = None
    section_table = False
    position = 0
    seen: set[str] = set()
    in_tables = _in_data_tables(root)
    for node in root.traverse():
        tag = node.tag
        if tag == "table":
            if len(node.css("table")) == 1 and len(node.css("tr")) >= 3 \
                    and _DIGIT.search(node.text(deep=True)):
                section_table = True
                if region is not None:
                    out.html_tables.add(region)
            continue
        if (tag in _HEADING_TAGS or tag == "div") and node.mem_id not in in_tables:
            words = node.text(deep=tag != "div", strip=True)  # a div: its own text only
            if words and len(words) <= _MAX_HEADING:
                found = heading_region(label_key(words))
                if found is not False:
                    if found != region or heading is None:
                        section_table = False
                    region, heading = found, words  # type: ignore[assignment]
            continue
        if tag != "img":
            continue
        raw = _src(node)
        why = _decoration(node, raw, root)
        src = urljoin(base, raw) if base and raw and not is_inline(raw) else raw
        if why is not None:
            out.decoration.append(src[:80])
            continue
        if src in seen:
            continue
        seen.add(src)
        position += 1
        width, height = _size(node)
        out.images.append(BodyImage(src, (node.attrs.get("alt") or "").strip(), position,
                                    region if region in TABLE_REGIONS else None,
                                    heading, section_table, width, height))
    if root.mem_id != body.mem_id:  # decoration outside the article, for the record
        for img in body.css("img"):
            src = _src(img)
            src = urljoin(base, src) if base and src else src
            if src and src not in seen and src not in out.decoration:
                out.decoration.append(src)
    return out
