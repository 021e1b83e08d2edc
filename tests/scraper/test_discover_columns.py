"""Column discovery, pure parts: column and section links, hop and page bounds, state marks."""

from __future__ import annotations

import pytest

from nianbao.scraper.discover import (MAX_HOPS, Link, NavScan, discovery_links, discovery_mark,
                              is_column_label, is_column_url, is_section_label, parse_mark,
                              scan_navigation)

HOME = "http://www.example.gov.cn/"


@pytest.mark.parametrize("url", [
    "http://www.example.gov.cn/zwgk/zfxxgknb/",
    "http://www.example.gov.cn/zfxxgknb_31679/index.shtml",
    "http://www.example.gov.cn/xxgk/zfxxgkndbg/index.html",
    "http://www.example.gov.cn/gkml/gkndbg",
    "http://www.example.gov.cn/xxgknb.htm",
    "http://www.example.gov.cn/zwgk/ndbg/",
    "http://www.example.gov.cn/zfxxgknb/2019n/",
    "http://www.example.gov.cn/bmxxgknb_2/",
    "http://www.example.gov.cn/zfxxgkgzndbg/index_1.html",
])
def test_column_urls(url):
    assert is_column_url(url)


@pytest.mark.parametrize("url", [
    "http://www.example.gov.cn/zfxxgknb/202201/t20220112_100014.html",  # an article in it
    "http://www.example.gov.cn/zfwzndbb/",  # 政府网站工作年度报表
    "http://www.example.gov.cn/xxgk/wzndbb/index.html",
    "http://www.example.gov.cn/col/col12596/index.html",  # no slug: found by text only
    "http://www.example.gov.cn/zfxxgk/",
    "http://www.example.gov.cn/xxgknb/2.htm",
    "http://www.example.gov.cn/",
])
def test_not_column_urls(url):
    assert not is_column_url(url)


@pytest.mark.parametrize("label,column,section", [
    ("政府信息公开年报", True, False),
    ("政府信息公开工作年度报告", True, False),
    ("信息公开年报", True, False),
    ("年度报告", True, False),
    ("政府信息公开年度报告专栏", True, False),
    ("2021年度报告", False, False),  # a year: a report or an archive, not the menu item
    ("政府网站工作年度报表", False, False),
    ("关于做好政府信息公开年度报告工作的通知", False, False),
    ("政府信息公开", False, True),
    ("信息公开", False, True),
    ("政务公开", False, True),
    ("政府信息公开专栏", False, True),
    ("政府信息公开指南", False, False),
    ("依申请公开", False, False),
    ("首页", False, False),
])
def test_labels(label, column, section):
    assert is_column_label(label) is column
    assert is_section_label(label) is section


def test_scan_navigation_home():
    page = """<html><body><ul>
      <li><a href="/">首页</a></li>
      <li><a href="/zwgk/index.html">政务公开</a></li>
      <li><a href="/xxgk/">政府信息公开</a></li>
      <li><a href="/xxgk/">信息公开</a></li>
      <li><a href="/col/col77/index.html" title="政府信息公开年报">年报</a></li>
      <li><a href="/zfwzndbb/">政府网站工作年度报表</a></li>
      <li><a href="/tzgg/202401/t20240110_1.html">关于做好2023年政府信息公开工作年度报告编制发布工作的通知</a></li>
      <li><a href="/xxgk/zfxxgknb/202301/t20230115_2.html">示例市2022年政府信息公开工作年度报告</a></li>
      <li><a href="/xxgk/zfxxgknb/P0202301.pdf">信息公开年报</a></li>
      <li><a href="mailto:a@example.gov.cn">信息公开</a></li>
    </ul></body></html>"""
    nav = scan_navigation(HOME + "index.html", page)
    assert [c.url for c in nav.columns] == [HOME + "col/col77/index.html"]
    assert [s.url for s in nav.sections] == [HOME + "zwgk/index.html", HOME + "xxgk/"]


def test_scan_navigation_skips_own_pages():
    """A column's own folder (its pages, itself) is not a column to discover."""
    url = HOME + "xxgk/zfxxgknb/index.html"
    page = ('<a href="index_1.html">2</a><a href="./">政府信息公开年报</a>'
            '<a href="../zfxxgkndbg/">政府信息公开工作年度报告</a>')
    nav = scan_navigation(url, page)
    assert [c.url for c in nav.columns] == [HOME + "xxgk/zfxxgkndbg/"]


NAV = NavScan(columns=[Link(HOME + "zfxxgknb/", "政府信息公开年报")],
              sections=[Link(HOME + "xxgk/", "政府信息公开")])
SECTIONS_ONLY = NavScan(sections=[Link(HOME + f"xxgk{i}/", "信息公开") for i in range(40)])


def test_columns_first_sections_only_without_columns():
    assert discovery_links(NAV, 0, False, 30) == [(HOME + "zfxxgknb/", "column: 政府信息公开年报")]
    found = discovery_links(SECTIONS_ONLY, 0, False, 30)
    assert len(found) == 30 and found[0] == (HOME + "xxgk0/", "section 1: 信息公开")


def test_a_start_with_reports_follows_columns_but_not_sections():
    assert discovery_links(SECTIONS_ONLY, 0, True, 30) == []
    assert discovery_links(NAV, 0, True, 30) == [(HOME + "zfxxgknb/", "column: 政府信息公开年报")]


def test_hops_and_budget_bound_discovery():
    assert MAX_HOPS == 2
    assert discovery_links(SECTIONS_ONLY, 1, False, 30) == []  # a third hop could not reach a column
    assert discovery_links(NAV, 1, False, 30) == [(HOME + "zfxxgknb/", "column: 政府信息公开年报")]
    assert discovery_links(NAV, 2, False, 30) == []
    assert discovery_links(NAV, 0, False, 0) == []
    assert discovery_links(SECTIONS_ONLY, 0, False, 30, follow_sections=False) == []


def test_marks_round_trip():
    assert parse_mark(discovery_mark("column", "政府信息公开年报")) == ("column", 0)
    assert parse_mark(discovery_mark("section", "信息公开", 1)) == ("section", 1)
    assert parse_mark("示例市2021年政府信息公开工作年度报告") is None
    assert parse_mark(None) is None
