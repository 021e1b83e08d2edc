"""Where a report page's article pictures come from: the archive, or the files beside a page.

Both give :func:`parsers.parse` a :data:`~parsers.page_pictures.PictureLoader`: for each
picture its bytes, or a plain reason why there are none, which the report then states.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

from nianbao.parsers import limits
from nianbao.parsers.page_pictures import PictureLoader
from nianbao.parsers.readers.html_images import BodyImage
from nianbao.scraper.archive import ArchiveReadError, read_response
from nianbao.scraper.state import ArchivedVersion, StateError, open_read_only
from nianbao.scraper.urls import normalize

_PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".jhtml", ".php", ".asp", ".aspx", ".jsp")


def archived_pictures(data_dir: Path, page: ArchivedVersion) -> PictureLoader:
    """The pictures of an archived page, from the newest archived version of each."""
    base = page.final_url or page.url

    def load(images: list[BodyImage]) -> list[bytes | str]:
        try:
            db = open_read_only(data_dir)
        except (StateError, sqlite3.Error) as exc:
            return [f"cannot be looked up in the crawl state ({exc})"] * len(images)
        try:
            return [_archived(data_dir, db, normalize(img.src, base)) for img in images]
        finally:
            db.close()
    return load


def _archived(data_dir: Path, db: sqlite3.Connection, url: str | None) -> bytes | str:
    if not url:
        return "has no http(s) address"
    row = db.execute("SELECT warc_file, warc_offset, sha256 FROM versions WHERE url=? "
                     "ORDER BY id DESC LIMIT 1", (url,)).fetchone()
    if row is None:
        doc = db.execute("SELECT status, error FROM documents WHERE url=?", (url,)).fetchone()
        if doc is None:
            return "was not fetched by the crawl (crawl again to fetch it)"
        return f"was not archived ({doc[0]}{': ' + doc[1] if doc[1] else ''})"
    try:
        record = read_response(data_dir, row[0], row[1])
    except ArchiveReadError as exc:
        return f"cannot be read back from the archive ({exc})"
    if hashlib.sha256(record.body).hexdigest() != row[2]:
        return "does not match its recorded SHA-256 in the archive"
    return record.body


def saved_pictures(page: Path) -> PictureLoader:
    """The pictures of a page saved on disk: a relative ``src`` resolved beside the page, or
    the file of that name in the browser's ``NAME_files/`` folder (Save Page As, complete).
    Only files inside the page's folder are read."""
    folder = page.parent.resolve()
    stem = page.name.rsplit(".", 1)[0]
    saved_dirs = [folder / f"{stem}_files", folder / f"{stem}.files", folder / f"{page.name}_files"]

    def find(src: str) -> Path | None:
        parts = urlsplit(src)
        name = unquote(parts.path.rsplit("/", 1)[-1])
        tried: list[Path] = []
        if not parts.scheme and not parts.netloc and parts.path:
            tried.append(folder / unquote(parts.path.lstrip("/") if parts.path.startswith("/")
                                          else parts.path))
        elif parts.scheme == "file":
            tried.append(Path(unquote(parts.path)))
        if name:
            tried += [d / name for d in saved_dirs] + [folder / name]
        for path in tried:
            try:
                path = path.resolve()
            except (OSError, RuntimeError):
                continue
            if path.is_relative_to(folder) and path.is_file():
                return path
        return None

    def load(images: list[BodyImage]) -> list[bytes | str]:
        out: list[bytes | str] = []
        for img in images:
            path = find(img.src)
            if path is None:
                out.append("was not saved beside the page (save the page complete, with its "
                           f"images, e.g. into {stem}_files/)")
                continue
            try:
                size = path.stat().st_size
                if size > limits.MAX_INPUT_BYTES:
                    out.append(f"is {size:,} bytes, beyond the limit ({limits.MAX_INPUT_BYTES:,})")
                    continue
                out.append(path.read_bytes())
            except OSError as exc:
                out.append(f"cannot be read ({path}: {exc.strerror or exc})")
        return out
    return load


def is_page_file(path: Path) -> bool:
    return path.suffix.lower() in _PAGE_SUFFIXES


def saved_with_page(path: Path, pages: set[Path]) -> bool:
    """A file inside a saved page's ``NAME_files/`` folder whose page is also being read
    (it is read as part of the page, not as a report of its own)."""
    for parent in path.parents:
        name = parent.name
        for tail in ("_files", ".files"):
            if name.endswith(tail):
                stem = name[: -len(tail)]
                if any(p.parent == parent.parent and (p.name.rsplit(".", 1)[0] == stem
                                                      or p.name == stem) for p in pages):
                    return True
    return False

