"""The generator renders every rendering class of docs/renderings.md; each must parse.

One deterministic case per class, template and layout the class applies to, then random
combinations of classes on one page: every fact exact, or, for a class that drops cells without
a trace (4x), exactly the ambiguous cells left out with a warning and never a wrong value; for
a class whose page leaves some cells unsure (25, 26, 27), exactly those left out, each named in
a warning, and every other fact exact. What the parser misses today is expected to fail.
"""

from __future__ import annotations

import random

import pytest

from nianbao.parsers.schema import TEMPLATES
from tests.parsers.test_roundtrip import R, expect_no_problems, parse

# The layouts a class that applies to every layout is tried in.
ANY_LAYOUT = ("html_single", "html_portal", "pipe_text", "cell_per_line")


def _single() -> list[tuple[str, str, str]]:
    rows = []
    for cls, layouts in R.SURVEY_CLASSES.items():
        for layout in (ANY_LAYOUT if "*" in layouts else layouts):
            for template in TEMPLATES:
                rows.append((cls, template, layout))
    return rows


def _judge(report: object, case: R.Case) -> list[str]:
    """The class's own judge, and the metadata wherever the page has tables."""
    if {"17", "20free"} & set(case.variant.survey):
        return R.judge_survey(report, case)  # no tables: no template to find
    return R.judge_survey(report, case) + R.judge_meta(report, case)


@pytest.mark.parametrize("cls,template,layout", _single(), ids=lambda v: str(v))
def test_each_survey_class_parses(cls: str, template: str, layout: str) -> None:
    seed = sum(map(ord, cls + template + layout))
    case = R.survey_case(seed, template, layout, (cls,))
    report = parse(case)
    expect_no_problems(case, _judge(report, case))


@pytest.mark.parametrize("seed", range(200))
def test_survey_classes_combined(seed: int) -> None:
    rng = random.Random(7000 + seed)
    layout = rng.choice(ANY_LAYOUT)
    template = rng.choice(TEMPLATES)
    case = R.survey_case(seed, template, layout, R.random_classes(rng, layout))
    report = parse(case)
    expect_no_problems(case, _judge(report, case))


@pytest.mark.parametrize("cls,template,layout", _single(), ids=lambda v: str(v))
def test_each_survey_class_changes_the_rendering(cls: str, template: str, layout: str) -> None:
    """A class that renders nothing of its own would make the tests above vacuous."""
    seed = sum(map(ord, cls + template + layout))
    plain = R.survey_case(seed, template, layout, ())
    assert R.survey_case(seed, template, layout, (cls,)).data != plain.data


@pytest.mark.parametrize("combination", sorted(R.HARD_COMBINATIONS))
def test_combinations_that_gave_wrong_numbers(combination: str) -> None:
    """Classes on one page together that once gave wrong values (a header's order lost, a
    sub-row taken for a row): several seeds of each, in every layout it applies to."""
    layouts = R.HARD_COMBINATIONS[combination]
    failed = {}
    for layout in (ANY_LAYOUT if "*" in layouts else layouts):
        for template in TEMPLATES:
            for k in range(3):
                seed = sum(map(ord, combination + template + layout)) + 1000 * k
                case = R.survey_case(seed, template, layout, tuple(combination.split("+")))
                problems = _judge(parse(case), case)
                if problems:
                    failed[case.name] = problems
    assert not failed, failed
