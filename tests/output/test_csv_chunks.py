"""CSV lines from Arrow tables whose columns are chunked differently (reports without facts)."""

from __future__ import annotations

import csv
import io

import pyarrow as pa

from nianbao.output.columnar import TEXT
from nianbao.output.columns import FILES
from nianbao.output.csv_files import csv_lines


def test_misaligned_chunks_give_the_csv_modules_bytes() -> None:
    """A report without facts leaves an empty chunk in some columns only: no NUL bytes, no
    lost row (pyarrow's CSV writer mishandled such tables)."""
    cols = FILES["facts"]
    rows = [("r1", "active", "art20_1.rules", "issued", "0", "0", "件", "html", False),
            ("r1", "active", "art20_1.rules", "repealed", "2", "2", "件", "html", False)]
    data = {}
    for i, c in enumerate(cols):
        values = [r[i] for r in rows]
        name = c.name + TEXT if c.kind in ("count", "number") else c.name
        typ = pa.bool_() if c.kind == "bool" else pa.string()
        if i % 2:  # an empty first chunk in every other column
            data[name] = pa.chunked_array([pa.array([], typ), pa.array(values, typ)])
        else:
            data[name] = pa.chunked_array([pa.array(values, typ)])
    for c in cols:
        if c.kind in ("count", "number"):
            data[c.name] = pa.chunked_array([pa.array([0.0, 2.0])])
    out = bytes(csv_lines(pa.table(data), cols))
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows(
        [*r[:-1], "true" if r[-1] else "false"] for r in rows)
    assert out == expected.getvalue().encode("utf-8")


def _reports_frame(titles: list[object], years: list[object]):  # type: ignore[no-untyped-def]
    import pandas as pd

    names = [c.name for c in FILES["reports"]]
    data = {n: [None] * len(titles) for n in names}
    data["report_id"] = [f"r{i:016x}" for i in range(len(titles))]
    data["title"], data["year"] = titles, years
    data["checks_failed"] = list(range(len(titles)))
    return pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in data.items()}, columns=names)


def test_whole_files_by_arrow_give_the_csv_modules_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """reports.csv goes through Arrow's writer; every field the csv module would quote (a
    comma, a quote, a line break), empty cells and ints come out as the csv module writes them,
    and a value Arrow would print otherwise (a float year) sends the file to the csv module."""
    from nianbao.output.csv_files import CsvWriter, _arrow, write_csv

    titles = ["示例县2023年报告", 'a "quoted", title', "two\nlines", "示例,镇", None, ""]
    nan = float("nan")
    for names, years, by_arrow in (
            (titles, [2023, 2022, None, 2019, 2020, 2021], True),
            (titles, [2023.0, 2022, None, 2019, 2020, 2021], False),
            (titles, [True, 2022, None, 2019, 2020, 2021], False),  # csv writes True
            (titles, [nan, 2022, None, 2019, 2020, 2021], False),  # csv writes nan
            (titles[:5] + [nan], [2023, 2022, None, 2019, 2020, 2021], False),
            (titles[:5] + [7], [2023, 2022, None, 2019, 2020, 2021], False)):
        frame = _reports_frame(names, years)
        assert (_arrow(frame, FILES["reports"]) is not None) is by_arrow
        writer = CsvWriter(tmp_path)
        writer.write_whole("reports", frame)
        writer.commit()
        expected = io.StringIO()
        write_csv(expected, frame)
        assert (tmp_path / "reports.csv").read_bytes() == expected.getvalue().encode("utf-8")


def test_a_lone_carriage_return_is_quoted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The csv module leaves a lone CR unquoted (its line ends are LF); Excel and most readers
    would end the line there, so the Arrow paths quote it."""
    from nianbao.output.csv_files import CsvWriter

    writer = CsvWriter(tmp_path)
    writer.write_whole("reports", _reports_frame(["cr\rhere"], [2023]))
    writer.commit()
    assert b',"cr\rhere",' in (tmp_path / "reports.csv").read_bytes()
