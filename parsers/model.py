"""The result of parsing one document: report metadata, facts, checks and warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported only by the caller that wants a frame
    import pandas as pd

Number = int | float

# Every value of Report.status, best first. The first three are successes: the document was
# read (``empty``: a template with no numbers; ``legacy``: a free-form report before 2019).
STATUSES = ("ok", "empty", "legacy", "no_tables", "unsupported", "limit", "not_report", "error")
SUCCESS_STATUSES = frozenset(STATUSES[:3])
FAILED_STATUSES = frozenset(STATUSES[3:])


@dataclass(slots=True)  # not frozen: frozen dataclasses construct several times slower
class Fact:
    """One cell of a statistical table, under its canonical keys."""

    table: str
    row: str
    col: str
    value: Number | None
    raw: str
    unit: str | None
    origin: str
    inferred: bool = False


@dataclass(slots=True)
class Check:
    """One accounting identity: both sides and whether they agree."""

    name: str
    ok: bool
    lhs: Number
    rhs: Number


@dataclass(slots=True)
class Report:
    """Everything one document yielded. ``status`` is ``ok`` unless the document failed."""

    title: str | None = None
    agency: str | None = None  # as printed
    # the agency's register entry (parsers/extraction/agency.py); None where not resolved
    agency_id: str | None = None
    agency_name: str | None = None  # canonical
    region_code: str | None = None
    level: str | None = None
    kind: str | None = None
    year: int | None = None
    template: str = "unknown"
    script: str | None = None
    source: str | None = None
    sha256: str | None = None
    encoding: str | None = None
    origin: str | None = None
    status: str = "ok"
    error: str | None = None
    facts: list[Fact] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The page's other names for its agency, (where, name), kept so that export can resolve
    # the agency again with the source entry it was crawled from.
    agency_clues: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def checks_failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]

    def fact(self, table: str, row: str, col: str) -> Fact | None:
        for f in self.facts:
            if f.table == table and f.row == row and f.col == col:
                return f
        return None

    def to_json_dict(self) -> dict[str, Any]:
        """The report, its facts, checks and warnings (docs/schema.md)."""
        return {
            "report": {
                "title": self.title,
                "agency": self.agency,
                "agency_id": self.agency_id,
                "agency_name": self.agency_name,
                "region_code": self.region_code,
                "level": self.level,
                "kind": self.kind,
                "year": self.year,
                "template": self.template,
                "script": self.script,
                "source": self.source,
                "sha256": self.sha256,
            },
            "facts": [asdict(f) for f in self.facts],
            "checks": [asdict(c) for c in self.checks],
            "warnings": list(self.warnings),
        }

    def to_json_line(self) -> dict[str, Any]:
        """One line of ``parse --json``: the outcome first (``status``, one of STATUSES, and
        ``error``, null unless the document failed), then :meth:`to_json_dict`."""
        return {"status": self.status, "error": self.error, **self.to_json_dict()}

    def facts_frame(self) -> "pd.DataFrame":
        """The facts as a long-form DataFrame (one row per cell)."""
        import pandas as pd

        columns = ["table", "row", "col", "value", "raw", "unit", "origin", "inferred"]
        frame = pd.DataFrame([asdict(f) for f in self.facts], columns=columns)
        frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
        frame["inferred"] = frame["inferred"].astype(bool)
        return frame
