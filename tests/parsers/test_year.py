"""The report year: each rule of ``meta`` over made-up sentences (and the traps that must not
give a year), then whole made-up documents through ``parse``."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.parsers import parse
from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.meta import (agency_of, cutoff_year, named_report_year,
                                             opening_year, period_year, published_date,
                                             report_year,
                                             signature_date, title_year, year_from_published)

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


@pytest.mark.parametrize(("title", "year"), [
    ("示例市2021年政府信息公开工作年度报告", 2021),
    ("2022年青山区政府信息公开工作年度报告", 2022),
    ("白云镇人民政府2020年度政府信息公开工作年度报告", 2020),
    ("樣例縣水利局2020年政府信息公開工作年度報告", 2020),
    ("示例县２０２３年政府信息公开工作年度报告", 2023),
    ("示例市统计局二〇二一年政府信息公开工作年度报告", 2021),
    ("示例市统计局二零一九年度政府信息公开年报", 2019),
    ("示例县二O二一年政府信息公开工作年度报告", 2021),
    ("示例县二0二二年政府信息公开工作年度报告", 2022),
    ("示例县二〇二三年度政府信息公开工作年度报告", 2023),
    ("关于示例区2023年度政府信息公开工作年度报告（图片版）", 2023),
    ("示例市政府信息公开工作年度报告", None),
    ("示例市人民政府门户网站", None),
    ("青政办〔2022〕3号", None),
    ("中华人民共和国政府信息公开条例（2019年修订）", None),
])
def test_title_year(title: str, year: int | None) -> None:
    assert title_year(title) == year


@pytest.mark.parametrize(("text", "year"), [
    ("本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。", 2021),
    ("本年度报告中所列数据统计期限为2022年1月1日至12月31日。", 2022),
    ("本年度报告中所列数据的统计期限从2012年1月1日到12月31日止。", 2012),
    ("本报告中所列数据的统计时限自2019年1月1日至2019年12月31日。", 2019),
    ("本报告统计期间为2020年1月1日—2020年12月31日。", 2020),
    ("统计期限为2023年1月1日，至2023年12月31日止。", 2023),
    ("统计时段为2023年1月1日、至12月31日", 2023),
    ("统计时间段为2023年1月1日起到2023年12月31日止。", 2023),
    ("统计期限：２０２３年１月１日至２０２３年１２月３１日", 2023),
    ("本報告所列數據的統計期限為2020年1月1日至2020年12月31日。", 2020),
    ("统计期限为二〇二一年一月一日至二〇二一年十二月三十一日", 2021),
    ("本报告统计期限为2021年度。", 2021),
    ("2021年1月至12月，共受理申请5件。", 2021),
    ("本报告所列数据的统计期限为202211日至20221231日。", 2022),
    ("统计期限自202111日起至1231日止", 2021),
    ("202011日至20211231日", None),
    ("统计期限：2021.1.1-2021.12.31", 2021),
    ("统计期限为2022/01/01至2022/12/31", 2022),
    ("统计期限 2020-01-01～12-31", 2020),
    ("2020.1.1-2021.12.31", None),
    ("电话：2021-1-1234", None),
    # Traps: a period over several years, dates that are not a calendar year, no year at all.
    ("2019年1月1日至2021年12月31日累计公开信息300条", None),
    ("本报告所列数据的统计期限为本年度1月1日至12月31日。", None),
    ("《条例》自2019年5月15日起施行", None),
    ("2021年3月1日至2021年6月30日开展专项检查", None),
])
def test_period_year(text: str, year: int | None) -> None:
    assert period_year(text) == year


@pytest.mark.parametrize(("text", "year"), [
    ("截至2023年12月31日，本机关共主动公开政府信息112条。", 2023),
    ("截止到2022年12月31日，全区现行有效规范性文件15件。", 2022),
    ("截至2021年底，累计公开信息800余条。", 2021),
    ("截止2020年末，各项工作有序推进。", 2020),
    ("截至2024年3月，仍有1件申请在办理中。", None),
    ("截至2020年12月，主动公开政务信息58条。", 2020),  # December without its 31st
    ("截至2020年12月底，累计公开信息90条。", 2020),
    ("截至2020年12月1日，累计公开信息90条。", None),
    ("截至目前，尚未发生行政复议。", None),
    ("下一步，力争截至2024年12月31日完成目录梳理。", None),
    ("确保截至2024年底前完成全部整改。", None),
])
def test_cutoff_year(text: str, year: int | None) -> None:
    assert cutoff_year(text) == year


@pytest.mark.parametrize(("text", "year"), [
    ("现将本局2021年度政府信息公开工作报告如下：", 2021),
    ("特向社会公布2020年度青山县自然资源局政府信息公开年度报告。", 2020),
    ("编制我局2022年政务信息公开工作年度报告。", 2022),
    ("按照《关于做好2016年政府信息公开年度报告编制公布工作的通知》要求，编制本报告。", None),
    ("根据《示例市2020年政务公开工作要点》，开展公开工作。", None),
    ("主要从六个方面汇报我镇2023年政府信息公开工作。", 2023),
    ("向社会汇报2023年政府信息公开工作要点的落实情况。", None),  # a plan, not the work
    # an e-mail address or a URL later in the same run of text (Chinese has no spaces) is
    # noise, not the sentence before it; the years inside them are not the report's
    ("现将本局2021年度政府信息公开工作报告如下，如有疑问请发送邮件至office2020@example.gov.cn。",
     2021),
    ("本报告电子版可在门户网站（http://www.example.gov.cn/）下载，现将本局2022年度政府信息公开工作报告"
     "公布如下。", 2022),
    ("如有疑问请发送邮件至report2019年度报告@example.gov.cn。", None),
])
def test_named_report_year(text: str, year: int | None) -> None:
    assert named_report_year(text) == year


@pytest.mark.parametrize(("paragraphs", "year"), [
    (["2020年，我局认真贯彻落实《条例》，全年主动公开信息120条。"], 2020),
    (["2022年以来，示例区持续深化政务公开。"], 2022),
    # the year's own 目标任务 looks back, not ahead; a 目标 for next year does not count
    (["2022年以来，白鹭乡认真围绕重点工作和年度目标任务，扎实推进政务公开工作落实。"], 2022),
    (["2023年的工作目标是进一步提升政务公开水平，全面完成各项任务。"], None),
    (["本年度（2021年），本机关主动公开政府信息58条。"], 2021),
    (["2021年度，我镇共主动公开信息30条，较2020年增加5条。"], 2021),
    (["一、总体情况", "2023年，白云镇坚持以公开为常态。2023年全年共公开信息41条。"], 2023),
    (["2021年青山县档案馆严格按照《条例》要求开展工作，较2020年公开更多信息。"], 2021),
    (["（二）2022年度，白云镇未收到政府信息公开申请。"], 2022),
    (["二〇二一年，示例市民政局持续推进政务公开。"], 2021),
    # Traps: a revised regulation, a document number, a URL, forward-looking sentences,
    # a plan's year, two years equally often.
    (["根据2019年修订的《中华人民共和国政府信息公开条例》（国务院令第711号）要求开展工作。"],
     None),
    (["依照2019年5月15日起施行的新《条例》，我局持续推进工作。"], None),
    (["按照示政办〔2021〕12号文件要求，我局持续推进工作。详见http://www.example.gov.cn/2021年/"],
     None),
    (["下一步，2022年我局将继续加强政策解读。"], None),
    (["2023年工作计划：进一步完善公开目录。"], None),
    (["2020年，我局公开信息20条。2021年，我局公开信息30条。"], None),
    (["2020年3月，我局开展专项检查。"], None),
    (["2023年全市经济运行情况通报\n2022年度绩效考核结果公示\n2022年春节假期安排"], None),
    (["2023年全市经济运行情况通报", "2021年，本机关主动公开政府信息58条。"], 2021),
    (["2021年，本机关主动公开政府信息58条，咨询邮箱xxgk2020@example.gov.cn，欢迎监督。"], 2021),
    ([], None),
])
def test_opening_year(paragraphs: list[str], year: int | None) -> None:
    assert opening_year(paragraphs) == year


@pytest.mark.parametrize(("text", "date"), [
    ("发布时间：2022-01-24", (2022, 1)),
    ("发布日期：2022年01月24日 来源：示例市民政局", (2022, 1)),
    ("發佈時間：2021/03/02 10:00", (2021, 3)),
    ("2022-01-24 09:30", (2022, 1)),
    ("2022-01-24-10:30:00", (2022, 1)),
    ("生成日期：2023-02-10 | 成文日期：2023-02-09", (2023, 2)),
    ("二〇二二年一月二十日", (2022, 1)),
    ("索引号：11111111/2022-00012", None),
    ("统计期限：2021年1月1日", None),
    ("电话：0000-20201234", None),
])
def test_published_date(text: str, date: tuple[int, int] | None) -> None:
    assert published_date(text) == date


def test_signature_date_is_a_whole_cell() -> None:
    assert signature_date("2022年1月20日") == (2022, 1)
    assert signature_date("二〇二三年二月八日") == (2023, 2)
    assert signature_date("于2022年1月20日召开会议") is None


@pytest.mark.parametrize(("date", "year"), [
    ((2022, 1), 2021), ((2022, 3), 2021), ((2022, 4), None), ((2021, 12), None), (None, None),
])
def test_year_from_published(date: tuple[int, int] | None, year: int | None) -> None:
    assert year_from_published(date) == year


def _doc(*texts: str, published: str | None = None) -> Document:
    return Document("text", [Line([t], False) for t in texts], [texts[0]] if texts else [],
                    published)


def test_title_answers_without_warning() -> None:
    found = report_year("示例市2021年政府信息公开工作年度报告",
                        _doc("示例市2021年政府信息公开工作年度报告", "一、总体情况"))
    assert (found.year, found.clue, found.warnings) == (2021, "title", [])


def test_title_and_period_disagree_trust_the_title_and_warn() -> None:
    title = "模拟县2022年政府信息公开工作年度报告"
    found = report_year(title, _doc(title, "本报告统计期限为2021年1月1日至2021年12月31日。"))
    assert found.year == 2022
    assert found.warnings == ["the title says 2022 but the 统计期限 (reporting period) says "
                              "2021; kept the title's year"]


def test_period_beats_a_later_publish_date_and_the_opening() -> None:
    doc = _doc("发布时间：2023-01-10", "2022年以来，我局持续推进。",
               "本报告统计期限为2021年1月1日至2021年12月31日。", published="2023-01-10")
    found = report_year(None, doc)
    assert (found.year, found.clue) == (2021, "the 统计期限 (reporting period)")


def test_publish_date_needs_an_early_month_and_this_year_words() -> None:
    assert report_year(None, _doc("一、总体情况", "本年度主动公开信息10条。",
                                  published="2022-01-24 09:30")).year == 2021
    late = report_year(None, _doc("一、总体情况", "本年度主动公开信息10条。",
                                  published="2022-06-24 09:30"))
    assert late.year is None and late.warnings[0].startswith("no report year stated")
    assert report_year(None, _doc("一、总体情况", "公开信息10条。",
                                  published="2022-01-24")).year is None


def test_publish_date_in_a_directory_table() -> None:
    doc = Document("html", [Line(["索引号", "11111111/2023-00031", "发布日期", "2023-02-10"], True),
                            Line(["本年度，本机关主动公开政府信息21条。"], False)], [])
    found = report_year(None, doc)
    assert (found.year, found.clue) == (2022, "the publish date")
    assert "(2023-02)" in found.warnings[0]


def test_signature_date_at_the_end() -> None:
    doc = _doc("一、总体情况", "本年度，本机关主动公开信息10条。", "示例市档案局", "2022年1月20日")
    found = report_year(None, doc)
    assert (found.year, found.clue) == (2021, "the publish date")


def test_sentences_broken_over_lines() -> None:
    """A PDF's text layer breaks the period, the report's name and 《…》 quotes over lines."""
    doc = _doc("一、总体情况", "本报告所列数据的统计期限自2021年1月1日起至2021年12",
               "月31日止。")
    assert report_year(None, doc).year == 2021
    doc = _doc("示例县民政局2022年政府信息公开", "工作年度报告", "一、总体情况")
    found = report_year("示例县民政局2022年政府信息公开", doc)
    assert (found.year, found.clue) == (2022, "the report named in the preface")
    doc = _doc("一、总体情况", "按照《关于做好", "2016年政府信息公开年度报告编制工作的通知》要求。")
    assert report_year(None, doc).year is None


def test_another_title_of_the_page() -> None:
    doc = Document("html", [Line(["一、总体情况"], False)],
                   ["2021年度报告_示例市人民政府", "示例市政府信息公开工作年度报告"])
    found = report_year("示例市政府信息公开工作年度报告", doc)
    assert (found.year, found.clue) == (2021, "another title of the page")


def test_a_first_line_sentence_is_not_a_title() -> None:
    first = ("根据《条例》（2019年修订）编制本报告。本报告所列数据的统计期限自2023年1月1日起至"
             "2023年12月31日止。")
    found = report_year(first, _doc(first, "一、总体情况"))
    assert (found.year, found.clue) == (2023, "the 统计期限 (reporting period)")


def test_non_report_title_is_used_only_after_the_body() -> None:
    doc = _doc("示例市2020年工作动态", "本报告统计期限为2019年1月1日至2019年12月31日。")
    assert report_year("示例市2020年工作动态", doc).year == 2019
    doc = _doc("示例市2020年政务公开专栏", "一、总体情况")
    found = report_year("示例市2020年政务公开专栏", doc)
    assert (found.year, found.clue) == (2020, "a title that does not read as a report title")


def test_period_at_the_end_of_a_long_document() -> None:
    filler = [f"第{i}段，本机关持续推进政务公开工作。" for i in range(250)]
    doc = _doc("一、总体情况", *filler, "本报告所列数据统计期限为2021年1月1日至12月31日。")
    found = report_year(None, doc)
    assert (found.year, found.clue) == (2021, "the 统计期限 (reporting period) later in the report")


def test_opening_ends_at_a_table_numbered_by_article() -> None:
    doc = _doc("一、總體情況", "本年度持續推進政務公開工作。", "第二十條第（一）項",
               "截至2020年12月31日，累計公開信息90條。")
    found = report_year(None, doc)
    assert (found.year, found.clue) == (2020, "a 截至…12月31日 date later in the report")


def test_opening_ends_where_the_tables_begin() -> None:
    doc = _doc("一、总体情况", "本年度持续推进政务公开工作。", "二、主动公开政府信息情况",
               "2020年，本机关公开信息5条。", "截至2020年12月31日，累计公开信息90条。")
    found = report_year(None, doc)
    assert (found.year, found.clue) == (2020, "a 截至…12月31日 date later in the report")


def test_nothing_states_the_year() -> None:
    doc = _doc("一、总体情况", "依据2019年修订的《条例》（国务院令第711号）开展工作。",
               "索引号：22222222/2023-00045", "下一步，2024年将继续推进。")
    found = report_year(None, doc)
    assert found.year is None
    assert found.warnings == [
        "no report year stated: no year in the title, no 统计期限 or 截至…12月31日 date, no year "
        "in the opening paragraphs, no publish date early in the following year"]


def load(name: str):  # noqa: ANN201
    return parse((CASES / name).read_bytes(), source=name)


@pytest.mark.parametrize(("name", "year", "clue"), [
    ("year_period_no_title_2021.txt", 2021, "the 统计期限 (reporting period)"),
    ("year_cutoff_2023.txt", 2023, "a 截至…12月31日 date"),
    ("year_opening_2020.txt", 2020, "the opening paragraphs"),
    # 汇报…2020年政府信息公开工作: the work reported on, without 报告 after it
    ("year_named_work_2020.txt", 2020, "the report named in the preface"),
    ("year_publish_2021.html", 2021, "the publish date"),
    ("year_traditional_2020.html", 2020, "the 统计期限 (reporting period)"),
])
def test_documents_without_a_title_year(name: str, year: int, clue: str) -> None:
    r = load(name)
    assert (r.year, r.template, r.status) == (year, "2021", "ok")
    notes = [w for w in r.warnings if w.startswith("report year")]
    assert len(notes) == 1 and notes[0].startswith(f"report year {year} taken from {clue}")
    assert r.fact("active", "art20_5.licensing", "decisions").value == 17


def test_document_with_title_and_other_period() -> None:
    r = load("year_title_mismatch_2022.txt")
    assert (r.year, r.agency, r.status) == (2022, "模拟县司法局", "ok")
    assert "the title says 2022 but the 统计期限 (reporting period) says 2021; kept the title's " \
           "year" in r.warnings


def test_document_that_states_no_year() -> None:
    r = load("year_none_2021.txt")
    assert (r.year, r.template, r.status) == (None, "2021", "ok")
    assert any(w.startswith("no report year stated") for w in r.warnings)


@pytest.mark.parametrize(("name", "year", "agency", "title"), [
    # a title broken inside a word over two lines, after an index line
    ("year_title_split_2020.txt", 2020, "模拟区青石街道办事处",
     "模拟区青石街道办事处2020年度政府信息公开工作年度报告"),
    # the agency alone on the line before a title that names none (before: agency 政府)
    ("year_title_agency_line_2020.txt", 2020, "模拟镇人民政府",
     "模拟镇人民政府2020年政府信息公开工作年度报告"),
    # the year in parentheses at the end of the title
    ("year_title_last_2025.txt", 2025, "模拟县林业局", "模拟县林业局政府信息公开工作年度报告（2025年度）"),
])
def test_title_layouts(name: str, year: int, agency: str, title: str) -> None:
    """The body names only decoy years (2019 regulation, 2021–2024 in numbers and plans): the
    year, agency and title come from the title lines alone, with no year warning."""
    r = load(name)
    assert (r.year, r.agency, r.title, r.status) == (year, agency, title, "ok")
    assert not any(w.startswith(("report year", "no report year")) for w in r.warnings)
    assert r.fact("active", "art20_5.licensing", "decisions").value == 17


@pytest.mark.parametrize(("title", "agency"), [
    ("2022年政府信息公开工作年度报告", None),  # no agency: never the word 政府
    ("政府信息公开工作年报", None),
    ("本年度政府信息公开工作年度报告", None),
    ("示例区民政局政府信息公开工作年度报告（2023年度）", "示例区民政局"),
    ("示例镇政府信息公开工作年度报告", "示例镇"),
    ("2022年度示例区人民政府信息公开工作年度报告", "示例区人民政府"),
    ("2021年示例区审计局政府信息公开工作年度报告", "示例区审计局"),
    ("示例市人民政府2021年政府信息公开工作年度报告", "示例市人民政府"),
    ("示例区财政局关于2023年政府信息公开工作年度报告", "示例区财政局"),  # 关于 before the year
    ("示例区教育局政府信息公开工作2024年度报告", "示例区教育局"),  # the year after the words
    ("示例市人民政府办公室2022政府信息公开工作年度报告", "示例市人民政府办公室"),  # no 年
])
def test_agency_of_title(title: str, agency: str | None) -> None:
    assert agency_of(title) == agency


def test_a_breadcrumb_is_not_the_title() -> None:
    """``当前页面: 首页 > … > 信息公开年报`` ends like a title; the agency would be the trail."""
    from nianbao.parsers.extraction.meta import is_report_title
    assert not is_report_title("当前页面: 首页 > 政务公开 > 部门信息公开目录 > 信息公开年报")
    text = ("当前位置：首页 > 信息公开 > 政府信息公开年报\n模拟县农业农村局\n"
            "2020年政府信息公开年度报告\n一、总体情况\n本机关本年度持续推进政务公开。\n")
    r = parse(text.encode(), source="crumb.txt")
    assert (r.title, r.agency, r.year) == ("模拟县农业农村局2020年政府信息公开年度报告",
                                           "模拟县农业农村局", 2020)


def test_a_category_field_is_not_the_title() -> None:
    """``组配分类 政府信息公开年报`` (the page's column) comes before the real title."""
    text = ("索引号 000000/2024-00001 公开方式 主动公开\n组配分类 政府信息公开年报\n"
            "2023年模拟乡政府信息公开工作年度报告\n一、总体情况\n本机关本年度持续推进政务公开。\n")
    r = parse(text.encode(), source="field.txt")
    assert (r.title, r.agency, r.year) == ("2023年模拟乡政府信息公开工作年度报告", "模拟乡", 2023)
    assert not any(w.startswith("report year") for w in r.warnings)
