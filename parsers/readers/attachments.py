"""Dispatch of attachments (PDF, DOCX, DOC/WPS, images) to their readers, with the limits.

Returns the document, or ``(status, message)`` when the file is beyond a limit (``limit``),
needs something not installed (``unsupported``) or is damaged (``error``).
"""

from __future__ import annotations

from nianbao.parsers.readers.attachment import AttachmentDocument, Unreadable, Unsupported
from nianbao.parsers.limits import Deadline, LimitExceeded
from nianbao.parsers.readers.sniff import DESCRIPTIONS


def _read(kind: str, data: bytes, deadline: Deadline) -> AttachmentDocument:
    if kind == "pdf":
        from nianbao.parsers.readers.pdf import pdf_document

        return pdf_document(data, deadline)
    if kind == "docx":
        from nianbao.parsers.readers.docx import docx_document

        return docx_document(data)
    if kind == "doc":
        from nianbao.parsers.readers.docx import docx_document
        from nianbao.parsers.readers.office import to_docx

        doc = docx_document(to_docx(data, timeout=max(1.0, min(deadline.left(), 120.0))))
        doc.notes.append("converted from DOC/WPS to DOCX by LibreOffice")
        return doc
    if kind == "image":
        from nianbao.parsers.readers.ocr import image_document

        return image_document(data, deadline)
    raise Unsupported(f"{DESCRIPTIONS.get(kind, kind)}: no reader")


def read_attachment(kind: str, data: bytes,
                    deadline: Deadline | None = None) -> AttachmentDocument | tuple[str, str]:
    """The attachment's document, or (status, message) saying why there is none."""
    what = DESCRIPTIONS.get(kind, kind)  # the input size is checked by parsers.parse
    try:
        return _read(kind, data, deadline or Deadline())
    except LimitExceeded as exc:
        return "limit", f"{what} beyond a limit: {exc}"
    except Unsupported as exc:
        return "unsupported", f"{what}: {exc}"
    except Unreadable as exc:
        return "error", f"{what}: {exc}" if not str(exc).startswith(what) else str(exc)
    except MemoryError:
        return "limit", f"{what}: out of memory while reading it"
    except RecursionError:
        return "error", f"{what}: nested too deeply to read"
