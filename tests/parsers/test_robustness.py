"""Whatever the bytes, parse returns a report: it never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.parsers import parse

CELLS = st.sampled_from(["规章", "0", "3", "|", "||", " ", "", "\u00a0", "总计", "行政复议",
                         "一、本年新收政府信息公开申请数量", "（七）总计", "-", "无", "25409.5万元",
                         "<td>", "<table>", "</tr>", "<br>", "行政许可", "三、收到和处理政府信息公开申请情况",
                         "四、政府信息公开行政复议、行政诉讼情况", "2019年", "\ufeff", "\u200b"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    report = parse(data)
    assert report.status in {"ok", "empty", "legacy", "error", "unsupported", "not_report",
                             "no_tables"}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(CELLS, max_size=12), max_size=80), st.sampled_from(["\n", "\r\n"]),
       st.booleans())
def test_random_table_like_documents(rows: list[list[str]], newline: str, as_html: bool) -> None:
    if as_html:
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        data = f"<html><body><table>{body}</table></body></html>".encode()
    else:
        data = newline.join(" | ".join(row) for row in rows).encode()
    report = parse(data, source="fuzz")
    keys = [(f.table, f.row, f.col) for f in report.facts]
    assert len(keys) == len(set(keys))  # one fact per cell at most
