"""Guard facts read by OCR: low confidence and broken identities never pass silently.

- Facts from cells whose OCR confidence is below ``DROP_CONFIDENCE`` (or cells with ink that
  OCR could not read) are left out with a warning; below ``WARN_CONFIDENCE`` they are kept
  with a warning.
- A row of ``requests`` or ``appeals`` whose numbers break its ``row_sum`` identity is left
  out with a warning: one of its cells was misread, and OCR cannot say which.
- A column that breaks ``balance`` or ``closed_sum`` is named in a warning (its checks fail).

To know which fact a doubtful cell became, extraction runs once more on a copy of the
document where each doubtful cell holds a unique marker number; the facts carrying a marker
name the cells. Extraction itself is untouched.
"""

from __future__ import annotations

from nianbao.parsers.readers.attachment import AttachmentDocument
from nianbao.parsers.extraction.checks import run_checks
from nianbao.parsers.document import Document, Line
from nianbao.parsers.extraction.extract import extract
from nianbao.parsers.model import Fact
from nianbao.parsers.schema import SCHEMAS
from nianbao.parsers.values import read_value

WARN_CONFIDENCE = 0.85
DROP_CONFIDENCE = 0.5
_MARK = 987_000_000  # marker numbers: far beyond any count in a report


def _doubtful_facts(doc: AttachmentDocument, hint: str | None
                    ) -> dict[tuple[str, str, str], float]:
    """(table, row, col) of facts read from cells below WARN_CONFIDENCE -> confidence."""
    doubtful = {k: c for k, c in doc.confidence.items() if c < WARN_CONFIDENCE}
    if not doubtful:
        return {}
    marks: dict[str, float] = {}
    lines: list[Line] = []
    for li, line in enumerate(doc.lines):
        cells = list(line.cells)
        for ci, text in enumerate(cells):
            conf = doubtful.get((li, ci))
            if conf is not None and read_value(text) is not None:
                mark = str(_MARK + len(marks))
                marks[mark] = conf
                cells[ci] = mark
        lines.append(Line(cells, line.boundary, line.lead_gap))
    if not marks:
        return {}
    try:
        marked = extract(Document(doc.origin, lines, doc.titles), hint)
    except Exception:  # noqa: BLE001 - then every fact in a doubtful row is doubtful
        return {}
    return {(f.table, f.row, f.col): marks[f.raw] for f in marked.facts if f.raw in marks}


def verify(doc: AttachmentDocument, facts: list[Fact], template: str, hint: str | None,
           said: list[str] | None = None) -> tuple[list[Fact], list[str]]:
    """The facts to keep and the warnings about the rest (``said``: warnings given already,
    not repeated)."""
    warnings: list[str] = []
    doubtful = _doubtful_facts(doc, hint)
    kept: list[Fact] = []
    dropped_rows: set[tuple[str, str]] = set()
    for f in facts:
        conf = doubtful.get((f.table, f.row, f.col))
        if conf is None:
            kept.append(f)
        elif conf < DROP_CONFIDENCE:
            dropped_rows.add((f.table, f.row))
            what = "holds marks OCR could not read" if not f.raw else (
                f"read as {f.raw!r} with confidence {conf:.2f}")
            warnings.append(f"OCR: {f.table}.{f.row}.{f.col} {what}; left out")
        else:
            warnings.append(f"OCR: {f.table}.{f.row}.{f.col} read as {f.raw!r} with low "
                            f"confidence {conf:.2f}; kept, check it")
            kept.append(f)
    bad_rows: set[tuple[str, str]] = set()
    for check in run_checks(kept, template):
        if check.ok or ".row_sum." not in check.name:
            continue
        table, _, row = check.name.split(".", 2)
        if (table, row) in dropped_rows:
            continue  # explained by the cell left out above
        bad_rows.add((table, row))
        warnings.append(f"OCR: {table}.{row} breaks its row sum ({check.lhs} != {check.rhs}): "
                        "a cell was misread; row left out")
    kept = [f for f in kept if (f.table, f.row) not in bad_rows]
    for check in run_checks(kept, template):
        if not check.ok and (".balance." in check.name or ".closed_sum." in check.name):
            warnings.append(f"OCR: {check.name} does not hold ({check.lhs} != {check.rhs}); "
                            "a cell in that column may be misread")
    warnings += _unread_rows(kept, template, warnings + list(said or ()))
    return kept, warnings


def _unread_rows(facts: list[Fact], template: str, said: list[str]) -> list[str]:
    """Rows of a table that was read but that gave no fact (a label OCR garbled): named, so
    a reader never mistakes them for rows the report left out."""
    have: dict[str, set[str]] = {}
    for f in facts:
        have.setdefault(f.table, set()).add(f.row)
    out = []
    for table, rows in have.items():
        for row in SCHEMAS[template][table].rows:
            name = f"{table}.{row.key}"
            if row.key not in rows and not any(name in w for w in said):
                out.append(f"OCR: {name} not read (its label or cells unreadable); left out")
    return out
