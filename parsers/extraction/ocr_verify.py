"""Guard facts read by OCR: low confidence and broken identities never pass silently.

- Facts from cells whose OCR confidence is below ``DROP_CONFIDENCE`` (or cells with ink that
  OCR could not read) are left out with a warning. Below ``WARN_CONFIDENCE`` they are kept:
  named in a warning when the reading could change a number that matters (a non-zero, or a
  cell in an identity that does not hold), counted in one summary line otherwise (zeros
  and blanks whose identities hold: dozens of warnings on zeros told a reader nothing).
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


def _doubtful_facts(doc: AttachmentDocument, hint: str | None, facts: list[Fact]
                    ) -> dict[tuple[str, str, str], float]:
    """(table, row, col) of facts read from cells below WARN_CONFIDENCE -> confidence."""
    doubtful = {k: c for k, c in doc.confidence.items() if c < WARN_CONFIDENCE}
    if not doubtful:
        return {}
    marks: dict[str, float] = {}
    lines: list[Line] = []
    for li, line in enumerate(doc.lines):
        cells = list(line.cells)
        # A marker in a label or header cell (an unreadable label, a speck in a blank
        # corner) would change how extraction reads the row: a doubtful blank is marked
        # only after a label, and never in a header row (more words than values: its blank
        # corner is no cell, and a number there would unmake the table's header), or in a
        # row of numbers only (the appeals table prints its labels in rows above: an
        # unread cell there was kept as a blank, silently).
        label = False
        values = [read_value(text) is not None for text in cells]
        words = sum(1 for t, v in zip(cells, values) if t and not v)
        header = words > sum(values)
        numbers_only = not words and any(values)
        for ci, text in enumerate(cells):
            conf = doubtful.get((li, ci))
            is_value = values[ci]
            if text and not is_value:
                label = True
            if conf is not None and is_value and (text or numbers_only
                                                   or (label and not header)):
                mark = str(_MARK + len(marks))
                marks[mark] = conf
                cells[ci] = mark
        lines.append(Line(cells, line.boundary, line.lead_gap))
    if not marks:
        return {}
    worst = min(marks.values())
    try:
        marked = extract(Document(doc.origin, lines, doc.titles), hint)
    except Exception:  # noqa: BLE001 - then every fact is as doubtful as the worst cell
        return {(f.table, f.row, f.col): worst for f in facts}
    out = {(f.table, f.row, f.col): marks[f.raw] for f in marked.facts if f.raw in marks}
    # Facts the marked copy did not give (its rows read differently) cannot be told apart
    # from the doubtful cells: they are as doubtful as the worst of them, never trusted.
    have = {(f.table, f.row, f.col) for f in marked.facts}
    for f in facts:
        key = (f.table, f.row, f.col)
        if key not in have:
            out.setdefault(key, worst)
    return out



def verify(doc: AttachmentDocument, facts: list[Fact], template: str, hint: str | None,
           said: list[str] | None = None) -> tuple[list[Fact], list[str]]:
    """The facts to keep and the warnings about the rest (``said``: warnings given already,
    not repeated)."""
    warnings: list[str] = []
    doubtful = _doubtful_facts(doc, hint, facts)
    kept: list[Fact] = []
    low: list[tuple[Fact, float]] = []  # kept, read below WARN_CONFIDENCE
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
            low.append((f, conf))
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
    checks = run_checks(kept, template)
    failed = {c.name for c in checks if not c.ok}
    low = [(f, c) for f, c in low if (f.table, f.row) not in bad_rows]
    warnings += _low_confidence(low, {c.name for c in checks}, failed)
    for check in checks:
        if not check.ok and (".balance." in check.name or ".closed_sum." in check.name):
            doubt = [f"{f.row}.{f.col}" for f, _ in low
                     if check.name in _identities(f, {check.name})]
            among = (f"; read with low confidence in it: {', '.join(doubt[:6])}"
                     f"{' …' if len(doubt) > 6 else ''}" if doubt else "")
            warnings.append(f"OCR: {check.name} does not hold ({check.lhs} != {check.rhs}); "
                            f"a cell in that column may be misread{among}")
    warnings += _unread_rows(kept, template, warnings + list(said or ()))
    return kept, warnings


def _identities(f: Fact, names: set[str]) -> list[str]:
    """The checks (of those run) that a fact takes part in: its row's sum and, in the
    requests table, its column's balance and closed sum."""
    out = [f"{f.table}.row_sum.{f.row}"]
    if f.table == "requests":
        out += [f"requests.balance.{f.col}", f"requests.closed_sum.{f.col}"]
    return [n for n in out if n in names]


def _low_confidence(low: list[tuple[Fact, float]], names: set[str],
                    failed: set[str]) -> list[str]:
    """Warnings a reader can act on: each low-confidence non-zero by name (its reading could
    change a number that matters); zeros and blanks in one summary line, saying whether the
    table's identities hold for them (a column identity that fails names its low-confidence
    cells itself)."""
    out: list[str] = []
    consistent = unchecked = in_failed = 0
    for f, conf in low:
        ids = _identities(f, names)
        if f.value not in (0, None):
            out.append(f"OCR: {f.table}.{f.row}.{f.col} read as {f.raw!r} with low "
                       f"confidence {conf:.2f}; kept, check it")
        elif any(n in failed for n in ids):
            in_failed += 1
        elif ids:
            consistent += 1
        else:
            unchecked += 1
    if consistent or unchecked or in_failed:
        n = consistent + unchecked + in_failed
        parts = [f"{consistent} consistent with the table's identities"] if consistent else []
        if unchecked:
            parts.append(f"{unchecked} in rows no identity covers")
        if in_failed:
            parts.append(f"{in_failed} in a column whose identity fails (named below)")
        what = ("all consistent with the table's identities" if parts == [parts[0]] and
                consistent else ", ".join(parts))
        out.append(f"OCR: {n} cell{'s' if n > 1 else ''} read with low confidence as 0 or "
                   f"blank, {what}; kept")
    return out


def _unread_rows(facts: list[Fact], template: str, said: list[str]) -> list[str]:
    """Rows of a table that was read but that gave no fact (a label OCR garbled): named, so
    a reader never mistakes them for rows the report left out. A table was read when it gave
    a fact, or when extraction said something about it (values under labels it could not
    place: a table whose every label OCR garbled gave no fact at all)."""
    have: dict[str, set[str]] = {}
    for f in facts:
        have.setdefault(f.table, set()).add(f.row)
    for table in SCHEMAS[template]:
        if table not in have and any(w.startswith((f"{table}:", f"{table}.")) for w in said):
            have[table] = set()
    out = []
    for table, rows in have.items():
        for row in SCHEMAS[template][table].rows:
            name = f"{table}.{row.key}"
            if row.key not in rows and not any(name in w for w in said):
                out.append(f"OCR: {name} not read (its label or cells unreadable); left out")
    return out
