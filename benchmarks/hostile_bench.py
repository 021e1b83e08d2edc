"""How parse's time grows on hostile or broken documents (nesting, huge cells, long runs),
and the crawler's scan of a list page.

Usage: ``python benchmarks/hostile_bench.py [--size 2000]``

Each shape is parsed at two sizes, the second four times the first, and the growth of the
time is printed: about 4 is linear, about 16 quadratic. A crawl meets such pages (a CMS
template that never closes its tables, a text layer that runs every digit of a page into one
cell), and a quadratic pass turns one of them into minutes of a nightly run. Prints figures
only; nothing here asserts (tests/parsers/test_robustness.py checks what parse returns).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from nianbao.scraper.discover import scan_list_page  # noqa: E402

_ROW = "<tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr>"
_TABLE = "<table><tr><td>1</td></tr></table>"
_LINKS = "<li><a href=x>a</a></li>" * 4
_PREFACE = "本机关坚持以公开为常态、不公开为例外，"  # (20 characters)


def _parse_as(content_type: str) -> Callable[[bytes], str]:
    """Parse a document as ``content_type``: its report's status."""
    return lambda data: parsers.parse(data, source="hostile", content_type=content_type).status


def _scan_list(data: bytes) -> str:
    """The crawler's scan of a list page: how many report links it found."""
    url = "http://www.example.gov.cn/col/index.html"
    return f"{len(scan_list_page(url, data.decode(), url).reports)} links"


HTML, TEXT = _parse_as("text/html"), _parse_as("text/plain")
# shape name -> (document of size n, what reads it)
SHAPES: dict[str, tuple[Callable[[int], str], Callable[[bytes], str]]] = {
    "tables nested n deep": (lambda n: "<table><tr><td>" * n + "1", HTML),
    "n tables inside 1,000 divs": (lambda n: "<div>" * 1000 + _TABLE * n, HTML),
    "divs nested 5n deep (lexbor)": (lambda n: "<div>" * (5 * n) + "x", HTML),
    "divs nested 5n deep, closed (lexbor)": (
        lambda n: "<div>" * (5 * n) + "x" + "</div>" * (5 * n), HTML),
    "lists nested n deep (lexbor)": (lambda n: ("<ul>" + _LINKS + "<li>") * n, HTML),
    "a cell of 100n digits": (
        lambda n: f"<table><tr><td>规章</td><td>{'7' * (100 * n)}</td></tr></table>", HTML),
    "a text line of 100n digits, spaced": (lambda n: "1 " * (100 * n), TEXT),
    "no title year, a 10n-character preface": (
        lambda n: "示例镇政府信息公开工作年度报告\n" + _PREFACE * (n // 2) + "\n规章 | 1 | 2 | 3\n",
        TEXT),
    "a 10n-character preface naming compilers (由…镇)": (
        lambda n: "由白鹭镇" * (10 * n // 4) + "编制\n规章 | 1 | 2 | 3\n", TEXT),
    "a line of 5n numberings （一）": (
        lambda n: "示例镇政府信息公开工作年度报告\n" + "（一）" * (5 * n), TEXT),
    "25n table rows": (lambda n: "<table>" + _ROW * (25 * n) + "</table>", HTML),
    "25n cells in one row": (lambda n: "<table><tr>" + "<td>1</td>" * (25 * n) + "</tr></table>",
                             HTML),
    "25n pipe rows": (lambda n: "规章 | 1 | 2 | 3\n" * (25 * n), TEXT),
    "list page: 10n unclosed <script>": (lambda n: "<html><body>" + "<script>" * (10 * n),
                                         _scan_list),
    "list page: n items leaving a <div> open": (lambda n: "<html><body>" + "".join(
        f"<div><a href='/nb/{i}.html'>示例局2021年政府信息公开工作年度报告</a>" for i in range(n)),
        _scan_list),
}


def seconds(data: bytes, run: Callable[[bytes], str]) -> tuple[float, str]:
    start = time.perf_counter()
    outcome = run(data)
    return time.perf_counter() - start, outcome


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=2000, help="n of the smaller document")
    args = ap.parse_args(argv)
    n = args.size
    seconds(SHAPES["25n pipe rows"][0](1).encode(), TEXT)  # imports, first-use tables
    print(f"{'shape':42s} {'MB at 4n':>8s} {'s at n':>8s} {'s at 4n':>8s} {'growth':>7s}  "
          "outcome at 4n")
    for name, (make, run) in SHAPES.items():
        small, big = make(n).encode(), make(4 * n).encode()
        t_small, _ = seconds(small, run)
        t_big, status = seconds(big, run)
        growth = t_big / t_small if t_small > 0 else float("nan")
        print(f"{name:42s} {len(big) / 1e6:8.2f} {t_small:8.3f} {t_big:8.3f} {growth:7.1f}  "
              f"{status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
