"""Pure parsing: bytes of one report document in, canonical facts, checks and metadata out.

No network and no disk writes happen here, so the same code runs in the CLI, in tests and on
any worker of a distributed backfill.

Two halves: :mod:`nianbao.parsers.readers` turns the bytes of each format (HTML, text, PDF,
Word, pictures) into lines of cells; :mod:`nianbao.parsers.extraction` turns lines of cells
into facts, metadata and checks. :func:`parse` joins them.
"""

from nianbao.parsers.model import FAILED_STATUSES, STATUSES, SUCCESS_STATUSES, Check, Fact, Report
from nianbao.parsers.parse import PARSER_VERSION, parse

__all__ = ["Check", "FAILED_STATUSES", "Fact", "PARSER_VERSION", "Report", "STATUSES",
           "SUCCESS_STATUSES", "parse"]
