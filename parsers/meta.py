"""Report metadata from the page: title, agency, year.

Titles come as ``XX市人民政府2021年政府信息公开工作年度报告``, ``XX局2020年度…``,
``2022年XX区政府信息公开工作年度报告``, with ``（图片版）`` appended or a site name behind
``_``; the agency is the part before the year (or, when the year leads, before 政府信息公开).
"""

from __future__ import annotations

import re

from parsers.document import Document
from parsers.normalize import plain

_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_YEAR = r"((?:19|20)\d{2}|[〇零○一二][〇零○一二三四五六七八九]{3})"
_TITLE_WORDS = ("年度报告", "年报", "工作报告", "年度工作报告")
_SITE_SPLIT = re.compile(r"\s*(?:_|\||｜|——|--| - )\s*")
_SUFFIX = re.compile(r"[(（【\[][^()（）【】\[\]]{0,8}版[)）】\]]$")
_AGENCY_BEFORE_YEAR = re.compile(r"^(?:关于)?(?P<agency>.+?)\s*" + _YEAR + r"\s*年")
_AGENCY_AFTER_YEAR = re.compile(r"^" + _YEAR + r"\s*年度?\s*(?P<agency>.+?)\s*(?:政府)?信息公开")
_PERIOD = re.compile(r"统计期限[^0-9〇零一二]{0,6}" + _YEAR + r"\s*年")
_ANY_YEAR = re.compile(_YEAR + r"\s*年度?")


def _year(text: str) -> int | None:
    y = int(text.translate(_CN_DIGITS))
    return y if 1990 <= y <= 2100 else None


def find_title(doc: Document) -> str | None:
    """The report's title: the first candidate that reads like an annual report's title."""
    candidates = list(doc.titles)
    candidates += [line.cells[0] for line in doc.lines[:40] if len(line.cells) == 1]
    for cand in candidates:
        for part in _SITE_SPLIT.split(cand.strip()):
            p = plain(part)
            if any(w in p for w in _TITLE_WORDS) and "政府信息公开" in p and len(p) <= 80:
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
