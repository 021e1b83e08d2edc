"""Real-world renderings (issue 8, docs/renderings.md): one made-up fixture per rendering class
that the survey found and that no other fixture modelled. Each test states the exact facts the
page holds (null facts for cells printed blank), the year, the template, and that nothing else
is emitted. These describe the target behaviour of the readers and extraction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nianbao.parsers import Report, parse
from nianbao.parsers.schema import SCHEMAS

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"
APPLICANTS = ("natural_person", "commercial", "research", "nonprofit", "legal_services",
              "other_org")
PARTS = ("upheld", "corrected", "other", "pending")
Cell = tuple[str, str, str]

# --- ground truth of each fixture -----------------------------------------------------------
# ``active``: every cell of table 二 (None = printed blank or as a marker).
# ``requests``: the six applicant values of each row given; rows not given are all 0;
#   ``closed_total`` and ``carried_forward`` follow from the identities, ``total`` is the sum.
# ``appeals``: the four parts of each appeals row; ``total`` is their sum.
# ``blank_zero``: applicant cells that are 0 are printed blank (null facts); totals are printed.

ACTIVE_2021_A: dict[tuple[str, str], Any] = {
    ("art20_1.rules", "issued"): 0, ("art20_1.rules", "repealed"): 0,
    ("art20_1.rules", "in_force"): 0,
    ("art20_1.normative", "issued"): 3, ("art20_1.normative", "repealed"): 1,
    ("art20_1.normative", "in_force"): 9,
    ("art20_5.licensing", "decisions"): 214, ("art20_6.penalty", "decisions"): 17,
    ("art20_6.coercion", "decisions"): 2, ("art20_8.fees", "amount_wan_yuan"): 1.5,
}
ACTIVE_2019_A: dict[tuple[str, str], Any] = {
    ("art20_1.rules", "newly_made"): 0, ("art20_1.rules", "newly_published"): 0,
    ("art20_1.rules", "published_total"): 1,
    ("art20_1.normative", "newly_made"): 3, ("art20_1.normative", "newly_published"): 3,
    ("art20_1.normative", "published_total"): 12,
    ("art20_5.licensing", "items_prev_year"): 14, ("art20_5.licensing", "items_change"): 2,
    ("art20_5.licensing", "decisions"): 306,
    ("art20_5.other_services", "items_prev_year"): 5,
    ("art20_5.other_services", "items_change"): 0,
    ("art20_5.other_services", "decisions"): 41,
    ("art20_6.penalty", "items_prev_year"): 22, ("art20_6.penalty", "items_change"): -1,
    ("art20_6.penalty", "decisions"): 9,
    ("art20_6.coercion", "items_prev_year"): 3, ("art20_6.coercion", "items_change"): 0,
    ("art20_6.coercion", "decisions"): 1,
    ("art20_8.fees", "items_prev_year"): 1, ("art20_8.fees", "items_change"): 0,
    ("art20_9.procurement", "projects"): 4, ("art20_9.procurement", "amount_wan_yuan"): 86.5,
}
REQ_A = {
    "received_new": (4, 1, 0, 0, 1, 0), "carried_over": (1, 0, 0, 0, 0, 0),
    "granted": (2, 1, 0, 0, 0, 0), "partially_granted": (1, 0, 0, 0, 0, 0),
    "withheld.third_party_rights": (0, 0, 0, 0, 1, 0),
    "unavailable.not_held": (1, 0, 0, 0, 0, 0),
}
REQ_B = {
    "received_new": (6, 0, 0, 1, 0, 2), "carried_over": (0, 1, 0, 0, 0, 0),
    "granted": (3, 1, 0, 0, 0, 1), "partially_granted": (0, 0, 0, 1, 0, 0),
    "unavailable.not_held": (2, 0, 0, 0, 0, 0), "not_handled.repeated": (1, 0, 0, 0, 0, 0),
}
APPEALS_A = {"review": (1, 0, 0, 1), "litigation_direct": (0, 0, 1, 0),
             "litigation_after_review": (0, 0, 0, 0)}
APPEALS_B = {"review": (2, 1, 0, 0), "litigation_direct": (0, 0, 0, 1),
             "litigation_after_review": (1, 0, 0, 0)}

SPECS: dict[str, dict[str, Any]] = {
    # (1) HTML value cells in other colspan positions than the headers, &nbsp; cells between.
    "colspan_grid_2019.html": {
        "template": "2019", "year": 2020, "active": ACTIVE_2019_A, "requests": REQ_B,
        "appeals": APPEALS_B,
        # the coercion row has a value cell straddling two header spans: ambiguous
        "left_out": [("active", "art20_6.coercion", "items_change"),
                     ("active", "art20_6.coercion", "decisions")]},
    # (2) one cell per line, a line holding only '|' after every cell.
    "pipe_lines_2019.txt": {
        "template": "2019", "year": 2019,
        "active": {**ACTIVE_2019_A, ("art20_8.fees", "items_change"): None},
        "requests": REQ_A, "appeals": APPEALS_A},
    # (3) one cell per line, one blank line between cells, an empty cell = one extra blank line.
    "blank_line_cells_2021.txt": {
        "template": "2021", "year": 2022,
        "active": {**ACTIVE_2021_A, ("art20_1.rules", "repealed"): None,
                   ("art20_6.coercion", "decisions"): None},
        "requests": REQ_B, "appeals": APPEALS_A, "blank_zero": True},
    # (4) PDF-viewer text: numbers separated by spaces, headers stacked one character a line.
    "space_separated_2021.txt": {
        "template": "2021", "year": 2023, "active": ACTIVE_2021_A, "requests": REQ_A,
        "appeals": APPEALS_B},
    # (8) no title: the year from 统计期限 only; decoy years in the regulation, phone, address.
    "no_title_period_2021.txt": {
        "template": "2021", "year": 2023, "active": ACTIVE_2021_A, "requests": REQ_B,
        "appeals": APPEALS_A, "clue": ("统计期限", "statistics period")},
    # (8) no title: 本年度 and a publish date of the following January.
    "no_title_pubdate_2021.txt": {
        "template": "2021", "year": 2021, "active": ACTIVE_2021_A, "requests": REQ_A,
        "appeals": APPEALS_A, "clue": ("发布", "publish")},
    # (new) rows under a rowspan label opened by empty cells; zeros printed blank, totals kept;
    # header words split across two header rows.
    "rowspan_lead_blanks_2021.txt": {
        "template": "2021", "year": 2021, "active": ACTIVE_2021_A, "requests": REQ_A,
        "appeals": APPEALS_B, "blank_zero": True},
    # (new) every row has one more (blank) cell than the template; 本年新 | 本年新 headers.
    "extra_column_2019.txt": {
        "template": "2019", "year": 2020, "active": ACTIVE_2019_A, "requests": REQ_B,
        "appeals": APPEALS_A},
    # (new) a non-template row with numbers in table 二, parenthetical instructions naming other
    # years in labels and headers, traditional script with 文件 converted to 檔案.
    "extra_rows_2019.txt": {
        "template": "2019", "year": 2020,
        "active": {**ACTIVE_2019_A, ("art20_6.coercion", "decisions"): None},
        "requests": REQ_A, "appeals": APPEALS_B},
    # (new) the 2019 tables in a 2023 report: an extra blank column, 本年新 | 本年新 headers,
    # rows printed blank as `行政许可 | ||||`, and an opening paragraph naming the year before.
    "old_template_2023.txt": {
        "template": "2019", "year": 2023,
        "active": {**ACTIVE_2019_A,
                   **{("art20_5.licensing", c): None
                      for c in ("items_prev_year", "items_change", "decisions")},
                   **{("art20_5.other_services", c): None
                      for c in ("items_prev_year", "items_change", "decisions")}},
        "requests": REQ_B, "appeals": APPEALS_A},
    # (new) damaged labels: a header with its last character lost (现行有效件), a section label
    # typo (第二十一条), swapped characters (上年转结), a note line inside table 二.
    "label_damage_2021.txt": {
        "template": "2021", "year": 2021, "active": ACTIVE_2021_A, "requests": REQ_B,
        "appeals": APPEALS_B},
    # (new) page chrome of hundreds of `|` cells on the first line, a breadcrumb, the body's
    # paragraphs joined on one line ending in the heading of table 二, a footer of `|` fields
    # with decoy years in an address and a phone number.
    "chrome_joined_paragraphs_2022.txt": {
        "template": "2021", "year": 2022, "active": ACTIVE_2021_A, "requests": REQ_A,
        "appeals": APPEALS_B},
    # (new) a 2020 report opening with the sections of the pre-2019 form (收费及减免, appeals
    # in prose; 行政事业性收费0元 in the text) before the 2019 template's tables.
    "fees_section_2020.txt": {
        "template": "2019", "year": 2020, "active": ACTIVE_2019_A, "requests": REQ_B,
        "appeals": APPEALS_A},
    # (new) a flip-book's PDF pages one cell a line, but for the rows a page holds alone: the
    # last row of table 三 atop its page (the header on the page before) and the appeals row,
    # each a space apart, two rows too few to make the document space-separated.
    "pdf_page_rows_2022.txt": {
        "template": "2021", "year": 2022, "active": ACTIVE_2021_A, "requests": REQ_A,
        "appeals": APPEALS_B},
    # (new) no year in the title; 统计期限 printed with 年 and 月 lost (202211日至20221231日).
    "year_lost_chars_2021.txt": {
        "template": "2021", "year": 2022, "active": ACTIVE_2021_A, "requests": REQ_B,
        "appeals": APPEALS_B, "clue": ("统计期限", "statistics period")},
}


def request_rows(spec: dict[str, Any]) -> dict[str, list[Any]]:
    """Every row of table 三 as printed: applicant values (None = blank) and the total."""
    template = spec["template"]
    blank = spec.get("blank_zero", False)
    rows = [r.key for r in SCHEMAS[template]["requests"].rows]
    given: dict[str, tuple[int, ...]] = spec["requests"]
    plain = {r: list(given.get(r, (0,) * 6)) for r in rows}
    results = rows[rows.index("granted"):rows.index("closed_total")]
    plain["closed_total"] = [sum(plain[r][i] for r in results) for i in range(6)]
    plain["carried_forward"] = [plain["received_new"][i] + plain["carried_over"][i]
                                - plain["closed_total"][i] for i in range(6)]
    out: dict[str, list[Any]] = {}
    for r in rows:
        vals = plain[r]
        shown: list[Any] = [None if (blank and v == 0) else v for v in vals]
        out[r] = shown + [sum(vals)]
    return out


def appeal_values(spec: dict[str, Any]) -> list[int]:
    out: list[int] = []
    for row in ("review", "litigation_direct", "litigation_after_review"):
        parts = spec["appeals"][row]
        out += [*parts, sum(parts)]
    return out


def expected_facts(spec: dict[str, Any]) -> dict[Cell, Any]:
    facts: dict[Cell, Any] = {("active", r, c): v for (r, c), v in spec["active"].items()}
    cols = [*APPLICANTS, "total"]
    for row, vals in request_rows(spec).items():
        facts.update({("requests", row, c): v for c, v in zip(cols, vals)})
    values = appeal_values(spec)
    i = 0
    for row in ("review", "litigation_direct", "litigation_after_review"):
        for c in (*PARTS, "total"):
            facts[("appeals", row, c)] = values[i]
            i += 1
    for cell in spec.get("left_out", []):
        del facts[cell]
    return facts


def load(name: str) -> Report:
    return parse((CASES / name).read_bytes(), source=name)


def got(report: Report) -> dict[Cell, Any]:
    return {(f.table, f.row, f.col): f.value for f in report.facts}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_rendering_parses_exactly(name: str) -> None:
    spec = SPECS[name]
    r = load(name)
    assert (r.template, r.year) == (spec["template"], spec["year"])
    facts = got(r)
    expected = expected_facts(spec)
    wrong = {k: (facts[k], v) for k, v in expected.items() if k in facts and facts[k] != v}
    assert wrong == {}, f"wrong values (got, expected): {wrong}"
    assert sorted(set(expected) - set(facts)) == [], "cells missing"
    assert sorted(set(facts) - set(expected)) == [], "cells that the page does not hold"
    assert r.checks and all(c.ok for c in r.checks), r.checks_failed
    for table, row, _ in spec.get("left_out", []):
        assert any(row in w and "ambiguous" in w for w in r.warnings), r.warnings


@pytest.mark.parametrize("name", sorted(n for n in SPECS if "clue" in SPECS[n]))
def test_year_from_the_body_names_its_clue(name: str) -> None:
    r = load(name)
    words = SPECS[name]["clue"]
    assert any(str(r.year) in w and any(k in w for k in words) for w in r.warnings), r.warnings


def test_a_document_that_states_no_year_has_none() -> None:
    text = (CASES / "year_lost_chars_2021.txt").read_text(encoding="utf-8")
    stripped = text.replace("本报告所列数据的统计期限为202211日至20221231日。", "")
    assert stripped != text
    r = parse(stripped.encode(), source="no-year.txt")
    assert r.year is None
    assert any("year" in w for w in r.warnings)
    # the tables are still read in full
    assert len([f for f in r.facts if f.table == "requests"]) == 25 * 7


def test_decoy_years_never_decide() -> None:
    """The no-title fixture names 2019 (the regulation), 2018 in a phone number and 2020 in an
    address; only the 统计期限 states the report year."""
    text = (CASES / "no_title_period_2021.txt").read_text(encoding="utf-8")
    assert "2019" in text and "2020" in text
    assert load("no_title_period_2021.txt").year == 2023


def test_extra_template_row_is_not_read_as_a_template_row() -> None:
    r = load("extra_rows_2019.txt")
    # 其他主動公開檔案 | 186 | 86 | 255: none of these numbers may appear anywhere
    assert not {186, 86, 255} & {f.value for f in r.facts if f.table == "active"}


def test_tables_only_as_images_is_no_tables() -> None:
    """The headings 二、三、四 with nothing under them (the tables were images)."""
    r = load("tables_as_images_2021.txt")
    assert (r.status, r.year, r.facts) == ("no_tables", 2021, [])
    assert r.error is not None and "no statistical tables" in r.error


def test_a_report_in_the_free_form_before_2019_says_so() -> None:
    """A 2020 report written in the old free form: no tables, and the message says why (not
    "tables are pictures"); it stays no_tables, since a linked attachment may hold them."""
    r = load("free_form_2020.txt")
    assert (r.status, r.year, r.template, r.facts) == ("no_tables", 2020, "unknown", [])
    assert "free form of the reports before 2019" in r.error
    assert "收费及减免" in r.error


def test_old_sections_beside_the_templates_tables_are_not_free_form() -> None:
    from nianbao.parsers.document import Line
    from nianbao.parsers.extraction.free_form import free_form_sections

    old = Line(["四、政府信息公开的收费及减免情况"], False)
    new = Line(["三、收到和处理政府信息公开申请情况"], False)
    sentence = Line(["本年度没有出现因政府信息公开申请行政复议、提起行政诉讼的情况，也没有收费及减免"
                     "等需要说明的其他情况。"], False)
    assert free_form_sections([old]) == ["四、政府信息公开的收费及减免情况"]
    assert free_form_sections([old, new]) == []
    assert free_form_sections([sentence]) == []
    assert "free form" not in (load("tables_as_images_2021.txt").error or "")
