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
from nianbao.parsers.normalize import label_key
from nianbao.parsers.schema import SCHEMAS
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


def _lone_pipes_are_padding(text: str, reads: list[_LineRead]) -> bool:
    """Does a lone ``|`` line pad a row end rather than stand for a blank cell?

    One-cell-per-line renderings print a blank cell as a lone ``|`` and may end rows with
    runs (``||``) where merged cells were. Renderings that dropped their empty cells end each
    row with a run of pipes, one per dropped cell, so a run can be a lone ``|`` too; but such
    a run is never followed by a value. A lone ``|`` before a value settles it: blank cells.
    (``reads``: :func:`_read_lines` of the document's lines.)
    """
    if "||" not in text or _PIPE_RUN.search(text) is None:
        return False
    end = len(reads)
    i = -1
    while True:
        try:
            i = reads.index(_LONE_READ, i + 1)  # the next lone pipe (a scan in C)
        except ValueError:
            return True
        for j in range(i + 1, end):
            first = reads[j][2]  # the next line's first non-blank part
            if first is not None:
                if is_value(first):
                    return False
                break


def _modes(text: str, reads: list[_LineRead]) -> _Modes:
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
        modes.dropped = _lone_pipes_are_padding(text, reads)
    more = 0
    # a blank line is somewhere (fast tests; a run of blank lines leaves a blank read)
    if _BLANK_READ in reads and any(gap in text for gap in _GAP_HINTS):
        body = text.strip()
        more = len(_LONG_BLANK_RUN.findall(body))
    if more:
        runs = len(_BLANK_RUN.findall(body))
        blank = len(_BLANK_AHEAD.findall(body))
        total = len(reads) - blank - 1  # gaps between consecutive non-blank lines
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


# Digit groups of a thousands separator (``1 234``, ``12 345件``): no row of cells, though read
# as no number either (parsers.values).
_THOUSANDS = re.compile(r"[0-9\uff10-\uff19]{1,3}(?: [0-9\uff10-\uff19]{3})+\D*")


def _unspaced_row(line: str) -> list[str] | None:
    """A row of cells a space apart in a document that is not space-separated (its other
    rows are pipe rows or one cell a line, :func:`_spaced`): three values alone or more
    (``2 1 0 0 3 …``),
    or words then two values or more (``四、结转下年度继续办理 0 0 0 …``), as a PDF page with
    one or two rows of a table prints them; ``None`` for any other line (prose ending in a
    number, a label and one value) and for digit groups shaped like a thousands separator."""
    if _THOUSANDS.fullmatch(line):
        return None
    cells = _spaced_cells(line)
    if cells is None or not is_value(cells[-1]):
        return None
    values = sum(map(is_value, cells))
    # two values alone are one cell with a space inside as likely (``1 6`` for a total of 16):
    # a cell of unknown value then, never two cells shifting the row
    if values < 2 or (values == 2 and len(cells) == 2):
        return None
    return cells


# A table row printed with nothing between its cells (``规章000``, ``行政许可12``), as a text
# dump of a table whose cells held no space prints it: the label, then its digits run
# together. Only a label naming a row of the templates counts (a phone, a postcode or a title
# ending in digits is no row); a line of digits alone counts when it opens with a 0 (a number
# does not: ``000000000000000``, the appeals row of zeros).
_RUN_ROW = re.compile(rf"(.*[^0-9\uff10-\uff19.\uff0e])?({_D}+(?:[.\uff0e]{_D}+)?)")
_ROW_PHRASES = re.compile("|".join(sorted(
    {p for tables in SCHEMAS.values() for table in tables.values() for row in table.rows
     for p in (*row.keys, *row.exact) if len(p) >= 2}, key=len, reverse=True)))


_RUN_ROW_MAX = 160  # characters: a row's label and its digits (a longer line is prose)


def _run_row(cell: str) -> list[str] | None:
    """A row whose cells are printed run together (see _RUN_ROW): its label, if any, and its
    digits as one cell, of unknown value (extraction splits them only where one reading is
    possible). ``None`` for any other line."""
    m = _RUN_ROW.fullmatch(cell)
    if m is None:
        return None
    label, run = m.groups()
    if label is None:
        return [run] if len(run) > 1 and run[0] in "0\uff10" and run.isdigit() else None
    return [label, run] if _ROW_PHRASES.search(label_key(label)) else None


def _stackable(s: str) -> bool:
    """One character of a header printed one character a line (``维`` / ``持``)."""
    return len(s) == 1 and not s.isdigit() and not is_value(s)


# How one raw line reads on its own, before the document's modes apply: (kind, cells, first
# non-blank part, stackable, lead pipe). Kinds below _LONE hold no pipe: their cells are the
# stripped line alone.
_BLANK, _PLAIN, _ONE, _SPACED_TEXT, _LONE, _PADDING, _ROW, _NUMBERED, _CELLS = range(9)
_LineRead = tuple[int, tuple[str, ...], str | None, bool, bool]
_LONE_READ: _LineRead = (_LONE, (), None, _stackable("|"), False)  # shared: found by identity
_BLANK_READ: _LineRead = (_BLANK, (), None, False, False)
# Lines read before, up to this many and this long (labels, small numbers and pipes repeat
# from report to report; a long line is prose, read each time).
_READS: dict[str, _LineRead] = {}
_MAX_READS = 1 << 15
_MAX_READ_LEN = 64


def _read_line(raw: str) -> _LineRead:
    """One line's kind and cells: the part of :func:`text_lines` that depends on the line
    alone (``"|".split`` and the strips), done once per distinct line."""
    stripped = raw.strip()
    stackable = len(stripped) == 1 and _stackable(stripped)
    if "|" not in raw:
        if not stripped:
            read = _BLANK_READ
        elif " " in stripped or "\u3000" in stripped:
            read = (_SPACED_TEXT, (stripped,), stripped, False, False)
        else:
            read = (_ONE if len(stripped) == 1 else _PLAIN, (stripped,), stripped, stackable,
                    False)
    else:
        # "": padding; whitespace before the first or after the last pipe is the line's
        # indent or trailing space, not a blank cell (`` 0  | ``)
        cells = tuple([part.strip() for part in stripped.split("|") if part])
        first = next((c for c in cells if c), None)
        if not cells:
            read = _LONE_READ if stripped == "|" else (_PADDING, (), None, False, False)
        elif len(cells) > 1 and len(cells) - cells.count("") != 1:  # a row, or blank row
            read = (_ROW, cells, first, False, raw.lstrip().startswith("|"))
        elif len(cells) == 1 and " " in cells[0] and cells[0][:1].isdigit():
            read = (_NUMBERED, cells, first, False, False)
        else:
            read = (_CELLS, cells, first, False, False)
    if len(raw) <= _MAX_READ_LEN:
        if len(_READS) >= _MAX_READS:
            _READS.clear()
        _READS[raw] = read
    return read


def _read_lines(raw_lines: list[str]) -> list[_LineRead]:
    get = _READS.get
    return [get(raw) or _read_line(raw) for raw in raw_lines]


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
    reads = _read_lines(raw_lines)
    modes = _modes(text, reads)
    dropped, separators, counted = modes.dropped, modes.separators, modes.counted_blanks
    spaced: bool | None = None  # decided when a line that could be a spaced row is met
    glued: bool | None = None  # a value and a numbered label in one cell (when first needed)
    lines: list[Line] = []
    loose: list[str] | None = None  # cells of consecutive one-cell lines, read as one line
    blank_run = 0
    stack: list[str] | None = None  # the loose line whose last cell is a stacked header
    stack_len = 0
    last = len(reads) - 1
    cells: list[str] | tuple[str, ...]
    for n, read in enumerate(reads):
        kind = read[0]
        if kind < _LONE:  # no pipe: the stripped line is the cell
            if kind == _BLANK:
                blank_run += 1
                continue
            if blank_run:
                if counted and blank_run >= 2 and loose is not None:
                    loose.extend([""] * (blank_run - 1))  # each extra blank line: a cell
                blank_run = 0
            cells = read[1]
            if kind == _SPACED_TEXT:
                cell = cells[0]
                if spaced is None:
                    spaced = modes.spaced = _spaced(text)
                row = _spaced_cells(cell) if spaced else _unspaced_row(cell)
                if row is not None:
                    lines.append(Line(row, True))
                    loose = None
                    continue
                if cell[:1].isdigit():
                    if glued is None:
                        glued = _GLUED.search(text) is not None
                    if glued:
                        cells = _split_numbering(cell)
            elif kind == _PLAIN and cells[0][-1].isdigit() and len(cells[0]) <= _RUN_ROW_MAX:
                row = _run_row(cells[0])
                if row is not None:
                    lines.append(Line(row, True, unknown=frozenset({len(row) - 1})))
                    loose = None
                    continue
            elif kind == _ONE:
                if read[3]:  # stackable
                    if stack is not None and stack is loose and len(loose) == stack_len:
                        loose[-1] += cells[0]  # 维 / 持: one header, a character a line
                    elif loose is None:
                        loose = stack = [cells[0]]
                        stack_len = 1
                        lines.append(Line(loose, False))
                    else:
                        stack, stack_len = loose, len(loose) + 1
                        loose.append(cells[0])
                    continue
                if (stack is not None and stack is loose and len(loose) == stack_len
                        and n < last and reads[n + 1][3]):
                    loose[-1] += cells[0]  # 本 / 年 / 增 / ``/`` / 减: a mark inside a stacked header
                    continue
        else:
            blank_run = 0
            if kind == _CELLS:
                cells = read[1]
            elif kind == _LONE or kind == _PADDING:
                if separators and kind == _LONE:
                    prev = reads[n - 1] if n else _BLANK_READ
                    if prev is _BLANK_READ:  # look further back, past the blank lines
                        closes = _after_separator(reads, n)
                    else:
                        closes = prev is _LONE_READ
                    if not closes:
                        continue  # the separator after a cell
                    cells = ("",)  # two separators with no text between: a blank cell
                elif dropped or separators or kind != _LONE:
                    continue
                else:
                    cells = ("",)  # a lone pipe: one blank cell
            elif kind == _ROW:
                cells = list(read[1])
                if glued is None:
                    glued = _GLUED.search(text) is not None
                if glued and _GLUED.search(raw_lines[n]):
                    cells = [part for c in cells for part in _split_numbering(c)]
                lines.append(Line(cells, True, read[4]))
                loose = None
                continue
            else:  # _NUMBERED: one cell, a value, a space
                cells = read[1]
                if glued is None:
                    glued = _GLUED.search(text) is not None
                if glued:
                    cells = _split_numbering(cells[0])
        # One cell, or one cell and the blanks of merged cells after it (``0 | ||``): a
        # cell of a row printed one cell per line, not a row of its own.
        if loose is None:
            loose = list(cells)
            lines.append(Line(loose, False))
        else:
            loose.extend(cells)
    return lines


def _after_separator(reads: list[_LineRead], n: int) -> bool:
    """Separators: is the lone ``|`` of line ``n`` preceded (blank lines aside) by another
    lone ``|`` or by nothing, so that it closes a blank cell?"""
    for j in range(n - 1, -1, -1):
        prev = reads[j]
        if prev is not _BLANK_READ:
            return prev is _LONE_READ
    return True


def text_document(text: str) -> Document:
    lines = text_lines(text)
    titles = [lines[0].cells[0]] if lines and lines[0].cells[0] else []
    return Document("text", lines, titles)
