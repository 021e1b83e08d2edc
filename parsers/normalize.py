"""Text normalisation for matching: NFKC, traditional → simplified, no spaces or punctuation.

The original text is always kept alongside (as ``raw``); these forms are only for comparing
labels, headings and titles against the schema.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

_SPACE = re.compile(r"\s+")
# Punctuation that varies between renderings and carries no meaning in a label.
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()\[\]{}<>【】〔〕:：;；,，、.。．·!！?？_—\-–~～/|]+")
_ONE_NUMBERING = (
    r"(?:[一二三四五六七八九十]+[、.．]"  # 一、
    r"|[(（][一二三四五六七八九十\d]+[)）][、.．]?"  # (一) （1）
    r"|\d+[、.．](?!\d)"  # 1. 1、
    r"|[①-⑳]"  # ①
    r"|第[一二三四五六七八九十]+[部分项]?[、.．]?)"
)
# The numberings a text starts with, white space between: removed in one match (one at a
# time, each removal copied the rest of the text: a line of 13,000 （一） took 0.5 s).
_NUMBERINGS = re.compile(r"^(?:" + _ONE_NUMBERING + r"\s*)+")


@lru_cache(maxsize=65536)
def nfkc(text: str) -> str:
    """(Cached: a paragraph is read as a value, a label and a title in turn, and NFKC of a
    text with full-width punctuation costs a tenth of a microsecond a character.)"""
    return unicodedata.normalize("NFKC", text)


def to_simplified(text: str) -> str:
    """Traditional to simplified; ASCII needs no conversion (most cells are numbers)."""
    if text.isascii():
        return text
    return _T2S.convert(text)


# Control characters carry no text: C0 but tab and line ends, DEL, C1, and whole escape
# sequences (ESC [ … m sets a terminal's colours, ESC ] … BEL its title). A page's title and
# the names its text gives reach terminals, CSV files and spreadsheets.
_CONTROL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]{0,256}(?:\x07|\x1b\\)?)?"
                      r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without control characters and escape sequences."""
    return text if text.isprintable() else _CONTROL.sub("", text)


def collapse(text: str) -> str:
    """Collapse runs of whitespace (including NBSP and ideographic spaces) to one space."""
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """NFKC, simplified, whitespace collapsed: the form titles and headings are read in.
    (Cached: cells and lines repeat within and across reports.)"""
    return collapse(to_simplified(nfkc(text)))


def numbered(text: str) -> bool:
    """Does the text start with a list numbering (一、 （一） 1. ①): a heading or an item."""
    return _NUMBERINGS.match(text.lstrip()) is not None


def strip_numbering(text: str) -> str:
    """Remove leading list numbering (一、 （一） 1. ①), repeatedly, and leading white space."""
    return _NUMBERINGS.sub("", text.lstrip(), count=1).lstrip()


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparison form of a label: simplified, no numbering, spaces or punctuation."""
    text = _SPACE.sub("", to_simplified(nfkc(text)))
    return _PUNCT.sub("", strip_numbering(text))


@lru_cache(maxsize=1)
def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Character classes of the CJK characters that exist in only one script:
    (traditional only, simplified only). Compiled once into bitmaps, matched in C."""
    chars = "".join(map(chr, range(0x4E00, 0xA000)))
    trad = {a for a, b in zip(chars, _T2S.convert(chars)) if a != b}
    simp = {a for a, b in zip(chars, opencc.OpenCC("s2t").convert(chars)) if a != b} - trad
    return (re.compile("[" + "".join(sorted(trad)) + "]"),
            re.compile("[" + "".join(sorted(simp)) + "]"))


def script_of(text: str) -> str:
    """``hans``, ``hant`` or ``mixed``: which script the Chinese characters are written in.

    Counts the characters that exist in only one of the scripts. Real traditional documents
    keep a few simplified forms (关于, 并, 后), so a clear majority decides. A text with the
    characters of one script only (most) is told by two searches, without counting (which
    makes a string of every character found: 47 against 17 µs a report's sample).
    """
    trad, simp = _script_patterns()
    if trad.search(text) is None:
        return "hans"  # no traditional character: a share of 0 (or nothing to count)
    if simp.search(text) is None:
        return "hant"  # traditional characters only: a share of 1
    n_trad, n_simp = len(trad.findall(text)), len(simp.findall(text))
    share = n_trad / (n_trad + n_simp)
    if share >= 0.75:
        return "hant"
    if share <= 0.1:
        return "hans"
    return "mixed"
