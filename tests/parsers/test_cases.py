"""Hand-written fixtures, one per nasty layout of FORMATS.md: exact facts and warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.parsers import Report, parse
from nianbao.parsers.schema import SCHEMAS

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def load(name: str, content_type: str | None = None) -> Report:
    return parse((CASES / name).read_bytes(), source=name, content_type=content_type)


def values(report: Report, table: str) -> dict[tuple[str, str], object]:
    return {(f.row, f.col): f.value for f in report.facts if f.table == table}


def all_cells(template: str, table: str, fill: object = 0) -> dict[tuple[str, str], object]:
    return {cell: fill for cell in SCHEMAS[template][table].cells}


def test_cell_per_line_2021() -> None:
    r = load("cell_per_line_2021.txt")
    assert (r.template, r.year, r.agency, r.script, r.status) == (
        "2021", 2022, "样例县生态环境局", "hans", "ok")
    assert r.warnings == []
    assert values(r, "active") == {
        ("art20_1.rules", "issued"): 0, ("art20_1.rules", "repealed"): 0,
        ("art20_1.rules", "in_force"): 0,
        ("art20_1.normative", "issued"): 2, ("art20_1.normative", "repealed"): 1,
        ("art20_1.normative", "in_force"): 7,
        ("art20_5.licensing", "decisions"): 135, ("art20_6.penalty", "decisions"): 12,
        ("art20_6.coercion", "decisions"): None, ("art20_8.fees", "amount_wan_yuan"): 3.75,
    }
    coercion = r.fact("active", "art20_6.coercion", "decisions")
    assert coercion is not None and coercion.raw == "/"
    fees = r.fact("active", "art20_8.fees", "amount_wan_yuan")
    assert fees is not None and fees.unit == "万元"
    expected = all_cells("2021", "requests")
    nonzero = {
        "received_new": (5, 1, 0, 0, 1, 0, 7), "carried_over": (1, 0, 0, 0, 0, 0, 1),
        "granted": (3, 1, 0, 0, 0, 0, 4), "partially_granted": (1, 0, 0, 0, 0, 0, 1),
        "unavailable.not_held": (1, 0, 0, 0, 1, 0, 2), "closed_total": (5, 1, 0, 0, 1, 0, 7),
        "carried_forward": (1, 0, 0, 0, 0, 0, 1),
    }
    cols = [c.key for c in SCHEMAS["2021"]["requests"].rows[0].cols]
    for row, nums in nonzero.items():
        expected.update({(row, c): v for c, v in zip(cols, nums)})
    assert values(r, "requests") == expected
    assert values(r, "appeals") == {
        **all_cells("2021", "appeals"), ("review", "upheld"): 1, ("review", "pending"): 1,
        ("review", "total"): 2, ("litigation_direct", "pending"): 1,
        ("litigation_direct", "total"): 1}
    assert r.checks and all(c.ok for c in r.checks)
    assert not any(f.inferred for f in r.facts)


def test_dropped_cells_placed_by_identities() -> None:
    r = load("dropped_cells_2021.txt")
    req = {(f.row, f.col): (f.value, f.inferred) for f in r.facts if f.table == "requests"}
    # closed_total is printed in full; it pins every other row to the natural-person column.
    assert req == {
        ("received_new", "natural_person"): (3, True), ("received_new", "total"): (3, True),
        ("granted", "natural_person"): (2, True), ("granted", "total"): (2, True),
        ("unavailable.not_held", "natural_person"): (1, True),
        ("unavailable.not_held", "total"): (1, True),
        **{("closed_total", c): (v, False) for c, v in zip(
            ("natural_person", "commercial", "research", "nonprofit", "legal_services",
             "other_org", "total"), (3, 0, 0, 0, 0, 0, 3))},
    }
    assert all(c.ok for c in r.checks)
    # Two numbers in a three-column row, and two in the 15-cell appeals row: ambiguous.
    assert values(r, "active") == {("art20_6.penalty", "decisions"): 6}
    assert any("art20_1.normative" in w and "4 | 9" in w for w in r.warnings)
    assert any(w.startswith("appeals") and "ambiguous" in w for w in r.warnings)


def test_dropped_cells_ambiguous_column_left_out() -> None:
    text = (CASES / "dropped_cells_2021.txt").read_text(encoding="utf-8")
    full = "（七）总计 |\n3 |\n0 |\n0 |\n0 |\n0 |\n0 |\n3 |\n||\n"
    assert full in text
    r = parse(text.replace(full, "（七）总计 |\n3 |\n3 |\n|||||||\n").encode())
    req = {(f.row, f.col): f.value for f in r.facts if f.table == "requests"}
    # Which applicant column the numbers belong to cannot be known; the totals can.
    assert req == {("received_new", "total"): 3, ("granted", "total"): 2,
                   ("unavailable.not_held", "total"): 1, ("closed_total", "total"): 3}
    left_out = [w for w in r.warnings if w.startswith("requests.") and "ambiguous" in w]
    assert len(left_out) == 4


def test_blank_template_is_reported_empty() -> None:
    r = load("blank_template_2019.txt")
    assert (r.template, r.status, r.year) == ("2019", "empty", 2019)
    assert r.facts == []
    assert sorted(w for w in r.warnings) == sorted(
        f"table {t} is empty: no numbers in it" for t in ("active", "requests", "appeals"))


def test_truncated_document() -> None:
    r = load("truncated_2019.txt")
    assert r.status == "ok"
    assert values(r, "active")[("art20_9.procurement", "amount_wan_yuan")] == 25.1
    assert r.fact("active", "art20_9.procurement", "amount_wan_yuan").raw == "251000元"
    assert values(r, "active")[("art20_8.fees", "items_change")] == -1
    rows = {f.row for f in r.facts if f.table == "requests"}
    assert "unavailable.not_held" in rows and "unavailable.needs_creation" not in rows
    assert any("truncated" in w for w in r.warnings)
    assert "table appeals not found" in r.warnings
    assert "requests.balance.total" in r.checks_failed


def test_word_processor_html_gbk_declared_utf8() -> None:
    r = load("wordproc_2019_gbk.html", content_type="text/html")
    assert (r.template, r.year, r.agency, r.script, r.encoding, r.origin) == (
        "2019", 2020, "样例县水利局", "hant", "gb18030", "html")
    assert r.title == "樣例縣水利局2020年政府信息公開工作年度報告"
    assert r.warnings == []
    active = values(r, "active")
    assert active[("art20_5.licensing", "decisions")] == 1204
    assert active[("art20_5.licensing", "items_change")] == 1
    assert active[("art20_5.other_services", "decisions")] is None
    assert active[("art20_8.fees", "items_change")] is None
    assert active[("art20_9.procurement", "amount_wan_yuan")] == 12000
    assert len(active) == 22
    req = values(r, "requests")
    assert len(req) == 23 * 7
    assert req[("unavailable.not_held", "commercial")] == 1
    assert req[("closed_total", "total")] == 8
    assert values(r, "appeals")[("litigation_after_review", "upheld")] == 1
    assert all(c.ok for c in r.checks) and len(r.checks) == 40
    # The script block at the end imitates a table row; it must not be read.
    assert active[("art20_1.rules", "published_total")] == 2


def test_label_and_value_variants() -> None:
    r = load("variants_2019.txt")
    assert (r.template, r.year, r.agency, r.status) == ("2019", 2020, "样例区", "ok")
    assert r.warnings == []
    active = values(r, "active")
    assert active[("art20_1.normative", "published_total")] == 45
    assert r.fact("active", "art20_1.normative", "published_total").raw == "４５"
    assert active[("art20_5.licensing", "items_prev_year")] == 1234
    assert active[("art20_5.licensing", "items_change")] == 2
    assert active[("art20_5.other_services", "decisions")] == 0
    assert active[("art20_5.other_services", "items_change")] is None
    assert active[("art20_6.penalty", "items_change")] == -3
    assert active[("art20_6.coercion", "items_change")] == 0
    assert active[("art20_8.fees", "items_change")] is None
    money = r.fact("active", "art20_9.procurement", "amount_wan_yuan")
    assert (money.value, money.unit) == (356.25, "万元")
    req = values(r, "requests")
    assert req[("withheld.security_stability", "natural_person")] == 1
    assert req[("received_new", "other_org")] == 2
    assert req[("not_handled.repeated", "total")] == 1
    assert values(r, "appeals")[("review", "upheld")] == 1
    assert all(c.ok for c in r.checks)


def test_legacy_report() -> None:
    r = load("legacy_2017.html")
    assert (r.template, r.status, r.year, r.agency) == ("legacy", "legacy", 2017, "示例市统计局")
    assert r.facts == [] and r.error is None


def test_notice_is_not_a_report() -> None:
    r = load("not_a_report.html")
    assert (r.template, r.status, r.agency) == ("unknown", "not_report", None)
    assert r.error and "not an annual report" in r.error


@pytest.mark.parametrize("data, status, message", [
    (b"", "error", "empty document"),
    (b"   \n\t ", "error", "empty document"),
    (b"%PDF-1.7\n...", "error", "a PDF document that cannot be read"),
    (b"PK\x03\x04rest", "unsupported", "ZIP container"),
    (b"\x89PNG\r\n\x1a\n", "error", "an image"),
    (b"\x00\x01\x02\x03binary", "unsupported", "binary data"),
])
def test_bad_input_gets_a_clear_status(data: bytes, status: str, message: str) -> None:
    r = parse(data, source="x")
    assert r.status == status
    assert r.error is not None and message in r.error
    assert r.facts == [] and r.sha256 is not None


def test_html_blank_cell_spanning_columns_keeps_positions() -> None:
    head = "".join(f"<td>{w}</td>" for w in ("自然人", "商业企业", "科研机构", "社会公益组织",
                                             "法律服务机构", "其他", "总计"))
    html = ("<html><head><title>示例县2022年政府信息公开工作年度报告</title></head><body>"
            "<p>三、收到和处理政府信息公开申请情况</p><table>"
            f"<tr><td>申请人情况</td>{head}</tr>"
            "<tr><td>一、本年新收政府信息公开申请数量</td><td>3</td><td colspan='5'></td><td>3</td></tr>"
            "<tr><td>二、上年结转政府信息公开申请数量</td><td colspan='4'>&nbsp;</td><td>1</td>"
            "<td></td><td>1</td></tr>"
            "<tr><td>（七）总计</td><td colspan='7'></td></tr>"
            "</table></body></html>")
    r = parse(html.encode(), source="span.html")
    req = {(f.row, f.col): (f.value, f.raw, f.inferred) for f in r.facts if f.table == "requests"}
    assert req[("received_new", "natural_person")] == (3, "3", False)
    assert req[("received_new", "total")] == (3, "3", False)
    assert req[("received_new", "legal_services")] == (None, "", False)
    assert req[("carried_over", "legal_services")] == (1, "1", False)
    assert req[("carried_over", "natural_person")] == (None, "", False)
    assert [req[k] for k in req if k[0] == "closed_total"] == [(None, "", False)] * 7
    assert "template not evident from the tables; assumed 2021 from the report year" in r.warnings


def test_an_internal_error_costs_one_document_not_the_batch(monkeypatch: pytest.MonkeyPatch,
                                                             seed_bytes: bytes) -> None:
    import sys

    parse_module = sys.modules["nianbao.parsers.parse"]  # the attribute `parsers.parse` is the function

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(parse_module, "extract", broken)
    r = parse(seed_bytes, source="seed.txt")
    assert r.status == "error" and r.facts == []
    assert r.error is not None and "internal error" in r.error and "boom" in r.error
    # anywhere else in parsing too (the title, the agency, the year, a reader)
    for stage in ("find_title", "report_year", "clues_of", "text_document"):
        monkeypatch.undo()
        monkeypatch.setattr(parse_module, stage, broken)
        r = parse(seed_bytes, source="seed.txt")
        assert (r.status, r.facts, r.source) == ("error", [], "seed.txt"), stage
        assert r.error is not None and "internal error" in r.error and "boom" in r.error
        assert r.sha256 is not None and len(r.sha256) == 64


def test_lone_pipes_are_blank_cells_beside_padding_runs() -> None:
    """One cell per line where a blank cell is a lone '|' and merged cells leave '||' runs
    at row ends: a lone pipe before a value shows the convention, nothing is dropped."""
    r = load("lone_pipe_blanks_2021.txt")
    assert (r.template, r.year, r.agency, r.status) == ("2021", 2023, "示例区住房保障中心", "ok")
    assert r.warnings == [] and not any(f.inferred for f in r.facts)
    active = values(r, "active")
    assert active[("art20_1.normative", "repealed")] is None
    assert active[("art20_1.normative", "in_force")] == 4
    assert active[("art20_6.penalty", "decisions")] is None
    req = values(r, "requests")
    assert len(req) == 25 * 7
    assert req[("received_new", "other_org")] == 1 and req[("received_new", "commercial")] is None
    assert req[("granted", "total")] == 8 and req[("unavailable.not_held", "natural_person")] == 3
    assert values(r, "appeals")[("litigation_direct", "upheld")] is None
    assert all(c.ok for c in r.checks)


def test_indent_and_trailing_spaces_around_pipes_are_not_cells() -> None:
    """The leading-pipes dump with every line indented and padded with trailing spaces
    (`    0 |   `): the whitespace outside the outer pipes is layout, so the page holds
    exactly the facts of the unpadded fixture (before: every row read one blank cell wider
    and left out)."""
    r = load("cell_per_line_indented_2021.txt")
    base = load("leading_pipes_2021.txt")
    assert (r.status, r.template, r.year, r.agency) == ("ok", "2021", 2022, "模拟县档案馆")
    assert r.warnings == []
    assert {(f.table, f.row, f.col): f.value for f in r.facts} == {
        (f.table, f.row, f.col): f.value for f in base.facts}
    assert len(r.facts) == 200


def test_rows_opened_by_lone_pipes_and_padding_after_the_last_cell() -> None:
    """One cell per line where each row starts with a lone '|' and a row's last cell carries
    the padding of merged cells on its own line ('14 | ||')."""
    r = load("leading_pipes_2021.txt")
    assert (r.template, r.year, r.agency, r.status) == ("2021", 2022, "模拟县审计局", "ok")
    assert r.warnings == [] and not any(f.inferred for f in r.facts)
    active = values(r, "active")
    assert active[("art20_1.rules", "in_force")] is None
    assert active[("art20_5.licensing", "decisions")] == 14
    assert active[("art20_6.penalty", "decisions")] == 3
    req = values(r, "requests")
    assert len(req) == 25 * 7
    assert req[("other.other", "natural_person")] == 1 and req[("closed_total", "total")] == 11
    appeals = values(r, "appeals")
    assert len(appeals) == 15 and appeals[("review", "upheld")] == 1
    assert appeals[("litigation_after_review", "total")] == 0
    assert all(c.ok for c in r.checks)
