"""The metadata of stored results, decoded for all results at once."""

from __future__ import annotations

from pathlib import Path

from nianbao.output.results import ResultStore
from nianbao.parsers.model import Fact, Report


def _report(year: int, over: int, warnings: list[str]) -> Report:
    facts = [Fact("requests", "carried_over", "natural_person", over, str(over), "件", "html"),
             Fact("requests", "carried_forward", "total", 7, "7", "件", "html")]
    return Report(title=f"示例局{year}年报告", agency="示例局", year=year, template="2021",
                  origin="html", facts=facts, warnings=warnings)


def test_each_result_keeps_its_own_values_and_shares_the_key_strings(tmp_path: Path) -> None:
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
    assert one.carry == {"carried_over": {"natural_person": 3}, "carried_forward": {"total": 7}}
    assert two.carry == {"carried_over": {"natural_person": 5}, "carried_forward": {"total": 7}}
    assert three.carry is None
    # one string per key for all results, not a copy in each
    assert [k for k in one.carry] == [k for k in two.carry]
    assert all(a is b for a, b in zip(one.carry, two.carry))
    assert next(iter(one.carry["carried_over"])) is next(iter(two.carry["carried_over"]))
