"""Text renderings of tables to lines of cells.

Pipe rows (``a | b | c |``), padding runs of ``|`` where merged cells were, a leading ``|``,
one cell per line with or without a trailing ``|``. An empty string between two adjacent
pipes is padding and dropped; whitespace between pipes is a blank cell and kept as ``""``.
"""

from __future__ import annotations

import re

from nianbao.parsers.document import Document, Line
from nianbao.parsers.values import is_value

# A line of pipes only (``|||``): where a rendering that dropped empty cells ends a row.
_PIPE_RUN = re.compile(r"^[ \t\u00a0\u3000]*\|{2,}[ \t\u00a0\u3000]*$", re.M)
_INVISIBLE = ("\u200b", "\ufeff")  # zero-width space, BOM: not whitespace to str.strip()


def _lone_pipes_are_padding(text: str, raw_lines: list[str]) -> bool:
    """Does a lone ``|`` line pad a row end rather than stand for a blank cell?

    One-cell-per-line renderings print a blank cell as a lone ``|`` and may end rows with
    runs (``||``) where merged cells were. Renderings that dropped their empty cells end each
    row with a run of pipes, one per dropped cell, so a run can be a lone ``|`` too; but such
    a run is never followed by a value. A lone ``|`` before a value settles it: blank cells.
    """
    if _PIPE_RUN.search(text) is None:
        return False
    for i, raw in enumerate(raw_lines):
        if raw.strip() != "|":
            continue
        for nxt in raw_lines[i + 1:]:
            first = next((part.strip() for part in nxt.split("|") if part.strip()), None)
            if first is not None:
                if is_value(first):
                    return False
                break
    return True


def text_lines(text: str) -> list[Line]:
    """Lines of cells. A line holding a lone ``|`` is a blank cell of a one-cell-per-line
    rendering, unless the document dropped its empty cells and ends rows with runs of pipes
    (see :func:`_lone_pipes_are_padding`); runs of two or more pipes are always padding."""
    for ch in _INVISIBLE:
        if ch in text:
            text = text.replace(ch, "")
    raw_lines = text.splitlines()
    dropped = _lone_pipes_are_padding(text, raw_lines)
    lines: list[Line] = []
    loose: list[str] | None = None  # cells of consecutive one-cell lines, read as one line
    for raw in raw_lines:
        if "|" not in raw:
            cell = raw.strip()
            if not cell:
                continue
            cells = [cell]
        else:
            cells = [part.strip() for part in raw.split("|") if part]  # "": padding
            if not cells:
                if dropped or raw.strip() != "|":
                    continue
                cells = [""]  # a lone pipe: one blank cell
            elif len(cells) > 1 and sum(1 for c in cells if c) != 1:  # a row, or blank row
                lines.append(Line(cells, True, raw.lstrip().startswith("|")))
                loose = None
                continue
        # One cell, or one cell and the blanks of merged cells after it (``0 | ||``): a
        # cell of a row printed one cell per line, not a row of its own.
        if loose is None:
            loose = cells
            lines.append(Line(loose, False))
        else:
            loose.extend(cells)
    return lines


def text_document(text: str) -> Document:
    lines = text_lines(text)
    titles = [lines[0].cells[0]] if lines and lines[0].cells[0] else []
    return Document("text", lines, titles)
