"""Report metadata from the page: title, agency, year.

Titles come as ``XX市人民政府2021年政府信息公开工作年度报告``, ``XX局2020年度…``,
``2022年XX区政府信息公开工作年度报告``, with ``（图片版）`` appended or a site name behind
``_``; the agency is the part before the year (or, when the year leads, before 政府信息公开).
"""

from __future__ import annotations

import re

from nianbao.parsers.document import Document
from nianbao.parsers.normalize import plain

_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_YEAR = r"((?:19|20)\d{2}|[〇零○一二][〇零○一二三四五六七八九]{3})"
_TITLE_WORDS = ("报告", "年报")
_NOT_REPORT = ("通知", "图解", "一图读懂", "网站工作年度报表", "关于做好", "编制")
_SITE_SPLIT = re.compile(r"\s*(?:_|\||｜|——|--| - )\s*")
_SUFFIX = re.compile(r"[(（【\[][^()（）【】\[\]]{0,8}版[)）】\]]$")
_AGENCY_BEFORE_YEAR = re.compile(r"^(?:关于)?(?P<agency>.+?)\s*" + _YEAR + r"\s*年")
_AGENCY_AFTER_YEAR = re.compile(r"^" + _YEAR + r"\s*年度?\s*(?P<agency>.+?)\s*(?:政府)?信息公开")
_PERIOD = re.compile(r"统计期限[^0-9〇零一二]{0,6}" + _YEAR + r"\s*年")
_ANY_YEAR = re.compile(_YEAR + r"\s*年度?")


def _year(text: str) -> int | None:
    y = int(text.translate(_CN_DIGITS))
    return y if 1990 <= y <= 2100 else None


def is_report_title(title: str) -> bool:
    """An annual report's title, not a notice about the reporting work or a graphic of it."""
    p = _SUFFIX.sub("", plain(title)).strip()
    return (len(p) <= 80 and "信息公开" in p and p.endswith(_TITLE_WORDS)
            and not any(w in p for w in _NOT_REPORT))


def find_title(doc: Document) -> str | None:
    """The report's title: the first candidate that reads like an annual report's title."""
    candidates = list(doc.titles)
    candidates += [c for line in doc.lines[:40] if not line.boundary for c in line.cells][:40]
    for cand in candidates:
        for part in _SITE_SPLIT.split(cand.strip()):
            if is_report_title(part):
                return part.strip()
    for cand in candidates:
        if cand.strip():
            return cand.strip()[:200]
    return None


def agency_of(title: str) -> str | None:
    text = _SUFFIX.sub("", plain(title)).strip()
    m = _AGENCY_BEFORE_YEAR.match(text)
    if m and m.group("agency").strip(" ，,：:"):
        return m.group("agency").strip(" ，,：:")
    m = _AGENCY_AFTER_YEAR.match(text)
    if m and m.group("agency").strip(" ，,：:"):
        return m.group("agency").strip(" ，,：:")
    return None


def year_of(title: str | None, doc: Document) -> int | None:
    """The year the report covers: from the title, else from 统计期限, else an early line."""
    if title:
        m = _ANY_YEAR.search(plain(title))
        if m and _year(m.group(1)):
            return _year(m.group(1))
    for line in doc.lines[:200]:
        for cell in line.cells:
            if "统计期限" in cell or "統計期限" in cell:
                m = _PERIOD.search(plain(cell))
                if m and _year(m.group(1)):
                    return _year(m.group(1))
    return None
