import pytest

from nianbao.scraper.discover import (is_report_label, is_report_link, scan_list_page, scan_report_page,
                              script_pages)

BASE = "http://www.example.gov.cn/zwgk/zfxxgknb/"


@pytest.mark.parametrize("label", [
    "示例市人民政府2021年政府信息公开工作年度报告",
    "示例局2020年度政府信息公开工作年度报告",
    "2022年示例区政府信息公开工作年度报告",
    "示例镇2019年政府信息公开年度报告",
    "示例市人民政府2021年政府信息公开工作年度报告（图片版）",
    "示例市2023年政务公开工作年度报告",
    "示例市財政局2020年政府信息公開工作年度報告",
    "示例市人民政府2019年政府信息公开工作...",
    "示例县二〇二〇年政府信息公开工作年度报告",
])
def test_report_labels(label):
    assert is_report_label(label)


@pytest.mark.parametrize("label", [
    "关于做好2021年政府信息公开工作年度报告编制发布工作的通知",
    "一图读懂示例市2021年政府信息公开工作年度报告",
    "图解：2021年政府信息公开工作年度报告",
    "示例市人民政府网站2021年工作年度报表",
    "示例市2022年政务公开工作要点",
    "示例市2021年部门预算公开",
    "政府信息公开年报",  # a column, no year
    "政府信息公开工作年度报告",
    "示例市2021年国民经济和社会发展统计公报",
    "",
])
def test_not_report_labels(label):
    assert not is_report_label(label)


def test_report_link_uses_title_and_rejects_zfwzndbb_and_columns():
    full = "示例市人民政府2021年政府信息公开工作年度报告"
    assert is_report_link(BASE + "202201/t1.html", "示例市人民政府2021年...", full)
    assert not is_report_link("http://x.gov.cn/zfwzndbb/t1.html", full, None)
    assert not is_report_link(BASE + "index.html", full, None)
    assert not is_report_link(BASE, full, None)


def test_create_page_html_four_args_counts_from_zero():
    text = '<script>createPageHTML(4, 0, "index", "shtml");</script>'
    assert script_pages(BASE + "index.shtml", text) == [
        BASE + "index.shtml", BASE + "index_1.shtml", BASE + "index_2.shtml", BASE + "index_3.shtml"]


def test_create_page_html_six_args_counts_from_one():
    text = "<script>createPageHTML('page_div', 3, 1, 'index', 'html', 57);</script>"
    assert script_pages(BASE + "index.html", text) == [
        BASE + "index.html", BASE + "index_2.html", BASE + "index_3.html"]


def test_create_page_html_with_variables():
    text = "<script>var countPage = 2; var currentPage = 0; createPageHTML(countPage, currentPage, \"index\", \"html\");</script>"
    assert script_pages(BASE + "index.html", text) == [BASE + "index.html", BASE + "index_1.html"]


def test_create_page_html_limit():
    text = '<script>createPageHTML(99999999, 0, "index", "html");</script>'
    assert len(script_pages(BASE + "index.html", text, limit=50)) == 50


def test_list_page_paging_links_and_reports():
    html = """<html><body><ul>
      <li><a href="./202101/t20210120_1.html" title="示例市2020年政府信息公开工作年度报告">示例市2020年...</a></li>
      <li><a href="./202101/t20210121_2.html">关于做好政府信息公开工作年度报告的通知</a></li>
      <li><a href="javascript:;">示例市2019年政府信息公开工作年度报告</a></li>
    </ul><div class="page"><a href="index_1.html">下一页</a><a href="index_9.html">尾页</a>
      <a href="/">首页</a><a href="list.jsp?page=2">2</a></div></body></html>"""
    scan = scan_list_page(BASE + "index.html", html, BASE + "index.html")
    assert [r.url for r in scan.reports] == [BASE + "202101/t20210120_1.html"]
    assert scan.reports[0].text == "示例市2020年政府信息公开工作年度报告"
    assert set(scan.pages) == {BASE + "index_1.html", BASE + "index_9.html", BASE + "list.jsp?page=2"}


def test_query_page_links_on_same_path():
    html = '<a href="?page=3">下一页</a><a href="/other.jsp?page=2">x</a>'
    url = "http://a.gov.cn/col/list.jsp?page=2"
    assert scan_list_page(url, html, "http://a.gov.cn/col/list.jsp").pages == [
        "http://a.gov.cn/col/list.jsp?page=3"]


def test_vsb_counting_down():
    html = ('<a href="info/1050/64208.htm">示例大学2021年信息公开工作年度报告</a>'
            '<a href="xxgknb/2.htm">下页</a><a href="xxgknb/1.htm">尾页</a><a href="info/1050/1.htm">3</a>')
    scan = scan_list_page("http://a.edu.cn/xxgknb.htm", html, "http://a.edu.cn/xxgknb.htm")
    assert set(scan.pages) == {"http://a.edu.cn/xxgknb/2.htm", "http://a.edu.cn/xxgknb/1.htm"}
    assert [r.url for r in scan.reports] == ["http://a.edu.cn/info/1050/64208.htm"]


def test_hanweb_datastore():
    html = """<div id="x"><script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=5"></a>]]></nextgroup>
      <recordset>
      <record><![CDATA[<li><a href="/art/2024/1/29/art_5_1.html" title="示例厅2023年政府信息公开工作年度报告">示例厅</a></li>]]></record>
      <record><![CDATA[<li><a href="/art/2024/1/29/art_5_2.html">示例厅2024年工作要点</a></li>]]></record>
      </recordset></datastore></script></div>"""
    scan = scan_list_page("http://a.gov.cn/col/col5/index.html", html, "http://a.gov.cn/col/col5/index.html")
    assert [r.url for r in scan.reports] == ["http://a.gov.cn/art/2024/1/29/art_5_1.html"]
    assert scan.pages == ["http://a.gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=5"]


def test_report_page_attachments():
    html = """<html><body><img src="/images/logo.png"><div class="content">
      <a href="./P020230109645235887118.pdf">附件1</a> <a href="./a.DOCX">附件2</a>
      <a href="/module/download/downfile.jsp?classid=0&filename=x.pdf">下载</a>
      <a href="./t1.html">上一篇</a> <img src="./W020230109645235887119.jpg"> <img src="/static/icon.png">
      <iframe src="./viewer/report.pdf"></iframe><a href="./x.wps">wps</a><a href="./y.xlsx">xlsx</a>
    </div></body></html>"""
    found = {link.url for link in scan_report_page(BASE + "202301/t20230117_1.html", html)}
    d = BASE + "202301/"
    assert found == {d + "P020230109645235887118.pdf", d + "a.DOCX",
                     "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=x.pdf",
                     d + "W020230109645235887119.jpg", d + "viewer/report.pdf", d + "x.wps", d + "y.xlsx"}


def test_garbage_input_does_not_raise():
    assert scan_list_page(BASE, "", BASE).reports == []
    assert scan_list_page(BASE, "<?xml version='1.0' encoding='gbk'?><a href='x'>y</a>", BASE).reports == []
    assert scan_report_page(BASE, "\x00\x01 not html") == []


@pytest.mark.parametrize("items", [300, 3000])
def test_a_list_page_whose_items_leave_a_div_open_gives_every_report(items):
    """libxml2 drops elements nested deeper than 256 (2,048 with huge_tree), links included:
    such a list lost every report after the 252nd, silently."""
    html = "<html><body><ul>" + "".join(
        f"<div class=item><span><a href='{BASE}{i}.html'>示例局{2000 + i % 25}年政府信息公开工作年度报告</a>"
        for i in range(items)) + "</ul></body></html>"
    scan = scan_list_page(BASE + "index.html", html, BASE + "index.html")
    assert [link.url for link in scan.reports] == [f"{BASE}{i}.html" for i in range(items)]


def test_an_attachment_below_the_depth_libxml2_builds_is_found():
    html = "<html><body>" + "<div>" * 3000 + f"<a href='{BASE}nb.pdf'>附件</a><iframe src='{BASE}b.pdf'>"
    found = [link.url for link in scan_report_page(BASE + "a.html", html)]
    assert found == [BASE + "nb.pdf", BASE + "b.pdf"]
