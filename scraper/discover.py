"""Find list pages, report links and attachments in the HTML of a portal column.

Pure functions over (url, text): no network, so each portal family's quirks can be tested
on a string. The crawler decides what to fetch; this module only says what a page links to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html
from lxml import etree

from scraper.urls import normalize

ATTACHMENT_EXTS = frozenset(
    "pdf doc docx wps xls xlsx et ofd jpg jpeg png gif bmp tif tiff".split())
IMAGE_EXTS = frozenset("jpg jpeg png gif bmp tif tiff".split())
# Path fragments of download endpoints whose URL carries no extension.
_DOWNLOAD_HINTS = ("downfile.jsp", "/attachment/", "/attach/", "download.jsp", "fileDownload")
_PAGE_WORDS = ("下一页", "下页", "尾页", "末页", "最后一页", "后页", "下一頁", "尾頁", "next", "last",
               ">", ">>", "»", "›")
_PAGE_PARAMS = frozenset({"page", "pageindex", "pageno", "curpage", "currpage", "pagenum", "pn",
                          "p", "cpage", "startrecord"})
_NOT_REPORT_WORDS = ("报表", "图解", "一图", "图读", "读懂", "解读", "预算", "决算", "要点", "通知",
                     "做好", "编制", "报送", "培训", "电子书", "视频", "动漫", "考核", "评估", "征集")
_NOT_REPORT_URL = ("zfwzndbb", "wzndbb")
_TRAD = str.maketrans({"開": "开", "報": "报", "資": "资", "訊": "讯", "據": "据", "圖": "图",
                       "讀": "读", "點": "点", "預": "预", "決": "决", "關": "关", "編": "编"})
_YEAR = re.compile(r"(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4}年")
_REPORT = re.compile(r"公开.{0,14}?(?:年度报告|年报|年度工作报告|工作报告|年度报)")
_TRUNCATED_REPORT = re.compile(r"(?:信息|政务|资讯)公")
_CREATE_PAGE_6 = re.compile(
    r"""createPageHTML\(\s*['"][^'"]*['"]\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*['"]([^'"]+)['"]\s*,"""
    r"""\s*['"]([^'"]+)['"]\s*,\s*\w+\s*\)""")
_CREATE_PAGE_4 = re.compile(
    r"""createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)""")
_JS_VAR = r"""(?:var|let|const)\s+{name}\s*=\s*['"]?(\d+)"""
_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_CDATA_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_CDATA_NEXT = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_INDEX_FILE = re.compile(r"^index(?:_\d+)?\.[a-z]+$", re.I)
_VSB_PAGE = re.compile(r"/\d+\.htm$", re.I)
_ICON_HINTS = ("logo", "icon", "banner", "ewm", "qrcode", "erweima", "share", "/images/", "/img/",
               "/template", "/style", "/skin", "/static/", "gov_icon", "jiucuo", "dzjg")
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
    return re.sub(r"\s+", "", text or "").translate(_TRAD)


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


def _parse_html(text: str) -> etree._Element | None:
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        return lxml.html.fromstring(text)
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
    for block in _DATASTORE.findall(text):
        for fragment in _CDATA_RECORD.findall(block):
            root = _parse_html(f"<div>{fragment}</div>")
            if root is not None:
                items.extend(_anchors(root, url))
        for fragment in _CDATA_NEXT.findall(block):
            root = _parse_html(f"<div>{fragment}</div>")
            if root is not None:
                nexts.extend(u for u, _, _ in _anchors(root, url))
    return items, nexts


def scan_list_page(url: str, text: str, start: str) -> ListScan:
    """Report links and further list pages on one page of a column."""
    scan = ListScan()
    seen: set[str] = set()
    anchors: list[tuple[str, str, str]] = []
    root = _parse_html(text)
    if root is not None:
        anchors.extend(_anchors(root, url))
    items, nexts = datastore_links(url, text)
    anchors.extend(items)
    pages = script_pages(url, text) + nexts
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


def _content_image(img_url: str, page_url: str) -> bool:
    """An image that is part of the report (图片版), not the site's decoration."""
    path = urlsplit(img_url).path
    lowered = path.lower()
    if any(h in lowered for h in _ICON_HINTS):
        return False
    name = path.rsplit("/", 1)[-1]
    page_dir = urlsplit(page_url).path.rsplit("/", 1)[0] + "/"
    return path.startswith(page_dir) or bool(re.match(r"[WP]0\d{8,}", name)) \
        or "/attachment/" in lowered or "/picture/" in lowered


def scan_report_page(url: str, text: str) -> list[Link]:
    """Attachments linked or embedded in a report page (PDF, Word, WPS, Excel, images)."""
    root = _parse_html(text)
    if root is None:
        return []
    found: dict[str, str] = {}
    for link_url, link_text, title in _anchors(root, url):
        if is_attachment_url(link_url) and link_url != url:
            found.setdefault(link_url, title or link_text)
    for tag, attr in (("img", "src"), ("iframe", "src"), ("embed", "src"), ("object", "data")):
        for el in root.iter(tag):
            src = normalize(el.get(attr) or "", url)
            if not src or src in found:
                continue
            if tag == "img":
                if _ext(src) in IMAGE_EXTS and _content_image(src, url):
                    found[src] = el.get("alt") or ""
            elif is_attachment_url(src):
                found[src] = ""
    return [Link(u, t) for u, t in found.items()]


def is_html(content_type: str | None, url: str) -> bool:
    """Whether a response should be decoded and scanned for links."""
    if content_type:
        ct = content_type.lower()
        return "html" in ct or "xml" in ct
    return _ext(url) in ("", "html", "htm", "shtml", "jhtml", "jsp", "php", "asp", "aspx", "do")
