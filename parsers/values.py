"""Cell text to values: numbers, placeholders, units, signs.

A cell is a *value cell* when its text is a number (with sign, thousands separators, decimals,
a unit, a trailing remark in brackets), a change written in words (减少1), or a placeholder
(blank, /, -, —, _, 无, 空, or any run of rule characters). Everything else is a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from nianbao.parsers.normalize import nfkc, to_simplified

Number = int | float

PLACEHOLDERS = frozenset({"", "/", "／", "\\", "-", "--", "—", "——", "–", "―", "─", "无", "空", "×", "*"})
# Blank markers made of up to four rule characters, spaces between allowed: _, ——, －－, / /,
# ―― (checked after NFKC, so full-width forms are included). Never a number. Longer runs are
# separator lines in the text around the tables, not cells.
_RULE_MARKER = re.compile(r"^\s*(?:[-_/\\×*\u2010-\u2015\u2212\u2500]\s*){1,4}$")
# The minus sign (U+2212) is a sign, not a dash: −1 is -1 (NFKC keeps it).
_MINUS = str.maketrans({"\u2212": "-"})
_NUMBER = re.compile(
    r"^(?P<word>增加|新增|增|减少|减|下降)?\s*(?P<sign>[+\-])?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>件|个|项|条|次|家|人|宗|亿元|万元|千元|元)?"
    r"(?:\s*[(\[][^()\[\]]*[)\]])?$"
)
# Digits on both sides of a space: cells run together (PDF text prints a row's values a space
# apart: 1 0 0 is three cells), or a space for a thousands separator, which reports do not
# use. Either way no number the cell can be trusted for (after NFKC: U+3000 is a space).
_SPACE_IN_NUMBER = re.compile(r"\d\s+\d")
_UNCHANGED = frozenset({"持平", "不变", "无变化", "无增减"})
# Multipliers to 万元 (10,000 yuan).
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "亿元": Decimal(10000),
}


# Digits a table value can have before its decimal point: 10^15 yuan is several times China's
# yearly output, so a longer run of digits is cells run together or garbage, never one number
# (and a number of thousands of digits takes quadratic time to convert, and cannot be stored
# or written as JSON).
MAX_INTEGER_DIGITS = 15


@dataclass(frozen=True, slots=True)
class Cell:
    """A value cell's reading: the number (or ``None``) and any unit written in the cell."""

    number: Decimal | None
    unit: str | None
    value: Number | None = None  # the number as int or float, for cells that are not money
    unknown: bool = False  # a value cell whose number cannot be read (UNREADABLE)


# First characters a value cell can start with; anything else is a label (the fast path).
_VALUE_START = frozenset("0123456789+-增新减下持不无")


@lru_cache(maxsize=65536)
def read_value(raw: str) -> Cell | None:
    """Read a cell as a value; ``None`` when the text is a label, not a value."""
    text = nfkc(raw).strip()
    if text in PLACEHOLDERS or _RULE_MARKER.match(text):
        return BLANK
    if "\u2212" in text:
        text = text.translate(_MINUS)
    if text[0] not in _VALUE_START and to_simplified(text[0]) not in _VALUE_START:
        return None
    text = to_simplified(text)
    if " " in text:
        if _SPACE_IN_NUMBER.search(text):
            return UNREADABLE  # never the digits run together: 1 0 is no 10
        text = text.replace(" ", "")
    if text in PLACEHOLDERS:  # 無
        return BLANK
    m = _NUMBER.match(text)
    if m is None:
        if text in _UNCHANGED:
            return Cell(Decimal(0), None, 0)
        return None
    digits = m.group("num").replace(",", "")
    if too_long(digits):
        return UNREADABLE
    try:
        number = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    word = m.group("word")
    if m.group("sign") == "-" or word in ("减少", "减", "下降"):
        number = -number
    return Cell(number, m.group("unit"), to_number(number))


def too_long(digits: str) -> bool:
    """More than MAX_INTEGER_DIGITS digits before the decimal point (``digits``: a number
    without separators)."""
    return len(digits) > MAX_INTEGER_DIGITS and digits.find(".", 0, MAX_INTEGER_DIGITS + 1) < 0


BLANK = Cell(None, None)
# A number too long to be one (MAX_INTEGER_DIGITS): a value cell of unknown value, never a
# fact, never a null.
UNREADABLE = Cell(None, None, None, True)


def is_value(raw: str) -> bool:
    return read_value(raw) is not None


def to_number(number: Decimal) -> Number:
    """Integers stay integers; everything else is a float."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def money_in_wan(number: Decimal, unit: str | None) -> Decimal:
    """Convert an amount written in ``unit`` to 万元; unknown units are left as printed."""
    factor = MONEY_UNITS.get(unit or "")
    return number * factor if factor is not None else number


_HEADER_UNIT = re.compile(r"(亿元|万元|千元|元)")


@lru_cache(maxsize=65536)
def unit_named_in(text: str) -> str | None:
    """The money unit a column header names, e.g. 本年收费金额（单位：万元） → 万元."""
    m = _HEADER_UNIT.search(to_simplified(nfkc(text)))
    return m.group(1) if m else None
