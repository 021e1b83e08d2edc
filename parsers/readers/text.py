"""Text renderings of tables to lines of cells.

Pipe rows (``a | b | c |``), padding runs of ``|`` where merged cells were, a leading ``|``,
one cell per line with or without a trailing ``|``. An empty string between two adjacent
pipes is padding and dropped; whitespace between pipes is a blank cell and kept as ``""``.

Some renderings are told apart per document, since the same line means different things in
each (see :class:`_Modes`): a lone ``|`` line is a blank cell, a row end's padding, or the
separator printed after every cell; a blank line is spacing, or (where one blank line
separates every two cells) each extra blank line is an empty cell; a line of words and
numbers separated by spaces (PDF-viewer text) is one cell, or a table row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.parsers.document import Document, Line
from nianbao.parsers.values import is_value

# A line of pipes only (``|||``): where a rendering that dropped empty cells ends a row. (It
# opens with the literal ``||`` and looks behind for the line start, up to four characters
# of indent: a scan for a literal is fast, a test for a line start at every position is not.)
_PIPE_RUN = re.compile(r"\|\|(?:" + "|".join(
    [r"(?<=\A\|\|)", r"(?<=\n\|\|)"]
    + [rf"(?<=\n[ \t\u00a0\u3000]{{{k}}}\|\|)" for k in range(1, 5)]
    + [rf"(?<=\A[ \t\u00a0\u3000]{{{k}}}\|\|)" for k in range(1, 5)])
    + r")\|*[ \t\u00a0\u3000\r]*$", re.M)
_INVISIBLE = ("\u200b", "\ufeff")  # zero-width space, BOM: not whitespace to str.strip()
# A value as PDF-viewer text prints it in a row: a number (half- or full-width digits, an
# optional unit) or a blank marker.
_CELL = (r"(?:[-+]?[0-9\uff10-\uff19][0-9\uff10-\uff19,.\uff0c\uff0e]*(?:件|[项項个個]|[万萬亿億千]?元)?"
         r"|[/\uff0f\u2014\u2013\u2015\-无無]{1,2})")
# A line ending in two values separated by whitespace: a row of space-separated cells.
# (Starts at the first value's last digit: a scan for a digit is fast, a lookbehind at every
# position is not.)
_SPACED_ROW = re.compile(rf"[0-9\uff10-\uff19](?:件|[项項个個]|[万萬亿億千]?元)?[^\S\n]+{_CELL}[^\S\n]*$",
                         re.M)
# A lone ``|`` line right after a line ending in text (a cell without its pipe), and right
# after a cell with its own pipe (``x |``). They open with the line break and look behind it,
# so the scan goes from line break to line break.
_PIPE_AFTER_TEXT = re.compile(r"\n(?:(?<=[^\s|]\n)|(?<=[^\s|]\r\n))[^\S\n]*\|[^\S\n]*$", re.M)
_PIPE_AFTER_CELL = re.compile(r"\n(?:(?<=[^\s|] \|\n)|(?<=[^\s|]\|\n)|(?<=[^\s|] \|\r\n)"
                              r"|(?<=[^\s|]\|\r\n))[^\S\n]*\|[^\S\n]*$", re.M)
# A blank line ends in one of these (an empty line, or whitespace before the line break).
_GAP_HINTS = ("\n\n", "\n\r\n", " \n", "\u00a0\n", "\u3000\n", "\t\n", " \r\n")
_BLANK_AHEAD = re.compile(r"\n(?=[^\S\n]*\n)")  # one per blank line
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")  # one per run of blank lines
_LONG_BLANK_RUN = re.compile(r"\n[^\S\n]*\n(?:[^\S\n]*\n)+")  # runs of two or more
# A value, whitespace and a numbered label (``0 2.其他法律…``), anywhere in the text.
# (Opens with the numbering's point, far rarer than a digit, and looks behind it.)
_D = "[0-9\uff10-\uff19]"
_GLUED = re.compile(rf"[.、\uff0e](?:(?<={_D}\s{_D}.)|(?<={_D}\s{_D}{_D}.)|(?<={_D}\s\s{_D}.)"
                    rf"|(?<={_D}\s\s{_D}{_D}.))(?=[^0-9\uff10-\uff19\s])")
# Numbers, then a label that starts with its own numbering (``0 2.其他法律…``): the last
# value of a row and the next row's label, printed as one cell.
_NUMBERED_LABEL = re.compile(r"^[0-9\uff10-\uff19]{1,2}[.、\uff0e][^0-9\uff10-\uff19\s]")
# Rows of space-separated cells needed before a document counts as PDF-viewer text.
_MIN_SPACE_ROWS = 3
# Lone ``|`` lines after a cell's text before they count as separators (and at most this
# share of them after a cell that carries its own pipe).
_MIN_SEPARATORS = 6
# Gaps between one-cell lines before their blank lines are read as counted cells.
_MIN_GAPS = 20


@dataclass(slots=True)
class _Modes:
    """How this document uses lone pipes, blank lines and spaces (decided once per document).

    ``separators``: a lone ``|`` follows every cell (``规章`` / ``|`` / ``0`` / ``|``); it ends
    a cell and is no cell itself; two in a row are a blank cell between them.
    ``dropped``: empty cells were dropped and lone ``|`` runs pad the row ends (see
    :func:`_lone_pipes_are_padding`); else a lone ``|`` is a blank cell.
    ``counted_blanks``: one blank line separates every two cells; each further blank line
    is an empty cell (two blank lines: one empty cell between).
    ``spaced``: rows are printed as words and numbers separated by spaces
    (``行政许可 12 0 3``, the appeals row ``0 0 0 … 0``): such lines are split into cells
    (decided by :func:`_spaced` when the first line with spaces is met; set here then).
    """

    separators: bool = False
    dropped: bool = False
    counted_blanks: bool = False
    spaced: bool = False


def _lone_pipes_are_padding(text: str, raw_lines: list[str]) -> bool:
    """Does a lone ``|`` line pad a row end rather than stand for a blank cell?

    One-cell-per-line renderings print a blank cell as a lone ``|`` and may end rows with
    runs (``||``) where merged cells were. Renderings that dropped their empty cells end each
    row with a run of pipes, one per dropped cell, so a run can be a lone ``|`` too; but such
    a run is never followed by a value. A lone ``|`` before a value settles it: blank cells.
    """
    if "||" not in text or _PIPE_RUN.search(text) is None:
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


def _modes(text: str, raw_lines: list[str]) -> _Modes:
    """Decide the document's lone pipes and blank lines from counts over the whole text
    (regular expressions that open with a literal, so a document without lone pipes or blank
    lines pays next to nothing). Whether rows are space-separated is decided later, by
    :func:`_spaced`, and only for documents that have a line that could be such a row.

    Separators: lone ``|`` lines that follow a line ending in text, against those that
    follow a cell with its own pipe (``x |``): in the separator rendering every cell is
    followed by one, so the first count is large and the second near zero; in the
    blank-cell and dropped-cell renderings every cell carries its own pipe. Counted blanks:
    nearly every two consecutive lines have a blank line between them (the regular gap is
    one) and some gaps are longer; documents spaced at random have many lines with no gap.
    """
    modes = _Modes()
    if "|" in text:
        after_text = len(_PIPE_AFTER_TEXT.findall(text))
        if after_text >= _MIN_SEPARATORS:
            after_cell = len(_PIPE_AFTER_CELL.findall(text))
            modes.separators = after_cell * 10 <= after_text
    if not modes.separators:
        modes.dropped = _lone_pipes_are_padding(text, raw_lines)
    more = 0
    if any(gap in text for gap in _GAP_HINTS):  # a blank line is somewhere (a fast test)
        body = text.strip()
        more = len(_LONG_BLANK_RUN.findall(body))
    if more:
        runs = len(_BLANK_RUN.findall(body))
        blank = len(_BLANK_AHEAD.findall(body))
        total = len(raw_lines) - blank - 1  # gaps between consecutive non-blank lines
        modes.counted_blanks = (total >= _MIN_GAPS and (total - runs) * 10 <= total
                                and runs - more >= more)
    return modes


def _spaced(text: str) -> bool:
    """Is this PDF-viewer text: several lines (not pipe rows) end in two values separated
    by whitespace, which no one-cell rendering prints?"""
    rows = 0
    for m in _SPACED_ROW.finditer(text):
        if "|" not in text[text.rfind("\n", 0, m.start()) + 1:m.end()]:
            rows += 1
            if rows >= _MIN_SPACE_ROWS:
                return True
    return False


def _spaced_cells(s: str) -> list[str] | None:
    """A line of space-separated cells (``三、本年度办理结果 （一）予以公开 2 1 0 0 0 0 3``) as
    cells: each value a cell, each run of words between values one label cell (a label may
    hold spaces). ``None`` when the line is not a row: no value, a sentence (``。``), or it
    ends in words that are not a numbered label (``…共办理 12 件``)."""
    tokens = s.split()
    if len(tokens) < 2 or "。" in s:
        return None
    kinds = [is_value(t) for t in tokens]
    if not any(kinds):
        return None
    if not kinds[-1]:
        # ends in words: a row only when those words are the next row's numbered label
        # (``… 0 2.其他法律…``), glued after the last value
        last = len(kinds) - 1
        while last > 0 and not kinds[last - 1]:
            last -= 1
        if last == 0 or not _NUMBERED_LABEL.match(tokens[last]):
            return None
    cells: list[str] = []
    words: list[str] = []
    for token, value in zip(tokens, kinds):
        if value:
            if words:
                cells.append(" ".join(words))
                words = []
            cells.append(token)
        else:
            words.append(token)
    if words:
        cells.append(" ".join(words))
    return cells


def _split_numbering(cell: str) -> list[str]:
    """``0 2.其他法律…`` (a row's last value and the next row's numbered label in one cell,
    as PDF text and flip-book pages print them): the values and the label as cells. Any
    other text is one cell."""
    if " " not in cell or not cell[:1].isdigit():
        return [cell]
    tokens = cell.split()
    for i, token in enumerate(tokens):
        if not is_value(token):
            if i and _NUMBERED_LABEL.match(token):
                return tokens[:i] + [" ".join(tokens[i:])]
            return [cell]
    return [cell]


def _stackable(s: str) -> bool:
    """One character of a header printed one character a line (``维`` / ``持``)."""
    return len(s) == 1 and not s.isdigit() and not is_value(s)


def text_lines(text: str) -> list[Line]:
    """Lines of cells. A line holding a lone ``|`` is a blank cell of a one-cell-per-line
    rendering, unless the document dropped its empty cells and ends rows with runs of pipes
    (see :func:`_lone_pipes_are_padding`) or prints one after every cell (separators); runs
    of two or more pipes are always padding. See :class:`_Modes` for what else is decided
    per document; the loop keeps the common case (pipe rows, one cell a line) lean."""
    for ch in _INVISIBLE:
        if ch in text:
            text = text.replace(ch, "")
    raw_lines = text.splitlines()
    modes = _modes(text, raw_lines)
    dropped, separators, counted = modes.dropped, modes.separators, modes.counted_blanks
    spaced: bool | None = None  # decided when a line that could be a spaced row is met
    glued: bool | None = None  # a value and a numbered label in one cell (when first needed)
    lines: list[Line] = []
    loose: list[str] | None = None  # cells of consecutive one-cell lines, read as one line
    blank_run = 0
    stack: list[str] | None = None  # the loose line whose last cell is a stacked header
    stack_len = 0
    for n, raw in enumerate(raw_lines):
        if "|" not in raw:
            cell = raw.strip()
            if not cell:
                blank_run += 1
                continue
            if blank_run:
                if counted and blank_run >= 2 and loose is not None:
                    loose.extend([""] * (blank_run - 1))  # each extra blank line: a cell
                blank_run = 0
            if " " in cell or "\u3000" in cell:
                if spaced is None:
                    spaced = modes.spaced = _spaced(text)
                row = _spaced_cells(cell) if spaced else None
                if row is not None:
                    lines.append(Line(row, True))
                    loose = None
                    continue
                if cell[:1].isdigit():
                    if glued is None:
                        glued = _GLUED.search(text) is not None
                    cells = _split_numbering(cell) if glued else [cell]
                else:
                    cells = [cell]
            elif len(cell) == 1 and _stackable(cell):
                if stack is not None and stack is loose and len(loose) == stack_len:
                    loose[-1] += cell  # 维 / 持: one header, a character a line
                    continue
                cells = [cell]
                stack_len = 1 + (len(loose) if loose is not None else 0)
                stack = loose if loose is not None else cells
            elif (len(cell) == 1 and stack is not None and stack is loose
                  and len(loose) == stack_len and n + 1 < len(raw_lines)
                  and _stackable(raw_lines[n + 1].strip())):
                loose[-1] += cell  # 本 / 年 / 增 / ``/`` / 减: a mark inside a stacked header
                continue
            else:
                cells = [cell]
        else:
            blank_run = 0
            if separators and raw.strip() == "|":
                if not _after_separator(raw_lines, n):
                    continue  # the separator after a cell
                cells = [""]  # two separators with no text between: a blank cell
            else:
                # "": padding; whitespace before the first or after the last pipe is the
                # line's indent or trailing space, not a blank cell (`` 0  | ``)
                cells = [part.strip() for part in raw.strip().split("|") if part]
                if not cells:
                    if dropped or separators or raw.strip() != "|":
                        continue
                    cells = [""]  # a lone pipe: one blank cell
                elif len(cells) > 1 and len(cells) - cells.count("") != 1:  # a row, or blank row
                    if glued is None:
                        glued = _GLUED.search(text) is not None
                    if glued and _GLUED.search(raw):
                        cells = [part for c in cells for part in _split_numbering(c)]
                    lines.append(Line(cells, True, raw.lstrip().startswith("|")))
                    loose = None
                    continue
                elif len(cells) == 1 and " " in cells[0] and cells[0][:1].isdigit():
                    if glued is None:
                        glued = _GLUED.search(text) is not None
                    if glued:
                        cells = _split_numbering(cells[0])
        # One cell, or one cell and the blanks of merged cells after it (``0 | ||``): a
        # cell of a row printed one cell per line, not a row of its own.
        if loose is None:
            loose = cells
            lines.append(Line(loose, False))
        else:
            loose.extend(cells)
    return lines


def _after_separator(raw_lines: list[str], n: int) -> bool:
    """Separators: is the lone ``|`` of line ``n`` preceded (blank lines aside) by another
    lone ``|`` or by nothing, so that it closes a blank cell?"""
    for j in range(n - 1, -1, -1):
        prev = raw_lines[j].strip()
        if prev:
            return prev == "|"
    return True


def text_document(text: str) -> Document:
    lines = text_lines(text)
    titles = [lines[0].cells[0]] if lines and lines[0].cells[0] else []
    return Document("text", lines, titles)
