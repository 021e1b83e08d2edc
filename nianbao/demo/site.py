"""The demo's made-up portal: three portal families serving the bundled reports.

- 示例市人民政府: a TRS column (``index.html``, ``index_1.html`` paged by ``createPageHTML``)
  with HTML reports, a plain-text report, a notice that is no report, a report behind an
  anti-bot script page and one under a path that robots.txt disallows;
- 示例省交通运输厅: a Hanweb column whose list is an XML datastore in a script, continued by
  ``dataproxy.jsp``; its 2022 report is a PDF attachment of a page without tables;
- 示例市水务局: a Guangdong gkmlpt column whose list comes only from a JSON API; its 2023 report
  is a Word attachment.

Every agency and number is made up (fixtures/demo/make_documents.py wrote nianbao/demo/files/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from nianbao.demo.server import Page, Portal

HTML = "text/html; charset=utf-8"
TYPES = {"html": HTML, "txt": "text/plain; charset=utf-8", "pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ROBOTS = "User-agent: *\nDisallow: /trs/private/\n"
ANTI_BOT = (b"<html><head><script>document.cookie='wzws_cid=demo';location.reload();</script>"
            b"</head><body></body></html>")


@dataclass(frozen=True)
class Source:
    name: str
    start: str


def _file(name: str) -> bytes:
    return resources.files("nianbao.demo").joinpath("files", name).read_bytes()


def documents() -> dict[str, dict[str, object]]:
    """The bundled reports: file name -> title, agency, year, template, format, facts."""
    return json.loads(_file("documents.json").decode("utf-8"))


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}<div class='foot'>演示网站，内容均为虚构</div></body>"
            "</html>").encode("utf-8")


def _ul(items: list[tuple[str, str]]) -> str:
    return "<ul class='list'>" + "".join(
        f"<li><a href='{href}' title='{title}'>{title}</a><span>2024-01-15</span></li>"
        for href, title in items) + "</ul>"


def _report(portal: Portal, path: str, name: str) -> str:
    """Serve bundled file ``name`` at ``path``; its title."""
    portal.add(path, Page(_file(name), TYPES[name.rsplit(".", 1)[1]]))
    return str(documents()[name]["title"])


def _with_attachment(portal: Portal, path: str, att_path: str, name: str) -> str:
    """A report page without tables whose report is the attachment ``name``; its title."""
    title = _report(portal, att_path, name)
    portal.add(path, Page(_page(title, f"<p>详见附件：<a href='{att_path}'>{title}</a></p>")))
    return title


def trs(portal: Portal) -> Source:
    col = "/trs/zfxxgknb/"
    pages = [
        [("./202301/t20230115_1001.html", _report(portal, col + "202301/t20230115_1001.html",
                                                  "shiyi_2022.html")),
         ("./202302/t20230201_1002.html", "关于做好2022年政府信息公开工作年度报告发布工作的通知"),
         ("./202301/t20230116_1003.html", "示例市人民政府办公室2022年政府信息公开工作年度报告"),
         ("/trs/private/202301/t20230117_1004.html", "示例市人民政府2022年政府信息公开工作年度报告（内部）")],
        [("./202201/t20220115_1005.html", _report(portal, col + "202201/t20220115_1005.html",
                                                  "shiyi_2021.html")),
         ("./202101/t20210115_1006.txt", _report(portal, col + "202101/t20210115_1006.txt",
                                                 "shiyi_2020.txt"))],
    ]
    for i, items in enumerate(pages):
        script = f'<script>createPageHTML(2, {i}, "index", "html");</script>'
        portal.add(col + ("index.html" if i == 0 else f"index_{i}.html"),
                   Page(_page("政府信息公开年报", _ul(items) + script)))
    portal.add(col + "202302/t20230201_1002.html", Page(_page("通知", "<p>各单位：……</p>")))
    portal.add(col + "202301/t20230116_1003.html", Page(ANTI_BOT, validators=False))
    portal.add("/trs/private/202301/t20230117_1004.html", Page(_page("内部", "<p>内部</p>")))
    return Source("示例市人民政府", col + "index.html")


def hanweb(portal: Portal) -> Source:
    start = "/hanweb/col/col12596/index.html"
    proxy = ("/hanweb/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/hanweb/"
             "&columnid=12596&unitid=1&permissiontype=0")
    t2022 = _with_attachment(portal, "/hanweb/art/2023/1/20/art_12596_41790.html",
                             "/hanweb/attach/0/41790.pdf", "jiaotong_2022.pdf")
    t2021 = _report(portal, "/hanweb/art/2022/1/20/art_12596_41650.html", "jiaotong_2021.html")

    def store(items: list[tuple[str, str]], more: str = "") -> str:
        records = "".join(f"<record><![CDATA[<li><a href='{p}' title='{t}'>{t[:12]}</a>"
                          f"<span>2024-01-29</span></li>]]></record>" for p, t in items)
        nextgroup = f"<nextgroup><![CDATA[<a href='{more}'></a>]]></nextgroup>" if more else ""
        return f"<datastore>{nextgroup}<recordset>{records}</recordset><totalrecord>2</totalrecord></datastore>"

    body = f"<div id='244'><script type='text/xml'>{store([('/hanweb/art/2023/1/20/art_12596_41790.html', t2022)], proxy)}</script></div>"
    portal.add(start, Page(_page("政府信息公开年报", body)))
    portal.add(proxy, Page(('<?xml version="1.0" encoding="utf-8"?>'
                            + store([("/hanweb/art/2022/1/20/art_12596_41650.html", t2021)])).encode(),
                           "text/xml; charset=utf-8"))
    return Source("示例省交通运输厅", start)


def gkmlpt(portal: Portal, base: str) -> Source:
    root, sid, cat = "/gdgk/gkmlpt", "755101", "2817"
    t2023 = _with_attachment(portal, f"{root}/content/2/{cat}/post_9100002.html",
                             "/gdgk/attachment/0/9100002.docx", "shuiwu_2023.docx")
    t2022 = _report(portal, f"{root}/content/2/{cat}/post_9100001.html", "shuiwu_2022.html")
    notice = f"{root}/content/2/{cat}/post_9100003.html"
    portal.add(notice, Page(_page("公告", "<p>河道管理事项公告</p>")))
    items = [(f"{root}/content/2/{cat}/post_9100002.html", t2023),
             (notice, "示例市水务局关于河道管理事项的公告"),
             (f"{root}/content/2/{cat}/post_9100001.html", t2022)]

    def answer(method: str, params: dict[str, str]) -> Page:
        if params.get("sid") != sid:
            return Page(b'{"error": "bad sid"}', "application/json", status=400)
        chunk = items if int(params.get("page") or 0) <= 1 else []
        articles = [{"id": int(p.rsplit("_", 1)[1][:-5]), "title": t, "date": 1700000000,
                     "url": base + p} for p, t in chunk]
        body = {"classify": {"id": int(cat), "name": "政府信息公开年度报告"},
                "articles": articles, "total": len(items)}
        return Page(json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=UTF-8")

    portal.handle(f"{root}/api/all/{cat}", answer)
    config = (f"<script>window._CONFIG = {{SID: '{sid}', TOP_ID: 0, COLUMN_ID: {cat}, "
              "SITE_NAME: '示例市水务局'};</script><div id='app'></div>")
    portal.add(f"{root}/index", Page(_page("示例市水务局政府信息公开", config)))
    return Source("示例市水务局", f"{root}/index")


def build(portal: Portal, base: str) -> list[Source]:
    """Add the demo portal's routes to ``portal`` (served at ``base``); its sources."""
    portal.add("/robots.txt", Page(ROBOTS.encode(), "text/plain"))
    return [trs(portal), hanweb(portal), gkmlpt(portal, base)]


def sources_yaml(sources: list[Source], base: str, host: str) -> str:
    """A sources file for the demo portal, every source allowed only on ``host``."""
    lines = ["sources:"]
    for s in sources:
        lines += [f"  - name: {s.name}", f"    start: {base}{s.start}", f'    allow: ["{host}"]']
    return "\n".join(lines) + "\n"
