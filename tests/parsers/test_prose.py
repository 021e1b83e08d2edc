"""Prose checks: the figures a report's text states for its cells, paired strictly."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from nianbao.parsers import parse
from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.prose import apply, read_figures
from nianbao.parsers.model import Fact

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def prose_checks(report) -> dict[str, tuple[bool, object, object]]:  # type: ignore[no-untyped-def]
    return {c.name: (c.ok, c.lhs, c.rhs) for c in report.checks if c.name.startswith("prose.")}


def figures(*paragraphs: str, year: int | None = 2021, template: str = "2021"
            ) -> dict[str, int]:
    doc = Document("text", [Line(list(paragraphs), False)])
    return {f"{f.table}.{f.row}.{f.col}": f.value for f in read_figures(doc, template, year)}


def test_text_agrees_with_tables() -> None:
    r = parse((CASES / "prose_agrees_2021.txt").read_bytes())
    assert prose_checks(r) == {
        "prose.active.art20_1.normative.issued": (True, 5, 5),
        "prose.active.art20_1.normative.in_force": (True, 18, 18),
        "prose.active.art20_8.fees.amount_wan_yuan": (True, 3.2, 3.2),  # 32,000元 in 万元
        "prose.requests.received_new.total": (True, 12, 12),
        "prose.requests.carried_over.total": (True, 1, 1),
        "prose.requests.closed_total.total": (True, 12, 12),
        "prose.requests.granted.total": (True, 6, 6),
        "prose.requests.carried_forward.total": (True, 1, 1),
        "prose.appeals.review.total": (True, 2, 2),
        "prose.appeals.litigation.total": (True, 1, 1),
    }
    assert r.warnings == [] and r.checks_failed == []
    assert not any(f.origin == "prose" for f in r.facts)


def test_text_disagrees_with_tables() -> None:
    r = parse((CASES / "prose_disagrees_2021.txt").read_bytes())
    assert prose_checks(r) == {
        "prose.requests.received_new.total": (False, 12, 15),
        "prose.requests.carried_forward.total": (True, 1, 1),
        "prose.appeals.review.total": (False, 2, 3),
    }
    assert r.checks_failed == ["prose.requests.received_new.total", "prose.appeals.review.total"]
    # The text never replaces a cell the table has.
    received = r.fact("requests", "received_new", "total")
    assert received is not None and (received.value, received.origin) == (12, "text")


def test_text_states_a_cell_the_table_lost() -> None:
    r = parse((CASES / "prose_lost_cell_2021.txt").read_bytes())
    lost = r.fact("requests", "received_new", "total")
    assert lost is not None
    assert (lost.value, lost.raw, lost.unit, lost.origin, lost.inferred) == (12, "12件", "件",
                                                                             "prose", False)
    assert [f for f in r.facts if f.origin == "prose"] == [lost]
    assert r.fact("requests", "received_new", "natural_person") is None  # the row was left out
    assert any("left out" in w for w in r.warnings)
    assert ("requests.received_new.total: not read from the table; 12 taken from the text "
            "(本局收到政府信息公开申请12件)") in r.warnings
    assert prose_checks(r) == {}
    checks = {c.name: c for c in r.checks}
    assert checks["requests.balance.total"].ok  # 12 + 1 == 12 + 1 with the text's figure
    assert not checks["requests.row_sum.received_new"].ok  # the row's other cells are lost


def test_traps_never_pair() -> None:
    r = parse((CASES / "prose_traps_2021.txt").read_bytes())
    assert r.status == "ok"
    assert prose_checks(r) == {}
    assert not any(f.origin == "prose" for f in r.facts)
    assert r.warnings == []


def test_traditional_script_reads_the_same() -> None:
    text = (CASES / "prose_agrees_2021.txt").read_text(encoding="utf-8")
    trad = opencc.OpenCC("s2t").convert(text)
    assert trad != text
    r = parse(trad.encode("utf-8"))
    assert r.script == "hant"
    assert prose_checks(r) == prose_checks(parse(text.encode("utf-8")))


def test_seed_prose_pairs_nothing(seed_bytes: bytes) -> None:
    # 投诉建议9件, 热点8条 and 各类重要信息6400余条 are not table cells.
    assert prose_checks(parse(seed_bytes)) == {}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("全年共收到政府信息公开申请25件。", {"requests.received_new.total": 25}),
    ("2021年，本机关新收政府信息公开申请1,234件。", {"requests.received_new.total": 1234}),
    ("本年度受理25件政府信息公开申请。", {"requests.received_new.total": 25}),
    ("上年结转政府信息公开申请2件。", {"requests.carried_over.total": 2}),
    ("本年度共办结政府信息公开申请24件，结转下年度继续办理1件。",
     {"requests.closed_total.total": 24, "requests.carried_forward.total": 1}),
    ("共办结政府信息公开申请24件，其中予以公开10件、部分公开2件。",
     {"requests.closed_total.total": 24, "requests.granted.total": 10}),
    ("收到政府信息公开申请8件，予以公开5件。",
     {"requests.received_new.total": 8, "requests.granted.total": 5}),
    ("因政府信息公开被申请行政复议3件、被提起行政诉讼1件。",
     {"appeals.review.total": 3, "appeals.litigation.total": 1}),
    ("全年 共收到 政府信息公开申请 25 件。", {"requests.received_new.total": 25}),
    ("本年度制发行政规范性文件5件，废止规范性文件2件。",
     {"active.art20_1.normative.issued": 5, "active.art20_1.normative.repealed": 2}),
    ("现行有效规章3件。", {"active.art20_1.rules.in_force": 3}),
    ("本年度行政事业性收费金额1.25万元。", {"active.art20_8.fees.amount_wan_yuan": 1.25}),
    ("本年度行政事业性收费12,500元。", {"active.art20_8.fees.amount_wan_yuan": 1.25}),
    # The total is read; the clause naming a column (结果被纠正) is not.
    ("因政府信息公开被申请行政复议1件，结果被纠正1件。", {"appeals.review.total": 1}),
])
def test_accepted_phrasings(sentence: str, expected: dict[str, int]) -> None:
    assert figures(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "全区各部门共收到政府信息公开申请120件。",  # a sum over other agencies
    "全市共受理政府信息公开申请300件。",
    "收到政府信息公开申请数量较上年增长20%，达到25件。",  # a comparison
    "收到政府信息公开申请同比增加5件。",
    "2020年收到政府信息公开申请8件。",  # another year
    "上年收到政府信息公开申请8件。",
    "共受理政府信息公开申请13件（含上年结转1件）。",  # two figures, carried over included
    "共受理政府信息公开申请13件，包括上年结转申请1件。",
    "共收到政府信息公开申请13件，其中上年结转1件。",
    "收到政府信息公开申请20余件。",  # approximate
    "收到政府信息公开申请约20件。",
    "累计收到政府信息公开申请300件。",  # several years
    "上半年收到政府信息公开申请5件。",  # part of the year
    "其中自然人申请9件，法人或其他组织申请3件。",  # applicant breakdown
    "通过网上提交政府信息公开申请10件，其中予以公开5件。",  # a channel's subset
    "予以公开和部分公开的申请共7件。",  # two rows in one figure
    "政府信息公开申请办结率100%。",  # a rate
    "受理群众投诉举报56件，全部办结。",  # not requests for information
    "办理行政复议案件35件。",  # the agency as reviewing body, not about disclosure
    "依法办理政府信息公开行政复议案件2件。",
    "涉及政府信息公开的行政复议、行政诉讼共3件。",  # two rows in one figure
    "因政府信息公开被申请行政复议、提起行政诉讼各1件。",
    "政府信息公开行政诉讼一审判决2件。",
    "全年主动公开政府信息1,234条。",  # no table cell
    "本年度收取政府信息公开处理费0元。",
    "收取费用0元。",  # which fee? not the 行政事业性收费 cell
    "依申请公开政府信息未收取行政事业性收费0元。",
    "公开行政事业性收费项目12项。",
    "清理规范性文件30件，废止2件。",  # 废止 without its object in the clause
    "对12件规范性文件进行合法性审查。",
    "公开规章和规范性文件8件。",
    "本年度制发行政规范性文件5件。",  # under the 2019 template: see below
    "下一步计划全年办结政府信息公开申请30件。",  # a plan
    "共收到政府信息公开申请3件。共收到政府信息公开申请4件。",  # the text contradicts itself
])
def test_refused_phrasings(sentence: str) -> None:
    assert figures(sentence, template="2019", year=2021) == {}
    if "本年度制发" not in sentence:
        assert figures(sentence) == {}


def test_figures_after_qizhong_are_refused_except_granted() -> None:
    got = figures("办结政府信息公开申请12件，其中予以公开6件，结转下年度继续办理1件。")
    assert got == {"requests.closed_total.total": 12, "requests.granted.total": 6}


def test_year_must_be_the_reports() -> None:
    assert figures("2021年共收到政府信息公开申请25件。", year=None) == {}
    assert figures("2021年共收到政府信息公开申请25件。", year=2022) == {}
    assert figures("2021年共收到政府信息公开申请25件。", year=2021) == {
        "requests.received_new.total": 25}


def test_same_figure_twice_is_one() -> None:
    assert figures("共收到政府信息公开申请3件。", "本年度收到政府信息公开申请3件。") == {
        "requests.received_new.total": 3}


def test_only_prose_before_the_tables() -> None:
    assert figures("二、主动公开政府信息情况", "全年共收到政府信息公开申请25件。") == {}
    assert figures("0", "全年共收到政府信息公开申请25件。") == {}
    # A sentence naming a table's words, and a numbered sub-heading, are still prose.
    assert figures("本年度因政府信息公开工作被申请行政复议3件，未被提起行政诉讼。",
                   "（三）行政复议和行政诉讼", "全年共收到政府信息公开申请25件。") == {
        "appeals.review.total": 3, "requests.received_new.total": 25}


def test_layout_rows_before_the_prose_are_read_on() -> None:
    doc = Document("html", [Line(["首页", "政务公开"], True),
                            Line(["一、总体情况", "全年共收到政府信息公开申请7件。"], False),
                            Line(["信息内容", "本年制发件数"], True),
                            Line(["规章", "0"], True),
                            Line(["全年共收到政府信息公开申请9件。"], False)])
    assert [(f.row, f.value) for f in read_figures(doc, "2021", 2021)] == [("received_new", 7)]


def _fact(table: str, row: str, col: str, value: int | None, origin: str = "html") -> Fact:
    return Fact(table, row, col, value, "" if value is None else str(value), "件", origin)


def test_apply_never_over_a_cell_and_never_a_missing_table() -> None:
    doc = Document("text", [Line(["全年共收到政府信息公开申请25件，结转下年度继续办理2件。"
                                  "因政府信息公开被申请行政复议1件、被提起行政诉讼4件。"], False)])
    figs = read_figures(doc, "2021", 2021)
    facts = [_fact("requests", "received_new", "total", None),  # a blank cell counts as 0
             _fact("requests", "carried_over", "total", 0)]
    kept, checks, notes = apply(figs, facts)
    assert kept[:2] == facts
    assert {(c.name, c.ok, c.lhs, c.rhs) for c in checks} == {
        ("prose.requests.received_new.total", False, 0, 25)}
    added = [f for f in kept if f.origin == "prose"]
    assert [(f.row, f.col, f.value) for f in added] == [("carried_forward", "total", 2)]
    assert len(notes) == 1 and "carried_forward" in notes[0]
    # The appeals table was not read: no check, no fact (not rebuilt from prose).
    assert not any(f.table == "appeals" for f in kept)


def test_litigation_is_both_rows() -> None:
    doc = Document("text", [Line(["因政府信息公开被提起行政诉讼3件。"], False)])
    figs = read_figures(doc, "2019", 2020)
    facts = [_fact("appeals", "litigation_direct", "total", 1),
             _fact("appeals", "litigation_after_review", "total", 2)]
    kept, checks, notes = apply(figs, facts)
    assert [(c.name, c.ok, c.lhs, c.rhs) for c in checks] == [
        ("prose.appeals.litigation.total", True, 3, 3)]
    assert kept == facts and notes == []
    # Only one litigation row read: still a check on what there is, never a fact.
    kept, checks, _ = apply(figs, facts[:1] + [_fact("appeals", "review", "total", 0)])
    assert [(c.ok, c.lhs) for c in checks] == [(False, 1)]
    assert not any(f.origin == "prose" for f in kept)


@pytest.mark.parametrize("sentence", [
    "受理行政许可申请300件，政府信息公开申请5件。",  # a licence application is no request
    "本中心受理行政许可申请300件。",
    "全年因行政处罚被申请行政复议5件，其中涉及政府信息公开1件。",  # another cause
    "政府信息公开工作平稳，因征收补偿被提起行政诉讼2件。",
    "办结行政许可事项300件，政府信息公开申请全部办结。",
])
def test_other_applications_and_causes_refused(sentence: str) -> None:
    assert figures(sentence) == {}


def test_context_carries_to_the_next_sentence_only_without_another_subject() -> None:
    assert figures("本年度收到政府信息公开申请5件。结转下年度继续办理1件。") == {
        "requests.received_new.total": 5, "requests.carried_forward.total": 1}
    assert figures("本年度办理行政许可事项20件。结转下年度继续办理1件。") == {}
