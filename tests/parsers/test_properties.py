"""Property-based round trips: random consistent reports in random layouts parse back exactly.

Hypothesis draws the axes (template, layout, script, how zeros and values are printed) and a
seed for everything else, so a failure prints a case that ``fixtures.reports`` rebuilds.
"""

from __future__ import annotations

import random
import signal
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `fixtures` is not an installed package
    sys.path.insert(0, str(ROOT))

import nianbao.parsers as parsers  # noqa: E402
from fixtures.reports import render as R  # noqa: E402
from fixtures.reports.spec import TextOptions, check_identities, random_spec  # noqa: E402

TEMPLATES = st.sampled_from(["2019", "2021"])
EXACT_LAYOUTS = st.sampled_from(["html_single", "html_split", "pipe_text", "cell_per_line"])
SCRIPTS = st.sampled_from(["hans", "hant"])
SEEDS = st.integers(min_value=0, max_value=2**31 - 1)

# Deterministic in CI; no shrinking (a seed does not shrink, and it would only cost time).
FAST = settings(max_examples=60, deadline=None, derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow])

PARSE_LIMIT_S = 3.0


def _too_slow(signum: int, frame: object) -> None:
    raise TimeoutError(f"parse took more than {PARSE_LIMIT_S} s")


def parse(case: R.Case) -> parsers.Report:
    """Parse with a time limit: a runaway search fails the example instead of hanging."""
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.setitimer(signal.ITIMER_REAL, PARSE_LIMIT_S)
    try:
        return parsers.parse(case.data, source=case.name, content_type=case.content_type)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def expect_no_problems(case: R.Case, problems: list[str]) -> None:
    assert not problems, (f"{case.name} [{case.layout}] {case.variant}\n  "
                          + "\n  ".join(problems))


text_options = st.builds(
    TextOptions,
    blank_share=st.sampled_from([0.0, 0.3, 0.9]),
    placeholder_share=st.sampled_from([0.0, 0.3]),
    unit_share=st.sampled_from([0.0, 0.5]),
    thousands_share=st.sampled_from([0.0, 1.0]),
    change_styles=st.sampled_from([("plain",), ("signed",), ("words",),
                                   ("plain", "signed", "words")]),
    money_styles=st.sampled_from([("plain",), ("wan",), ("yuan",), ("yi",),
                                  ("plain", "wan", "yuan", "yi")]),
)


@FAST
@given(seed=SEEDS, template=TEMPLATES, layout=EXACT_LAYOUTS, script=SCRIPTS,
       zero_share=st.floats(0.0, 1.0), opts=text_options)
def test_every_kept_cell_roundtrips(seed: int, template: str, layout: str, script: str,
                                    zero_share: float, opts: TextOptions) -> None:
    rng = random.Random(seed)
    spec = random_spec(rng, template, zero_share=zero_share, text=opts)  # type: ignore[arg-type]
    assert check_identities(spec) == []
    variant = replace(R.random_variant(rng, layout), script=script)  # type: ignore[arg-type]
    case = R.case_for(spec, layout, variant, f"prop-{template}-{layout}-{seed}")
    expect_no_problems(case, R.judge_exact(parse(case), case))


@FAST
@given(seed=SEEDS, template=TEMPLATES, script=SCRIPTS, zero_share=st.floats(0.0, 1.0),
       blank_share=st.sampled_from([0.2, 0.6, 1.0]))
def test_dropped_cells_never_land_in_a_wrong_cell(seed: int, template: str, script: str,
                                                  zero_share: float,
                                                  blank_share: float) -> None:
    rng = random.Random(seed)
    spec = random_spec(rng, template, zero_share=zero_share,  # type: ignore[arg-type]
                       text=TextOptions(blank_share=blank_share))
    variant = replace(R.random_variant(rng, "dropped_empty"), script=script)  # type: ignore[arg-type]
    case = R.case_for(spec, "dropped_empty", variant, f"prop-dropped-{template}-{seed}")
    expect_no_problems(case, R.judge_dropped(parse(case), case, complete=False))


@settings(FAST, max_examples=30)
@given(seed=SEEDS, template=TEMPLATES, blank_rows_only=st.booleans())
def test_dropped_cells_are_found_where_placement_is_unique(seed: int, template: str,
                                                          blank_rows_only: bool) -> None:
    """Either nothing is zero (nothing dropped) or only whole zero rows are blank."""
    rng = random.Random(seed)
    spec = random_spec(rng, template, all_nonzero=not blank_rows_only,  # type: ignore[arg-type]
                       zero_share=0.6, text=TextOptions(blank_rows_only=blank_rows_only))
    case = R.case_for(spec, "dropped_empty", R.random_variant(rng, "dropped_empty"),
                      f"prop-unique-{template}-{seed}")
    expect_no_problems(case, R.judge_dropped(parse(case), case, complete=True))


@settings(FAST, max_examples=40)
@given(seed=SEEDS, template=TEMPLATES, layout=st.sampled_from(R.HTML_LAYOUTS),
       encoding=st.sampled_from(R.ENCODINGS), header_charset=st.booleans())
def test_html_in_any_encoding_roundtrips(seed: int, template: str, layout: str, encoding: str,
                                         header_charset: bool) -> None:
    case = R.make_case(seed, template, layout, encoding=encoding)
    variant = replace(case.variant, header_charset=header_charset)
    case = R.case_for(case.spec, layout, variant, case.name)
    expect_no_problems(case, R.judge_exact(parse(case), case))


def test_properties_are_not_vacuous() -> None:
    """The generator really varies what these properties feed the parser."""
    cases = [R.make_case(s, "2019", "pipe_text") for s in range(30)]
    assert len({c.data for c in cases}) == 30
    assert any(f.value is None for c in cases for f in c.facts)
    assert any(isinstance(f.value, float) for c in cases for f in c.facts)
    with pytest.raises(AssertionError):
        expect_no_problems(cases[0], ["a problem"])
