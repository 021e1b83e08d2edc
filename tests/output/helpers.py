"""Small hand-made datasets whose every value is known, for the format tests."""

from __future__ import annotations

import hashlib

from nianbao.parsers.model import Check, Fact
from nianbao.output.records import Dataset, ReportRow, report_id, set_register
from nianbao.output.results import carry_values


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
    row.carry = carry_values({"natural_person": over, "commercial": 0},
                             {"natural_person": forward})
    row.checks_failed = 1
    set_register(row, [], None)
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


def _generated(i: int, template: str) -> tuple[ReportRow, list[Fact], list[Check]]:
    """Every cell of a template, with the awkward values CSV and Parquet must keep exactly."""
    from nianbao.parsers.schema import SCHEMAS, TABLES

    url = f"http://c.example/{template}/{i}.html"
    year = 2019 + i
    row = ReportRow(report_id(url), url, f'青山县{year}年"政府信息公开",工作年度报告', f"青山县{i}",
                    year, template, "hans", "ok", 0, "2024-01-15T08:00:00+00:00", _sha(url),
                    "1.0.0", origin="pdf", source_name="示例来源, 县")
    odd = [(12.0, "12.0"), (1e-05, "0.00001"), (0.1 + 0.2, "0.3"), (None, "/"),
           (1234, "1,234"), (7, '"7"'), (8, "8\n件"), (9, " 9"), (2.5, "2.5"), (0, "0件")]
    facts = []
    k = 0
    for t in TABLES:
        for r in SCHEMAS[template][t].rows:
            for c in r.cols:
                k += 1
                value, raw = odd[k % len(odd)] if k % 3 == 0 else ((i * 7 + k) % 40, str((i * 7 + k) % 40))
                origin = "ocr" if k % 11 == 0 else "pdf"
                facts.append(Fact(t, r.key, c.key, value, raw, None if k % 13 == 0 else c.unit,
                                  origin, k % 17 == 0))
    facts.reverse()  # stored order is not printed order
    facts.append(Fact("requests", "zz_unknown_row", "total", 4, "4", "件", "pdf"))
    facts.append(Fact("requests", "received_new", "zz_unknown_col", 5.5, "5.5", None, "pdf"))
    checks = [Check("requests.balance.total", i % 2 == 0, 3, 3 if i % 2 == 0 else 4),
              Check("requests.row_sum.granted", True, 2.5, 2.5)]
    row.carry = carry_values({"total": i}, {"total": i + 1})
    row.checks_failed = int(i % 2 == 1)
    set_register(row, [], None)
    return row, facts, checks


def golden_dataset() -> Dataset:
    """``small_dataset`` plus fully filled 2019 and 2021 reports with awkward values, a report
    without contents and one not parsed yet: the dataset of the golden files."""
    small = small_dataset()
    items = [(r, *small.load(r)) for r in small.reports]
    items += [_generated(i, "2019" if i < 2 else "2021") for i in range(4)]
    empty = ReportRow(report_id("http://d.example/e.html"), "http://d.example/e.html", "白云镇报告",
                      "白云镇", 2022, "2021", "hans", "empty", 0, "2024-02-01T00:00:00+00:00",
                      _sha("e"), "1.0.0", origin="html")
    set_register(empty, [("page", "示例市白云镇人民政府")], None)
    unparsed = ReportRow(report_id("http://d.example/u.html"), "http://d.example/u.html",
                         error="not parsed yet (run `nianbao parse --data`)",
                         fetched_at="2024-02-01T00:00:00+00:00", sha256=_sha("u"))
    items += [(empty, [], []), (unparsed, [], [])]
    contents = {r.report_id: (f, c) for r, f, c in items}
    return Dataset([r for r, _f, _c in items], lambda r: contents[r.report_id])
