"""Titles as real report pages give them (made-up agencies and numbers, the shapes of a
survey of 137 published pages): the report named only in the opening sentence, lines that
are not a title, metadata labels, broken and flattened titles, file names; and the status
of a report whose title line and tables are both missing from the page."""

from __future__ import annotations

import pytest

from nianbao.parsers import parse
from nianbao.parsers.extraction.meta import find_title
from nianbao.parsers.readers.text import text_document

PREFACE_END = ("本报告由总体情况、主动公开政府信息情况等六部分组成。"
               "本报告所列数据统计期限自2022年1月1日起至2022年12月31日止。")
BODY = "一、总体情况\n2022年，本镇持续推进政务公开工作，主动公开政府信息120条。\n"


def _title(text: str) -> str | None:
    return find_title(text_document(text))


def _parse(text: str):
    return parse(text.encode("utf-8"), source="page.txt")


# --- T1: the report named inside the opening sentence --------------------------------------

@pytest.mark.parametrize(("preface", "title"), [
    ("根据《中华人民共和国政府信息公开条例》规定，现公布青石县白鹭镇人民政府2022年政府信息公开"
     "工作年度报告。", "青石县白鹭镇人民政府2022年政府信息公开工作年度报告"),
    ("根据《条例》规定，现公布青石县统计局2022年政府信息公开工作年度报告，报告所列数据如下。",
     "青石县统计局2022年政府信息公开工作年度报告"),
    ("根据《条例》要求，特编制青石县地方志办公室2022年政府信息公开工作年度报告。",
     "青石县地方志办公室2022年政府信息公开工作年度报告"),
    ("根据《条例》规定，向社会公布青石县白鹭镇2022年政府信息公开工作年度报告。",
     "青石县白鹭镇2022年政府信息公开工作年度报告"),
    # 现将…如下 (a sixth, held-out survey)
    ("根据《条例》规定，现将青石县白鹭乡2022年度政府信息公开工作报告如下：",
     "青石县白鹭乡2022年度政府信息公开工作报告"),
    # 现向社会公开 (a sixth, held-out survey)
    ("根据《条例》和青石市《关于做好2022年度报告编制工作的通知》要求，现向社会公开《白鹭区人民政府"
     "2022年度政府信息公开工作年度报告》。", "白鹭区人民政府2022年度政府信息公开工作年度报告"),
    ("根据《条例》有关精神，特向社会公布《白鹭乡2022年政府信息公开工作年度报告》。",
     "白鹭乡2022年政府信息公开工作年度报告"),
    ("根据《条例》要求，现发布《青石县住房和城乡建设局2022年政府信息公开工作年度报告》，"
     "本报告统计数据如下。", "青石县住房和城乡建设局2022年政府信息公开工作年度报告"),
    ("根据《条例》规定，编制《青石县人民政府2022年政府信息公开工作年度报告》。",
     "青石县人民政府2022年政府信息公开工作年度报告"),
    ("根据《关于做好2022年度政府信息公开工作年度报告编制和发布工作的通知》（青政公开办〔2022〕"
     "5号）要求，我镇现编制青石县白鹭集镇2022年度政府信息公开工作年度报告。",
     "青石县白鹭集镇2022年度政府信息公开工作年度报告"),
    ("青石县行政审批局2022年政府信息公开工作年度报告（以下简称年报）是根据《条例》规定编制。",
     "青石县行政审批局2022年政府信息公开工作年度报告"),
    ("根据《条例》规定编制本报告，现公布青石市人民政府2022年度政府信息公开工作报告。",
     "青石市人民政府2022年度政府信息公开工作报告"),
])
def test_report_named_in_the_opening_sentence(preface: str, title: str) -> None:
    r = _parse(f"{preface}{PREFACE_END}\n{BODY}")
    assert r.title == title
    assert r.agency == title[:title.index("2022")]
    assert r.year == 2022 and r.status == "no_tables"


def test_report_named_on_its_own_short_line() -> None:
    text = ("根据《条例》要求，现公布白鹭县人民政府2023年政府信息公开工作年度报告。\n"
            "本报告所列数据统计期限自2023年1月1日起至2023年12月31日止。\n" + BODY)
    assert _title(text) == "白鹭县人民政府2023年政府信息公开工作年度报告"


@pytest.mark.parametrize("text", [
    # a notice quoted in 《》, a plan (工作要点), a report named only after 一、总体情况
    "根据《青石县关于做好2022年度政府信息公开工作年度报告编制工作的通知》要求，编制本报告。"
    + PREFACE_END + "\n" + BODY,
    "根据《条例》和《2022年政府信息公开工作要点》要求，编制本报告。" + PREFACE_END + "\n" + BODY,
    "根据《条例》规定，编制本报告。" + PREFACE_END + "\n" + BODY
    + "全镇现公布青石县白鹭镇2021年政府信息公开工作年度报告。\n",
])
def test_decoys_in_the_preface_are_not_the_title(text: str) -> None:
    r = _parse(text)
    assert r.title is None and r.year == 2022


def test_a_named_report_without_its_agency_is_no_title_but_a_report() -> None:
    r = _parse("根据《条例》，特向社会公布我旗2022年度信息公开年度报告。" + PREFACE_END + "\n" + BODY)
    assert r.title is None and r.status == "no_tables" and r.year == 2022


# --- T2: lines that are not a title ----------------------------------------------------------

@pytest.mark.parametrize("first", [
    "根据《中华人民共和国政府信息公开条例》要求，编制本报告。",
    "本年度报告根据《条例》编制，内容包括总体情况、主动公开政府信息情况等。",
    "索引号：000111222/2023-00042",
    "我要收藏\n文章分享",
    "发布时间：2023-01-19 16:38",
])
def test_a_line_that_is_not_a_title_is_not_the_title(first: str) -> None:
    r = _parse(f"{first}\n本年度报告所列数据统计期限自2022年1月1日起至2022年12月31日止。\n{BODY}")
    assert r.title is None and r.year == 2022 and r.status == "no_tables"


@pytest.mark.parametrize("text", [
    BODY + "（一）主动公开情况\n本镇主动公开信息120条。\n",
    "（一）政府信息主动公开情况：自2022年1月1日起至2022年12月31日，本中心主动公开信息28条。\n"
    "（二）政府信息依申请公开情况：2022年，本中心未收到申请。\n",
])
def test_a_heading_is_not_the_title(text: str) -> None:
    r = _parse(text)
    assert r.title is None and r.year == 2022 and r.status == "no_tables"


# --- T3: metadata labels -----------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "标题:白鹭镇人民政府2023年政府信息公开工作年度报告 | |",
    "标题：白鹭镇人民政府2023年政府信息公开工作年度报告",
    "标  题: 白鹭镇人民政府2023年政府信息公开工作年度报告",
    "标      题 白鹭镇人民政府2023年政府信息公开工作年度报告",
    "名称 白鹭镇人民政府2023年政府信息公开工作年度报告",
    "名称: 白鹭镇人民政府2023年政府信息公开工作年度报告",
    "名称：白鹭镇人民政府2023年政府信息公开工作年度报告",
])
def test_a_metadata_label_is_not_part_of_the_title(line: str) -> None:
    r = _parse(f"索引号：000111222/2024-00042\n发布机构：白鹭镇人民政府\n{line}\n"
               f"发布日期：2024-01-20\n{BODY}")
    assert r.title == "白鹭镇人民政府2023年政府信息公开工作年度报告"
    assert r.agency == "白鹭镇人民政府" and r.year == 2023


def test_the_title_cell_after_a_label_cell() -> None:
    text = ("索引号 | E00000/2024-00042 | 发布机构 | 青石县政府办 | |\n---|---|---|---|---|\n"
            "文号 | 无 | 公开方式 | 主动公开 | |\n标题 | 青石县2023年政府信息公开工作年度报告 | |||\n"
            "文件有效期 | 有效 |\n本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n" + BODY)
    r = _parse(text)
    assert r.title == "青石县2023年政府信息公开工作年度报告" and r.agency == "青石县"
    assert r.status == "no_tables"


# --- T4, T5, T6: broken, flattened, file names ------------------------------------------

def test_a_title_broken_inside_its_last_words_is_joined() -> None:
    r = _parse("青石县2022年度政府信息公开工作\n年度报告\n" + BODY)
    assert r.title == "青石县2022年度政府信息公开工作年度报告" and r.agency == "青石县"
    assert r.status == "no_tables"


@pytest.mark.parametrize(("lines", "title"), [
    # a bullet before the metadata label (an eighth, held-out survey)
    ("  • 索  引 号:000000-8/2023-00001\n  • 标       题: 青石省交通厅2022年度政府信息公开工作报告\n",
     "青石省交通厅2022年度政府信息公开工作报告"),
    # a page widget's word after the title
    ("青石县文化和旅游局政府信息公开工作2021年度报告 二维码\n", "青石县文化和旅游局政府信息公开工作2021年度报告"),
    # broken before its year: 信息公开工作 / 2023年度报告
    ("青石县白鹭乡人民政府信息公开工作\n2023年度报告\n", "青石县白鹭乡人民政府信息公开工作2023年度报告"),
])
def test_title_lines_with_page_furniture_around_them(lines: str, title: str) -> None:
    r = _parse(f"{lines}{PREFACE_END}\n{BODY}")
    assert r.title == title and r.status == "no_tables", (r.title, r.status)
    assert r.agency is not None and "标" not in r.agency and "•" not in r.agency


def test_a_line_of_metadata_fields_is_not_the_title() -> None:
    """发布机构: … 组配分类: 政府信息公开年报 ends like a title; the title is the agency line and
    the title line after it (a held-out real page)."""
    r = _parse("索引号: 000000000/2024-00151 公开方式: 主动公开\n发布机构: 市水务局 组配分类: 政府信息公开年报\n"
               "信息来源: 青石市水务局 发布日期: 2024-01-10\n青石市水务局\n2023年政府信息公开工作年度报告\n"
               f"{PREFACE_END}\n{BODY}")
    assert (r.title, r.agency, r.year) == ("青石市水务局2023年政府信息公开工作年度报告", "青石市水务局", 2023)


def test_a_title_naming_neither_year_nor_agency_gives_way_to_a_full_one_after_it() -> None:
    """A column's name (政府信息公开年报) over the report's own title line."""
    r = _parse(f"青石区人民政府\n政府信息公开年报\n白鹭街道2025年政府信息公开工作年度报告\n{PREFACE_END}\n{BODY}")
    assert (r.title, r.agency, r.year) == ("白鹭街道2025年政府信息公开工作年度报告", "白鹭街道", 2025)
    # alone, it is the title still (the year then comes from the body)
    r = _parse(f"政府信息公开工作年报\n{PREFACE_END}\n{BODY}")
    assert (r.title, r.year) == ("政府信息公开工作年报", 2022)


@pytest.mark.parametrize(("before", "title"), [
    # a site header with the day's date (its year another than the report's)
    ("青石县人民政府 2019年12月3日星期二", "青石县人民政府2020年政府信息公开年度报告"),
    # a notice's signature date over the report it publishes
    ("2024年1月24日", "青石县应急管理局2023年政府信息公开工作报告"),
    ("发布日期：2021-03-08", "白鹭镇人民政府2020年政府信息公开工作年度报告"),
])
def test_a_dated_line_is_never_joined_to_a_whole_title(before: str, title: str) -> None:
    """A line holding a date before a title whole on its line was joined to it as a broken
    title: the date's year became the report's (2 of 81 real pages of a held-out survey)."""
    r = _parse(f"{before}\n{title}\n{PREFACE_END}\n{BODY}")
    assert (r.title, r.year) == (title, int(title[title.index("年") - 4:title.index("年")]))
    assert r.agency is not None and not r.agency[:1].isdigit()


@pytest.mark.parametrize(("line", "title"), [
    ("青石县人民政府2021年 政府信息公开工作年度报告 一、总体情况 2021年,青石县持续推进政务公开。",
     "青石县人民政府2021年 政府信息公开工作年度报告"),
    ("青石市白鹭区2021年政府信息公开工作年度报告 本年度报告根据《条例》的要求编制而成。",
     "青石市白鹭区2021年政府信息公开工作年度报告"),
])
def test_a_page_flattened_on_one_line(line: str, title: str) -> None:
    r = _parse(line + "\n")
    assert r.title == title and r.agency == title[:title.index("2021")]
    assert r.year == 2021 and r.status == "no_tables"


def test_a_file_name_suffix_is_not_part_of_the_title() -> None:
    r = _parse("白鹭乡2022年政府信息公开工作年度报告.docx\n白鹭乡 2022 年政府信息 公开工作年度报告 "
               "根据《条例》的规定，结合我乡实际，编制本报告。\n" + BODY)
    assert r.title == "白鹭乡2022年政府信息公开工作年度报告" and r.agency == "白鹭乡"


def test_a_flipbook_file_name_is_not_a_title() -> None:
    assert _title("Page 9 - 2020年报_白鹭局\nP. 9\n四、存在的主要问题及改进情况\n"
                  "2020年，我局政务公开工作仍有不足。\n") is None


# --- S1: what stays not a report ---------------------------------------------------------------
# Each case beside the report it differs from: the report is read as one (``no_tables``), the
# other stays ``not_report``.

PREFACE = ("根据《条例》规定，编制本报告。本年度报告的统计期限自2023年1月1日起至2023年12月31日止。\n"
           "二、主动公开政府信息情况\n")


@pytest.mark.parametrize(("report", "other"), [
    # a notice about the reports: its own title says what it is
    (PREFACE, "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知\n" + PREFACE),
    # a guide to writing them
    (PREFACE, "青石县政府信息公开工作年度报告编写指南\n" + PREFACE),
    # the blank template: no year in its period
    (PREFACE, PREFACE.replace("2023年", "  年")),
    # a period alone, with no word of a report
    (PREFACE, PREFACE.replace("编制本报告。本年度报告的", "请报送数据，")),
])
def test_what_is_not_a_report_stays_not_report(report: str, other: str) -> None:
    assert (_parse(report).status, _parse(other).status) == ("no_tables", "not_report")


# --- fifth survey (held out): openings that say they are a report in other words ----------------

@pytest.mark.parametrize("text", [
    # the report named after 现将 (the old formula), the whole page on one line
    "根据《条例》的有关要求，我乡扎实推进政务公开，现将2020年政府信息公开工作报告如下："
    " 一、2020年政务公开工作完成情况 （一）机构建设方面",
    # the verb 公开, a bare 总体情况 heading
    "2020年，白鹭县公安局大力推进信息公开。根据《条例》要求，公开我局2020年度政府信息公开"
    "工作年度报告，报告由总体情况等部分组成。\n总体情况\n",
    # 现将本年度工作情况报告如下, then 一、总体情况
    "2024年，白鹭街道办事处规范公开政务信息，现将本年度工作情况报告如下：\n一、总体情况\n"
    "（一）主动公开。2024年，白鹭街道主动公开信息32条。\n",
    # 特编制完成本报告, then 一、工作概述
    "根据《条例》和国办公开办函〔2021〕30号要求，特编制完成本报告。\n一、工作概述\n"
    "2025年，青石县水利局坚持以公开为常态。\n",
    # a title cut to its last words: no title, the opening read
    "工作年度报告\n2024年以来，白鹭街道通过官方网站主动公开信息。报告由总体情况、主动公开政府信息"
    "情况等六部分组成。\n一、总体情况\n",
    # an opening paragraph of the year's work, then the template's first section
    "2022年，白鹭开发区坚持以习近平新时代中国特色社会主义思想为指导，深化信息公开内容。\n"
    "一、总体情况\n（一）主动公开\n",
])
def test_an_opening_that_says_it_is_a_report_in_other_words(text: str) -> None:
    r = _parse(text)
    assert r.title is None and r.status == "no_tables" and r.year is not None
