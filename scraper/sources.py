"""The sources file: which portal columns to crawl.

YAML (a top-level ``sources:`` list) or CSV (header ``name,start,agency,allow``). A bad
entry is reported with its line and skipped; the others still run. Only a file that cannot
be read at all is an error.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from nianbao.scraper.urls import is_allowed, normalize, normalize_host


class SourcesFileError(Exception):
    """The sources file as a whole is unusable (missing, unreadable, wrong shape)."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    start: str
    allow: tuple[str, ...]
    agency: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class Loaded:
    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _check_entry(raw: dict, line: int, seen: dict[str, int], out: Loaded) -> None:
    """Validate one entry; append a Source or a Problem."""
    name = str(raw.get("name") or "").strip()
    start_raw = raw.get("start")
    start_text = str(start_raw).strip() if start_raw is not None else ""
    if not start_text:
        out.problems.append(Problem(line, f"source {name or '(unnamed)'!s} has no start URL"))
        return
    scheme = start_text.split(":", 1)[0].lower() if "://" in start_text else ""
    if scheme not in ("http", "https"):
        out.problems.append(Problem(line, f"start URL {start_text!r} must be http:// or https://"))
        return
    start = normalize(start_text)
    if start is None:
        out.problems.append(Problem(line, f"start URL {start_text!r} is not a valid URL"))
        return
    if start in seen:
        out.problems.append(Problem(line, f"duplicate start URL {start} (first on line {seen[start]})"))
        return
    allow_raw = raw.get("allow")
    if allow_raw is None or allow_raw == "":
        entries: list[str] = []
    elif isinstance(allow_raw, str):
        entries = allow_raw.replace(",", " ").split()
    elif isinstance(allow_raw, list):
        entries = [str(x) for x in allow_raw]
    else:
        out.problems.append(Problem(line, "allow must be a list of host names"))
        return
    hosts: list[str] = []
    for entry in entries:
        entry = entry.strip()
        wildcard = entry.startswith("*.")
        host = normalize_host(entry[2:] if wildcard else entry)
        if host is None:
            out.problems.append(Problem(line, f"allow entry {entry!r} is not a host name"))
            return
        hosts.append("*." + host if wildcard else host)
    start_host = normalize_host(start)
    if not hosts:
        hosts = [start_host] if start_host else []
    if not is_allowed(start, hosts):
        hosts.insert(0, start_host or "")
    agency = raw.get("agency")
    seen[start] = line
    out.sources.append(Source(name=name or start, start=start, allow=tuple(hosts),
                              agency=str(agency).strip() if agency else None, line=line))


def _load_yaml(text: str, out: Loaded) -> None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise SourcesFileError(f"{where}not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if root is None:
        raise SourcesFileError("the file is empty; expected a top-level 'sources:' list")
    items = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "sources":
                items = value
    elif isinstance(root, yaml.SequenceNode):
        items = root
    if not isinstance(items, yaml.SequenceNode):
        raise SourcesFileError("expected a top-level 'sources:' list")
    seen: dict[str, int] = {}
    loader = yaml.SafeLoader("")
    for node in items.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            out.problems.append(Problem(line, "entry is not a mapping with name/start"))
            continue
        try:
            raw = loader.construct_mapping(node, deep=True)
        except (yaml.YAMLError, TypeError) as exc:
            out.problems.append(Problem(line, f"entry cannot be read: {exc}"))
            continue
        _check_entry(raw, line, seen, out)


def _load_csv(text: str, out: Loaded) -> None:
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "start" not in fields:
        raise SourcesFileError("CSV sources need a header row with at least 'name,start'")
    reader.fieldnames = fields
    seen: dict[str, int] = {}
    line = 1
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        _check_entry({k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k},
                     line, seen, out)


def load_sources(path: str | Path) -> Loaded:
    """Read and validate a YAML or CSV sources file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SourcesFileError(f"sources file {p} does not exist") from None
    except OSError as exc:
        raise SourcesFileError(f"sources file {p} cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourcesFileError(f"sources file {p} is not UTF-8 text") from None
    out = Loaded()
    if p.suffix.lower() == ".csv":
        _load_csv(text, out)
    else:
        _load_yaml(text, out)
    return out


# --- shards: one machine per slice of hosts --------------------------------------------------

def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N; ValueError with the reason otherwise."""
    k, sep, n = text.strip().partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise ValueError(f"{text!r} is not K/N (e.g. 1/4: the first of four shards)")
    shard, count = int(k), int(n)
    if count < 1 or not 1 <= shard <= count:
        raise ValueError(f"{text!r}: K must be between 1 and N (and N at least 1)")
    return shard, count


def shard_of(source: Source, count: int) -> int:
    """The shard (1..count) of a source: a stable hash (SHA-1) of the host of its start URL, so
    that every source of a host lands in the same shard and the per-host delay still holds."""
    host = (urlsplit(source.start).hostname or "").lower()
    return int.from_bytes(hashlib.sha1(host.encode("utf-8")).digest()[:8], "big") % count + 1


def in_shard(sources: list[Source], shard: int, count: int) -> list[Source]:
    """The sources of shard ``shard`` of ``count``, in their file order."""
    return [s for s in sources if shard_of(s, count) == shard]
