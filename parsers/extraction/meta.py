"""Report metadata from the page: title, agency, year.

Titles come as ``XX市人民政府2021年政府信息公开工作年度报告``, ``XX局2020年度…``,
``2022年XX区政府信息公开工作年度报告``, with ``（图片版）`` appended or a site name behind
``_``; the agency is the part before the year (or, when the year leads, before 政府信息公开).
The year comes from the title, or, on pages without one, from the body's clues
(``report_year``), each named in a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao.parsers.document import Document
from nianbao.parsers.normalize import label_key, numbered, plain

# Years in Chinese numerals, with the zero also typed as ○, O or 0 (二O二一年, 二0二二年).
_CN_DIGITS = str.maketrans("〇零○O0一二三四五六七八九", "00000123456789")
_YEAR = r"((?:19|20)\d{2}|[〇零○O一二][〇零○O0一二三四五六七八九]{3})"
_TITLE_WORDS = ("报告", "年报")
_NOT_REPORT = ("通知", "图解", "一图读懂", "网站工作年度报表", "关于做好", "编制",
               "首页", "当前位置", "当前页面", ">", "＞")  # the last: a breadcrumb
SITE_SPLIT = re.compile(r"\s*(?:_|\||｜|——|--| - )\s*")
_SUFFIX = re.compile(r"[(（【\[][^()（）【】\[\]]{0,8}版[)）】\]]$")
_AGENCY_BEFORE_YEAR = re.compile(r"^(?:关于)?(?P<agency>.+?)\s*(?:关于)?\s*" + _YEAR + r"\s*年")
# ``X办公厅2022政府信息公开…``: a year without 年; ``X局政府信息公开工作2024年度报告``: the
# year after the words.
_AGENCY_BARE_YEAR = re.compile(r"^(?:关于)?(?P<agency>.+?)\s*" + _YEAR + r"\s*(?:政府)?信息公开")
_AGENCY_WORDS_YEAR = re.compile(r"^(?P<agency>[^0-9〇零○\s:：>＞/|,，。;；()（）]+?)(?:政府)?"
                                r"信息公开(?:工作)?\s*" + _YEAR + r"\s*年")
_AGENCY_AFTER_YEAR = re.compile(r"^" + _YEAR + r"\s*年度?\s*(?P<agency>.+?)\s*(?:政府)?信息公开")
_ANY_YEAR = re.compile(r"(?<![0-9])" + _YEAR + r"\s*年度?")
# ``XX局政府信息公开工作年度报告（2023年度）``: the year in parentheses at the end.
_AGENCY_YEAR_LAST = re.compile(r"^(?P<agency>.+?)\s*(?:政府)?信息公开.*[(（]\s*" + _YEAR
                               + r"\s*年度?\s*[)）]$")
_YEAR_LAST = re.compile(r"\s*[(（]\s*" + _YEAR + r"\s*年度?\s*[)）]$")
# ``XX镇政府信息公开工作年度报告``: a title without a year (the body states it).
_AGENCY_NO_YEAR = re.compile(r"^(?P<agency>[^0-9〇零○\s:：>＞/|,，。;；()（）]+?)(?:政府)?信息公开")
# What is left of a title that names no agency (``2022年政府信息公开工作年度报告``).
_NO_AGENCY = frozenset({"政府", "人民政府", "本级政府", "本机关", "本单位"})


def _year(text: str) -> int | None:
    y = int(text.translate(_CN_DIGITS))
    return y if 1990 <= y <= 2100 else None


def is_report_title(title: str) -> bool:
    """An annual report's title, not a notice about the reporting work or a graphic of it."""
    p = _YEAR_LAST.sub("", _SUFFIX.sub("", plain(title)).strip())
    return (len(p) <= 80 and "信息公开" in p and p.endswith(_TITLE_WORDS)
            and not any(w in p for w in _NOT_REPORT) and not _CATEGORY_FIELD.match(p)
            and not _METADATA_FIELD.search(p))


# A page's metadata field naming the column (``组配分类 政府信息公开年报``), not the title; nor
# a line of the page's metadata fields (``发布机构: 市应急局 组配分类: 政府信息公开年报``).
_CATEGORY_FIELD = re.compile(r"^\S{0,6}(?:分类|栏目|类别|主题|类型|目录)[\s:：]*\S{0,8}信息公开")
_METADATA_FIELD = re.compile(r"(?:发布机构|组配分类|主题分类|索引号|信息来源|来源|发布日期|发文日期"
                             r"|成文日期|文件编号|文号|公开方式|发布时间)\s*[:：]")


def find_title(doc: Document) -> str | None:
    """The report's title: the first candidate that reads like an annual report's title
    (once stripped of a metadata label, a file name's suffix, or the body flattened behind
    it); else the report the opening sentence names (``现公布X2023年…年度报告。``); else a
    line that reads as some other document's title (a notice's); else None. A sentence, a
    heading, a metadata cell or page chrome is never the title."""
    candidates = list(doc.titles)
    candidates += [c for line in doc.lines[:40] if not line.boundary for c in line.cells][:40]
    bare = None  # a title naming neither its year nor its agency (a column's name, 政府信息公开年报)
    for n, cand in enumerate(candidates):
        if bare is not None and n > bare[0] + _BARE_AHEAD:
            break
        for part in SITE_SPLIT.split(cand.strip()):
            part = _unlabelled(part)
            if is_report_title(part):
                title = _joined_title(candidates, n, part)
                if _ANY_YEAR.search(title) or agency_of(title) is not None:
                    return title
                if bare is None:
                    bare = (n, title)
        joined = _split_title(candidates, n)
        if joined:
            return joined
        if len(cand) > 30 and (m := _FLATTENED.match(cand)) and is_report_title(m.group(1)):
            return m.group(1)
    if bare is not None:  # no fuller title on the lines after it
        return bare[1]
    if (labelled := _labelled_title(doc)) is not None:
        return labelled
    other = next((t for t in map(_document_title, candidates) if t), None)
    return other or named_title(doc)


_BARE_AHEAD = 4  # candidates after a bare title searched for one naming its year or agency


# A metadata label before the title (``标题:``, ``标  题: ``, ``名称 ``) and a file name's
# suffix after it (``….docx``): not part of the title.
_TITLE_LABEL = re.compile(r"^\s*(?:标\s*题|標\s*題|名\s*称|名\s*稱)\s*[:：|｜]?\s*")
_FILE_SUFFIX = re.compile(r"\s*\.(?:docx?|pdf|wps)$", re.IGNORECASE)
# A whole page on one line: the title, a space, then the body (``X2019年 政府信息公开工作
# 年度报告 一、总体情况 2019年,…``).
_FLATTENED = re.compile(r"^\s*([^\s。,，;；:：]{2,40}?\s?" + _YEAR
                        + r"\s?年度?\s?[^\s。,，;；:：]{0,30}?(?:年度报告|工作报告|年度報告|工作報告))\s+\S")


def _unlabelled(part: str) -> str:
    """The candidate without a metadata label before it (a bullet before that: ``• 标 题:``),
    a file suffix after it, or a page widget's word after it (``… 二维码``)."""
    part = part.strip()
    if part[:1] in _BULLETS:
        part = part.lstrip(_BULLETS + " \u3000")
    if part[:1] in "标標名":
        part = _TITLE_LABEL.sub("", part)
    if part.endswith(_WIDGET_ENDS):
        part = _WIDGET.sub("", part)
    return _FILE_SUFFIX.sub("", part) if "." in part else part


_BULLETS = "•·●◆■▪◇○◎★☆"
_WIDGET_ENDS = ("二维码", "扫一扫", "打印本页", "打印", "分享", "收藏", "关闭窗口")
_WIDGET = re.compile(r"\s+(?:" + "|".join(_WIDGET_ENDS) + ")$")


def _labelled_title(doc: Document) -> str | None:
    """The cell after a ``标题`` cell in the page's metadata table (``标题 | X…报告 | |``)."""
    for line in doc.lines[:20]:
        cells = line.cells
        for i, cell in enumerate(cells[:-1]):
            if _TITLE_LABEL.fullmatch(cell):  # (the label alone: 标  题 | …)
                value = _unlabelled(cells[i + 1])
                if is_report_title(value):
                    return value
    return None


# Lines that are not a document's title though short: numbered headings (一、总体情况,
# （一）…, 1.…: normalize.numbered), metadata fields and dates (发布时间:…), file names
# (2020年报_审计局).
_FILE_NAME = re.compile(r"年报_|\.(?:docx?|pdf|wps)\s*$|^\s*Page\s*[0-9]", re.IGNORECASE)
_NOT_A_TITLE = (":", "：", ">", "＞")  # a metadata field, a breadcrumb
_DOCUMENT_KINDS = ("通知", "意见", "办法", "指南", "方案", "要点", "总结", "规定", "决定", "公告",
                   "通告", "函", "格式", "模板", "范文", "目录")


def _document_title(cand: str) -> str | None:
    """A candidate that reads as the title of some document that is not an annual report (a
    notice about the reports, a guide), to name what the page is: short, no sentence, not a
    heading nor a metadata field, and naming a report of a year or a kind of document."""
    cand = cand.strip()
    if not cand or _FILE_NAME.search(cand):
        return None
    for part in SITE_SPLIT.split(cand):
        if (_reads_as_title(part) and len(part) <= 60 and not numbered(part)
                and not any(m in part for m in _NOT_A_TITLE)
                and not part.startswith(("本", "根据", "依据"))
                and ((_ANY_YEAR.search(part) and any(w in part for w in ("报告", "年报", "報告")))
                     or part.endswith(_DOCUMENT_KINDS))):
            return part
    return None


# --- The report named in the opening sentence ---------------------------------------------
# ``…规定,现公布X2023年政府信息公开工作年度报告。``, ``特编制…``, ``向社会公布《…》``,
# ``现向社会公开《…》``, ``现将X…工作报告如下``, ``现发布《…》,``, and the name opening the
# paragraph (``X…年度报告(以下简称年报)是根据…``).
_NAME = (r"(?P<name>[^《》<>〈〉\s。，,;；:：、“”\"]{0,40}?" + _YEAR + r"\s*年度?[^《》<>〈〉。，,;；:：\s]{0,30}?"
         r"(?:信息公开|信息公開)[^《》<>〈〉。，,;；:：\s]{0,8}?(?:报告|報告))")
_NAMED_BY_VERB = re.compile(r"(?:公布|发布|编制|公佈|發佈|編製|(?:向社会|现予?|現予?|向社會)公[开開]"
                            r"|现将|現將)(?:了)?\s*《?\s*" + _NAME + r"\s*》?")
_NAMED_FIRST = re.compile(r"^\s*《?" + _NAME + r"》?\s*(?:[(（]以下简称[^)）]{0,10}[)）])?\s*是?\s*"
                          r"(?:根据|依据|依照|按照)")
_NAMED_CELLS = 8


def _opening_cells(doc: Document) -> Iterator[str]:
    """The text cells before the first section heading (一、总体情况): where a preface names
    the report. A report named after it (a notice quoted in the body) is not the title."""
    seen = 0
    for line in doc.lines[:40]:
        if line.boundary:
            continue
        for cell in line.cells:
            if not cell:
                continue
            if numbered(cell) or seen >= _NAMED_CELLS:
                return
            seen += 1
            yield cell


def _named_reports(doc: Document) -> Iterator[str]:
    """The reports the opening names, as they are named (without 《》)."""
    for cell in _opening_cells(doc):
        if "报告" not in cell and "報告" not in cell:
            continue
        if m := _NAMED_FIRST.match(cell):
            yield m.group("name")
        for m in _NAMED_BY_VERB.finditer(cell):
            yield m.group("name")


def named_title(doc: Document) -> str | None:
    """The report the opening sentence names, when it names its agency too (``现公布我旗…``
    or ``编制2020年…报告`` name none: not a title)."""
    for name in _named_reports(doc):
        if is_report_title(name) and "关于" not in name and (
                agency := agency_of(name)) is not None and not agency.startswith(("我", "各", "完成")):
            return name
    return None


# Words of a preface speaking of the report it opens: 本年度报告…, 现将…报告如下, 报告由…组成.
_THIS_REPORT = ("本年度报告", "本报告", "本年报", "本年度報告", "本報告", "报告如下", "报告由",
                "報告如下", "報告由")
_ACTIVE_FIRST = re.compile(r"^\s*[(（]\s*一\s*[)）]\s*(?:政府信息)?主动公开(?:政府信息)?情况")
_OVERVIEW = re.compile(r"^\s*一\s*[、.．]\s*(?:总体情况|總體情況|工作基本情况|基本情况|(?:工作)?概述"
                       r"|工作概况)")


def opens_as_report(doc: Document) -> bool:
    """The opening of a report whose title is not on the page (and whose tables may be cut
    off from it): it names the report it is (``现公布X2023年…年度报告``, even ``我旗…``); or
    it begins where the template's first section does (一、总体情况, （一）主动公开情况); or
    it speaks of 本年度报告 with a 统计期限 over one year or with an 一、总体情况 heading. A
    notice about the reports, or a guide, has a title of its own and never reaches this; a
    blank template states no year in its 统计期限 (自  年1月1日起)."""
    if any(is_report_title(name) for name in _named_reports(doc)):
        return True
    cells: list[str] = []
    for line in doc.lines[:40]:
        if not line.boundary:
            cells.extend(c for c in line.cells if c)
        if len(cells) >= _NAMED_CELLS + 4:
            break
    if any(named_report_year(c) is not None for c in _opening_cells(doc)):
        return True  # 现将2020年政府信息公开工作报告如下, 公开我局2020年度…年度报告
    heading = next((c for c in cells[:_NAMED_CELLS] if numbered(c)), None)
    if heading is not None and (_OVERVIEW.match(heading) or _ACTIVE_FIRST.match(heading)):
        return True  # the body's first section is the template's (an opening paragraph aside)
    if not any(w in c for c in cells for w in _THIS_REPORT):
        return False
    return any(period_year(c) is not None for c in cells) or any(map(_OVERVIEW.match, cells))


AGENCY_LINE = re.compile(r"^[^\s，,。：:；;（）()《》“”0-9]{2,30}"
                          r"(?:政府|局|委员会|委|办公室|办|街道|办事处|镇|乡|院|中心|署|厅|部|馆)$")


def _split_title(candidates: list[str], n: int) -> str | None:
    """A title broken over two lines inside a word (``XX街道办事处2023年度政府`` /
    ``信息公开工作年度报告``): the two lines read together as a report title."""
    if n + 1 >= len(candidates):
        return None
    first, second = candidates[n].strip(), candidates[n + 1].strip()
    if not first or not second or len(first) > 60:
        return None
    # a first line naming 信息公开 is joined only when it breaks inside the last words
    # (``…政府信息公开工作`` / ``年度报告``): a title whole on one line is not joined to the next
    if ("信息公开" in first or "信息公開" in first) and not (
            _OPEN_END.search(first) and _REPORT_START.match(second)):
        return None
    # a second line that is a whole title, or a first line holding a date (a site header's
    # ``2019年12月3日星期二``, a notice's signature date), is no broken title
    if _A_DATE.search(first) or (is_report_title(second) and _ANY_YEAR.search(second)):
        return None
    both = first + second
    return both if is_report_title(both) and (_ANY_YEAR.search(first)
                                              or _ANY_YEAR.match(second)) else None


_A_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")


_OPEN_END = re.compile(r"信息公[开開](?:工作)?$")
_REPORT_START = re.compile(r"^(?:工作)?(?:(?:19|20)\d{2}年度?)?(?:年度)?(?:报告|報告)$")


def _joined_title(candidates: list[str], n: int, title: str) -> str:
    """``XX镇人民政府`` / ``2022年政府信息公开工作年度报告``: a title that names no agency,
    with the agency alone on the line before it."""
    if n == 0 or agency_of(title) is not None:
        return title
    prev = candidates[n - 1].strip()
    if AGENCY_LINE.match(prev) and _ANY_YEAR.match(title):
        return prev + title
    return title


# Not part of an agency's name: a bare year before it (``2025湖口县…``, a page's stray date) and
# the template's placeholder after it (``青龙镇政府（机关）``).
_AGENCY_NOISE = re.compile(r"^\s*(?:19|20)\d{2}(?![0-9年])\s*|\s*[(（](?:本?机关|单位)[)）]\s*$")


def agency_of(title: str) -> str | None:
    text = _SUFFIX.sub("", plain(title)).strip()
    rules = (_AGENCY_BEFORE_YEAR, _AGENCY_AFTER_YEAR, _AGENCY_YEAR_LAST, _AGENCY_BARE_YEAR,
             _AGENCY_WORDS_YEAR)
    if not _ANY_YEAR.search(text):
        rules += (_AGENCY_NO_YEAR,)
    for rule in rules:
        m = rule.match(text)
        agency = _AGENCY_NOISE.sub("", m.group("agency")).strip(" ，,：:(（") if m else ""
        # never the bare word 政府 of a title that names no agency, nor the whole title
        # before a year in parentheses at its end (``…年度报告（2023年度）``)
        if (agency and agency not in _NO_AGENCY and "信息公开" not in agency
                and not agency.startswith("本")):
            # ``2022年度XX区人民政府信息公开…``: the optional 政府 took the agency's end
            return agency + "政府" if agency.endswith("人民") else agency
    return None


# --- The report year -------------------------------------------------------------------------
# Pages without a title state the year in the body: a 统计期限 sentence, a 截至…12月31日 date,
# the report named in the preface, the opening paragraphs, or (last) a publish date early in
# the following year. Every rule reads ``plain`` text (NFKC: full-width digits and colons are
# ASCII, traditional characters simplified) and is a pure function, tested one by one.

_Y = _YEAR  # one capturing group
# Every rule reads the same few opening lines: normalise each once (opencc is the cost).
_plain = lru_cache(maxsize=2048)(plain)
_NOT_DIGIT = r"(?<![0-9])"
_START = r"\s*年\s*(?:0?1|一)\s*月(?:\s*(?:0?1|一)\s*日)?"
_END = r"(?:12|十二)\s*月(?:\s*(?:31|三十一)\s*日|底|末)?"
_RANGE = re.compile(_NOT_DIGIT + _Y + _START + r"\s*(?:起|开始)?\s*[,、]?\s*(?:至|到|止|—+|-+|~|－|–)\s*"
                    r"(?:" + _Y + r"\s*年\s*)?" + _END)
# The same period with 年 and 月 lost in a PDF's text layer: 202211日至20221231日.
_RANGE_LOST = re.compile(r"(?<![0-9])((?:19|20)\d{2})0?10?1日\s*(?:起)?\s*(?:至|到|—+|-+|~|–)\s*"
                         r"((?:19|20)\d{2})?1231日")
# Numeric dates: 2021.1.1-2021.12.31, 2021/01/01至2021/12/31, 2021-01-01～12-31.
_RANGE_NUMERIC = re.compile(r"(?<![0-9])((?:19|20)\d{2})(?P<sep>[./-])0?1(?P=sep)0?1(?![0-9])"
                            r"\s*(?:起)?\s*(?:至|到|—+|-+|~|–)\s*"
                            r"(?:((?:19|20)\d{2})[./-])?12[./-]31(?![0-9])")
_PERIOD_LABEL = re.compile(r"统计(?:期限|时限|期间|时间|区间|范围|时段)[^0-9〇零○一二。]{0,8}?"
                           + _Y + r"\s*年\s*(?:度|全年)")
_CUTOFF = re.compile(r"截(?:至|止)(?:到|于)?\s*" + _Y
                     + r"\s*年\s*(?:(?:12|十二)\s*月(?:\s*(?:31|三十一)\s*日|(?![0-9]))|底|末)")
_NAMED = re.compile(_NOT_DIGIT + _Y + r"\s*年度?(?:的)?[^\s,。;:!?《》]{0,12}?(?:政府|政务)?信息"
                    r"公开(?:工作)?(?:年度)?(?:报告|年报)")
_THIS_YEAR_PAREN = re.compile(r"本年度?\s*[(（]\s*" + _Y + r"\s*年度?\s*[)）]")
# Years framing a sentence about the year reported on: 2020年，… / 2022年以来 / 2021年全年.
_FRAMING = re.compile(_NOT_DIGIT + _Y + r"\s*年(?:度)?\s*(?:以来|全年|上半年|下半年)?\s*(?=[,、]|我|本|全|共)")
_FRAMING_STRONG = re.compile(_NOT_DIGIT + _Y + r"\s*年(?:度|以来|全年)")
# A year opening a sentence frames it (2021年阿城区…严格按照…), numbering or 在/于 aside.
_FRAMING_START = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十0-9]{1,3}[)）、.]\s*)?(?:在|于)?"
                            + _NOT_DIGIT + _Y + r"\s*年(?!\s*[0-9一二三四五六七八九十]{1,2}\s*月)")
# Dates that are never the report year: titles of documents, document numbers, regulations
# revised or taking effect, addresses, phones, URLs, IDs such as 索引号 11111111/2022-00012.
# URLs, e-mail addresses and IDs are runs of ASCII, each matched from its first character
# only: Chinese text has no spaces, and a run matched from anywhere (\S+@) blanked a whole
# paragraph before an address, and took time quadratic in the paragraph's length.
_NOISE = re.compile(
    r"《[^《》]{0,80}》|〈[^〈〉]{0,80}〉|<[^<>]{0,80}>|[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]"
    r"|https?://[!-~]+|www\.[!-~]+|(?<![0-9A-Za-z._%+\-])[0-9A-Za-z._%+\-]+@[!-~]+"
    r"|(?<![0-9A-Za-z])[0-9A-Za-z]+(?:[-/_.][0-9A-Za-z]+)+"
    r"|" + _Y + r"\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?\s*(?:新)?(?:修订|修正|施行|颁布|公布|"
    r"印发|实施|起施行|起实施|出台|发布)")
_REVISED = re.compile(r"\s*(?:\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?\s*(?:新)?(?:修订|修正|施行|颁布|实施)")
# Words of a sentence that looks ahead (its year is the next one's); a 目标 of the year's own
# work (年度目标任务, 目标考核) is no plan.
_FORWARD = re.compile(r"下一步|明年|计划|将继续|将进一步|打算|展望|要点|(?<!年度)目标(?!任务|考核|责任)")
_SENTENCE = re.compile(r"[。;!?\n]")
_DATE = (r"((?:19|20)\d{2})\s*[-/.年]\s*(0?[1-9]|1[0-2]|[一二三四五六七八九十]{1,2})\s*[-/.月]"
         r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})")
_PUBLISHED = re.compile(r"(?:(?:发布|公开|生成|成文|发文|印发|更新)(?:时间|日期)|(?<![\u4e00-\u9fff])"
                        r"(?:时间|日期))\s*[:]?\s*" + _DATE)
_SIGNED = re.compile(r"^\s*" + _DATE + r"\s*日?\s*$")
_META_DATE = re.compile(r"^\s*" + _DATE + r"(?![0-9])")
_CN_SIGNED = re.compile(r"^\s*([〇零○一二][〇零○一二三四五六七八九]{3})\s*年\s*([一二三四五六七八九十]{1,2})"
                        r"\s*月\s*[一二三四五六七八九十]{1,3}\s*日\s*$")
_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10, "十一": 11, "十二": 12}
_REPORT_WORDS = ("报告", "年报")
_TABLES_GATE = ("主动公开", "主動公開", "第二十条", "第二十條")
_OPENING_LINES = 200
_OPENING_CHARS = 12000
_OPENING_PROSE_CHARS = 3000
_NO_YEAR = ("no report year stated: no year in the title, no 统计期限 or 截至…12月31日 date, "
            "no year in the opening paragraphs, no publish date early in the following year")


@dataclass(slots=True)
class YearFinding:
    """The report year and the warnings saying how it was found (none when the title says it)."""

    year: int | None
    clue: str | None = None
    warnings: list[str] = field(default_factory=list)


def _month(text: str) -> int | None:
    m = _CN_MONTH.get(text) if not text.isdigit() else int(text)
    return m if m and 1 <= m <= 12 else None


def clean_for_year(text: str) -> str:
    """``plain`` text with the dates that are not the report year blanked out."""
    return _NOISE.sub(" ", _plain(text))


def title_year(title: str) -> int | None:
    """The year a title names (``2021年``, ``二〇二一年度``, ``２０２１年``), or None."""
    text = _plain(title)
    for m in _ANY_YEAR.finditer(text):
        if _REVISED.match(text, m.end()):
            continue
        if (year := _year(m.group(1))) is not None:
            return year
    return None


def period_year(text: str) -> int | None:
    """The year of a 1 January–31 December period (统计期限 自2021年1月1日起至2021年12月31日止,
    2021年1月1日至12月31日, 从…到…) or of ``统计期限为2021年度``; None for a period over years."""
    p = _plain(text)
    for m in _RANGE.finditer(p):
        start, end = _year(m.group(1)), m.group(2) and _year(m.group(2))
        if start is not None and (end is None or end == start):
            return start
    for m in _RANGE_LOST.finditer(p):
        if m.group(2) is None or m.group(2) == m.group(1):
            return _year(m.group(1))
    for m in _RANGE_NUMERIC.finditer(p):
        if m.group(3) is None or m.group(3) == m.group(1):
            return _year(m.group(1))
    m = _PERIOD_LABEL.search(p)
    return _year(m.group(1)) if m else None


def cutoff_year(text: str) -> int | None:
    """The year of ``截至2023年12月31日`` / ``截止到2023年底``: the last day of the year reported.
    Not a deadline (``截至2024年底前完成``) nor a forward-looking sentence (下一步, 计划 …)."""
    for sentence in _SENTENCE.split(_plain(text)):
        if _FORWARD.search(sentence):
            continue
        for m in _CUTOFF.finditer(sentence):
            if not sentence[m.end():].lstrip().startswith("前"):
                return _year(m.group(1))
    return None


def named_report_year(text: str) -> int | None:
    """The year of the report the text names (``现将我局2021年度政府信息公开工作报告如下``),
    outside 《》 (a notice about another year's report is quoted in 《》)."""
    text = clean_for_year(text)
    m = _NAMED.search(text) or _NAMED_WORK.search(text)
    return _year(m.group(1)) if m else None


# ``汇报我镇2023年政府信息公开工作``: the work being reported on, named without 报告 after it
# (never a plan: 工作要点, 工作方案, 工作计划).
_NAMED_WORK = re.compile(r"汇报[^\s,，。;；《》]{0,6}?" + _NOT_DIGIT + _Y
                         + r"\s*年度?(?:的)?(?:政府|政务)?信息公开工作(?!要点|方案|计划|安排)")


def opening_year(paragraphs: list[str]) -> int | None:
    """The year the opening paragraphs are framed by (``2020年，我局…``, ``2022年以来``,
    ``本年度（2021年）``), when one year clearly dominates (twice as often as any other);
    forward-looking sentences (下一步, 计划, 明年 …) and non-report dates do not count."""
    counts: dict[int, int] = {}
    for para in paragraphs:
        text = clean_for_year(para)
        m = _THIS_YEAR_PAREN.search(_plain(para))
        if m and (year := _year(m.group(1))) is not None:
            return year
        for sentence in _SENTENCE.split(text):
            # Headlines in the page chrome (2023年全市经济运行情况) name years too: only a
            # sentence of some length, or with a clause, counts; and none looking ahead.
            if (len(sentence) < 30 and "," not in sentence) or _FORWARD.search(sentence):
                continue
            seen = {m.start(): m.group(1) for m in _FRAMING.finditer(sentence)}
            seen.update({m.start(): m.group(1) for m in _FRAMING_STRONG.finditer(sentence)})
            if (m := _FRAMING_START.match(sentence)) is not None:
                seen[m.start(1)] = m.group(1)
            for raw in seen.values():
                if (year := _year(raw)) is not None:
                    counts[year] = counts.get(year, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    return ranked[0][0]


def published_date(text: str) -> tuple[int, int] | None:
    """(year, month) of a publish date: ``发布时间：2022-01-24``, ``发布日期：2022年01月24日``,
    a meta value such as ``2022-01-24 10:30`` or ``2022-01-24-10:30:00``, or a signature date
    line (``2022年1月20日``, ``二〇二二年一月二十日``)."""
    p = _plain(text)
    m = _PUBLISHED.search(p) or _META_DATE.match(p)
    if m:
        month = _month(m.group(2))
        return (int(m.group(1)), month) if month else None
    return signature_date(p)


def signature_date(text: str) -> tuple[int, int] | None:
    """(year, month) of a cell that is only a date, as a report's closing signature is
    (``2022年1月20日``, ``二〇二二年一月二十日``)."""
    p = _plain(text)
    m = _SIGNED.match(p)
    if m and (month := _month(m.group(2))):
        return (int(m.group(1)), month)
    m = _CN_SIGNED.match(p)
    if m and (year := _year(m.group(1))) is not None and (month := _month(m.group(2))):
        return (year, month)
    return None


def year_from_published(date: tuple[int, int] | None) -> int | None:
    """Reports appear early in the following year: a January–March date gives the year before."""
    if date is None or not 1 <= date[1] <= 3:
        return None
    return date[0] - 1


def _opening(doc: Document) -> tuple[list[str], int]:
    """The joined cells of the lines before the tables (directory block, byline, preface,
    总体情况) and the index of the first line after them. Bounded, so a long document costs
    no more than a short one."""
    out: list[str] = []
    size = 0
    end = 0
    for end, line in enumerate(doc.lines[:_OPENING_LINES]):
        cells = line.cells
        text = cells[0] if len(cells) == 1 else " ".join(c for c in cells if c)
        if not text:
            continue
        if len(text) < 40 and any(w in text for w in _TABLES_GATE):
            # (label_key would strip 第二十 as numbering: compare the plain text for that one)
            if label_key(text).startswith("主动公开") or _plain(text).startswith("第二十条"):
                return out, end
        out.append(text)
        size += len(text)
        if size > _OPENING_CHARS:
            break
    return out, end + 1


def _first(texts: Iterable[str], rule: Callable[[str], int | None],
           gate: tuple[str, ...]) -> int | None:
    for text in texts:
        if any(g in text for g in gate) and (year := rule(text)) is not None:
            return year
    return None


_PERIOD_GATE = ("月", "统计", "統計")
_PERIOD_LABEL_GATE = ("统计", "統計")


def _reads_as_title(text: str) -> bool:
    """Short and without sentence punctuation: not a paragraph that happens to come first."""
    return 0 < len(text) <= 80 and not any(p in text for p in _SENTENCE_MARKS)


def _reads_as_report_title(text: str) -> bool:
    """A title naming a report (报告, 年报), not a sentence that happens to be the first line
    (``…编制本报告。本报告中所列数据…``)."""
    return _reads_as_title(text) and any(w in text for w in _REPORT_WORDS)


_SENTENCE_MARKS = ("。", ",", ";", "!", "?")


def _labelled_cells(doc: Document) -> Iterator[str]:
    """Text cells (not table rows) of the first lines that speak of a 统计期限: checking a
    title's year costs two substring tests per text line, no regex, when the page has none."""
    for line in doc.lines[:_OPENING_LINES]:
        if not line.boundary:
            for c in line.cells:
                if "统计" in c or "統計" in c:
                    yield c
_CUTOFF_GATE = ("截",)


def report_year(title: str | None, doc: Document) -> YearFinding:
    """The year the report covers, trusting in order: a report title; the 统计期限 period; a
    截至…12月31日 date; another title candidate of the page; the report named in the preface;
    the opening paragraphs; a title that does not read as a report title; a 统计期限 or 截至
    date after the opening; 本年 with a publish date in January–March of the following year.
    Each clue but a report title's is named in a warning; a title contradicted by the
    统计期限 is kept with a warning; nothing found is None with a warning."""
    plain_title = _plain(title) if title else ""
    if _reads_as_report_title(plain_title) and (year := title_year(plain_title)) is not None:
        finding = YearFinding(year, "title")
        period = _first(_labelled_cells(doc), period_year, _PERIOD_LABEL_GATE)
        if period is not None and period != year:
            finding.warnings.append(f"the title says {year} but the 统计期限 (reporting period) "
                                    f"says {period}; kept the title's year")
        return finding
    opening, stop = _opening(doc)
    prose = [t for t in opening if t.strip() != (title or "")]
    paragraphs = [_prose_text(prose)]
    cache: list[str] = []

    def joined() -> str:
        """The opening as one text: a PDF's text layer breaks sentences (and titles, and
        《…》 quotes) over lines."""
        if not cache:
            cache.append("".join(opening))
        return cache[0]

    rules = (
        ("the 统计期限 (reporting period)",
         lambda: _first(opening, period_year, _PERIOD_GATE) or period_year(joined())),
        ("a 截至…12月31日 date",
         lambda: _first(opening, cutoff_year, _CUTOFF_GATE) or cutoff_year(joined())),
        ("another title of the page", lambda: _other_title_year(doc, plain_title)),
        ("the report named in the preface", lambda: named_report_year(joined())),
        ("the opening paragraphs", lambda: opening_year(paragraphs)),
        ("a title that does not read as a report title",
         lambda: title_year(plain_title) if _reads_as_title(plain_title) else None),
        ("the 统计期限 (reporting period) later in the report",
         lambda: _first(_later(doc, stop), period_year, _PERIOD_GATE)),
        ("a 截至…12月31日 date later in the report",
         lambda: _first(_later(doc, stop), cutoff_year, _CUTOFF_GATE)),
    )
    for clue, rule in rules:
        if (year := rule()) is not None:
            return YearFinding(year, clue, [f"report year {year} taken from {clue}: "
                                            "the title does not state it"])
    date = _publish_date(doc, opening)
    year = year_from_published(date)
    if year is not None and _mentions_this_year(doc):
        clue = "the publish date"
        return YearFinding(year, clue, [
            f"report year {year} taken from {clue} ({date[0]}-{date[1]:02d}) of a report on "
            "本年度: reports are published in January–March of the following year"])
    return YearFinding(None, None, [_NO_YEAR])


def _other_title_year(doc: Document, chosen: str) -> int | None:
    """The year of another title candidate naming a report (``<title>2021年度报告_示例市``
    beside an ``<h1>`` without the year)."""
    for cand in doc.titles:
        for part in SITE_SPLIT.split(cand.strip()):
            p = _plain(part)
            if p and p != chosen and _reads_as_report_title(p) and (
                    year := title_year(p)) is not None:
                return year
    return None


def _prose_text(lines: list[str]) -> str:
    """The first paragraphs as one text (at most ``_OPENING_PROSE_CHARS``): a line ending a
    sentence, or as short as a heading, ends one; other lines were broken by the layout and
    are joined to the next."""
    parts: list[str] = []
    size = 0
    for text in lines:
        text = text.strip()
        parts.append(text)
        parts.append("\n" if len(text) <= 20 or text.endswith(_SENTENCE_ENDS) else "")
        size += len(text)
        if size > _OPENING_PROSE_CHARS:
            break
    return "".join(parts)


_SENTENCE_ENDS = ("。", "；", ";", "：", ":", "！", "？", "!", "?")


def _later(doc: Document, start: int) -> list[str]:
    """Cells after the opening, for the rare page that states its period only at the end;
    read only when the title and the opening say nothing."""
    return [c for line in doc.lines[start:] for c in line.cells if c]


def _publish_date(doc: Document, opening: list[str]) -> tuple[int, int] | None:
    published = getattr(doc, "published", None)
    if published and (date := published_date(published)) is not None:
        return date
    for text in opening:
        if ("时间" in text or "日期" in text or "時間" in text) and (
                date := _labelled_date(text)) is not None:
            return date
    for line in doc.lines[-8:]:
        for cell in line.cells:
            if cell and len(cell) <= 24 and (date := signature_date(cell)) is not None:
                return date
    return None


def _labelled_date(text: str) -> tuple[int, int] | None:
    m = _PUBLISHED.search(_plain(text))
    if m and (month := _month(m.group(2))):
        return (int(m.group(1)), month)
    return None


def _mentions_this_year(doc: Document) -> bool:
    """The document speaks of 本年 (本年度, 本年新制作数量 …): it reports on one year."""
    return any("本年" in c for line in doc.lines for c in line.cells)


def year_of(title: str | None, doc: Document) -> int | None:
    """The report year alone (see ``report_year`` for the clue and warnings)."""
    return report_year(title, doc).year
