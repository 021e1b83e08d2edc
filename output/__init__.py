"""Datasets: parse results → pandas frames → CSV, Parquet and SQLite, plus the data dictionary.

``output`` owns every dataset file. It knows nothing of crawling: it gets a :class:`Dataset`
(report rows and a loader of their facts) and writes it, atomically and deterministically.
"""

from nianbao.output.export import FORMATS, ExportError, ExportSummary, export
from nianbao.output.records import Dataset, ReportRow, report_id
from nianbao.output.results import ResultStore

__all__ = ["FORMATS", "Dataset", "ExportError", "ExportSummary", "ReportRow", "ResultStore",
           "export", "report_id"]
