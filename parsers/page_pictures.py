"""A report page whose tables are pictures: OCR its article pictures, merge them with the page.

The pictures of the article body (parsers.readers.html_images) are read by OCR in page order
as one document (``images_document``; a table running on into the next picture continues
there). Where the page prints a section heading before a picture (三、收到和处理…), that heading
goes before the picture's lines, so that a picture holding only the grid is read as the table
its heading names. The facts read from the pictures are then merged with the page's own:

- a cell the page's HTML has is never replaced: when the picture reads it differently, a
  warning names both readings and the HTML value stays;
- every fact keeps its ``origin`` (``html`` or ``ocr``);
- the tables' coverage warnings (``table … not found``) are said once, for the merged report.

The caller supplies the pictures' bytes (a :data:`PictureLoader`: from the archive, from the
files beside a saved page), so this stays free of disk and network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from nianbao.parsers.document import Line
from nianbao.parsers.extraction.extract import Extraction, _report_coverage, extract
from nianbao.parsers.extraction.ocr_verify import verify as verify_ocr
from nianbao.parsers.limits import Deadline, LimitExceeded
from nianbao.parsers.model import Fact
from nianbao.parsers.readers.attachment import AttachmentDocument, Unreadable, Unsupported
from nianbao.parsers.readers.html_images import (TABLE_REGIONS, BodyImage, inline_bytes,
                                                  is_inline, page_images)
from nianbao.parsers.schema import SCHEMAS

# The bytes of each picture, or why there are none ("not archived (HTTP 404)").
PictureLoader = Callable[[list[BodyImage]], list["bytes | str"]]
PREFIX = "pictures: "
_COVERAGE = re.compile(r"^table (?:active|requests|appeals)(?: not found$| is empty: no numbers "
                       r"in it$| stops before row .* truncated$|: rows not found: )")


@dataclass(slots=True)
class PictureReading:
    """What the pictures added: the merged extraction and the warnings about the pictures."""

    extraction: Extraction
    warnings: list[str] = field(default_factory=list)
    total: int = 0  # the article's table pictures
    read: int = 0  # pictures OCR'd
    missing: int = 0  # pictures the caller could not supply
    ocr_facts: int = 0  # facts taken from the pictures
    why_missing: str = ""  # what the caller said of the first picture it could not supply


def _is_coverage(warning: str) -> bool:
    """A warning of extraction's coverage report (said again once for the merged report)."""
    return bool(_COVERAGE.match(warning))


def _groups(images: list[BodyImage], data: list[bytes | str]
            ) -> list[tuple[str | None, list[tuple[BodyImage, bytes]]]]:
    """Runs of pictures under one heading (a table split over pictures stays one run)."""
    out: list[tuple[str | None, list[tuple[BodyImage, bytes]]]] = []
    last: tuple[str | None, str | None] | None = None
    for img, got in zip(images, data):
        if not isinstance(got, bytes):
            continue
        key = (img.region, img.heading)
        if last != key or not out:
            out.append((img.heading if img.region in TABLE_REGIONS else None, []))
            last = key
        out[-1][1].append((img, got))
    return out


def _read(groups: list[tuple[str | None, list[tuple[BodyImage, bytes]]]], deadline: Deadline,
          warnings: list[str]) -> tuple[AttachmentDocument | None, int]:
    """One OCR document of all the pictures, headings before their runs."""
    from nianbao.parsers.readers.ocr import images_document

    doc = AttachmentDocument("ocr", [], [])
    read = 0
    for heading, run in groups:
        try:
            part = images_document([b for _, b in run], deadline)
        except Unsupported as exc:
            warnings.append(f"{PREFIX}the page's tables are pictures and cannot be read: {exc}")
            return None, read
        except Unreadable as exc:
            if len(run) > 1:  # one bad file (an error page saved as .png) spoils no other
                more, n = _read([(heading, [one]) for one in run], deadline, warnings)
                if more is not None:
                    _append(doc, more)
                read += n
                continue
            warnings.append(f"{PREFIX}picture {run[0][0].position} cannot be read ({exc}); "
                            "its tables are not read")
            continue
        except (LimitExceeded, MemoryError) as exc:
            which = ", ".join(str(i.position) for i, _ in run)
            warnings.append(f"{PREFIX}picture {which} cannot be read ({exc}); its tables are "
                            "not read")
            continue
        read += len(run)
        if heading:
            doc.lines.append(Line([heading], False))
        which = ", ".join(str(i.position) for i, _ in run)
        part.notes = [f"{PREFIX}picture {which}: {n}" for n in part.notes]
        _append(doc, part)
    return doc, read


def _append(doc: AttachmentDocument, part: AttachmentDocument) -> None:
    base = len(doc.lines)
    doc.lines.extend(part.lines)
    doc.confidence.update({(base + li, ci): c for (li, ci), c in part.confidence.items()})
    doc.notes.extend(part.notes)


def _merge(html: Extraction, ocr: Extraction, warnings: list[str]) -> int:
    """Add the pictures' facts to ``html`` (in place) where the HTML has no such cell; a
    different reading of an HTML cell is a warning. Returns the facts added."""
    have = {(f.table, f.row, f.col): f for f in html.facts}
    added = 0
    for f in ocr.facts:
        key = (f.table, f.row, f.col)
        mine = have.get(key)
        if mine is None:
            html.facts.append(f)
            have[key] = f
            added += 1
        elif (mine.value, mine.unit) != (f.value, f.unit):
            warnings.append(f"{f.table}.{f.row}.{f.col}: the page's HTML table reads "
                            f"{mine.raw!r}, its picture {f.raw!r}; the HTML value is kept")
    html.tables_seen |= ocr.tables_seen
    html.rows_seen |= ocr.rows_seen
    html.numbers_read |= ocr.numbers_read
    return added


def read_pictures(text: str, html: Extraction, hint: str | None, loader: PictureLoader,
                  deadline: Deadline | None = None, said: list[str] | None = None
                  ) -> PictureReading | None:
    """The page's extraction with its pictures' facts merged in; None when the page has no
    table pictures, or its HTML already holds the three tables."""
    if set(TABLE_REGIONS) <= html.numbers_read:
        return None  # the three tables are HTML (most pages): no picture can add to them
    images = page_images(text).tables
    if not images:
        return None
    deadline = deadline or Deadline()
    out = PictureReading(html, total=len(images))
    asked = [img for img in images if not is_inline(img.src)]
    given = iter(loader(asked) if asked else [])
    data = [(inline_bytes(img.src) or "is an inline picture that cannot be decoded")
            if is_inline(img.src) else next(given, "was not given") for img in images]
    for img, got in zip(images, data):
        if not isinstance(got, bytes):
            out.missing += 1
            out.why_missing = out.why_missing or f"picture {img.position} ({img.label}) {got}"
            out.warnings.append(f"{PREFIX}picture {img.position} of the article ({img.label}) "
                                f"{got}; the tables in it are not read")
    groups = _groups(images, data)
    doc, out.read = _read(groups, deadline, out.warnings) if groups else (None, 0)
    if doc is None or not doc.lines:
        return out
    out.warnings.extend(doc.notes)
    ocr = extract(doc, html.template or hint)
    template = html.template or ocr.template
    if template is None:
        out.warnings.append(f"{PREFIX}no statistical table found in the pictures")
        return out
    if html.template is not None and ocr.template not in (None, html.template):
        out.warnings.append(f"{PREFIX}the pictures follow the {ocr.template} template and the "
                            f"page's tables the {html.template} one; the pictures are left out")
        return out
    ocr_warnings = [w for w in ocr.warnings if not _is_coverage(w) and not (
        html.template and w.startswith("template not evident"))]  # known from the page
    kept, doubts = verify_ocr(doc, ocr.facts, template, hint, (said or []) + ocr_warnings)
    ocr.facts = kept
    merged_warnings = [w for w in html.warnings if not _is_coverage(w)]
    merged_warnings += [f"{PREFIX}{w}" for w in ocr_warnings + doubts]
    html.template = template
    out.ocr_facts = _merge(html, ocr, merged_warnings)
    html.warnings = merged_warnings
    _report_coverage(SCHEMAS[template], None, html)
    return out


def ocr_origin(facts: list[Fact]) -> bool:
    """Whether every fact with a value was read from a picture."""
    valued = [f for f in facts if f.value is not None]
    return bool(valued) and all(f.origin == "ocr" for f in valued)
