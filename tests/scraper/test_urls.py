import pytest

from nianbao.scraper.urls import host_of, is_allowed, normalize, normalize_host, remove_dot_segments


@pytest.mark.parametrize("raw, base, want", [
    ("HTTP://WWW.Example.GOV.cn:80/a/b.html#top", None, "http://www.example.gov.cn/a/b.html"),
    ("https://www.example.gov.cn:443", None, "https://www.example.gov.cn/"),
    ("https://www.example.gov.cn:8443/x", None, "https://www.example.gov.cn:8443/x"),
    ("./202001/t20200115_123456.html", "http://a.gov.cn/zwgk/xxgknb/index.html",
     "http://a.gov.cn/zwgk/xxgknb/202001/t20200115_123456.html"),
    ("../../info/1050/64208.htm", "http://a.edu.cn/vsb/xxgknb/2.htm", "http://a.edu.cn/info/1050/64208.htm"),
    ("/a/./b/../c.html", "http://a.gov.cn/x", "http://a.gov.cn/a/c.html"),
    ("  http://a.gov.cn/年报.pdf ", None, "http://a.gov.cn/%E5%B9%B4%E6%8A%A5.pdf"),
    ("http://a.gov.cn/%E5%B9%B4.pdf", None, "http://a.gov.cn/%E5%B9%B4.pdf"),
    ("?page=2", "http://a.gov.cn/list.jsp?page=1", "http://a.gov.cn/list.jsp?page=2"),
    ("http://a.gov.cn/x.html?", None, "http://a.gov.cn/x.html"),
])
def test_normalize(raw, base, want):
    assert normalize(raw, base) == want


@pytest.mark.parametrize("raw", ["javascript:void(0)", "mailto:a@b.cn", "ftp://a.gov.cn/x.pdf",
                                 "file:///etc/passwd", "#", "", "tel:12345", "data:text/html,x",
                                 "http://", "http://a.gov.cn:99999/"])
def test_non_http_rejected(raw):
    assert normalize(raw, "http://a.gov.cn/") is None


def test_same_page_one_spelling():
    base = "http://www.example.gov.cn/zwgk/index.html"
    spellings = ["./t1.html", "t1.html#x", "/zwgk/./t1.html", "HTTP://WWW.EXAMPLE.GOV.CN:80/zwgk/t1.html",
                 "../zwgk/t1.html"]
    assert len({normalize(s, base) for s in spellings}) == 1


def test_dot_segments_never_climb_above_root():
    assert remove_dot_segments("/../../a") == "/a"
    assert remove_dot_segments("/a/b/..") == "/a/"


def test_allow_list():
    allow = ("www.example.gov.cn", "*.files.example.gov.cn", "127.0.0.1:8080")
    assert is_allowed("http://www.example.gov.cn/a", allow)
    assert is_allowed("https://www.example.gov.cn:8443/a", allow)  # no port in entry: any port
    assert is_allowed("http://x.files.example.gov.cn/a.pdf", allow)
    assert is_allowed("http://files.example.gov.cn/a.pdf", allow)
    assert not is_allowed("http://www-example-gov-cn.proxy.example.net/a", allow)
    assert not is_allowed("http://example.gov.cn/a", allow)
    assert not is_allowed("http://127.0.0.1:8081/a", allow)
    assert is_allowed("http://127.0.0.1:8080/a", allow)
    assert not is_allowed("http://evil.cn/www.example.gov.cn", allow)


def test_host_helpers():
    assert normalize_host("WWW.Example.gov.cn") == "www.example.gov.cn"
    assert normalize_host("http://a.gov.cn:80/x") == "a.gov.cn"
    assert host_of("http://a.gov.cn:81/x") == "a.gov.cn:81"
