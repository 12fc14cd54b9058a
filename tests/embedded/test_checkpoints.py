"""Checkpoints of the write-ahead log by the worker thread (see checkpoints.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from arangoml_meta.embedded import EmbeddedDatabase, checkpoints, storage

WAIT_SECONDS = 20.0  # the worker runs at once; a loaded machine may delay it


def _file_pages_grow(path: Path, before: int) -> bool:
    """Whether the database file (not its log) has grown past ``before`` bytes in time."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if path.stat().st_size > before:
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def no_automatic_checkpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own checkpoint off: only the worker copies the log into the file."""
    pragmas = [p for p in storage.CONNECTION_PRAGMAS if not p.startswith("wal_autocheckpoint")]
    monkeypatch.setattr(storage, "CONNECTION_PRAGMAS", (*pragmas, "wal_autocheckpoint=0"))


def test_every_so_many_commits_the_worker_copies_the_log_into_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_automatic_checkpoint: None
) -> None:
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 10**9)
    path = tmp_path / "store.db"
    with EmbeddedDatabase(str(path)) as db:
        db.create_collection("notes")
        for i in range(50):
            db.insert("notes", {"text": "x" * 2000, "i": i})
        size = path.stat().st_size  # the pages are in the log: no checkpoint was asked yet
        monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 1)
        db.insert("notes", {"i": 50})  # this commit asks the worker
        assert _file_pages_grow(path, size)
        assert db.query("RETURN LENGTH(notes)") == [51]


def test_without_the_worker_the_pages_stay_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_automatic_checkpoint: None
) -> None:
    """The counterpart of the test above: what grows the file there is the worker."""
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 10**9)
    path = tmp_path / "store.db"
    with EmbeddedDatabase(str(path)) as db:
        db.create_collection("notes")
        size = path.stat().st_size
        for i in range(50):
            db.insert("notes", {"text": "x" * 2000, "i": i})
        assert path.stat().st_size == size


def test_a_file_gone_or_foreign_does_not_stop_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_automatic_checkpoint: None
) -> None:
    checkpoints.request(str(tmp_path / "gone" / "store.db"))  # not created by the attempt
    (tmp_path / "text.db").write_text("not a database")
    checkpoints.request(str(tmp_path / "text.db"))
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 1)
    path = tmp_path / "store.db"
    with EmbeddedDatabase(str(path)) as db:
        db.create_collection("notes")
        size = path.stat().st_size
        db.insert("notes", {"text": "x" * 20000})
        assert _file_pages_grow(path, size)
    assert not (tmp_path / "gone").exists()
    assert (tmp_path / "text.db").read_text() == "not a database"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_checkpoints_with_a_worker_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_automatic_checkpoint: None
) -> None:
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 1)
    checkpoints.request(str(tmp_path / "parent.db"))  # the parent's worker runs
    pid = os.fork()
    if pid == 0:  # the child: its own store, its own worker
        status = 1
        try:
            path = tmp_path / "child.db"
            with EmbeddedDatabase(str(path)) as db:
                db.create_collection("notes")
                size = path.stat().st_size
                db.insert("notes", {"text": "x" * 20000})
                status = 0 if _file_pages_grow(path, size) else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
