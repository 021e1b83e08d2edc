"""Which `<img>` of a report page are its tables as pictures, and which are the site's own."""

from __future__ import annotations

from nianbao.parsers.readers.html_images import page_images
from nianbao.scraper.discover import scan_report_page

URL = "http://www.example.gov.cn/xxgk/ndbg/202301/t20230117_1.html"
D = "http://www.example.gov.cn/xxgk/ndbg/202301/"

PAGE = """<html><body>
<div class="header"><img src="/a/b.png" width="300" height="80"><img src="/images/logo.png"></div>
<div class="nav"><img src="./nav_pic.jpg"></div>
<div class="content"><h1>示例市2022年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>本年度……</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>1</td></tr>
<tr><td>规范性文件</td><td>2</td></tr></table>
<p><strong>三、收到和处理政府信息公开申请情况</strong></p>
<p><img src="./W020230117000001.jpg" alt="表三"></p>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<img data-src="./t4.png" src="/loading.gif" width="800">
<div class="bdshare"><img src="./x.png"></div>
<img src="./code.png" width="120" height="120"><img src="./dot.gif" width="8">
<a href="/other.html"><img src="./ad.jpg"></a>
<img src="./W020230117000001.jpg">
</div><div class="footer"><img src="./gh.png"></div></body></html>"""


def test_article_pictures_in_page_order_with_their_sections() -> None:
    found = page_images(PAGE, URL)
    assert [(i.src, i.position, i.region) for i in found.images] == [
        (D + "W020230117000001.jpg", 1, "requests"), (D + "t4.png", 2, "appeals")]
    assert found.images[0].heading == "三、收到和处理政府信息公开申请情况"
    assert found.images[0].alt == "表三" and found.images[1].width == 800
    assert found.html_tables == {"active"}
    # header, navigation, share box, QR-sized square, spacer, a link elsewhere, footer
    assert set(found.decoration) == {
        "http://www.example.gov.cn/a/b.png", "http://www.example.gov.cn/images/logo.png",
        D + "nav_pic.jpg", D + "x.png", D + "code.png", D + "dot.gif", D + "ad.jpg", D + "gh.png"}


def test_a_page_whose_tables_are_all_html_keeps_only_pictures_of_other_sections() -> None:
    rows = "".join(f"<tr><td>r{i}</td><td>{i}</td></tr>" for i in range(3))
    page = (f"<div class='TRS_Editor'><p>二、主动公开政府信息情况</p><table>{rows}</table>"
            f"<p>三、收到和处理政府信息公开申请情况</p><table>{rows}</table>"
            f"<p><img src='photo.jpg'></p>"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p><table>{rows}</table>"
            f"<p>五、存在的主要问题及改进情况</p><p><img src='seal.png'></p></div>")
    found = page_images(page, URL)
    assert [i.src for i in found.images] == [D + "photo.jpg", D + "seal.png"]
    assert found.html_tables == {"active", "requests", "appeals"}
    assert found.tables == []  # the photo sits where the HTML table is; the seal after the tables


def test_cells_of_an_html_table_are_no_section_headings() -> None:
    """行政复议 in a header cell names the appeals table, it does not open a section."""
    page = ("<div class='content'><p>三、收到和处理政府信息公开申请情况</p>"
            "<table><tr><td>行政复议</td></tr><tr><td>1</td></tr><tr><td>2</td></tr></table>"
            "<img src='W0201.png'></div>")
    assert [i.region for i in page_images(page, URL).images] == ["requests"]


def test_the_crawler_fetches_article_pictures_only() -> None:
    links = [link.url for link in scan_report_page(URL, PAGE)]
    assert links == [D + "W020230117000001.jpg", D + "t4.png"]


def test_without_a_page_url_sources_are_as_written_and_base_is_honoured() -> None:
    page = "<div class='content'><img src='a_files/W1.png'><img src='data:image/png;base64,xx'></div>"
    assert [i.src for i in page_images(page).images] == ["a_files/W1.png"]
    based = "<head><base href='http://cdn.example.gov.cn/pics/'></head><body><img src='W1.png'></body>"
    assert [i.src for i in page_images(based, URL).images] == ["http://cdn.example.gov.cn/pics/W1.png"]


def test_garbage_gives_no_pictures() -> None:
    for text in ("", "<img", "\x00\x01<img src=", "<html><body><img></body></html>"):
        assert page_images(text, URL).images == []


def test_a_heading_in_a_div_of_its_own_text_opens_its_section() -> None:
    page = ("<div id='zoom'><div>三、收到和处理政府信息公开申请情况</div><div><img src='W1.png'></div>"
            "<div><span>四、政府信息公开行政复议、行政诉讼情况</span></div><img src='W2.png'></div>")
    assert [i.region for i in page_images(page, URL).images] == ["requests", "appeals"]


def test_an_article_laid_out_in_a_one_cell_table_keeps_its_headings() -> None:
    page = ("<table><tr><td class='bt_content'><p>三、收到和处理政府信息公开申请情况</p>"
            "<img src='W1.png'><p>四、政府信息公开行政复议、行政诉讼情况</p><img src='W2.png'>"
            "</td></tr></table>")
    assert [i.region for i in page_images(page, URL).images] == ["requests", "appeals"]


def test_a_page_nested_too_deep_to_parse_in_time_gives_no_pictures() -> None:
    """lexbor's parse of 25,000 unclosed <div> would take seconds (quadratic in the depth),
    for every report page the crawler scans: the page is read as having no pictures, while
    its attachment links are still found (libxml2 reads those)."""
    page = ("<html><body>" + "<div>" * 25_000 + '<img src="/nb/table1.png" alt="表一">'
            '<a href="/nb/report.pdf">附件</a>')
    assert page_images(page, "http://www.example.gov.cn/nb/a.html").images == []
    links = scan_report_page("http://www.example.gov.cn/nb/a.html", page)
    assert [link.url for link in links] == ["http://www.example.gov.cn/nb/report.pdf"]
