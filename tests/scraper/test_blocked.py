import httpx
import pytest

from nianbao.scraper.blocked import detect

PAGE = "http://www.example.gov.cn/zwgk/index.html"


@pytest.mark.parametrize("status, headers, body, fragment", [
    (412, {"Set-Cookie": "a=b"}, b"<html><script>$_ts=window['$_ts'];</script></html>", "Ruishu"),
    (521, {"X-Via-JSL": "abc"}, b"<script>document.cookie=('__jsl_clearance=1')</script>", "Jiasule"),
    (200, {"X-Via-JSL": "abc"}, b"x" * 5000, "Jiasule"),
    (418, {}, "<html><body>访问被拦截</body></html>".encode(), "Knownsec"),
    (202, {"Content-Type": "text/html"}, b"<html><script>location.reload()</script></html>", "script-only"),
    (200, {"Content-Type": "text/html"}, b"<script src='/a.js'></script>\n  ", "script-only"),
])
def test_walls(status, headers, body, fragment):
    reason = detect(status, httpx.Headers(headers), body, url=PAGE)
    assert reason and fragment in reason


def test_redirect_to_itself_with_cookie():
    h = httpx.Headers({"Location": PAGE, "Set-Cookie": "wzws_cid=1"})
    assert "itself" in detect(302, h, b"", url=PAGE, location=PAGE)
    assert detect(302, httpx.Headers({"Location": PAGE}), b"", url=PAGE, location=PAGE) is None
    assert detect(302, h, b"", url=PAGE, location=PAGE + "?x=1") is None


@pytest.mark.parametrize("status, headers, body", [
    (200, {"Content-Type": "text/html"}, "<html><body><p>示例市2021年政府信息公开工作年度报告</p>"
                                          "<script>var a=1;</script></body></html>".encode()),
    (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 <script>"),
    (404, {}, b"<html><script>x</script></html>"),
    (500, {}, b"error"),
    (200, {"Content-Type": "text/html"}, b"<html><script>var x;</script><a href='a.html'>a</a></html>"),
])
def test_genuine_pages_pass(status, headers, body):
    assert detect(status, httpx.Headers(headers), body, url=PAGE) is None
