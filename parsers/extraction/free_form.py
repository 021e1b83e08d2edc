"""Reports written in the free form of the years before 2019, whatever year they are for.

Some agencies kept the old layout after the 2019 template came in: prose sections on fees and
their waivers (收费及减免) and on appeals caused by requests (因政府信息公开申请行政复议、提起
行政诉讼的情况), with no statistical tables at all. Such a report holds nothing to read, and
"no tables found" would send a user looking for pictures that do not exist; its sections say
what it is. The report may still link an attachment with the tables, so it stays ``no_tables``.
"""

from __future__ import annotations

from collections.abc import Iterable

from nianbao.parsers.document import Line
from nianbao.parsers.normalize import label_key

# headings of the old layout's sections, as label_key gives them (no numbering, spaces or
# punctuation)
_OLD = ("政府信息公开的收费及减免情况", "因政府信息公开申请行政复议提起行政诉讼的情况",
        "因政府信息公开申请提起行政复议行政诉讼的情况", "政府信息公开收费及减免情况")
# headings of the 2019 and 2021 templates' tables: a page with them is not free-form
_NEW = ("收到和处理政府信息公开申请情况", "政府信息公开行政复议行政诉讼情况")
_LONGEST = 40  # a heading is a short cell; a sentence naming the same words is not one


def free_form_sections(lines: Iterable[Line]) -> list[str]:
    """The old layout's section headings the document has, in order; empty where it has none
    or where it also has a heading of the templates' tables."""
    found: list[str] = []
    for line in lines:
        for cell in line.cells:
            if len(cell) > _LONGEST or not cell:
                continue
            text = label_key(cell)
            if any(h in text for h in _NEW):
                return []
            if any(h in text for h in _OLD):
                found.append(cell.strip())
    return found
