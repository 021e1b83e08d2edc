"""Atomic replacement of dataset files and folders: write beside, then rename over.

A reader (or a crash) sees either the old complete file or the new complete one, never a
half-written one, because ``os.replace`` within one folder is atomic on POSIX.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def temp_beside(path: Path) -> Path:
    """A fresh hidden name in ``path``'s folder (same file system, so rename is atomic)."""
    return path.parent / f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def replace_file(tmp: Path, final: Path) -> None:
    """Move a finished temp file over ``final`` (its bytes synced first)."""
    fsync_file(tmp)
    os.replace(tmp, final)
    _fsync_dir(final.parent)


def replace_dir(tmp: Path, final: Path) -> None:
    """Put a finished temp folder at ``final``; the old folder is removed only afterwards."""
    old = None
    if final.exists():
        old = temp_beside(final)
        os.replace(final, old)
    os.replace(tmp, final)
    _fsync_dir(final.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove(path: Path) -> None:
    """Remove a temp file or folder left by a failed write (no error when absent)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a small file atomically."""
    tmp = temp_beside(path)
    try:
        tmp.write_bytes(data)
        replace_file(tmp, path)
    except BaseException:
        remove(tmp)
        raise


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def clean_stale(folder: Path) -> None:
    """Remove temp files and folders that a killed export left behind (its process is gone)."""
    if not folder.is_dir():
        return
    for p in folder.glob(".*.tmp-*"):
        pid = p.name.rsplit(".tmp-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            remove(p)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
