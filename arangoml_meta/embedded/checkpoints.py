"""Checkpoints of the write-ahead log off the committing thread.

A checkpoint copies the WAL into the database file and syncs it: with
``synchronous=NORMAL`` that sync is nearly all of its cost (about 20 ms here,
waiting on the disk, against well under 1 ms for the copy), and SQLite's
automatic checkpoint makes the commit that crosses its threshold wait for it.
Instead, every :data:`COMMITS_PER_CHECKPOINT` write transactions a connection
asks one worker thread to run a ``PASSIVE`` checkpoint of its file through a
short-lived connection of its own: writers go on committing meanwhile (a passive
checkpoint takes no lock that they need, and copies only what no reader still
uses). SQLite's own automatic checkpoint stays as the backstop
(``wal_autocheckpoint`` in ``storage.CONNECTION_PRAGMAS``) for transactions
large enough to reach it first, and for a process whose worker cannot run.

Durability is unchanged: a commit survives a killed process at once and power
loss from the next checkpoint on, which now comes sooner, not later.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from urllib.parse import quote

# write transactions of one connection between two requests for a checkpoint (a pipeline
# step writes ~20 pages: ~5,000 pages a checkpoint, half the automatic one's threshold)
COMMITS_PER_CHECKPOINT = 256


class _Worker:
    """The thread that checkpoints, and the files waiting for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[str, None] = {}  # files waiting for a checkpoint, oldest first
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def request(self, path: str) -> None:
        with self.lock:
            self.pending[path] = None
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="arangoml-meta-checkpoints", daemon=True
                )
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait()
            with self.lock:
                self.wake.clear()
                paths = list(self.pending)
                self.pending.clear()
            for path in paths:
                checkpoint(path)


_worker = _Worker()


def _forked() -> None:
    """In a forked child: a worker of its own (the parent's thread is not copied, and its
    lock may have been held at the fork)."""
    global _worker
    _worker = _Worker()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forked)


def request(path: str) -> None:
    """Have ``path``'s write-ahead log checkpointed soon, by the worker thread."""
    _worker.request(path)


def checkpoint(path: str) -> None:
    """A passive checkpoint of ``path`` (best effort: a file gone, locked or damaged is
    left to SQLite's own checkpoint)."""
    uri = f"file:{quote(os.path.abspath(path))}?mode=rw"
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()
