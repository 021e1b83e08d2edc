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
_S2T = opencc.OpenCC("s2t")

_SPACE = re.compile(r"\s+")
# Punctuation that varies between renderings and carries no meaning in a label.
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉()\[\]{}<>【】〔〕:：;；,，、.。．·!！?？_—\-–~～/|]+")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]"  # 一、
    r"|[(（][一二三四五六七八九十\d]+[)）][、.．]?"  # (一) （1）
    r"|\d+[、.．](?!\d)"  # 1. 1、
    r"|[①-⑳]"  # ①
    r"|第[一二三四五六七八九十]+[部分项]?[、.．]?)"
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def to_simplified(text: str) -> str:
    """Traditional to simplified; ASCII needs no conversion (most cells are numbers)."""
    if text.isascii():
        return text
    return _T2S.convert(text)


def collapse(text: str) -> str:
    """Collapse runs of whitespace (including NBSP and ideographic spaces) to one space."""
    return _SPACE.sub(" ", text).strip()


def plain(text: str) -> str:
    """NFKC, simplified, whitespace collapsed: the form titles and headings are read in."""
    return collapse(to_simplified(nfkc(text)))


def strip_numbering(text: str) -> str:
    """Remove leading list numbering (一、 （一） 1. ①), repeatedly."""
    while True:
        stripped = _NUMBERING.sub("", text, count=1).lstrip()
        if stripped == text:
            return text
        text = stripped


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparison form of a label: simplified, no numbering, spaces or punctuation."""
    text = _SPACE.sub("", to_simplified(nfkc(text)))
    return _PUNCT.sub("", strip_numbering(text))


@lru_cache(maxsize=1)
def _script_table() -> dict[int, str]:
    """Every CJK character that exists only in one script, mapped to ``T`` or ``S``."""
    chars = "".join(map(chr, range(0x4E00, 0xA000)))
    table: dict[int, str] = {}
    for a, b in zip(chars, _T2S.convert(chars)):
        if a != b:
            table[ord(a)] = "T"
    for a, b in zip(chars, _S2T.convert(chars)):
        if a != b and ord(a) not in table:
            table[ord(a)] = "S"
    return table


_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")


def script_of(text: str) -> str:
    """``hans``, ``hant`` or ``mixed``: which script the Chinese characters are written in.

    Counts the characters that exist in only one of the scripts. Real traditional documents
    keep a few simplified forms (关于, 并, 后), so a clear majority decides.
    """
    marks = _NOT_CJK.sub("", text[:6000]).translate(_script_table())
    n_trad, n_simp = marks.count("T"), marks.count("S")
    if n_trad + n_simp == 0:
        return "hans"
    share = n_trad / (n_trad + n_simp)
    if share >= 0.75:
        return "hant"
    if share <= 0.1:
        return "hans"
    return "mixed"
