"""A small portal whose report pages hold real tables with known facts (for end-to-end tests).

One column lists: three consecutive years of one agency (carries chained for 2021→2022 and
broken for 2022→2023), a 2020 report of another agency, a page without tables whose facts are
in an HTML attachment, a page whose only attachment is a PDF, and a page that is no report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result

from fixtures.portal import Page, Portal
from fixtures.reports.render import ExpectedFact, Variant, case_for, title_for
from fixtures.reports.spec import ReportSpec, carried_forward, year_spec

COLUMN = "/xxgk/ndbg/"
AGENCY = "示例市教育局"
OTHER = "样例县财政局"
FAILED = "any failure status"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class Expected:
    url: str
    title: str
    agency: str | None
    year: int | None
    template: str
    status: str
    facts: list[ExpectedFact] = field(default_factory=list)
    attachment: str | None = None


def _page(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>").encode("utf-8")


def build_site(portal: Portal, base: str) -> list[Expected]:
    """Add the site's routes to ``portal``; return what a correct run must export."""
    expected: list[Expected] = []
    links: list[tuple[str, str]] = []

    def add_report(path: str, spec: ReportSpec, seed: int) -> None:
        case = case_for(spec, "html_single", Variant(seed=seed), f"e2e-{seed}")
        portal.add(COLUMN + path, Page(case.data, case.content_type or "text/html; charset=utf-8"))
        links.append((path, case.report.title))
        expected.append(Expected(base + COLUMN + path, case.report.title, spec.agency, spec.year,
                                 spec.template, "ok", list(case.facts)))

    s2021 = year_spec(1, "2021", AGENCY, 2021)
    s2022 = year_spec(2, "2021", AGENCY, 2022, carried_over=carried_forward(s2021))
    broken = {c: v + 1 for c, v in carried_forward(s2022).items()}
    s2023 = year_spec(3, "2021", AGENCY, 2023, carried_over=broken)
    add_report("202201/t20220110_1.html", s2021, 11)
    add_report("202301/t20230110_2.html", s2022, 12)
    add_report("202401/t20240110_3.html", s2023, 13)
    add_report("202101/t20210110_4.html", year_spec(4, "2019", OTHER, 2020), 14)

    # A page with no tables; the tables are in an HTML attachment.
    s_att = year_spec(5, "2021", "演示区教育局", 2022)
    case = case_for(s_att, "html_single", Variant(seed=15), "e2e-att")
    title = title_for(s_att, Variant())
    att_path = "/attachment/202301/report_5.html"
    portal.add(att_path, Page(case.data, case.content_type or "text/html; charset=utf-8"))
    portal.add(COLUMN + "202301/t20230111_5.html", Page(_page(
        title, f"<p>详见附件：</p><p><a href='{att_path}'>{title}</a></p>")))
    links.append(("202301/t20230111_5.html", title))
    expected.append(Expected(base + COLUMN + "202301/t20230111_5.html", title, s_att.agency,
                             s_att.year, "2021", "ok", list(case.facts), base + att_path))

    # A page with no tables whose only attachment is a PDF without text: a failure whatever
    # the parser's PDF support (unsupported, or an error), linked to the attachment.
    pdf_title = "虚拟市人民政府2023年政府信息公开工作年度报告"
    portal.add(COLUMN + "202401/P020240115_6.pdf", Page(PDF, "application/pdf"))
    portal.add(COLUMN + "202401/t20240115_6.html", Page(_page(
        pdf_title, "<p>附件：<a href='./P020240115_6.pdf'>年度报告.pdf</a></p>")))
    links.append(("202401/t20240115_6.html", pdf_title))
    expected.append(Expected(base + COLUMN + "202401/t20240115_6.html", pdf_title, "虚拟市人民政府",
                             2023, "unknown", FAILED,
                             attachment=base + COLUMN + "202401/P020240115_6.pdf"))

    # Linked like a report, but the page holds nothing of one.
    bad_title = "模拟县2022年政府信息公开工作年度报告"
    portal.add(COLUMN + "202301/t20230112_7.html", Page(_page(bad_title, "<p>页面建设中。</p>")))
    links.append(("202301/t20230112_7.html", bad_title))
    expected.append(Expected(base + COLUMN + "202301/t20230112_7.html", bad_title, "模拟县", 2022,
                             "unknown", "no_tables"))

    items = "".join(f"<li><a href='./{p}' title='{t}'>{t}</a><span>2024-01-15</span></li>"
                    for p, t in links)
    portal.add(COLUMN + "index.html", Page(_page("政府信息公开年报", f"<ul>{items}</ul>")))
    return expected


def sources_yaml(base: str, host: str) -> str:
    return (f"sources:\n  - name: 示例市政府信息公开年报\n    start: {base}{COLUMN}index.html\n"
            f"    allow: [\"{host}\"]\n")


def crawl(tmp: Path, sources: str, *options: str) -> tuple[Path, Result]:
    """`nianbao run --delay 0` with ``sources`` (YAML text) into ``tmp/data``."""
    from nianbao.cli import main

    path = tmp / "sources.yaml"
    path.write_text(sources, encoding="utf-8")
    data = tmp / "data"
    return data, CliRunner().invoke(main, ["run", "--sources", str(path), "--data", str(data),
                                           "--delay", "0", *options])
