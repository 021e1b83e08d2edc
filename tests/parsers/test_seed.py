"""The real report we were given parses completely: every cell, every check."""

from __future__ import annotations

from nianbao.parsers import parse
from nianbao.parsers.schema import REQUESTS_2019

ACTIVE = {
    ("art20_1.rules", "newly_made"): 1, ("art20_1.rules", "newly_published"): 1,
    ("art20_1.rules", "published_total"): 8,
    ("art20_1.normative", "newly_made"): 5, ("art20_1.normative", "newly_published"): 5,
    ("art20_1.normative", "published_total"): 5,
    ("art20_5.licensing", "items_prev_year"): 2153, ("art20_5.licensing", "items_change"): 0,
    ("art20_5.licensing", "decisions"): 122580,
    ("art20_5.other_services", "items_prev_year"): 6,
    ("art20_5.other_services", "items_change"): 0,
    ("art20_5.other_services", "decisions"): 10875,
    ("art20_6.penalty", "items_prev_year"): 767, ("art20_6.penalty", "items_change"): 0,
    ("art20_6.penalty", "decisions"): 78,
    ("art20_6.coercion", "items_prev_year"): 0, ("art20_6.coercion", "items_change"): 0,
    ("art20_6.coercion", "decisions"): 0,
    ("art20_8.fees", "items_prev_year"): 6, ("art20_8.fees", "items_change"): 0,
    ("art20_9.procurement", "projects"): 67, ("art20_9.procurement", "amount_wan_yuan"): 25409.5,
}
APPEAL_ROWS = ("review", "litigation_direct", "litigation_after_review")
APPEAL_COLS = ("upheld", "corrected", "other", "pending", "total")


def test_seed_metadata(seed_bytes: bytes) -> None:
    report = parse(seed_bytes, source="seed.txt")
    assert report.status == "ok"
    assert report.title == "阿拉善高新技術產業開發區2019年政府信息公開工作年度報告"
    assert report.agency == "阿拉善高新技术产业开发区"
    assert report.year == 2019
    assert report.template == "2019"
    assert report.script == "hant"
    assert report.source == "seed.txt"
    assert len(report.sha256 or "") == 64
    assert report.warnings == []


def test_seed_every_cell(seed_bytes: bytes) -> None:
    report = parse(seed_bytes)
    got = {(f.table, f.row, f.col): f for f in report.facts}
    expected: dict[tuple[str, str, str], float] = {("active",) + k: v for k, v in ACTIVE.items()}
    for row in REQUESTS_2019.rows:
        for col in row.cols:
            expected[("requests", row.key, col.key)] = 0
    for row in APPEAL_ROWS:
        for col in APPEAL_COLS:
            expected[("appeals", row, col)] = 0
    assert {k: f.value for k, f in got.items()} == expected
    assert all(f.origin == "text" and not f.inferred for f in report.facts)
    money = got[("active", "art20_9.procurement", "amount_wan_yuan")]
    assert (money.raw, money.unit) == ("25409.5萬元", "万元")
    assert got[("active", "art20_5.licensing", "items_prev_year")].unit == "项"
    assert got[("requests", "granted", "total")].unit == "件"


def test_seed_checks(seed_bytes: bytes) -> None:
    report = parse(seed_bytes)
    names = {c.name for c in report.checks}
    assert len(report.checks) == 7 + 7 + 23 + 3
    assert "requests.balance.total" in names and "appeals.row_sum.review" in names
    assert all(c.ok for c in report.checks)
