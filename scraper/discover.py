"""Find list pages, report links and attachments in the HTML of a portal column.

Pure functions over (url, text): no network, so each portal family's quirks can be tested
on a string. The crawler decides what to fetch; this module only says what a page links to.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from nianbao.parsers.normalize import nfkc, to_simplified
from nianbao.parsers.readers.html_images import is_inline, page_images
from nianbao.scraper.urls import normalize

ATTACHMENT_EXTS = frozenset(
    "pdf doc docx wps xls xlsx et ofd jpg jpeg png gif bmp tif tiff".split())
# Path fragments of download endpoints whose URL carries no extension.
_DOWNLOAD_HINTS = ("downfile.jsp", "/attachment/", "/attach/", "download.jsp", "fileDownload")
_PAGE_WORDS = ("下一页", "下页", "尾页", "末页", "最后一页", "后页", "下一頁", "尾頁", "next", "last",
               ">", ">>", "»", "›")
_PAGE_PARAMS = frozenset({"page", "pageindex", "pageno", "curpage", "currpage", "pagenum", "pn",
                          "p", "cpage", "startrecord"})
_NOT_REPORT_WORDS = ("报表", "图解", "一图", "图读", "读懂", "解读", "预算", "决算", "要点", "通知",
                     "做好", "编制", "报送", "培训", "电子书", "视频", "动漫", "考核", "评估", "征集")
_NOT_REPORT_URL = ("zfwzndbb", "wzndbb")
_YEAR = re.compile(r"(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}年")
_REPORT = re.compile(r"公开.{0,14}?(?:年度报告|年报|年度工作报告|工作报告|年度报)")
_TRUNCATED_REPORT = re.compile(r"(?:信息|政务|资讯)公")
_CREATE_PAGE_6 = re.compile(
    r"""createPageHTML\(\s*['"][^'"]*['"]\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*['"]([^'"]+)['"]\s*,"""
    r"""\s*['"]([^'"]+)['"]\s*,\s*\w+\s*\)""")
_CREATE_PAGE_4 = re.compile(
    r"""createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)""")
_JS_VAR = r"""(?:var|let|const)\s+{name}\s*=\s*['"]?(\d+)"""
# Hanweb's list data: (opening, closing) of each part, read by _enclosed
_DATASTORE = (re.compile(r"<datastore>", re.I), re.compile(r"</datastore>", re.I))
_CDATA_RECORD = (re.compile(r"<record>\s*<!\[CDATA\[", re.I),
                 re.compile(r"\]\]>\s*</record>", re.I))
_CDATA_NEXT = (re.compile(r"<nextgroup>\s*<!\[CDATA\[", re.I),
               re.compile(r"\]\]>\s*</nextgroup>", re.I))
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_INDEX_FILE = re.compile(r"^index(?:_\d+)?\.[a-z]+$", re.I)
_VSB_PAGE = re.compile(r"/\d+\.htm$", re.I)
MAX_SCRIPT_PAGES = 2000


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str


@dataclass(slots=True)
class ListScan:
    reports: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    # Identity of the page's non-paging links: equal on two pages means the column repeats.
    fingerprint: int = 0


def _clean(text: str | None) -> str:
    """Link text in the form labels are compared in: simplified, full-width folded, no spaces."""
    return re.sub(r"\s+", "", to_simplified(nfkc(text or "")))


def is_report_label(label: str | None) -> bool:
    """Does this link text or title name a government information disclosure annual report?"""
    s = _clean(label)
    if not s or any(w in s for w in _NOT_REPORT_WORDS):
        return False
    if not _YEAR.search(s):
        return False  # a column name ("政府信息公开年报") has no year; a report always has one
    if _REPORT.search(s):
        return True
    return s.endswith(("...", "…", "..")) and bool(_TRUNCATED_REPORT.search(s))


def _is_column_url(url: str) -> bool:
    """URLs of columns and list pages, never of a report."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return path.endswith("/") or bool(_INDEX_FILE.match(name)) or "/col/col" in path \
        and name.startswith("index")


def is_report_link(url: str, text: str | None, title: str | None) -> bool:
    """Keep a link when its text (or title, which holds the untruncated name) names a report."""
    lowered = url.lower()
    if any(w in lowered for w in _NOT_REPORT_URL) or _is_column_url(url):
        return False
    for label in (title, text):
        if label and is_report_label(label):
            return True
    return False


# Every tag but those of the links and embeds read from a page (see _parse_html).
_NON_LINK_TAG = re.compile(r"</?(?!(?:a|img|iframe|embed|object)[\s/>])[A-Za-z][^<>]*>")


def _parse_html(text: str) -> etree._Element | None:
    """The page's tree, for its links. libxml2 builds no element deeper than 256 (2,048 with
    ``huge_tree``) and drops what lies below, links included: a list page whose items each
    leave a ``<div>`` open lost every report after the 252nd, silently. Such a page is read
    again with only its links and embeds as tags (nothing else is read from it)."""
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        parser = lxml.html.HTMLParser(huge_tree=True)
        root = lxml.html.fromstring(text, parser=parser)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
            root = lxml.html.fromstring(_NON_LINK_TAG.sub(" ", text),
                                        parser=lxml.html.HTMLParser(huge_tree=True))
        return root
    except (etree.ParserError, ValueError):
        return None


def _anchors(root: etree._Element, base: str) -> list[tuple[str, str, str]]:
    """(normalised URL, text, title) of every link; an image's alt stands in for empty text."""
    found = []
    for a in root.iter("a"):
        href = a.get("href")
        url = normalize(href, base) if href else None
        if not url:
            continue
        text = a.text_content().strip()
        if not text:
            alts = [img.get("alt") or "" for img in a.iter("img")]
            text = " ".join(x for x in alts if x)
        found.append((url, text, (a.get("title") or "").strip()))
    return found


def _js_int(token: str, script: str) -> int | None:
    if token.isdigit():
        return int(token)
    m = re.search(_JS_VAR.format(name=re.escape(token)), script)
    return int(m.group(1)) if m else None


def script_pages(url: str, text: str, limit: int = MAX_SCRIPT_PAGES) -> list[str]:
    """List pages announced by TRS ``createPageHTML`` calls.

    Four arguments ``(total, current, prefix, ext)`` count from 0 (page 2 is ``index_1``);
    six arguments ``(div, total, current, prefix, ext, records)`` count from 1 (page 2 is
    ``index_2``).
    """
    pages: list[str] = []
    for m in _CREATE_PAGE_6.finditer(text):
        total = _js_int(m.group(1), text)
        if total is None:
            continue
        prefix, ext = m.group(3), m.group(4)
        for n in range(1, min(total, limit) + 1):
            name = f"{prefix}.{ext}" if n == 1 else f"{prefix}_{n}.{ext}"
            pages.append(normalize(urljoin(url, name)) or "")
    if not pages:
        for m in _CREATE_PAGE_4.finditer(text):
            total = _js_int(m.group(1), text)
            if total is None:
                continue
            prefix, ext = m.group(3), m.group(4)
            for n in range(0, min(total, limit)):
                name = f"{prefix}.{ext}" if n == 0 else f"{prefix}_{n}.{ext}"
                pages.append(normalize(urljoin(url, name)) or "")
    return [p for p in pages if p]


def _page_param(url: str) -> bool:
    return any(k.lower() in _PAGE_PARAMS for k, _ in parse_qsl(urlsplit(url).query))


def _column_dirs(start: str) -> tuple[str, str]:
    """The start URL's directory and, for VSB, its stem as a directory (``xxgknb/``)."""
    path = urlsplit(start).path
    directory = path.rsplit("/", 1)[0] + "/"
    stem = path.rsplit(".", 1)[0] + "/" if "." in path.rsplit("/", 1)[-1] else path
    return directory, stem


def _is_paging_link(link_url: str, text: str, page_url: str, start: str) -> bool:
    """A link to another page of the same column: page words, page numbers, index_N, ?page=N."""
    lp, pp = urlsplit(link_url), urlsplit(page_url)
    if lp.netloc != pp.netloc:
        return False
    if "dataproxy.jsp" in lp.path:
        return True
    if lp.path == pp.path and _page_param(link_url):
        return True
    directory, stem = _column_dirs(start)
    name = lp.path.rsplit("/", 1)[-1]
    if lp.path.startswith(urlsplit(page_url).path.rsplit("/", 1)[0] + "/") and \
            _INDEX_FILE.match(name) and "_" in name:
        return True
    t = text.strip().lower()
    if t in _PAGE_WORDS or t.isdigit() or t.strip("[]").isdigit():
        if lp.path.startswith(stem) and _VSB_PAGE.search(lp.path):
            return True  # VSB: xxgknb/2.htm, xxgknb/1.htm
        if lp.path.startswith(directory) and (_INDEX_FILE.match(name) or _page_param(link_url)
                                              or lp.path == urlsplit(start).path):
            return True
    return False


def datastore_links(url: str, text: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Hanweb: links inside ``<datastore><recordset><record><![CDATA[...]]>`` and the next group."""
    items: list[tuple[str, str, str]] = []
    nexts: list[str] = []
    for block in _enclosed(text, *_DATASTORE):
        for fragment in _enclosed(block, *_CDATA_RECORD):
            root = _parse_html(f"<div>{fragment}</div>")
            if root is not None:
                items.extend(_anchors(root, url))
        for fragment in _enclosed(block, *_CDATA_NEXT):
            root = _parse_html(f"<div>{fragment}</div>")
            if root is not None:
                nexts.extend(u for u, _, _ in _anchors(root, url))
    return items, nexts


def scan_list_page(url: str, text: str, start: str) -> ListScan:
    """Report links and further list pages on one page of a column (HTML, XML or JSON)."""
    if _looks_json(text):
        return scan_json_list(url, text)
    scan = ListScan()
    seen: set[str] = set()
    anchors: list[tuple[str, str, str]] = []
    root = _parse_html(text)
    if root is not None:
        anchors.extend(_anchors(root, url))
    items, nexts = datastore_links(url, text)
    anchors.extend(items)
    data_items = script_data_items(url, text)
    anchors.extend((u, t, "") for u, t in data_items)
    pages = script_pages(url, text) + nexts + gkmlpt_api_pages(url, text) + script_api_pages(url, text)
    if data_items:
        pages += script_count_pages(url, text)
    if not nexts:
        pages += hanweb_windows(url, text)
    others: set[str] = set()
    for link_url, link_text, title in anchors:
        if _is_paging_link(link_url, link_text, url, start):
            pages.append(link_url)
            continue
        others.add(link_url)
        if is_report_link(link_url, link_text, title) and link_url not in seen:
            seen.add(link_url)
            scan.reports.append(Link(link_url, title if len(title) > len(link_text) else link_text))
    scan.pages = list(dict.fromkeys(p for p in pages if p != url))
    scan.fingerprint = hash(tuple(sorted(others)))
    return scan


def _ext(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_attachment_url(url: str) -> bool:
    """A document file or a download endpoint."""
    return _ext(url) in ATTACHMENT_EXTS or any(h.lower() in url.lower() for h in _DOWNLOAD_HINTS)


def scan_report_page(url: str, text: str) -> list[Link]:
    """Attachments linked or embedded in a report page (PDF, Word, WPS, Excel, images), then
    the pictures of its article body (tables published as ``<img>``: see
    parsers.readers.html_images) in page order; the site's logos, icons and QR codes are left
    out."""
    root = _parse_html(text)
    if root is None:
        return []
    found: dict[str, str] = {}
    for link_url, link_text, title in _anchors(root, url):
        if is_attachment_url(link_url) and link_url != url:
            found.setdefault(link_url, title or link_text)
    for tag, attr in (("iframe", "src"), ("embed", "src"), ("object", "data")):
        for el in root.iter(tag):
            src = normalize(el.get(attr) or "", url)
            if src and src not in found and is_attachment_url(src):
                found[src] = ""
    for img in page_images(text, url).tables:
        if is_inline(img.src):
            continue  # held in the page itself: nothing to fetch
        src = normalize(img.src, url)
        if src and src != url and src not in found:
            found[src] = img.alt
    return [Link(u, t) for u, t in found.items()]


def is_html(content_type: str | None, url: str) -> bool:
    """Whether a response should be decoded and scanned for links."""
    if content_type:
        ct = content_type.lower()
        return "html" in ct or "xml" in ct
    return _ext(url) in ("", "html", "htm", "shtml", "jhtml", "jsp", "php", "asp", "aspx", "do")


# Lists that are data: JSON APIs, arrays in scripts, Guangdong gkmlpt, Hanweb dataproxy windows.

_JSONP = re.compile(r"^\s*[\w.$]+\s*\(\s*([\[{].*[\]}])\s*\)\s*;?\s*$", re.S)
_TITLE_KEYS = ("title", "name", "bt", "biaoti", "subject", "headline", "wjmc")
_URL_KEYS = ("url", "link", "href", "path", "linkurl", "docurl", "puburl", "detailurl")
_TOTAL_KEYS = ("total", "totalcount", "total_count", "totalrecord", "totalrecords", "recordcount",
               "totalnum", "totalsize", "totalelements", "count")
_SIZE_PARAMS = ("pagesize", "size", "perpage", "rows", "limit")
_API_PAGE_PARAMS = ("page", "pageno", "pageindex", "pagenum", "curpage", "currpage", "cpage", "pn",
                    "currentpage", "pagenumber")
# (an opening tag ends at the next "<" too: on a page of "<script" without ">" each try would
# run to the end of the page)
_SCRIPT_BODY = (re.compile(r"<script\b[^<>]*>", re.I), re.compile(r"</script>", re.I))
_STRING = re.compile(r"""(['"])((?:(?!\1)[^\\\n]|\\.)*)\1""")
_API_HINT = re.compile(r"(?:/api/|\.json\b|\.do\b|\.action\b|\.jsp\b|\.php\b|\.ashx\b|\.aspx\b|/list\b)", re.I)
_AJAX_DATA = re.compile(r"data\s*:\s*\{([^{}]*)\}", re.S)
_JS_PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([\w.\-]+))""")
_ARRAY_VAR = re.compile(r"(?:var|let|const)?\s*([\w$.]+)\s*=\s*\[")
_GK_CONFIG = re.compile(r"_CONFIG\s*=\s*\{(.*?)\}\s*;?", re.S)
_GK_CATEGORY = re.compile(r"^(?:cat|category|column|col|classify|channel)\w*$", re.I)
_HW_INT = r"""\b{name}\s*[:=]\s*['"]?(\d+)"""
_HW_TOTAL_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_HW_PROXY = re.compile(r"""proxyUrl\s*[:=]\s*['"]([^'"]+)['"]""", re.I)
_HW_AJAX = re.compile(r"ajaxParam\s*[:=]\s*\{([^{}]*)\}", re.S | re.I)
_HW_RECORD = re.compile(r"<record>", re.I)
HANWEB_FORM_KEYS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
                    "webname", "permissiontype")
_HW_WINDOW_KEYS = ("startrecord", "endrecord", "perpage")
_NUMBERED_FILE = re.compile(r"^(?P<prefix>[A-Za-z]+)(?:_(?P<n>\d+))?\.(?P<ext>s?html?|jsp|php)$")


def _js_pairs(body: str) -> dict[str, str]:
    """``key: value`` pairs of a flat JavaScript object body (quoted strings or bare words)."""
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _JS_PAIR.finditer(body)}


def _looks_json(text: str) -> bool:
    head = text[:200].lstrip("\ufeff \t\r\n")
    return head.startswith(("{", "[")) or bool(re.match(r"[\w.$]+\s*\(\s*[\[{]", head))


def _load_json(text: str) -> Any:
    """JSON or JSONP (``callback({...})``); None when it is neither."""
    text = text.strip().lstrip("\ufeff")
    m = _JSONP.match(text)
    if m and not text.startswith(("{", "[")):
        text = m.group(1)
    try:
        return json.loads(text)
    except ValueError:
        return None


def _pick_key(keys: list[str], wanted: tuple[str, ...], suffixes: tuple[str, ...]) -> str | None:
    """The key that best names a title (or URL): an exact name first, then a suffix match."""
    lowered = {k.lower(): k for k in keys}
    for w in wanted:
        if w in lowered:
            return lowered[w]
    for k in keys:
        if k.lower().endswith(suffixes):
            return k
    return None


def item_link(item: dict[str, Any]) -> tuple[str, str] | None:
    """(url, title) of one data item, its keys found by name (title/name/bt, url/link/href/path)."""
    strings = [k for k, v in item.items() if isinstance(v, str) and v.strip()]
    tkey = _pick_key(strings, _TITLE_KEYS, ("title", "name", "bt"))
    ukey = _pick_key([k for k in strings if k != tkey], _URL_KEYS, ("url", "link", "href", "path"))
    if tkey is None or ukey is None:
        return None
    return item[ukey].strip(), re.sub(r"<[^>]+>", "", item[tkey]).strip()


def json_items(data: Any) -> list[tuple[str, str]]:
    """(url, title) of every object in every array of a JSON document that has both."""
    found: list[tuple[str, str]] = []
    stack = [data]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            for el in node:
                link = item_link(el) if isinstance(el, dict) else None
                if link:
                    found.append(link)
                else:
                    stack.append(el)
    return found


def json_total(data: Any) -> int | None:
    """A total item count in the envelope of a JSON list (``total``, ``totalCount`` ...)."""
    stack = [data]
    while stack:
        node = stack.pop(0)
        if not isinstance(node, dict):
            continue
        for k, v in node.items():
            if k.lower() in _TOTAL_KEYS and isinstance(v, (int, str)) and str(v).isdigit():
                return int(v)
        stack.extend(v for v in node.values() if isinstance(v, dict))
    return None


def _page_param_of(url: str) -> tuple[str, int] | None:
    """The page parameter of an API URL and its value (an empty value counts as 1)."""
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k.lower() in _API_PAGE_PARAMS:
            return k, int(v) if v.isdigit() else 1
    return None


def _with_params(url: str, **params: str) -> str:
    """The URL with query parameters set (replaced in place, or appended)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    keys = {k for k, _ in pairs}
    pairs = [(k, params.get(k, v)) for k, v in pairs] + [(k, v) for k, v in params.items() if k not in keys]
    return normalize(urlunsplit(parts._replace(query=urlencode(pairs)))) or url


def _page_size(url: str) -> int | None:
    for k, v in parse_qsl(urlsplit(url).query):
        if k.lower() in _SIZE_PARAMS and v.isdigit():
            return int(v)
    return None


def next_api_page(url: str, items: int, total: int | None) -> str | None:
    """The next page of a JSON list API, or None when this page is the last one.

    Empty pages end the list, so do short pages (fewer items than a ``pageSize`` in the URL)
    and pages that reach a ``total``. A page that repeats an earlier one is stopped by the
    crawler (same fingerprint).
    """
    param = _page_param_of(url)
    if param is None or items == 0:
        return None
    name, page = param
    size = _page_size(url)
    if size is not None and items < size:
        return None
    if total is not None and max(page, 1) * (size or items) >= total:
        return None
    return _with_params(url, **{name: str(page + 1)})


def scan_json_list(url: str, text: str) -> ListScan:
    """A JSON list page: report items, the next page, a fingerprint of the items."""
    scan = ListScan()
    data = _load_json(text)
    if data is None:
        return scan
    items = json_items(data)
    urls: set[str] = set()
    for raw, title in items:
        link = normalize(raw, url)
        if not link:
            continue
        urls.add(link)
        if is_report_link(link, title, None) and all(r.url != link for r in scan.reports):
            scan.reports.append(Link(link, title))
    nxt = next_api_page(url, len(items), json_total(data))
    scan.pages = [nxt] if nxt else []
    scan.fingerprint = hash(tuple(sorted(urls)))
    return scan


def _enclosed(text: str, opening: re.Pattern[str], closing: re.Pattern[str]) -> list[str]:
    """The texts between each ``opening`` and the first ``closing`` after it, as
    ``re.findall(opening(.*?)closing)`` finds them, in linear time: once an opening has no
    closing after it, findall tries every later opening again, each failing the same way
    (quadratic on a page of unclosed ``<script>`` tags)."""
    found: list[str] = []
    pos = 0
    while (start := opening.search(text, pos)) is not None:
        end = closing.search(text, start.end())
        if end is None:
            break
        found.append(text[start.end():end.start()])
        pos = end.end()
    return found


def _scripts(text: str) -> list[str]:
    return _enclosed(text, *_SCRIPT_BODY)


def _matching_bracket(text: str, i: int) -> int:
    """Index just past the bracket that closes ``text[i]`` (strings skipped); -1 if none."""
    depth, quote = 0, ""
    j = i
    while j < len(text):
        c = text[j]
        if quote:
            if c == "\\":
                j += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


def _js_objects(array: str) -> list[dict[str, str]]:
    """Objects of a JavaScript array literal: JSON when it is JSON, else flat key/value pairs."""
    try:
        data = json.loads(array)
    except ValueError:
        data = None
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    objects = []
    for body in re.findall(r"\{([^{}]*)\}", array):
        objects.append(_js_pairs(body))
    return objects


def script_data_items(url: str, text: str) -> list[tuple[str, str]]:
    """(url, title) of list items given as data in a script: ``var dataList = [{...}, ...]``."""
    found: list[tuple[str, str]] = []
    for script in _scripts(text):
        for m in _ARRAY_VAR.finditer(script):
            end = _matching_bracket(script, m.end() - 1)
            if end < 0:
                continue
            for obj in _js_objects(script[m.end() - 1:end]):
                link = item_link(obj)
                if link:
                    found.append((normalize(link[0].replace("\\/", "/"), url) or "", link[1]))
    return [(u, t) for u, t in found if u]


def _first_int(names: tuple[str, ...], script: str) -> int | None:
    for name in names:
        m = re.search(_HW_INT.format(name=name), script, re.I)
        if m:
            return int(m.group(1))
    return None


def script_count_pages(url: str, text: str, limit: int = MAX_SCRIPT_PAGES) -> list[str]:
    """Other pages of a list whose script gives counts (``totalCount``, ``pageSize``, ``pageCount``).

    On ``index.html`` the current-page variable tells how pages are named: 0 (or none) means
    page 2 is ``index_1``, 1 means page 2 is ``index_2``. On ``?page=N`` URLs the parameter varies.
    """
    script = "\n".join(_scripts(text))
    count = _first_int(("pageCount", "totalPage", "totalPages", "pageTotal", "countPage"), script)
    if count is None:
        total = _first_int(("totalCount", "totalRecord", "recordCount", "totalNum", "total"), script)
        size = _first_int(("pageSize", "perPage", "pageRecord"), script)
        if total is None or not size:
            return []
        count = math.ceil(total / size)
    count = min(count, limit)
    current = _first_int(("currentPage", "curPage", "pageIndex", "pageNo"), script)
    base = 1 if current == 1 else 0
    param = _page_param_of(url) if urlsplit(url).query else None
    if param is not None:
        first = current if current in (0, 1) else 1
        return [_with_params(url, **{param[0]: str(first + k)}) for k in range(count)]
    m = _NUMBERED_FILE.match(urlsplit(url).path.rsplit("/", 1)[-1])
    if m is None or m.group("n") is not None:
        return []  # numbering is only certain from the first page
    prefix, ext = m.group("prefix"), m.group("ext")
    return [normalize(urljoin(url, f"{prefix}_{base + k}.{ext}")) or "" for k in range(1, count)]


def _ajax_pages(script: str, pos: int, literal: str, page_url: str) -> str | None:
    """An API literal without a page parameter, paged by a nearby ``data: {pageNo: 1, ...}``."""
    m = _AJAX_DATA.search(script, pos, pos + 400)
    if m is None:
        return None
    pairs = _js_pairs(m.group(1))
    if not any(k.lower() in _API_PAGE_PARAMS for k in pairs):
        return None
    url = normalize(literal, page_url)
    return _with_params(url, **{k: v if v.isdigit() or k.lower() not in _API_PAGE_PARAMS else "1"
                                for k, v in pairs.items()}) if url else None


def script_api_pages(url: str, text: str) -> list[str]:
    """First pages of JSON APIs a script loads its list from (a URL with a page parameter)."""
    found: list[str] = []
    for script in _scripts(text):
        for m in _STRING.finditer(script):
            literal = m.group(2).replace("\\/", "/")
            if not _API_HINT.search(literal) or "gkmlpt/api" in literal or "dataproxy.jsp" in literal \
                    or re.search(r"\s", literal):
                continue
            if _page_param_of("http://x/" + literal.lstrip("/")) is None:
                api = _ajax_pages(script, m.end(), literal, url)
                if api:
                    found.append(api)
                continue
            api = normalize(literal, url)
            if api:
                name, page = _page_param_of(api) or ("page", 1)
                found.append(_with_params(api, **{name: str(page)}))
    return list(dict.fromkeys(found))


def gkmlpt_config(text: str) -> dict[str, str]:
    """The flat ``window._CONFIG = {...}`` of a Guangdong gkmlpt page (strings and numbers)."""
    m = _GK_CONFIG.search(text)
    if m is None:
        return {}
    return _js_pairs(m.group(1))


def gkmlpt_api_pages(url: str, text: str) -> list[str]:
    """Guangdong 集约化 gkmlpt: the first API page of the column (page 1: pages 0 and 1 repeat).

    The category is taken from the page URL's query, else from a category/column id in
    ``_CONFIG``, else 0 (the whole catalogue, filtered by title like any list).
    """
    path = urlsplit(url).path
    if "/gkmlpt/" not in path or "/gkmlpt/api/" in path:
        return []
    config = gkmlpt_config(text)
    sid = next((v for k, v in config.items() if k.lower() == "sid"), None)
    if not sid:
        return []
    category = next((v for k, v in parse_qsl(urlsplit(url).query)
                     if _GK_CATEGORY.match(k) and v.isdigit()), None)
    if category is None:
        category = next((v for k, v in config.items() if _GK_CATEGORY.match(k) and v.isdigit()), "0")
    root = path[:path.index("/gkmlpt/")]
    api = normalize(f"{root}/gkmlpt/api/all/{category}?{urlencode({'page': 1, 'sid': sid})}", url)
    return [api] if api else []


def hanweb_form(text: str) -> dict[str, str]:
    """The dataproxy form fields (``ajaxParam``, or the known keys set anywhere in a script)."""
    m = _HW_AJAX.search(text)
    pairs: dict[str, str] = {}
    if m:
        pairs = _js_pairs(m.group(1))
    else:
        script = "\n".join(_scripts(text))
        for key in HANWEB_FORM_KEYS:
            km = re.search(rf"""\b{key}\s*[:=]\s*(?:'([^']*)'|"([^"]*)"|([\w.\-]+))""", script)
            if km:
                pairs[key] = next(g for g in km.groups() if g is not None)
    return pairs if "columnid" in {k.lower() for k in pairs} else {}


def hanweb_windows(url: str, text: str, limit: int = MAX_SCRIPT_PAGES) -> list[str]:
    """Hanweb columns paged only by ``dataproxy.jsp?startrecord=&endrecord=&perpage=``.

    The record windows after those already on the page are computed from ``totalRecord``,
    ``perPage`` and ``groupSize`` (pages per request, 1 if not given). The form fields found
    on the page ride in the query; :func:`hanweb_post` splits them off again for a POST.
    """
    if "dataproxy.jsp" in urlsplit(url).path or ("dataproxy" not in text and "proxyUrl" not in text):
        return []
    script = "\n".join(_scripts(text))
    tag = _HW_TOTAL_TAG.search(text)
    total = _first_int(("totalRecord",), script) or (int(tag.group(1)) if tag else None)
    perpage = _first_int(("perPage",), script)
    proxy = _HW_PROXY.search(script)
    if not total or not perpage or not (proxy or "dataproxy.jsp" in text):
        return []
    window = perpage * max(1, _first_int(("groupSize",), script) or 1)
    base = normalize(proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp", url)
    if base is None:
        return []
    form = hanweb_form(text)
    first = len(_HW_RECORD.findall(text)) + 1
    pages = []
    for s in range(first, total + 1, window)[:limit]:
        fields = {"startrecord": str(s), "endrecord": str(min(s + window - 1, total)),
                  "perpage": str(perpage), **form}
        pages.append(_with_params(base, **fields))
    return pages


def hanweb_post(url: str) -> tuple[str, dict[str, str]] | None:
    """For a dataproxy window URL carrying form fields: the URL to POST to and the form.

    Hanweb servers read ``startrecord``/``endrecord``/``perpage`` from the query and the
    column's fields from the POST body. None means: a plain GET.
    """
    parts = urlsplit(url)
    if not parts.path.endswith("dataproxy.jsp"):
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    keys = {k.lower() for k, _ in pairs}
    if not {"startrecord", "endrecord"} <= keys or "columnid" not in keys:
        return None
    window = [(k, v) for k, v in pairs if k.lower() in _HW_WINDOW_KEYS]
    form = {k: v for k, v in pairs if k.lower() not in _HW_WINDOW_KEYS}
    return urlunsplit(parts._replace(query=urlencode(window))), form


def missing_page_successor(url: str) -> str | None:
    """``index_2`` for a list page ``index_1`` that answered 404 (a CMS that numbers from 2)."""
    parts = urlsplit(url)
    directory, name = parts.path.rsplit("/", 1)
    m = _NUMBERED_FILE.match(name)
    if m is None or m.group("n") != "1":
        return None
    return urlunsplit(parts._replace(path=f"{directory}/{m.group('prefix')}_2.{m.group('ext')}"))


def is_json(content_type: str | None) -> bool:
    """A JSON (or JavaScript) response that may be a list API page."""
    ct = (content_type or "").lower()
    return "json" in ct or "javascript" in ct


# Column discovery ------------------------------------------------------------------------
# A start that is an agency's home or disclosure home, not its report column: find the column
# by its URL slug or its menu text, at most MAX_HOPS links away, through 信息公开 section pages.

COLUMN_SLUGS = ("zfxxgkgzndbg", "zfxxgkndbg", "xxgkndbg", "bmxxgknb", "zfxxgknb", "zfgknb",
                "gkndbg", "xxgknb", "gknb", "ndbg")
MAX_HOPS = 2  # a column is at most two links from the start (home -> 信息公开 -> column)
MAX_DISCOVERY_PAGES = 30  # section pages and discovered columns per source and run
_SLUG_SEGMENT = re.compile(r"^[a-z]*?(?:%s)(?:[_-]?\d+[a-z]?)?$" % "|".join(COLUMN_SLUGS), re.I)
_VSB_COLUMN = re.compile(r"^[a-z]*?(?:%s)(?:[_-]?\d+)?\.htm$" % "|".join(COLUMN_SLUGS), re.I)
_COLUMN_LABEL = re.compile(r"^(?:[^\d]{0,8}?)(?:政府|政务)?(?:信息)?公开(?:工作)?(?:年度报告|年报)(?:专栏|栏目)?$"
                           r"|^(?:政府信息公开)?(?:工作)?年度报告$|^年报$")
_SECTION_LABEL = re.compile(r"^(?:政府|部门|本机关)?(?:信息公开|政务公开|政府信息公开)"
                            r"(?:专栏|目录|平台|网|栏目|首页)?$")
_NOT_COLUMN_WORDS = ("报表", "通知", "图解", "一图", "解读", "指南", "制度", "申请", "网站")
COLUMN_MARK = "column: "  # link_text of a discovered column in the state
SECTION_MARK = "section {depth}: "  # link_text of a 信息公开 section page at that depth


@dataclass(slots=True)
class NavScan:
    """Links that lead towards a report column: the columns themselves and section pages."""

    columns: list[Link] = field(default_factory=list)
    sections: list[Link] = field(default_factory=list)


def _directory(url: str) -> str:
    path = urlsplit(url).path
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


def is_column_url(url: str) -> bool:
    """A column named by a report slug (``zfxxgknb_31679/``, ``xxgknb.htm``), not an article in it."""
    lowered = url.lower()
    if any(w in lowered for w in _NOT_REPORT_URL):
        return False
    segments = urlsplit(url).path.split("/")[1:]
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if last and (_VSB_COLUMN.match(seg) or _SLUG_SEGMENT.match(seg)):
            return True
        if not _SLUG_SEGMENT.match(seg):
            continue
        rest = segments[i + 1:]  # only sub-folders and an index file may follow the slug
        tail = rest[-1]
        return tail == "" or bool(_INDEX_FILE.match(tail)) or "." not in tail and not tail.isdigit()
    return False


def is_column_label(label: str | None) -> bool:
    """Menu text naming the report column (政府信息公开年报, 年度报告): no year, no other words."""
    s = _clean(label)
    if not s or len(s) > 20 or _YEAR.search(s) or any(w in s for w in _NOT_COLUMN_WORDS):
        return False
    return bool(_COLUMN_LABEL.match(s))


def is_section_label(label: str | None) -> bool:
    """Menu text of a disclosure section (政府信息公开, 信息公开, 政务公开)."""
    return bool(_SECTION_LABEL.match(_clean(label)))


def scan_navigation(url: str, text: str) -> NavScan:
    """Report columns and 信息公开 section pages linked from a page (not its own pages)."""
    nav = NavScan()
    root = _parse_html(text)
    if root is None:
        return nav
    here = _directory(url)
    seen = {url}
    for link_url, link_text, title in _anchors(root, url):
        if link_url in seen or is_attachment_url(link_url) or is_report_link(link_url, link_text, title):
            continue
        label = link_text or title
        if any(w in link_url.lower() for w in _NOT_REPORT_URL) or _clean(label) in ("首页", "返回首页"):
            continue
        if (is_column_url(link_url) or is_column_label(label) or is_column_label(title)) \
                and _directory(link_url) != here:
            nav.columns.append(Link(link_url, label))
            seen.add(link_url)
        elif is_section_label(label) or is_section_label(title):
            nav.sections.append(Link(link_url, label))
            seen.add(link_url)
    return nav


def discovery_mark(role: str, text: str, depth: int = 0) -> str:
    """The state's link_text for a discovered page: its role, then the link's own text."""
    prefix = COLUMN_MARK if role == "column" else SECTION_MARK.format(depth=depth)
    return prefix + (text or "")[:200]


def parse_mark(link_text: str | None) -> tuple[str, int] | None:
    """(role, depth) from a link_text written by :func:`discovery_mark`, else None."""
    if not link_text:
        return None
    if link_text.startswith(COLUMN_MARK):
        return "column", 0
    m = re.match(r"section (\d+): ", link_text)
    return ("section", int(m.group(1))) if m else None


def discovery_links(nav: NavScan, depth: int, found_reports: bool, budget: int,
                    follow_sections: bool = True) -> list[tuple[str, str]]:
    """(url, mark) of the pages to follow from a page at ``depth`` hops from the start.

    Columns are followed when within MAX_HOPS; section pages only when the page names no
    column, is not itself a report column (no reports), and one more hop can still reach a
    column. At most ``budget`` pages.
    """
    out: list[tuple[str, str]] = []
    if depth + 1 <= MAX_HOPS:
        out += [(c.url, discovery_mark("column", c.text)) for c in nav.columns]
    if follow_sections and not out and not found_reports and depth + 2 <= MAX_HOPS:
        out += [(s.url, discovery_mark("section", s.text, depth + 1)) for s in nav.sections]
    return out[:max(0, budget)]
