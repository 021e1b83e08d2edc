"""``summary.html``: one self-contained page that shows a data folder's dataset at a glance.

Read through the same code as status and export (one row per report, twins merged, the
cross-year checks added), so its counts are the export's. Charts are matplotlib SVG inlined
into the page, with the glyphs drawn as paths: the page needs no script, stylesheet or font
from anywhere and shows Chinese labels on any machine. Every text that comes from a report is
escaped, and only http(s) URLs become links.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.output.records import SUCCESS, Dataset, ReportRow
from nianbao.parsers import divisions
from nianbao.parsers.extraction.agency import LEVELS as AGENCY_LEVELS
from nianbao.parsers.model import STATUSES, Check, Fact

if TYPE_CHECKING:
    from nianbao.output.results import ResultStore

PAGE_NAME = "summary.html"
UNKNOWN = "unknown"
TOP_AGENCIES = 20

LEVELS = (*AGENCY_LEVELS, UNKNOWN)


def province_of(row: ReportRow) -> str:
    """The province of the report's agency in the register (``unknown`` where not resolved)."""
    return row.register.province or UNKNOWN


def level_of(row: ReportRow) -> str:
    return row.register.level or UNKNOWN


def _province_rank(name: str) -> tuple[bool, str]:
    """Provinces in division-code order, ``unknown`` last."""
    found = divisions.index().by_name.get(name, ())
    return (not found, (found[0].code or "99") if found else name)


def check_kind(name: str) -> str:
    """``requests.balance.total`` → ``requests.balance``: the identity, over its columns."""
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else name


@dataclass(slots=True)
class Figures:
    """What the page shows, counted once (the tests compare it with the export)."""

    reports: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_province_year: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    years: list[int | None] = field(default_factory=list)
    failed_checks: Counter = field(default_factory=Counter)  # kind -> failed checks
    checks: Counter = field(default_factory=Counter)  # kind -> checks
    agencies_failed: Counter = field(default_factory=Counter)  # agency -> failed checks
    requests: dict[int, list[int | float]] = field(default_factory=dict)  # year -> [received, granted, closed, n]
    requests_level: dict[str, list[int | float]] = field(default_factory=dict)
    unread: list[ReportRow] = field(default_factory=list)
    newest: str | None = None  # the latest fetch of a report page (the page's date)


_REQUEST_ROWS = ("received_new", "granted", "closed_total")
Contents = tuple[dict[str, float], list[tuple[str, bool]]]  # requests totals, (check, ok)


def _from_objects(facts: Iterable[Fact], checks: Iterable[Check]) -> Contents:
    totals = {f.row: float(f.value) for f in facts if f.table == "requests" and f.col == "total"
              and f.row in _REQUEST_ROWS and f.value is not None}
    return totals, [(c.name, bool(c.ok)) for c in checks]


def _contents(dataset: Dataset, rows: list[ReportRow], store: ResultStore | None,
              chunk: int = 1000) -> Iterator[tuple[ReportRow, Contents]]:
    """The few facts and the checks of each row; with ``store``, read as Arrow columns (no
    Python object per fact: about three times faster)."""
    if store is None:
        for row, facts, checks in dataset.contents(rows):
            yield row, _from_objects(facts, checks)
        return
    import pyarrow.compute as pc

    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        got = store.columns([r.facts_from for r in part if r.facts_from is not None],
                            {r.facts_from: r.facts_place for r in part if r.facts_place})
        for row in part:
            if row.facts_from not in got:
                yield row, ({}, [])
                continue
            facts, checks = got[row.facts_from]
            keep = pc.and_(pc.equal(facts.column("table"), "requests"),
                           pc.equal(facts.column("col"), "total"))
            picked = facts.filter(keep)
            totals = {r: v for r, v in zip(picked.column("row").to_pylist(),
                                            picked.column("value").to_pylist())
                      if r in _REQUEST_ROWS and v is not None}
            yield row, (totals, list(zip(checks.column("name").to_pylist(),
                                         checks.column("ok").to_pylist())))


def count(dataset: Dataset, store: ResultStore | None = None) -> Figures:
    """Every figure of the page, from the dataset as export writes it (``store``: the results
    store the dataset was loaded from, read in columns)."""
    from nianbao.output.cross_year import cross_year_checks
    from nianbao.output.same_report import merged

    table = merged(dataset)
    fig = Figures()
    years: set[int | None] = set()
    for part in table.chunks(1000):  # a thousand reports held at a time
        extra = cross_year_checks(table, part[0].report_id, part[-1].report_id)
        rows = [replace(r, checks_failed=r.checks_failed + extra[r.report_id].failed)
                if r.report_id in extra else r for r in part]
        fig.reports += len(rows)
        for row, (totals, checks) in _contents(dataset, rows, store):
            if row.report_id in extra:
                checks = [*checks, *((c.name, c.ok) for c in extra[row.report_id].checks())]
            fig.by_status[row.status if row.parser_version is not None else "not parsed"] += 1
            fig.by_province_year[province_of(row)][row.year] += 1
            years.add(row.year)
            if row.fetched_at and (fig.newest is None or row.fetched_at > fig.newest):
                fig.newest = row.fetched_at
            for name, ok in checks:
                fig.checks[check_kind(name)] += 1
                if not ok:
                    fig.failed_checks[check_kind(name)] += 1
            if row.checks_failed:
                # one line per agency in the register, whatever names its reports printed
                fig.agencies_failed[row.register.name or row.agency or UNKNOWN] += row.checks_failed
            if row.status not in SUCCESS or row.parser_version is None:
                fig.unread.append(row)
            received = totals.get("received_new")
            if received is not None and row.year is not None:
                granted, closed = totals.get("granted"), totals.get("closed_total")
                for key, into in ((row.year, fig.requests),
                                  (level_of(row), fig.requests_level)):
                    acc = into.setdefault(key, [0, 0, 0, 0])  # type: ignore[arg-type]
                    acc[0] += received
                    if granted is not None and closed:
                        acc[1] += granted
                        acc[2] += closed
                    acc[3] += 1
    fig.years = sorted(years, key=lambda y: (y is None, y or 0))
    fig.unread.sort(key=lambda r: (r.status, r.source_url))
    return fig


# --- charts -------------------------------------------------------------------------------

_CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
              "Source Han Sans SC", "SimHei", "Microsoft YaHei", "PingFang SC")


def cjk_font() -> str | None:
    """The first installed font that has Chinese glyphs, None when there is none."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in _CJK_FONTS if f in installed), None)


def _svg(fig) -> str:  # type: ignore[no-untyped-def]
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]  # without the XML prologue and DOCTYPE


def _chart(kind: str, labels: list[str], values: list[float], *, title: str,
           xlabel: str = "", line: list[float | None] | None = None,
           line_label: str = "") -> str:
    """One bar chart (``barh`` or ``bar``) as inline SVG, with an optional line on a second
    axis for shares (0–100 %)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    with matplotlib.rc_context({"font.sans-serif": [*([font] if font else []), "DejaVu Sans"],
                                "font.family": "sans-serif", "svg.fonttype": "path",
                                "svg.hashsalt": f"nianbao-{title}", "axes.unicode_minus": False}):
        height = max(2.2, 0.32 * len(labels) + 1.0) if kind == "barh" else 3.2
        fig = Figure(figsize=(7.0, height))
        ax = fig.add_subplot()
        if kind == "barh":
            bars = ax.barh(labels[::-1], values[::-1], color="#3b6ea5")
            ax.set_xlabel(xlabel)
        else:
            bars = ax.bar(labels, values, color="#3b6ea5")
            ax.set_ylabel(xlabel)
        ax.bar_label(bars, fmt="{:,.0f}", padding=2, fontsize=8)
        (ax.xaxis if kind == "barh" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        if line is not None:
            ax2 = ax.twinx()
            xs = [i for i, v in enumerate(line) if v is not None]
            ax2.plot(xs, [line[i] for i in xs], color="#c0392b", marker="o")
            ax2.set_ylim(0, 100)
            ax2.set_ylabel(line_label, color="#c0392b")
            ax2.spines[["top"]].set_visible(False)
        return _svg(fig)


# --- the page -----------------------------------------------------------------------------

_CSS = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei","PingFang SC",
sans-serif;margin:2em auto;max-width:64em;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#666;font-size:.9em}.chart svg{max-width:100%;height:auto}
td.url{word-break:break-all;min-width:14em}
table.unread td:nth-child(2){min-width:12em}
"""


def _e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _link(url: str | None) -> str:
    """A link for an http(s) URL; anything else (``javascript:`` …) only as escaped text."""
    if not url:
        return ""
    if re.match(r"https?://", url, re.IGNORECASE):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>'
    return _e(url)


def _table(head: list[str], rows: Iterable[list[str]], numeric: set[int] = frozenset(),
           cls: str = "", urls: set[int] = frozenset()) -> str:
    """An HTML table; the cells must already be escaped."""
    def cells(tag: str, values: list[str]) -> str:
        return "".join(f'<{tag}{" class=n" if i in numeric else " class=url" if i in urls else ""}'
                       f">{v}</{tag}>" for i, v in enumerate(values))
    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    return (f'<table class="{cls}"><thead><tr>{cells("th", head)}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _year(y: int | None) -> str:
    return UNKNOWN if y is None else str(y)


def render(fig: Figures, *, data_dir: str = "") -> str:
    """The whole page as one string: the same data gives the same bytes."""
    newest = f", newest report fetched {_e(fig.newest)}" if fig.newest else ""
    parts = [f"<h1>nianbao: a summary of the dataset</h1><p class=note>Data folder "
             f"<code>{_e(data_dir)}</code>{newest}. The counts are those of the export "
             f"(<code>reports.csv</code>): one row per report.</p>"]
    if not fig.reports:
        parts.append('<section id="empty"><h2>No reports</h2><p>This data folder holds no '
                     "archived reports yet: run <code>nianbao run</code> (or <code>nianbao "
                     "crawl</code> and <code>nianbao parse --data</code>) first.</p></section>")
        return _page(parts)
    parsed_ok = sum(n for s, n in fig.by_status.items() if s in SUCCESS)
    parts.append(f'<p id="totals"><strong>{fig.reports}</strong> reports, '
                 f"<strong>{parsed_ok}</strong> read, <strong>{len(fig.unread)}</strong> "
                 f"not read.</p>")
    parts.append(_coverage(fig))
    order = [s for s in (*STATUSES, "not parsed") if fig.by_status.get(s)]
    parts.append('<section id="status"><h2>Reports by status</h2>'
                 + _table(["status", "reports"],
                          ([_e(s), str(fig.by_status[s])] for s in order), {1})
                 + f'<div class=chart>{_chart("barh", order, [fig.by_status[s] for s in order], title="Reports by status", xlabel="reports")}</div>'
                 "</section>")
    parts.append(_checks(fig))
    parts.append(_requests(fig))
    parts.append(_unread(fig))
    return _page(parts)


def _coverage(fig: Figures) -> str:
    provinces = sorted(fig.by_province_year, key=_province_rank)
    head = ["province", *(_year(y) for y in fig.years), "all years"]
    rows = [[_e(p), *(str(fig.by_province_year[p].get(y, "")) for y in fig.years),
             str(sum(fig.by_province_year[p].values()))] for p in provinces]
    totals = Counter()
    for c in fig.by_province_year.values():
        totals.update(c)
    rows.append(["<strong>all</strong>", *(f"<strong>{totals.get(y, 0)}</strong>"
                                            for y in fig.years), f"<strong>{fig.reports}</strong>"])
    numeric = set(range(1, len(head)))
    labels = [_year(y) for y in fig.years]
    chart = _chart("bar", labels, [totals.get(y, 0) for y in fig.years],
                   title="Reports by year", xlabel="reports")
    known = [p for p in provinces if p != UNKNOWN]
    if known:
        chart += _chart("barh", provinces, [sum(fig.by_province_year[p].values()) for p in provinces],
                        title="Reports by province", xlabel="reports")
    return ('<section id="coverage"><h2>Reports by province and year</h2>'
            "<p class=note>The province is the agency's in the register (table "
            "<code>agencies</code>); “unknown” where the agency could not be placed (a place "
            "name several divisions bear, a place the division table does not know). A year "
            "without a report is an empty cell.</p>" + _table(head, rows, numeric, "coverage")
            + f"<div class=chart>{chart}</div></section>")


def _checks(fig: Figures) -> str:
    total_failed = sum(fig.failed_checks.values())
    out = ['<section id="checks"><h2>Failed checks</h2>',
           f"<p>{total_failed} of {sum(fig.checks.values())} checks failed.</p>"]
    if fig.checks:
        kinds = sorted(fig.checks, key=lambda k: (-fig.failed_checks.get(k, 0), k))
        out.append("<h3>By kind</h3>" + _table(
            ["check", "failed", "checked"],
            ([f"<code>{_e(k)}</code>", str(fig.failed_checks.get(k, 0)), str(fig.checks[k])]
             for k in kinds), {1, 2}, "check-kinds"))
        failing = [k for k in kinds if fig.failed_checks.get(k)]
        if failing:
            out.append("<div class=chart>" + _chart(
                "barh", failing, [fig.failed_checks[k] for k in failing],
                title="Failed checks by kind", xlabel="failed checks") + "</div>")
    if fig.agencies_failed:
        top = fig.agencies_failed.most_common(TOP_AGENCIES)
        out.append("<h3>Agencies with the most failed checks</h3>" + _table(
            ["agency", "failed checks"], ([_e(a), str(n)] for a, n in top), {1}, "agencies"))
    return "".join(out) + "</section>"


def _n(value: float) -> str:
    """A sum as printed: 1,234 (never 1.234e+06)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _share(granted: float, closed: float) -> str:
    return f"{100 * granted / closed:.1f} %" if closed else ""


def _requests(fig: Figures) -> str:
    out = ['<section id="requests"><h2>Requests received and granted</h2>',
           "<p class=note>Requests received: <code>requests.received_new.total</code> "
           "(本年新收政府信息公开申请数量). Granted share: requests granted in full "
           "(<code>granted</code>, 予以公开) over requests closed (<code>closed_total</code>), "
           "summed over the reports that state both.</p>"]
    if not fig.requests:
        return "".join(out) + "<p>No report states the requests it received.</p></section>"
    years = sorted(fig.requests)
    out.append(_table(["year", "reports", "received", "granted", "closed", "granted share"],
                      ([str(y), str(fig.requests[y][3]), _n(fig.requests[y][0]),
                        _n(fig.requests[y][1]), _n(fig.requests[y][2]),
                        _share(fig.requests[y][1], fig.requests[y][2])] for y in years),
                      {1, 2, 3, 4, 5}, "requests-year"))
    shares = [100 * fig.requests[y][1] / fig.requests[y][2] if fig.requests[y][2] else None
              for y in years]
    out.append("<div class=chart>" + _chart(
        "bar", [str(y) for y in years], [fig.requests[y][0] for y in years],
        title="Requests received (bars) and granted share (line) by year", xlabel="received",
        line=shares, line_label="granted share (%)") + "</div>")
    levels = [lv for lv in LEVELS if lv in fig.requests_level]
    out.append("<h3>By level</h3><p class=note>The level of the agency in the register; "
               "“unknown” where the agency could not be placed.</p>")
    out.append(_table(["level", "reports", "received", "granted share"],
                      ([_e(lv), str(fig.requests_level[lv][3]), _n(fig.requests_level[lv][0]),
                        _share(fig.requests_level[lv][1], fig.requests_level[lv][2])]
                       for lv in levels), {1, 2, 3}, "requests-level"))
    return "".join(out) + "</section>"


def _unread(fig: Figures) -> str:
    out = ['<section id="unread"><h2>What could not be read</h2>']
    if not fig.unread:
        return "".join(out) + "<p>Every report was read.</p></section>"
    out.append(f"<p>{len(fig.unread)} reports: the status says why, the links go to the "
               "pages (and the attachment tried) as published.</p>")
    out.append(_table(["status", "title", "agency", "year", "why", "source", "attachment"],
                      ([_e(r.status if r.parser_version is not None else "not parsed"),
                        _e(r.title), _e(r.agency), _e(_year(r.year)), _e(r.error),
                        _link(r.source_url), _link(r.attachment_url)] for r in fig.unread),
                      set(), "unread", urls={5, 6}))
    return "".join(out) + "</section>"


def _page(parts: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>nianbao summary</title>"
            f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>\n")


def write_summary(data_dir: Path, out: Path) -> tuple[Path, Figures]:
    """Read ``data_dir`` (never written) and write ``out/summary.html`` atomically."""
    from nianbao.collect import load_dataset
    from nianbao.output import atomic
    from nianbao.output.results import ResultStore
    from nianbao.scraper.state import open_read_only

    open_read_only(data_dir).close()  # a clear message when DATA holds no crawl
    with ResultStore(data_dir, read_only=True) as store:
        figures = count(load_dataset(data_dir, store), store)
    page = out / PAGE_NAME
    out.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(page, render(figures, data_dir=str(data_dir)).encode("utf-8"))
    return page, figures
