"""The columns of every dataset file as data: name, type and meaning.

Parquet schemas, SQLite tables and the data dictionary are all generated from here, so the
three formats and their documentation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.parsers.schema import SCHEMAS, TABLES


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str  # str, int, count, float, number, bool, timestamp
    meaning: str


LEVEL = Column("level", "str", "national, provincial, prefecture, county or township")
KIND = Column("kind", "str", "government, government_office, department, township (township "
                             "government or street office) or other")

REPORTS = (
    Column("report_id", "str", "stable id of the report: `r` and 16 hex digits of the SHA-256 "
                               "of source_url (of its desktop twin for a mobile page); never a "
                               "number"),
    Column("source_url", "str", "URL of the report page as linked from the portal's column"),
    Column("title", "str", "title as published"),
    Column("agency", "str", "publishing agency as the report prints it, from the title (or the "
                            "page's signature or site name when the title names none), "
                            "simplified characters"),
    Column("year", "int", "year the report covers"),
    Column("template", "str", "2019, 2021, legacy (before 2019, no tables) or unknown"),
    Column("script", "str", "hans (simplified), hant (traditional) or mixed"),
    Column("status", "str", "ok, empty, legacy (successes); no_tables, unsupported, limit, "
                            "not_report, error (failures)"),
    Column("checks_failed", "int", "number of checks of this report that do not hold, cross-year "
                                   "checks included"),
    Column("fetched_at", "timestamp", "when the archived version was fetched (UTC)"),
    Column("sha256", "str", "SHA-256 of the report page's bytes"),
    Column("parser_version", "str", "version of the parser that read the facts"),
    Column("error", "str", "why the report failed to parse (failures only)"),
    Column("attachment_url", "str", "attachment the facts were read from, when the page itself "
                                    "holds no tables"),
    Column("attachment_sha256", "str", "SHA-256 of that attachment's bytes"),
    Column("origin", "str", "how the facts were read: html, text, pdf, docx, ocr"),
    Column("source_name", "str", "name of the source (portal column) in the sources file"),
    Column("other_urls", "str", "other URLs at which the same report was found (a mobile twin, a "
                                "reprint: same page bytes, or same agency, year, template and "
                                "facts), space-separated; empty when none"),
    Column("agency_id", "str", "the agency's register entry (see agencies): `a` and 16 hex "
                               "digits, the same for every report of the agency whatever name "
                               "it printed; empty when the agency could not be identified"),
    Column("region_code", "str", "administrative division code, as precise as known: `61` "
                                 "(a province), `6109` (a prefecture), `610921` (a county; "
                                 "townships carry their county's); never padded with zeros"),
    LEVEL,
    KIND,
)

FACTS = (
    Column("report_id", "str", "the report (see reports)"),
    Column("table", "str", "table key: active, requests, appeals"),
    Column("row", "str", "row key (see the cell keys below)"),
    Column("col", "str", "column key (see the cell keys below)"),
    Column("value", "number", "the number in the cell (money in 10,000 yuan); empty when the cell "
                              "holds none"),
    Column("raw", "str", "the cell's text as printed, whitespace trimmed"),
    Column("unit", "str", "件 (count), 项 (items), 万元 (10,000 yuan), empty when unknown"),
    Column("origin", "str", "how the cell was read: html, text, pdf, docx, ocr; prose for a "
                            "cell the tables lost, taken from the figure the report's text "
                            "states for it (filter it out to keep table readings only)"),
    Column("inferred", "bool", "true when the cell's position was deduced from the template's "
                               "identities because the rendering dropped empty cells"),
)

CHECKS = (
    Column("report_id", "str", "the report (see reports)"),
    Column("name", "str", "the identity: requests.balance.<col>, requests.closed_sum.<col>, "
                          "requests.row_sum.<row>, appeals.row_sum.<row>, cross_year.carry.<col>, "
                          "or prose.<table>.<row>.<col>: the table cell (lhs) against the figure "
                          "the report's own text states for it (rhs); "
                          "prose.appeals.litigation.total compares both litigation rows' totals "
                          "summed"),
    Column("ok", "bool", "whether both sides agree"),
    Column("lhs", "count", "left-hand side (empty cells count as 0)"),
    Column("rhs", "count", "right-hand side; for cross_year.carry: last year's carried_forward; "
                           "for prose: the text's figure"),
)

AGENCIES = (
    Column("agency_id", "str", "stable id of the agency: `a` and 16 hex digits of the SHA-256 of "
                               "its identity (region code, township, unit), or of its name when "
                               "no division matches it"),
    Column("name", "str", "canonical name: the places from the province down, the township, "
                          "the unit under its current full name (…政府办 -> …人民政府办公室, "
                          "…卫生和计划生育局 -> …卫生健康局)"),
    Column("region_code", "str", "administrative division code, as precise as known (see "
                                 "reports); empty for national bodies and unknown places"),
    Column("province", "str", "province-level division"),
    Column("prefecture", "str", "prefecture-level division"),
    Column("county", "str", "county-level division"),
    Column("township", "str", "township, town or street (not in the division table: as printed)"),
    LEVEL,
    KIND,
    Column("parent_id", "str", "the government it belongs to (a department's or office's "
                               "government, the government above a government); a row of "
                               "this table"),
    Column("printed_names", "str", "every name the reports printed for it, separated by ` | `"),
    Column("reports", "int", "number of reports of this agency in the dataset (0 for a parent "
                             "government that published none)"),
    Column("first_year", "int", "earliest year of its reports"),
    Column("last_year", "int", "latest year of its reports"),
)

FILES = {"reports": REPORTS, "facts": FACTS, "checks": CHECKS, "agencies": AGENCIES}


def wide_cols(table: str) -> tuple[str, ...]:
    """Column keys of ``table`` over both templates, in printed order (2019 first)."""
    seen: dict[str, None] = {}
    for template in ("2019", "2021"):
        for row in SCHEMAS[template][table].rows:
            for col in row.cols:
                seen.setdefault(col.key, None)
    return tuple(seen)


def wide_columns(table: str) -> tuple[Column, ...]:
    head = (
        Column("report_id", "str", "the report (see reports)"),
        Column("agency", "str", "publishing agency"),
        Column("year", "int", "year the report covers"),
        Column("template", "str", "2019 or 2021"),
        Column("row", "str", "row key"),
        Column("row_label", "str", "row label as printed on the template (Chinese)"),
    )
    units = _units(table)
    return head + tuple(Column(c, "count" if units.get(c) in COUNT_UNITS else "number",
                               f"value of column {c} (see the cell keys)")
                        for c in wide_cols(table))


COUNT_UNITS = ("件", "项")


def _units(table: str) -> dict[str, str | None]:
    """Column key -> its unit (the same in every row and template of a table)."""
    return {col.key: col.unit for template in ("2019", "2021")
            for row in SCHEMAS[template][table].rows for col in row.cols}


WIDE = {t: wide_columns(t) for t in TABLES}


def _ranks() -> tuple[dict[str, int], dict[tuple[str, str], int], dict[tuple[str, str], int],
                      dict[tuple[str, str, str], int]]:
    tables = {t: i for i, t in enumerate(TABLES)}
    rows: dict[tuple[str, str], int] = {}
    cols: dict[tuple[str, str], int] = {}
    printed: dict[tuple[str, str, str], int] = {}
    for template in ("2019", "2021"):
        for t in TABLES:
            for i, row in enumerate(SCHEMAS[template][t].rows):
                rows.setdefault((t, row.key), len(rows))
                printed[(template, t, row.key)] = i
    for t in TABLES:
        for i, c in enumerate(wide_cols(t)):
            cols[(t, c)] = i
    return tables, rows, cols, printed


TABLE_RANK, ROW_RANK, COL_RANK, PRINTED_ROW_RANK = _ranks()


def fact_order(table: str, row: str, col: str,
               template: str | None = None) -> tuple[int, int, int, int, str, str]:
    """Sort key that puts facts in printed order (unknown keys last, alphabetically).

    Rows follow their template's printed order (a 2021 report's ``other.*`` rows come before
    ``closed_total``); without a known template, 2019's order with 2021's extra rows after.
    """
    printed = PRINTED_ROW_RANK.get((template or "", table, row))
    rank = (0, printed) if printed is not None else (1, ROW_RANK.get((table, row), 9999))
    return (TABLE_RANK.get(table, 99), *rank, COL_RANK.get((table, col), 99), row, col)


# nianbao.sqlite only: the compact storage behind the ``facts`` view (output/sqlite_file.py).
REPORT_KEY = Column("report_key", "int", "the report's integer key (its position in report-id "
                                         "order), which `cells` refers to")
SQLITE_TABLES = {
    "cells": (
        Column("report_key", "int", "the report: `reports.report_key` (foreign key)"),
        Column("seq", "int", "the cell's position in the report's printed order; "
                             "(`report_key`, `seq`) is the primary key"),
        Column("cell_key", "int", "the cell: `cell_keys.cell_key` (foreign key)"),
        Column("value", "number", "as in `facts`"),
        Column("raw", "str", "as in `facts`, but empty where it is the value's own text (`12` "
                             "for 12); the `facts` view puts that text back"),
        Column("origin", "str", "as in `facts`, but empty where it is the report's `origin`"),
        Column("inferred", "bool", "as in `facts` (0 or 1)"),
    ),
    "cell_keys": (
        Column("cell_key", "int", "integer primary key"),
        Column("table", "str", "table key"),
        Column("row", "str", "row key"),
        Column("col", "str", "column key"),
        Column("unit", "str", "unit of the cell"),
    ),
}
