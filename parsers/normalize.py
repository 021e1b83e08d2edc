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
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
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


def script_of(text: str) -> str:
    """``hans``, ``hant`` or ``mixed``: which script the Chinese characters are written in.

    Counts characters that change under conversion one way and the other. Real traditional
    documents keep a few simplified forms (关于, 并, 后), so a clear majority decides.
    """
    sample = "".join(_CJK.findall(text[:8000]))[:800]
    simplified = _T2S.convert(sample)
    traditional = _S2T.convert(sample)
    n_trad = n_simp = 0
    if len(simplified) == len(sample):
        n_trad = sum(map(str.__ne__, sample, simplified))
    if len(traditional) == len(sample):
        n_simp = sum(map(str.__ne__, sample, traditional))
    if n_trad + n_simp == 0:
        return "hans"
    share = n_trad / (n_trad + n_simp)
    if share >= 0.75:
        return "hant"
    if share <= 0.1:
        return "hans"
    return "mixed"
