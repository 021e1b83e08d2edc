"""Chunks written on a second thread: in order, errors raised in the caller, nothing written
after a cancel, and an export whose writer fails on that thread leaves the old files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nianbao.output.background import Background
from nianbao.output.csv_files import CsvWriter
from nianbao.output.export import ExportError, export
from tests.output.helpers import small_dataset


def test_items_are_written_in_order_on_another_thread() -> None:
    seen: list[tuple[int, str]] = []
    behind: Background[int] = Background(lambda i: seen.append((i, threading.current_thread().name)))
    for i in range(50):
        behind.put(i)
    behind.close()
    assert [i for i, _ in seen] == list(range(50))
    assert {name for _, name in seen} == {"nianbao-writer"}


def test_a_failed_write_is_raised_at_the_next_put_or_at_close() -> None:
    written: list[int] = []

    def write(i: int) -> None:
        if i == 1:
            raise OSError(28, "No space left on device")
        written.append(i)

    behind: Background[int] = Background(write)
    behind.put(0)
    behind.put(1)
    with pytest.raises(OSError, match="No space left"):
        for i in range(2, 1000):  # raised at a put once the thread has failed ...
            behind.put(i)
        behind.close()  # ... or at the latest here
    assert written == [0]  # nothing written after the failure
    behind.close()  # the error is raised once; closing again is quiet


def test_cancel_drops_what_is_queued() -> None:
    gate = threading.Event()
    written: list[int] = []

    def write(i: int) -> None:
        gate.wait(5)
        written.append(i)

    behind: Background[int] = Background(write, depth=3)
    for i in range(3):
        behind.put(i)
    gate.set()
    behind.cancel()
    assert len(written) <= 1  # at most the one being written when cancelled


def test_a_writer_failing_on_its_thread_leaves_the_old_files(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    export(small_dataset(), tmp_path, ["csv", "parquet"])
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    real = CsvWriter.write
    calls = {"n": 0}

    def full_disk(self: CsvWriter, name: str, table) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 7:  # a file of the second chunk
            raise OSError(28, "No space left on device")
        assert threading.current_thread().name == "nianbao-writer"
        real(self, name, table)

    monkeypatch.setattr(CsvWriter, "write", full_disk)
    with pytest.raises(ExportError, match="No space left"):
        export(small_dataset(), tmp_path, ["csv", "parquet"], chunk_size=1)
    assert calls["n"] >= 7
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()} == before
