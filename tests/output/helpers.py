"""Small hand-made datasets whose every value is known, for the format tests."""

from __future__ import annotations

import hashlib

from nianbao.parsers.model import Check, Fact
from nianbao.output.records import Dataset, ReportRow, report_id


def _sha(url: str) -> str:
    """A distinct page hash per report (the same hash would make them one report)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _report(url: str, agency: str | None, year: int | None, over: int, forward: int,
            status: str = "ok") -> tuple[ReportRow, list[Fact], list[Check]]:
    row = ReportRow(report_id(url), url, f"{agency}{year}年政府信息公开工作年度报告", agency, year,
                    "2021", "hans", status, 0, "2024-01-15T08:00:00+00:00", _sha(url), "1.0.0",
                    origin="html", source_name="示例来源")
    facts = [
        Fact("appeals", "review", "total", 3, "3", "件", "html"),
        Fact("requests", "carried_forward", "natural_person", forward, str(forward), "件", "html"),
        Fact("requests", "carried_over", "natural_person", over, str(over), "件", "html", True),
        Fact("requests", "carried_over", "commercial", None, "/", "件", "html"),
        Fact("active", "art20_8.fees", "amount_wan_yuan", 25.1, "251000元", "万元", "html"),
        Fact("active", "art20_1.rules", "issued", 0, "0件", "件", "html"),
    ]
    checks = [Check("appeals.row_sum.review", False, 3, 0)]
    row.carry = {"carried_over": {"natural_person": over, "commercial": 0},
                 "carried_forward": {"natural_person": forward}}
    row.checks_failed = 1
    return row, facts, checks


def small_dataset() -> Dataset:
    """Four reports: one agency over 2021-2023 (2022 carries right, 2023 wrong), one without year."""
    items = [
        _report("http://a.example/2021.html", "示例市", 2021, 1, 5),
        _report("http://a.example/2022.html", "示例市", 2022, 5, 7),
        _report("http://a.example/2023.html", "示例市", 2023, 6, 2),
        _report("http://b.example/x.html", None, None, 0, 0, status="no_tables"),
    ]
    items[3][0].template, items[3][0].error = "unknown", "no statistical tables found in the report"
    contents = {r.report_id: (f, c) for r, f, c in items}
    return Dataset([r for r, _f, _c in items], lambda r: contents[r.report_id])
