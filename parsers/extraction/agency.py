"""Who a report is from: its agency as a register entry (stable id, canonical name, region).

Reports print their agency every way: in full (陕西省安康市汉阴县人民政府), without the
province or prefecture (汉阴县人民政府), shortened (汉阴县政府办), under an older name
(…卫生和计划生育局, renamed …卫生健康局 in the 2018 reform), as a township without its
county (城关镇人民政府), or only as 我局. The name is read against the division table
(parsers/divisions.py): the place names at its start, then a township, then the unit (a
second name in parentheses at the end is dropped; a street office named under its district's
人民政府 is the street office; 区科技局 names its place by level only). What the
name leaves open (which 鼓楼区, which county's 城关镇, who 我局 is) may be decided by the
page's other names for its agency (signature, site name) or by the source entry, and only
when they point to exactly one division; otherwise it stays unresolved (with a warning where
several divisions bear the name, or 我局 is all there is). A guessed region is worse than none.

``region_code`` is as precise as what is known: ``61`` (a province), ``6109`` (a
prefecture) or ``610921`` (a county), never padded with zeros. The agency id is a hash of the
canonical identity (region code, township, unit), so it is the same in every export and year.
A name matching no division at all (a place the table does not know) keeps an id made from
the name itself, without a region.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from nianbao.parsers import divisions
from nianbao.parsers.divisions import COUNTY, PREFECTURE, PROVINCIAL, Division
from nianbao.parsers.document import Document
from nianbao.parsers.extraction.meta import AGENCY_LINE, SITE_SPLIT
from nianbao.parsers.normalize import plain

NATIONAL, TOWNSHIP = "national", "township"
LEVELS = (NATIONAL, PROVINCIAL, PREFECTURE, COUNTY, TOWNSHIP)
GOVERNMENT, OFFICE, DEPARTMENT, OTHER = "government", "government_office", "department", "other"
KINDS = (GOVERNMENT, OFFICE, DEPARTMENT, TOWNSHIP, OTHER)
ID_PREFIX = "a"


@dataclass(frozen=True, slots=True)
class Agency:
    """One register entry. Every field but ``printed`` is None when it is not known."""

    agency_id: str | None
    name: str | None  # canonical: the full place chain, the township, the unit
    region_code: str | None
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    township: str | None = None
    level: str | None = None
    kind: str | None = None
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    agency: Agency
    decided_by: str | None  # "title", "page", "contact", "site" or "source": where it was read
    warning: str | None = None
    named: str | None = None  # the name that was read (the title's, or the page's for 我局)


UNKNOWN = Agency(None, None, None)

# Units under their current, full names. Shortened forms, and the names of the offices
# renamed in the 2018-2019 institutional reform, map to the unit they are now.
_UNIT_ALIASES = {
    "政府": "人民政府", "本级": "人民政府", "": "人民政府",
    "政府办": "人民政府办公室", "政府办公室": "人民政府办公室", "府办": "人民政府办公室",
    "政府办公厅": "人民政府办公厅",
    "发改委": "发展和改革委员会", "发展改革委": "发展和改革委员会", "发改局": "发展和改革局",
    "国家发展改革委": "国家发展和改革委员会",
    "卫健委": "卫生健康委员会", "卫生计生委": "卫生健康委员会", "卫计委": "卫生健康委员会",
    "卫生和计划生育委员会": "卫生健康委员会",
    "卫健局": "卫生健康局", "卫计局": "卫生健康局", "卫生和计划生育局": "卫生健康局",
    "人社局": "人力资源和社会保障局", "住建局": "住房和城乡建设局",
    "环保局": "生态环境局", "环境保护局": "生态环境局",
    "国土局": "自然资源局", "国土资源局": "自然资源局",
    "市监局": "市场监督管理局", "市场监管局": "市场监督管理局",
    "农业局": "农业农村局", "安监局": "应急管理局", "安全生产监督管理局": "应急管理局",
    "交通局": "交通运输局", "医保局": "医疗保障局", "退役军人局": "退役军人事务局",
    "文旅局": "文化和旅游局", "教体局": "教育和体育局",
}
_OFFICE = re.compile(r"^(?:人民)?政府办(?:公室|公厅)?$")
_SELF = re.compile(r"^(?:我|本)(?:局|委|办|厅|部|署|中心|院|机关|单位|镇|乡|街道|区|县|市)$")
_NATIONAL = ("中华人民共和国", "国务院", "国家", "中国")
_MINISTRY = re.compile(r"^[\u4e00-\u9fff]{2,8}部$")  # 教育部: a ministry is never printed with a place
_DEPARTMENT_ENDS = ("局", "委员会", "委", "厅", "部", "署", "办公室", "室", "办", "中心", "院",
                    "所", "站", "队", "处", "馆", "会", "社")
_ZONE_KINDS = "开发|园|景|高新|保税|试验|示范|产业|工业|度假"  # …区 that is a zone, no division
_ZONE = re.compile(rf"(?:{_ZONE_KINDS})区|管委会|管理委员会")
# A township or street office, also under a zone named before it (重庆市万盛经济技术开发区
# 丛林镇人民政府: a township whatever precedes it; the zone stays in its name), or its office
# (吉村镇人民政府办公室, 党政办公室: the township's own, no register entry of its own).
_TOWNSHIP = re.compile(rf"^(?P<t>(?:[\u4e00-\u9fff]{{2,16}}?(?:{_ZONE_KINDS}|合作|经济|新)区)?"
                       r"[\u4e00-\u9fff]{1,10}?(?:街道|镇|乡|苏木))"
                       r"(?P<u>人民政府|政府|办事处|街道办事处|"
                       r"(?:人民政府|政府|办事处)?(?:党政(?:综合)?办公室|党政办|综合办公室|办公室)|)$")
# A zone with the division it lies in in parentheses (北京某某临空经济区(廊坊)管理委员会): the
# division in parentheses places it, not the place its name begins with.
_ZONE_IN = re.compile(r"区[(（](?P<p>[\u4e00-\u9fff]{2,8})[)）](?=[\u4e00-\u9fff])")
# A place name the table does not know (示例市, 样例县): where the name's own places end.
_PLACE_TOKEN = re.compile(r"(?!(?:" + _ZONE.pattern + r"|城市))[\u4e00-\u9fff]{1,6}?"
                          r"(?:省|自治区|自治州|地区|盟|市|自治县|县|旗|区)")
# Words shaped like a place that name none (经济技术开发区, 自治区, 新区): a name beginning
# with one is not placed, lest every city's 经济技术开发区经济发展局 share one id.
_NOT_PLACE = re.compile(r"^(?:国家级|省级|经济|技术|新技术|高新|高新技术|产业|工业|综合|保税|科技"
                        r"|现代|农业|旅游|度假|生态)*(?:开发区|园区|新区|高新区|保税区|试验区|示范区"
                        r"|产业区|工业区|度假区|景区|片区|社区|自治区|城区|市区|辖区|郊区)$")
_ZONE_END = re.compile(r"(?:" + _ZONE.pattern + r"|新区)$")
# A level word standing for the place (区科技局, 市政府研究室): only a context naming a
# division of that level can place it. Not 市场监督管理局's 市.
_LEVEL_WORD = re.compile(r"^(自治区|自治州|自治县|[省市区县旗盟州])(?!场)(?=.)")
_UNDER = re.compile(r"^(?:人民)?政府(?=[\u4e00-\u9fff])")
_TRAILING = re.compile(r"[(（][^()（）]*[)）]$|关于$")  # ``X人民政府(X人民政府办公厅)``, ``X关于``


@dataclass(frozen=True, slots=True)
class _Reading:
    finals: tuple[Division, ...]  # the division the name's places end at (several: ambiguous)
    unknown_place: str  # places after those that the table does not know
    township: str | None
    unit: str  # canonical
    national: bool
    branch: bool = False  # a national body's local office: the unit is the whole name
    ministry: bool = False  # national by its shape alone (教育部): unless a context is local
    level_word: str = ""  # 区 of 区科技局: the name's place, by its level only
    whole: bool = False  # a zone placed by its parentheses: the unit is the whole name


def _longest(text: str, inside: Division | None) -> tuple[int, tuple[Division | None, ...]]:
    """The most characters of ``text`` that read as a chain of divisions below ``inside``,
    and every division such a longest chain can end at."""
    best, finals = 0, {inside: None}
    for n, d in divisions.prefixes(text, inside):
        m, ends = _longest(text[n:], d)
        if n + m > best:
            best, finals = n + m, dict.fromkeys(ends)
        elif n + m == best:
            finals.update(dict.fromkeys(ends))
    return best, tuple(finals)


def _read(name: str) -> _Reading:
    name = _TRAILING.sub("", name) or name
    zone = _zone_in(name)
    if zone is not None:
        return zone
    consumed, finals = _longest(name, None)
    rest = name[consumed:]
    ends = tuple(d for d in finals if d is not None)
    ministry = not ends and not name.startswith(_NATIONAL) and _MINISTRY.match(name) is not None
    national = ministry or (not ends and name.startswith(_NATIONAL))
    if national:
        rest = rest.removeprefix("中华人民共和国")
        branch = _branch(rest)
        if branch is not None:
            return branch
    unknown_place = _unknown_place(rest) if not (national or ends) else ""
    rest = rest[len(unknown_place):]
    level = _LEVEL_WORD.match(rest) if not (national or ends or unknown_place) else None
    rest = rest[level.end():] if level else rest
    # 南京市鼓楼区人民政府华侨路街道办事处: a street office named under its district's government
    under = _UNDER.match(rest) if ends or unknown_place else None
    if under and _TOWNSHIP.match(rest[under.end():]):
        rest = rest[under.end():]
    township = None
    m = _TOWNSHIP.match(rest)
    if m and not national:
        township = m.group("t")
        return _Reading(ends, unknown_place, township, _township_unit(township), national)
    if rest.startswith("政府") and not rest.startswith("政府办"):
        rest = "人民" + rest  # 政府研究室 is 人民政府研究室
    if not rest and _ZONE_END.search(unknown_place):  # 太仓高新区: the zone, not its 人民政府
        return _Reading(ends, unknown_place, None, "", national)
    return _Reading(ends, unknown_place, None, _UNIT_ALIASES.get(rest, rest), national,
                    level_word=level.group(1) if level else "", ministry=ministry)


def _unknown_place(rest: str) -> str:
    """The places at the start of ``rest`` that the table does not know, up to the first word
    that only looks like one."""
    end = 0
    while (m := _PLACE_TOKEN.match(rest, end)) and not _NOT_PLACE.match(m.group(0)):
        end = m.end()
    return rest[:end]


def _zone_in(name: str) -> _Reading | None:
    """A zone named with the one division it lies in in parentheses (天津某某合作区（沧州）
    管理委员会): placed there, whatever place its name begins with (the zone's name is not its
    government's)."""
    m = _ZONE_IN.search(name) if "区" in name else None
    if m is None:
        return None
    p = m.group("p")
    places = [d for n, d in divisions.prefixes(p) if n == len(p)]
    return _Reading((places[0],), "", None, name, False, whole=True) if len(places) == 1 else None


def _branch(name: str) -> _Reading | None:
    """A national body's local office (国家税务总局汉阴县税务局): its region is the place in
    its name, its unit the whole name."""
    for i in range(2, len(name) - 1):
        n, ends = _longest(name[i:], None)
        finals = tuple(d for d in ends if d is not None)
        if n and finals:
            return _Reading(finals, "", None, name, False, branch=True)
    return None


def _kind(r: _Reading) -> str:
    if r.township is not None:
        return TOWNSHIP
    if r.unit == "人民政府" or (r.national and r.unit == "国务院"):
        return GOVERNMENT
    if _OFFICE.match(r.unit) or r.unit in ("国务院办公厅", "办公厅"):
        return OFFICE
    if _ZONE.search(r.unit):
        return OTHER
    return DEPARTMENT if r.unit.endswith(_DEPARTMENT_ENDS) else OTHER


def _id(key: str) -> str:
    return ID_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _region(chain: Sequence[Division]) -> dict[str, str | None]:
    names = {d.level: d.name for d in chain}
    return {"province": names.get(PROVINCIAL), "prefecture": names.get(PREFECTURE),
            "county": names.get(COUNTY)}


def _township_unit(township: str) -> str:
    return "办事处" if township.endswith("街道") else "人民政府"


@cache  # every department's parent, every parent's parent: the same few governments
def government(d: Division, township: str | None = None) -> Agency:
    """The people's government of a division (or of a township in it)."""
    chain = d.chain()
    key = f"{d.code or d.name}/{township or ''}/人民政府"
    if township is None:
        parent = government(d.parent).agency_id if d.parent is not None else None
        return Agency(_id(key), _chain_name(d) + "人民政府", d.code,
                      **_region(chain), level=d.level, kind=GOVERNMENT, parent_id=parent)
    return Agency(_id(key), _chain_name(d) + township + _township_unit(township), d.code,
                  **_region(chain), township=township, level=TOWNSHIP, kind=TOWNSHIP,
                  parent_id=government(d).agency_id)


STATE_COUNCIL = Agency(_id("national//国务院"), "国务院", None, level=NATIONAL, kind=GOVERNMENT)


def _entry(r: _Reading, d: Division | None) -> Agency:
    """The register entry of a reading whose region is ``d`` (None: none known)."""
    kind = _kind(r)
    if r.national:
        if r.unit == "国务院":
            return STATE_COUNCIL
        return Agency(_id(f"national//{r.unit}"), r.unit, None, level=NATIONAL, kind=kind,
                      parent_id=STATE_COUNCIL.agency_id)
    if d is None:
        # A place the table does not know (示例市…): the name itself is the identity.
        name = r.unknown_place + (r.township or "") + r.unit
        return Agency(_id(f"name/{name}"), name, None, township=r.township,
                      level=TOWNSHIP if r.township else None, kind=kind)
    if kind == TOWNSHIP:
        return government(d, r.township)
    if kind == GOVERNMENT and not r.branch:
        return government(d)
    name = r.unit if r.branch or r.whole else _chain_name(d) + r.unit
    parent_id = None if r.branch else government(d).agency_id
    # a city bureau's branch in one of its counties (咸宁市生态环境局嘉鱼县分局) works at the
    # county's level, in the county
    if (m := _COUNTY_BRANCH.match(r.unit)) and (hits := divisions.prefixes(m.group("p"), d)):
        length, county = hits[0]
        if length == len(m.group("p")):
            d = county
    return Agency(_id(f"{d.code or d.name}//{r.unit}"), name, d.code, **_region(d.chain()),
                  level=d.level, kind=kind, parent_id=parent_id)


_COUNTY_BRANCH = re.compile(r"^[\u4e00-\u9fff]+?局(?P<p>[\u4e00-\u9fff]{2,8}?(?:县|区|市|旗))分局$")


def parents(a: Agency) -> list[Agency]:
    """The governments above a register entry, nearest first (for the register's parent rows)."""
    if a.level == NATIONAL:
        return [STATE_COUNCIL] if a.parent_id == STATE_COUNCIL.agency_id else []
    d = divisions.by_code(a.region_code) if a.region_code and a.parent_id else None
    if d is None:
        return []
    out = [] if a.kind == GOVERNMENT else [government(d)]  # the government it belongs to
    while d.parent is not None:
        d = d.parent
        out.append(government(d))
    return out


def _definite(context: Iterable[tuple[str, str]]) -> list[tuple[Division, str]]:
    """The divisions that context names point to without ambiguity, with where each was read."""
    return [(f[0], where) for where, name in context if len(f := _read(name).finals) == 1]


def _chain_name(d: Division) -> str:
    return "".join(x.name for x in d.chain())


def resolve(printed: str | None, *, clues: Sequence[tuple[str, str]] = (),
            source_agency: str | None = None, source_name: str | None = None) -> Resolution:
    """The register entry of a report's agency (see :func:`_resolve`). Cached: a corpus names
    the same agencies over and over."""
    return _resolve(printed, tuple(map(tuple, clues)), source_agency, source_name)


@lru_cache(maxsize=8192)
def _resolve(printed: str | None, clues: tuple[tuple[str, str], ...],
             source_agency: str | None, source_name: str | None) -> Resolution:
    """The register entry of a report's agency.

    ``printed``: the agency as the title names it. ``clues``: the page's other names for its
    agency as (where, name), ``page`` (signature, ``本报告由…编制``), ``contact`` (``请与…联系``)
    or ``site`` (the site name), see :func:`clues_of`; or ``host``, the division every other
    placed report of the report's host lies in (output/records.py), which places a name but
    never names the agency. ``source_agency``, ``source_name``: the source entry the report
    was crawled from, when known. Context is trusted in that order: the page, the source's
    agency, the contact, the site and the host, the source's name."""
    context = [(w, plain(c).strip()) for w, c in clues if w == "page" and c]
    context += [("source", plain(source_agency).strip())] if source_agency else []
    context += [(w, plain(c).strip()) for w, c in clues if w == "contact" and c]
    context += [(w, plain(c).strip()) for w, c in clues if w == "subject" and c]
    context += [(w, plain(c).strip()) for w, c in clues
                if w not in ("page", "contact", "subject") and c]
    context += [("source", plain(source_name).strip())] if source_name else []
    name, decided_by = (plain(printed).strip(), "title") if printed else (None, None)
    if name is None or _SELF.match(name):
        # a host's place (output/records.py) names where, never who
        named = next(((w, c) for w, c in context if c and not _SELF.match(c) and w != "host"),
                     None)
        if named is None:
            return Resolution(UNKNOWN, None, f"agency: the report names itself only as {name}, "
                              "and neither the page nor the source names it" if name else None)
        decided_by, name = named
    others = [(w, c) for w, c in context if c != name]
    reading = _read(name)
    if reading.ministry and _definite(others):  # 宣传部 on a county's portal: not a ministry
        reading = replace(reading, national=False, ministry=False)
    if not reading.finals and not reading.national and not reading.unknown_place:
        found = _placed(name, reading, decided_by, others)
    elif len(reading.finals) > 1:
        found = _disambiguated(name, reading, decided_by, others)
    else:
        found = Resolution(_entry(reading, reading.finals[0] if reading.finals else None),
                           decided_by)
    return replace(found, named=name)


def _placed(name: str, reading: _Reading, decided_by: str | None,
            context: list[tuple[str, str]]) -> Resolution:
    """A name without a place (城关镇人民政府, 教育局, 区科技局): the same agency named in full
    in the context (for 区科技局, in a 区), or for a township, the one county the context
    names."""
    for where, other in context:
        full = _read(other)
        named = len(full.finals) == 1 or (not full.finals and full.unknown_place)
        place = full.finals[0].name if full.finals else full.unknown_place
        if (named and full.unit == reading.unit and full.township == reading.township
                and place.endswith(reading.level_word)):
            return Resolution(_entry(full, full.finals[0] if full.finals else None), where)
    if reading.township is not None:
        for d, where in _definite(context):
            if not divisions.has_children(d):
                return Resolution(_entry(reading, d), where)
        # unplaced, but a 镇, 乡 or 街道 is a township whatever county it lies in
        return Resolution(_UNPLACED_TOWNSHIP, decided_by)
    return Resolution(UNKNOWN, decided_by)  # not ambiguous, merely unplaced: no warning


_UNPLACED_TOWNSHIP = Agency(None, None, None, level=TOWNSHIP, kind=TOWNSHIP)


def _disambiguated(name: str, reading: _Reading, decided_by: str | None,
                   context: list[tuple[str, str]]) -> Resolution:
    """A place name several divisions bear (鼓楼区): the one the context's places fit."""
    known = _definite(context)
    fits = {d for d in reading.finals for c, _ in known if d.within(c) or c.within(d)}
    if len(fits) == 1:
        return Resolution(_entry(reading, fits.pop()), decided_by)
    places = ", ".join(_chain_name(d) for d in reading.finals[:5])
    return Resolution(UNKNOWN, decided_by, f"agency: {name} could be in any of "
                      f"{len(reading.finals)} divisions ({places}); left unresolved (name the "
                      "agency in full as the source's agency in the sources file to decide)")


# --- the page's other names for its agency ----------------------------------------------------

_SITE_WORDS = re.compile(r"(?:门户网站|官方网站|政府网站|网站|官网|信息公开网|政务网|网)$")
_COMPILED_BY = re.compile(r"(?:本报告|本年度报告|年度报告)由([\u4e00-\u9fff]{4,30}?)(?:负责)?"
                          r"(?:编制|编写|制作|发布)")
# The compiler in the other ways prefaces name it: 由X编制(完成本报告), 由X结合…编制, 由X综合…编制而成,
# 本年度报告是X按照…编制而成, ，X编制了本报告. X ends in a unit, and a verb of compiling follows.
_UNIT_END = (r"(?:人民政府|政府|办公室|办公厅|委员会|委|局|厅|办|办事处|街道|镇|乡|苏木|中心|院|署|部"
             r"|科|股)")
_COMPILER = re.compile(
    r"(?:由|报告是|报告系)(?P<x>[\u4e00-\u9fff]{3,30}?" + _UNIT_END + r")"
    r"(?=(?:[(（]以下简称[^()（）]{1,16}[)）])?(?:负责|牵头|组织|统一)?(?:编制|编写)"
    r"|(?:结合|综合(?![科股])|按照|根据|依据|汇总|在)[^。;；]{0,120}?编制)"
    r"|(?:^|[,，;；。)）])(?![由是系])(?P<y>[\u4e00-\u9fff]{3,30}?" + _UNIT_END + r")"
    r"(?=编制(?:了|完成)?(?:本|此)(?:年度)?报告)")
# 结合省财政厅2024年政府信息公开工作实际(，编制本报告), 总结2020年X镇政府信息公开工作: the agency
# whose work the report sums up, where the sentence says it compiles the report.
_WORK_OF = re.compile(r"(?:结合|总结)(?:\d{4}年度?)?(?P<x>[\u4e00-\u9fff]{3,30}?" + _UNIT_END
                      + r")(?:\d{4}年度?)?(?:政府)?信息公开工作(?=实际|情况|的基础上)[^。]{0,20}编制")
# An office of a government or township (党政办公室, 综合科, 政府办公室) compiles the report of the
# body it belongs to: the report is that body's.
_OFFICE_OF = re.compile(r"^(?P<body>[\u4e00-\u9fff]+?(?:人民政府|政府|街道办事处|办事处|街道|镇|乡"
                        r"|苏木))(?:政府)?(?:党政(?:综合)?办公室|党政办|综合办公室|办公室)?$")
# The contact a preface gives for questions about the report (如对本报告有疑问，请与X（办公室）联系):
# the agency itself or its office, on every real page seen that names no agency otherwise.
# Its wordings: 请(直接)与X(…)联系, 可与X办公室联系, 请与X(地址:…，联系电话:…), 请联系(:)X(办公地址…) or
# 请联系：X，联系电话….
_NAME = r"[\u4e00-\u9fff]{2,30}?" + _UNIT_END
_CONTACT = re.compile(rf"(?:请|可)[\u4e00-\u9fff]{{0,4}}?与(?P<x>{_NAME})(?:[(（][^()（）]{{0,60}}[)）])?"
                      rf"\s*(?:联系|联络)|请与(?P<y>{_NAME})[(（](?:办公)?地址"
                      rf"|请(?:直接)?联系[:：]?(?P<z>{_NAME})(?=[(（,，;；。]|联系电话|电话)")
# A contact that is not the agency: the page's own words for itself (本局办公室: placed by
# nothing), and the offices and groups that run disclosure for a whole government (…政务公开
# 办公室, …信息公开领导小组办公室), which answer for other bodies' reports too.
_NOT_THE_AGENCY = re.compile(r"^(?:本|我|该)|政务公开|信息公开|领导小组")
# The subject of a body paragraph that opens with the year (2021年，X贯彻落实…; (一)主动公开情况。
# 2022年X全面…; 截至2019年12月31日，X通过…), the leadership it works under (2023年，在区委、区政府的
# 领导下，X认真…), or both: the agency speaking of its own work. X ends in a unit and is followed by the
# words such sentences go on with, so that the shortest name a continuation follows is not
# cut inside it (安棚镇 | 人民政府未收到); a party committee (县委县政府), a whole level (全县各级政府)
# or the page's word for itself is no subject.
_SUBJECT = re.compile(
    r"(?:[(（][一二三四五六七八九十]{1,2}[)）][^。]{0,16}。)?"
    r"(?:(?:(?:19|20)\d\d年度?|截至(?:19|20)\d\d年\d{1,2}月(?:\d{1,2}日)?)[,，]?"
    r"(?:在[^，,。]{2,30}?(?:领导|指导|关心|支持)下[,，])?"
    r"|在[^，,。]{2,30}?(?:领导|指导|关心|支持)下[,，])"
    rf"(?P<x>(?![在我本全各该度])[\u4e00-\u9fff]{{2,30}}?{_UNIT_END})"
    r"(?=以|在|认真|严格|全面|积极|坚持|深入|持续|紧紧|紧密|按照|根据|依据|围绕|不断|进一步|高度|始终"
    r"|切实|扎实|着力|坚决|主动|依法|继续|通过|共|未|贯彻|落实|强化|加强|聚焦|立足|秉持|把|将|对|结合"
    r"|大力|牢牢|全力|推进|精心|稳步|充分|着眼|统筹|不折不扣|累计|主动公开|受理|收到)")
_PARTY = re.compile(r"[党县市区省州旗镇乡]委(?!员)")
_SUBJECT_STARTS = frozenset("12(（截在")
_SENTENCE = 8  # characters: no sentence naming a subject, a compiler or a contact is shorter
# Text cells read for those sentences: the opening's (a document printing one cell a line holds
# its tables in the same few lines, hundreds of cells).
_OPENING_CELLS = 200
# A department's office (…局办公室): the department.
_DEPARTMENT_OFFICE = re.compile(r"^(?P<body>[\u4e00-\u9fff]+?(?:局|委员会|厅|中心|院|署|分局|馆"
                                r"|开发区|园区|管委会))(?:综合办公室|办公室)$")
_SIGNATURE_LINES = 15
_PREFACE = 2000  # characters of a cell searched for its compiler


def clues_of(doc: Document) -> list[tuple[str, str]]:
    """Names the page gives its agency besides the title, as (where, name): ``page`` for the
    signature above the date at the end and the compiler a preface names (``本报告由…编制``,
    ``由…结合…编制``, ``…编制了本报告``, see :func:`_compiler`), in that order; ``contact``
    for the body a preface asks questions to be put to (``请与…（办公室）联系``), trusted after
    the source's agency; ``site`` for the site name in the page's ``<title>``."""
    out: list[tuple[str, str]] = []
    for line in doc.lines[-_SIGNATURE_LINES:]:
        if not line.boundary and len(line.cells) == 1 and len(line.cells[0]) <= 40:
            text = plain(line.cells[0]).strip()
            if AGENCY_LINE.match(text):
                out.append(("page", text))
    subjects: list[tuple[str, str]] = []
    budget = _OPENING_CELLS
    for line in doc.lines[:60]:
        if budget <= 0:
            break
        if line.boundary:
            continue
        cells = line.cells[:budget]
        budget -= len(cells)
        for cell in cells:
            if len(cell) < _SENTENCE:
                continue  # (most cells of a text table: a label, a number)
            if cell[0] in _SUBJECT_STARTS and (m := _SUBJECT.match(cell)):
                name = plain(m.group("x"))
                if not _PARTY.search(name) and not _NOT_THE_AGENCY.search(name):
                    subjects.append(("subject", _subject_body(name)))
            compiled = "由" in cell or "编制" in cell  # cheap gates
            asked = "联系" in cell
            if not (compiled or asked):
                continue
            # (a preface names its compiler and contact in its first sentences: the searches
            # cost about half a microsecond a character, so a cell's start only, read once)
            text = plain(cell[:_PREFACE])
            if compiled:
                out.extend(("page", name) for name in _compiler(text))
            if asked and (m := _CONTACT.search(text)):
                name = m.group("x") or m.group("y") or m.group("z")
                if not _NOT_THE_AGENCY.search(name):
                    out.extend(("contact", body) for body in _bodies(name))
    out.extend(subjects)
    for title in doc.titles:
        for part in SITE_SPLIT.split(plain(title).strip())[1:]:
            site = _SITE_WORDS.sub("", part)
            if AGENCY_LINE.match(site):
                out.append(("site", site))
    return list(dict.fromkeys(out))


def _compiler(text: str) -> list[str]:
    """The compiler a preface sentence names (_COMPILED_BY, _COMPILER), else the agency whose
    work it sums up (_WORK_OF): an office of a body first as the body, then as printed (which
    still places a title's 县政府办公室)."""
    if m := _COMPILED_BY.search(text):
        name = m.group(1)
    elif m := _COMPILER.search(text) or _WORK_OF.search(text):
        name = m.group("y") if m.re is _COMPILER and m.group("x") is None else m.group("x")
    else:
        return []
    return _bodies(name)


def _subject_body(name: str) -> str:
    """The agency a body paragraph's subject is: a department's or a township's office
    (…中心办公室, 某镇党政办公室) does the disclosure work of its department or township; a
    government's office (…人民政府办公室, 办公厅) is a department of its own, with its own report
    (现将我办…报告如下), and stays as printed."""
    if _GOVERNMENT_OFFICE.search(name):
        return name
    return _bodies(name)[0]


_GOVERNMENT_OFFICE = re.compile(r"(?:政府|政府办公室|政府办|办公厅)$")


# A section of an office, department or township (…局政办科, …政府办公室信息科, …党政办公室综合科,
# 白鹭镇综合科): the office, department or township it belongs to is the body (the office
# patterns above then read that).
_SECTION = re.compile(r"^(?P<body>.+(?:办公室|委员会|中心|管委会|开发区|园区|政府|街道|苏木"
                      r"|[局委厅院署办馆镇乡]))[\u4e00-\u9fff]{1,4}[科股]$")


def _bodies(name: str) -> list[str]:
    """A compiler or contact as a clue: an office of a government, township or department
    first as the body it belongs to, then as printed (a section of it as the office)."""
    if section := _SECTION.match(name):
        name = section.group("body")
    body = _OFFICE_OF.match(name) or _DEPARTMENT_OFFICE.match(name)
    if body is None or body.group("body") == name:
        return [name]
    return [body.group("body"), name]
