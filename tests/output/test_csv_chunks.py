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
