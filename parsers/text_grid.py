"""Text renderings of tables to lines of cells.

Pipe rows (``a | b | c |``), padding runs of ``|`` where merged cells were, a leading ``|``,
one cell per line with or without a trailing ``|``. An empty string between two adjacent
pipes is padding and dropped; whitespace between pipes is a blank cell and kept as ``""``.
"""

from __future__ import annotations

from parsers.document import Document, Line

_BLANKS = "\u00a0\u3000\u200b\ufeff"


def _cells(line: str) -> list[str]:
    if "|" not in line:
        text = line.strip().strip(_BLANKS).strip()
        return [text] if text else []
    cells: list[str] = []
    for part in line.split("|"):
        if part == "":
            continue  # adjacent pipes: padding of a merged cell, not a cell
        cells.append(part.strip().strip(_BLANKS).strip())
    return cells


def text_lines(text: str) -> list[Line]:
    """Lines of cells. A line holding a lone ``|`` is a blank cell of a one-cell-per-line
    rendering, unless the document ends rows with runs of pipes (``|||``): then empty cells
    were dropped and every pipe-only line is such a run."""
    raw_lines = text.splitlines()
    dropped = any(len(s) >= 2 and not s.strip("|") for s in (r.strip() for r in raw_lines))
    lines: list[Line] = []
    for raw in raw_lines:
        cells = _cells(raw)
        if not cells:
            if not dropped and raw.strip() == "|":
                lines.append(Line([""], False))
            continue
        if len(cells) == 1 and cells[0] == "" and "|" in raw:
            # A line holding only ` |`: one blank cell of a one-cell-per-line rendering.
            lines.append(Line([""], False))
            continue
        lines.append(Line(cells, len(cells) > 1, raw.lstrip().startswith("|")))
    return lines


def text_document(text: str) -> Document:
    lines = text_lines(text)
    titles = [lines[0].cells[0]] if lines and lines[0].cells and lines[0].cells[0] else []
    return Document("text", lines, titles)
