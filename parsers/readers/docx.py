"""DOCX to lines of cells: tables (merged cells once) and paragraphs in body order.

Reads ``word/document.xml`` with lxml directly (no python-docx at run time: it builds an object
per run, is slower, and would open the container before our size checks). The container is
checked against :mod:`parsers.limits` before any member is decompressed: member count, the
declared uncompressed sizes and compression ratios, then the actual bytes while reading.

Tables: one line per ``w:tr``. A cell spanning columns (``w:gridSpan``) is one cell; a cell
continuing a vertical merge (``w:vMerge`` without ``restart``) is covered by the cell above and
left out, as a ``rowspan`` is in HTML. Paragraphs inside a cell are joined like ``<br>``.
Nested tables are read as their cells' text. Tracked deletions and field codes are skipped.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from lxml import etree

from nianbao.parsers.readers.attachment import AttachmentDocument, Unreadable, join_wrapped, paragraph
from nianbao.parsers.document import Line
from nianbao.parsers.limits import (MAX_COMPRESSION_RATIO, MAX_UNZIPPED_BYTES, MAX_XML_BYTES,
                            MAX_ZIP_MEMBERS, LimitExceeded)
from nianbao.parsers.normalize import collapse

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          remove_comments=True, remove_pis=True)


def check_container(zf: zipfile.ZipFile) -> None:
    """Refuse zip bombs before decompressing anything: counts, sizes and ratios declared."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LimitExceeded(f"container holds {len(infos)} members; the limit is "
                            f"{MAX_ZIP_MEMBERS} (MAX_ZIP_MEMBERS)")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise LimitExceeded(f"container declares {total:,} bytes uncompressed; the limit is "
                            f"{MAX_UNZIPPED_BYTES:,} (MAX_UNZIPPED_BYTES)")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1):
            raise LimitExceeded(f"member {info.filename} expands {info.compress_size:,} bytes "
                                f"to {info.file_size:,}: a zip bomb (MAX_COMPRESSION_RATIO)")


def read_member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """A member's bytes (at most ``limit``, default MAX_XML_BYTES), counted while reading
    too, not only from the declared size."""
    limit = MAX_XML_BYTES if limit is None else limit
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise Unreadable(f"the container has no {name}") from None
    if info.file_size > limit:
        raise LimitExceeded(f"{name} is {info.file_size:,} bytes; the limit is {limit:,} "
                            "(MAX_XML_BYTES)")
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            out += chunk
            if len(out) > limit:
                raise LimitExceeded(f"{name} expands past {limit:,} bytes (MAX_XML_BYTES)")
    return bytes(out)


def _in_deletion(node: etree._Element) -> bool:
    return next(node.iterancestors(W + "del"), None) is not None


def _paragraph_text(p: etree._Element) -> str:
    parts = [t.text or "" if t.tag == W + "t" else " "
             for t in p.iter(W + "t", W + "tab") if not _in_deletion(t)]
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    return join_wrapped([_paragraph_text(p) for p in tc.iter(W + "p")])


def _vmerge_continues(tc: etree._Element) -> bool:
    vm = tc.find(f"{W}tcPr/{W}vMerge")
    return vm is not None and vm.get(W + "val", "continue") == "continue"


def _table_lines(tbl: etree._Element) -> list[Line]:
    lines: list[Line] = []
    for tr in tbl.iterchildren(W + "tr"):
        cells: list[str] = []
        for tc in _row_cells(tr):
            if _vmerge_continues(tc):
                continue  # covered by the merged cell above: printed once
            cells.append(_cell_text(tc))
        if cells:
            lines.append(Line(cells, True))
    return lines


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    """The row's cells, looking through content controls (w:sdt) and custom XML."""
    out: list[etree._Element] = []
    for child in tr:
        if child.tag == W + "tc":
            out.append(child)
        elif child.tag in (W + "sdt", W + "customXml"):
            out.extend(child.iter(W + "tc"))
    return out


def _body_lines(body: etree._Element) -> list[Line]:
    lines: list[Line] = []
    for child in body:
        tag = child.tag
        if tag == W + "p":
            line = paragraph(_paragraph_text(child))
            if line:
                lines.append(line)
        elif tag == W + "tbl":
            lines.extend(_table_lines(child))
        elif tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins"):
            inner = child.find(W + "sdtContent") if tag == W + "sdt" else child
            if inner is not None:
                lines.extend(_body_lines(inner))
    return lines


def _core_title(zf: zipfile.ZipFile) -> str | None:
    if "docProps/core.xml" not in zf.namelist():
        return None
    try:
        root = etree.fromstring(read_member(zf, "docProps/core.xml", 1_000_000), _PARSER)
    except (etree.XMLSyntaxError, Unreadable):
        return None
    el = root.find(_DC_TITLE)
    return collapse(el.text) if el is not None and el.text else None


def docx_document(data: bytes, origin: str = "docx") -> AttachmentDocument:
    """Lines of a DOCX file's body; raises LimitExceeded or Unreadable."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"a Word document (DOCX) whose ZIP container cannot be read "
                         f"(damaged or cut short): {exc}") from None
    with zf:
        check_container(zf)
        try:
            xml = read_member(zf, "word/document.xml")
            root = etree.fromstring(xml, _PARSER)
        except (zipfile.BadZipFile, zlib.error, etree.XMLSyntaxError, EOFError) as exc:
            raise Unreadable(f"damaged DOCX, its text (word/document.xml) cannot be read: "
                             f"{exc}") from None
        body = root.find(W + "body")
        lines = _body_lines(body) if body is not None else []
        titles: list[str] = []
        first = next((ln.cells[0] for ln in lines if not ln.boundary), None)
        if first:
            titles.append(first)
        meta = _core_title(zf)
        if meta:
            titles.append(meta)
    return AttachmentDocument(origin, lines, titles)

