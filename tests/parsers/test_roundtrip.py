"""Round trip: known facts rendered in every layout must parse back to exactly those facts.

The generator (fixtures/reports) writes each document and records the facts it printed, so a
failure names either a parser bug or a generator bug; the generator's own tests come first.
"""

from __future__ import annotations

import html
import random
import re
import signal
import sys
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `fixtures` is not an installed package
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from fixtures.reports import render as R  # noqa: E402
from fixtures.reports.spec import (  # noqa: E402
    APPLICANT_COLS,
    CellSpec,
    TextOptions,
    check_identities,
    random_spec,
    single_lossy_row_spec,
    with_cells,
)
from nianbao.parsers.schema import SCHEMAS, TEMPLATES  # noqa: E402

EXACT_LAYOUTS = ("html_single", "html_split", "pipe_text", "cell_per_line")
ZEROS = ("blank", "placeholder", "zero", "mixed")


# A report parses in milliseconds (the benchmark's targets are 300-1,000 a second); a parse
# that takes seconds is a runaway search, reported as a failure instead of stalling the suite.
PARSE_LIMIT_S = 3.0


class ParseTooSlow(Exception):
    pass


def _too_slow(signum: int, frame: object) -> None:
    raise ParseTooSlow(f"parse took more than {PARSE_LIMIT_S} s")


def parse(case: R.Case) -> parsers.Report:
    """Parse a case, failing (not hanging) when the parser runs away."""
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.setitimer(signal.ITIMER_REAL, PARSE_LIMIT_S)
    try:
        return parsers.parse(case.data, source=case.name, content_type=case.content_type)
    except ParseTooSlow as exc:
        pytest.fail(f"{case.name} [{case.layout}]: {exc}", pytrace=False)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def expect_no_problems(case: R.Case, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{case.name} [{case.layout}] {case.variant}\n  " + "\n  ".join(problems),
                    pytrace=False)


# --- the generator itself -------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_specs_obey_every_identity(template: str) -> None:
    for seed in range(40):
        rng = random.Random(seed)
        for spec in (random_spec(rng, template, zero_share=rng.random()),  # type: ignore[arg-type]
                     random_spec(rng, template, all_nonzero=True),  # type: ignore[arg-type]
                     single_lossy_row_spec(rng, template)[0]):  # type: ignore[arg-type]
            assert check_identities(spec) == []
            cells = {(t, r, c) for t in ("active", "requests", "appeals")
                     for r, c in SCHEMAS[template][t].cells}
            assert set(spec.cells) == cells


def test_all_nonzero_spec_has_no_zero_count() -> None:
    for seed in range(20):
        spec = random_spec(random.Random(seed), "2019", all_nonzero=True)
        zeros = [k for k, c in spec.cells.items() if not c.value]
        assert zeros == []


@pytest.mark.parametrize("layout", EXACT_LAYOUTS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_generator_prints_every_cell_once(template: str, layout: str) -> None:
    case = R.make_case(11, template, layout, zeros="mixed")
    keys = [(f.table, f.row, f.col) for f in case.facts]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(case.spec.cells)
    enc = "utf-8" if case.variant.encoding == "utf-8" else "gb18030"
    text = case.data.decode(enc)
    if layout.startswith("html"):  # word markup splits a value over spans: compare text only
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    for f in case.facts:
        if f.raw:
            assert f.raw in text
    assert case.report.title in case.data.decode(enc) or case.report.title in text


def test_dropped_layout_loses_exactly_the_blank_cells() -> None:
    case = R.make_case(5, "2021", "dropped_empty", zeros="blank")
    printed = {(f.table, f.row, f.col) for f in case.facts}
    blank = {k for k, c in case.spec.cells.items() if c.raw == ""}
    assert blank and printed == set(case.spec.cells) - blank
    assert any(f.inferred for f in case.facts)


# --- exact round trips ----------------------------------------------------------------------


def _matrix() -> list[tuple[str, str, str, str, int]]:
    rows = []
    i = 0
    for template in TEMPLATES:
        for layout in EXACT_LAYOUTS:
            for script in ("hans", "hant"):
                for zeros in ZEROS:
                    rows.append((template, layout, script, zeros, 1000 + i))
                    i += 1
    return rows


@pytest.mark.parametrize("template,layout,script,zeros,seed", _matrix(),
                         ids=lambda v: str(v))
def test_roundtrip_matrix(template: str, layout: str, script: str, zeros: str,
                          seed: int) -> None:
    encoding = R.ENCODINGS[seed % len(R.ENCODINGS)] if layout in R.HTML_LAYOUTS else None
    case = R.make_case(seed, template, layout, script=script, zeros=zeros, encoding=encoding)
    expect_no_problems(case, R.judge_exact(parse(case), case))


@pytest.mark.parametrize("header_charset", [True, False])
@pytest.mark.parametrize("encoding", R.ENCODINGS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_roundtrip_html_encodings(template: str, encoding: str, header_charset: bool) -> None:
    rng = random.Random(f"{template}{encoding}{header_charset}")
    layout = rng.choice(R.HTML_LAYOUTS)
    spec = random_spec(rng, template, text=TextOptions(blank_share=0.3, placeholder_share=0.2))  # type: ignore[arg-type]
    variant = replace(R.random_variant(rng, layout), encoding=encoding,
                      header_charset=header_charset, script=rng.choice(["hans", "hant"]))
    case = R.case_for(spec, layout, variant, f"{template}-{encoding}-{header_charset}")
    expect_no_problems(case, R.judge_exact(parse(case), case))


# One presentational feature at a time, on a plain base, so a failure names the feature.
AXES: list[tuple[str, dict[str, object], tuple[str, ...]]] = [
    ("fw_digits", {"fw_digits": True}, EXACT_LAYOUTS),
    ("half_brackets", {"brackets": "half"}, EXACT_LAYOUTS),
    ("mixed_brackets", {"brackets": "mixed"}, EXACT_LAYOUTS),
    ("no_numbering", {"numbering": False}, EXACT_LAYOUTS),
    ("ascii_quotes", {"quotes": '""'}, EXACT_LAYOUTS),
    ("corner_quotes", {"quotes": "「」", "script": "hant"}, EXACT_LAYOUTS),
    ("no_quotes", {"quotes": ""}, EXACT_LAYOUTS),
    ("alt_normative", {"alt_normative": True}, EXACT_LAYOUTS),
    ("split_change", {"split_change": True}, EXACT_LAYOUTS),
    ("split_words", {"split_words": True}, EXACT_LAYOUTS),
    ("hant_pure", {"script": "hant", "keep_simplified": False}, EXACT_LAYOUTS),
    ("hant_kept_simplified", {"script": "hant", "keep_simplified": True}, EXACT_LAYOUTS),
    ("title_shape_1", {"title_shape": 1}, EXACT_LAYOUTS),
    ("title_shape_2", {"title_shape": 2}, EXACT_LAYOUTS),
    ("title_shape_3", {"title_shape": 3}, EXACT_LAYOUTS),
    ("title_suffix", {"title_suffix": "（图片版）"}, EXACT_LAYOUTS),
    ("title_in_meta", {"title_place": "meta"}, R.HTML_LAYOUTS),
    ("title_in_h1", {"title_place": "h1"}, R.HTML_LAYOUTS),
    ("word_markup", {"markup": "word"}, R.HTML_LAYOUTS),
    ("appeals_2_header_rows", {"appeals_header_rows": 2}, EXACT_LAYOUTS),
    ("block_headings_outside", {"block_heading_outside": True}, ("html_split",)),
    ("cells_without_pipes", {"pipes": False}, ("cell_per_line",)),
    ("blank_lines", {"blank_lines": True}, ("cell_per_line",)),
    ("indent_spaces", {"indent": "  "}, ("cell_per_line",)),
    ("indent_nbsp", {"indent": "\u00a0\u00a0"}, ("cell_per_line",)),
    ("appeals_without_lead", {"appeals_lead": False}, ("pipe_text",)),
    ("text_gbk", {"encoding": "gbk-no-meta", "header_charset": False}, R.TEXT_LAYOUTS[:2]),
]


def _axis_cases() -> list[tuple[str, str, str, dict[str, object]]]:
    return [(name, template, layout, overrides) for name, overrides, layouts in AXES
            for layout in layouts for template in TEMPLATES]


@pytest.mark.parametrize("name,template,layout,overrides", _axis_cases(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_roundtrip_variant_axis(name: str, template: str, layout: str,
                                overrides: dict[str, object]) -> None:
    rng = random.Random(f"{name}{template}{layout}")
    # cell_per_line without pipes cannot show a blank cell: placeholders there.
    blank = 0.0 if overrides.get("pipes") is False else 0.3
    spec = random_spec(rng, template, text=TextOptions(blank_share=blank,  # type: ignore[arg-type]
                                                       placeholder_share=0.2))
    variant = replace(R.Variant(seed=rng.randrange(1000)), **overrides)  # type: ignore[arg-type]
    case = R.case_for(spec, layout, variant, f"{name}-{template}-{layout}")
    expect_no_problems(case, R.judge_exact(parse(case), case))


VALUE_STYLES: list[tuple[str, dict[str, object]]] = [
    ("money_plain", {"money_styles": ("plain",)}),
    ("money_wan", {"money_styles": ("wan",)}),
    ("money_yuan", {"money_styles": ("yuan",), "thousands_share": 0.0}),
    ("money_yuan_thousands", {"money_styles": ("yuan",), "thousands_share": 1.0}),
    ("money_yi", {"money_styles": ("yi",)}),
    ("change_signed", {"change_styles": ("signed",)}),
    ("change_words", {"change_styles": ("words",)}),
    ("thousands", {"thousands_share": 1.0}),
    ("count_units", {"unit_share": 1.0}),
    ("placeholders_only", {"placeholder_share": 1.0}),
]


@pytest.mark.parametrize("layout", ("html_single", "pipe_text"))
@pytest.mark.parametrize("name,opts", VALUE_STYLES, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("template", TEMPLATES)
def test_roundtrip_value_styles(template: str, name: str, opts: dict[str, object],
                                layout: str) -> None:
    rng = random.Random(f"{template}{name}{layout}")
    spec = random_spec(rng, template, zero_share=0.3, all_nonzero=name.startswith("money"),  # type: ignore[arg-type]
                       text=TextOptions(**opts))  # type: ignore[arg-type]
    case = R.case_for(spec, layout, R.Variant(seed=3), f"{name}-{template}-{layout}")
    expect_no_problems(case, R.judge_exact(parse(case), case))


@pytest.mark.parametrize("layout", EXACT_LAYOUTS)
def test_template_comes_from_the_table_not_the_year(layout: str) -> None:
    rng = random.Random(f"late-{layout}")
    spec = random_spec(rng, "2019", year=2021)
    case = R.case_for(spec, layout, R.Variant(seed=5), f"2019-template-in-2021-{layout}")
    expect_no_problems(case, R.judge_exact(parse(case), case))


@pytest.mark.parametrize("layout", ("html_single", "pipe_text"))
@pytest.mark.parametrize("template", TEMPLATES)
def test_mixed_script(template: str, layout: str) -> None:
    """Prose in simplified, tables in traditional: both substantial, so ``mixed``."""
    rng = random.Random(f"mixed{template}{layout}")
    spec = random_spec(rng, template)  # type: ignore[arg-type]
    case = R.case_for(spec, layout, R.Variant(seed=9, script="mixed"), f"mixed-{template}")
    expect_no_problems(case, R.judge_exact(parse(case), case))


# --- dropped empty cells --------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("script", ("hans", "hant"))
@pytest.mark.parametrize("template", TEMPLATES)
def test_dropped_never_misplaces(template: str, script: str, seed: int) -> None:
    case = R.make_case(2000 + seed, template, "dropped_empty", script=script,
                       zeros="blank" if seed % 2 else "mixed")
    expect_no_problems(case, R.judge_dropped(parse(case), case, complete=False))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("template", TEMPLATES)
def test_dropped_all_nonzero_is_complete(template: str, seed: int) -> None:
    """Nothing is blank, so nothing is dropped: every cell must be read, none inferred."""
    rng = random.Random(3000 + seed)
    spec = random_spec(rng, template, all_nonzero=True)  # type: ignore[arg-type]
    case = R.case_for(spec, "dropped_empty", R.random_variant(rng, "dropped_empty"),
                      f"dropped-nonzero-{template}-{seed}")
    assert not any(f.inferred for f in case.facts)
    expect_no_problems(case, R.judge_dropped(parse(case), case, complete=True))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("template", TEMPLATES)
def test_dropped_whole_blank_rows_are_complete(template: str, seed: int) -> None:
    """Only rows whose cells are all zero are blank: a label followed by a pipe run is empty."""
    rng = random.Random(4000 + seed)
    spec = random_spec(rng, template, zero_share=0.6,  # type: ignore[arg-type]
                       text=TextOptions(blank_rows_only=True))
    case = R.case_for(spec, "dropped_empty", R.random_variant(rng, "dropped_empty"),
                      f"dropped-blank-rows-{template}-{seed}")
    expect_no_problems(case, R.judge_dropped(parse(case), case, complete=True))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("template", TEMPLATES)
def test_dropped_single_lossy_row_is_placed_by_the_identities(template: str, seed: int) -> None:
    """One request row prints ``x`` and ``x``; every other row is whole. The total is the
    last number, and exactly one column's balance/closed_sum is short by ``x``: unique."""
    rng = random.Random(5000 + seed)
    spec, row = single_lossy_row_spec(rng, template)  # type: ignore[arg-type]
    case = R.case_for(spec, "dropped_empty", R.random_variant(rng, "dropped_empty"),
                      f"dropped-one-row-{template}-{row}-{seed}")
    lossy = {(f.row, f.col) for f in case.facts if f.inferred}
    assert lossy and {r for r, _ in lossy} == {row}
    expect_no_problems(case, R.judge_dropped(parse(case), case, complete=True))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("template", TEMPLATES)
def test_dropped_row_totals_are_placed(template: str, seed: int) -> None:
    """In a request row with any non-zero cell the total is non-zero, so it is printed and is
    the row's last number: its place is unique even when other cells were dropped."""
    case = R.make_case(6000 + seed, template, "dropped_empty", zeros="blank")
    report = parse(case)
    got = {(f.row, f.col): f for f in report.facts if f.table == "requests"}
    missing = []
    for row in SCHEMAS[template]["requests"].rows:
        cell = case.spec.cells[("requests", row.key, "total")]
        if cell.value:
            f = got.get((row.key, "total"))
            if f is None or f.value != cell.value:
                missing.append((row.key, cell.value, f and f.value))
    if missing:
        pytest.fail(f"{case.name}: totals not placed (row, expected, got): {missing}",
                    pytrace=False)


def test_dropped_single_lossy_spec_is_really_lossy() -> None:
    spec, row = single_lossy_row_spec(random.Random(1), "2019")
    nonzero = [c for c in APPLICANT_COLS if spec.cells[("requests", row, c)].value]
    assert len(nonzero) == 1
    blank = [c for c in APPLICANT_COLS if spec.cells[("requests", row, c)].raw == ""]
    assert len(blank) == 5


# --- fully blank template -------------------------------------------------------------------


@pytest.mark.parametrize("layout", R.LAYOUTS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_fully_blank_template(template: str, layout: str) -> None:
    rng = random.Random(f"blank{template}{layout}")
    spec = random_spec(rng, template, fully_blank=True)  # type: ignore[arg-type]
    variant = replace(R.random_variant(rng, layout), script="hans")
    case = R.case_for(spec, layout, variant, f"fully-blank-{template}-{layout}")
    assert all(f.value is None for f in case.facts)
    expect_no_problems(case, R.judge_blank(parse(case), case))


@pytest.mark.parametrize("layout", EXACT_LAYOUTS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_one_blank_table_keeps_its_blank_cells(template: str, layout: str) -> None:
    """Table 四 left blank in an otherwise filled report: its 15 cells are present but empty,
    so they are facts with ``value None`` and ``raw ""`` (and its checks hold: 0 == 0)."""
    rng = random.Random(f"blank-appeals{template}{layout}")
    spec = random_spec(rng, template, zero_share=0.3)  # type: ignore[arg-type]
    blank = {k: CellSpec(None, "", spec.cells[k].unit) for k in spec.cells if k[0] == "appeals"}
    spec = with_cells(spec, blank)
    case = R.case_for(spec, layout, R.Variant(seed=4), f"blank-appeals-{template}-{layout}")
    expect_no_problems(case, R.judge_exact(parse(case), case))
