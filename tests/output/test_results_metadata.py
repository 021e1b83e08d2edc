"""The metadata of stored results, decoded a batch of results at a time."""

from __future__ import annotations

from pathlib import Path

from nianbao.output import results
from nianbao.output.results import ResultStore, carry_values
from nianbao.parsers.model import Fact, Report


def _report(year: int, over: int, warnings: list[str]) -> Report:
    facts = [Fact("requests", "carried_over", "natural_person", over, str(over), "件", "html"),
             Fact("requests", "carried_forward", "total", 7, "7", "件", "html")]
    return Report(title=f"示例局{year}年报告", agency="示例局", year=year, template="2021",
                  origin="html", facts=facts, warnings=warnings)


def test_each_result_keeps_its_own_values_and_shares_the_vocabulary(tmp_path: Path) -> None:
    odd = ['引号"与,逗号', "换\n行", "\\反斜杠 ] [ null"]
    with ResultStore(tmp_path) as store:
        store.put(1, "http://a.example/1.html", "report", "a" * 64, _report(2021, 3, odd), "1")
        store.put(2, "http://a.example/2.html", "report", "b" * 64, _report(2022, 5, []), "1")
        store.put(3, "http://a.example/3.html", "report", "c" * 64,
                  Report(status="error", error="坏页"), "1")
        meta = store.metadata()
        assert store.metadata([2]).keys() == {2}
    one, two, three = meta[1], meta[2], meta[3]
    assert one.warnings == odd and two.warnings == [] and three.warnings == []
    assert one.carry == carry_values({"natural_person": 3}, {"total": 7})
    assert two.carry == carry_values({"natural_person": 5}, {"total": 7})
    assert three.carry is None
    # one string per status and template for all results, not a copy in each
    assert one.status is two.status and one.template is two.template


def test_carry_is_over_then_forward_by_column_with_blanks_and_absent_cells_as_zero(
        tmp_path: Path) -> None:
    report = _report(2021, 4, [])
    report.facts += [Fact("requests", "carried_over", "total", 2.5, "2.5", "件", "html"),
                     Fact("requests", "carried_forward", "commercial", None, "/", "件", "html")]
    with ResultStore(tmp_path) as store:
        store.put(1, "http://a.example/1.html", "report", "a" * 64, report, "1")
        carry = store.metadata()[1].carry
    assert carry == (4, 0, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 0, 0, 7)
    assert type(carry[6]) is float and type(carry[0]) is int


def test_batches_and_version_filter_and_warnings_left_out(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(results, "_BATCH", 3)  # seven results read over three batches
    with ResultStore(tmp_path) as store:
        for i in range(7):
            store.put(i + 1, f"http://a.example/{i}.html", "report", f"{i:064x}",
                      _report(2019 + i, i, [f"警告{i}"]), "1")
        every = store.metadata()
        some = store.metadata([2, 5, 7], warnings=False)
    assert sorted(every) == [1, 2, 3, 4, 5, 6, 7]
    assert [every[v].warnings for v in (1, 7)] == [["警告0"], ["警告6"]]
    assert [every[v].year for v in sorted(every)] == list(range(2019, 2026))
    assert sorted(some) == [2, 5, 7] and all(s.warnings == [] for s in some.values())
    assert [some[v].carry[0] for v in (2, 5, 7)] == [1, 4, 6]
