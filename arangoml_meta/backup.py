"""A consistent copy of a live embedded store, through SQLite's online backup API.

Copying ``store.db`` with ``cp`` while a pipeline writes gives a file that misses
what is still in the write-ahead log, or a torn one. :func:`backup` instead copies
through a connection of its own with :meth:`sqlite3.Connection.backup` in a single
step: the copy is the store as one read transaction saw it (its *snapshot point*:
every commit made before it is in the copy, none made after), while writers go on
(WAL readers do not block them). The copy is written to a temporary file beside the
destination, checked with ``PRAGMA integrity_check`` and only then renamed into
place, so that a failed backup leaves no file that looks like a store.

The destination follows the rule of store locations: a path ending in ``.db`` is
the file, anything else a directory that gets ``store.db``; so ``--store DEST``
opens the copy. ArangoDB stores are backed up by ArangoDB's own tools (arangodump,
or hot backup with arangobackup).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    ERROR_CANNOT_OVERWRITE_FILE,
    ERROR_CANNOT_WRITE_FILE,
    ERROR_NOT_IMPLEMENTED,
    ArangoMLMetaError,
    BadParameterError,
    DumpError,
)

if TYPE_CHECKING:
    from .backends import Backend
    from .backends.embedded import EmbeddedBackend

STORE_FILE = "store.db"
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupReport:
    """What :func:`backup` wrote: where, how big, how long, and what the copy holds."""

    source: str
    destination: str
    bytes: int
    seconds: float
    counts: dict[str, int]  # documents per collection in the copy

    @property
    def documents(self) -> int:
        return sum(self.counts.values())


def destination_file(dest: str | Path) -> Path:
    """The file a backup to ``dest`` writes (``dest/store.db`` unless it ends in ``.db``)."""
    path = Path(dest).expanduser()
    return path if path.suffix == ".db" else path / STORE_FILE


def backup(backend: Backend, dest: str | Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the embedded store of ``backend`` to ``dest`` (see the module docstring).

    Refused (16) when the destination exists, unless ``overwrite``: the old file and
    its WAL are then replaced, which is safe only when no process has it open.
    """
    from .backends.embedded import EmbeddedBackend

    if not isinstance(backend, EmbeddedBackend):
        raise ArangoMLMetaError(
            f"store backup copies an embedded store; {backend.location} is ArangoDB: use "
            "arangodump (or `store dump`), or ArangoDB's hot backup (arangobackup)",
            ERROR_NOT_IMPLEMENTED,
        )
    target = destination_file(dest)
    if backend.location != ":memory:" and _same_file(Path(backend.location), target):
        raise BadParameterError(f"cannot back the store up onto itself ({target})")
    if target.exists() and not overwrite:
        raise DumpError(
            f"{target} exists: choose another destination, or pass --overwrite to replace it",
            ERROR_CANNOT_OVERWRITE_FILE,
        )
    if target.is_dir():
        raise DumpError(f"{target} is a directory", ERROR_CANNOT_OVERWRITE_FILE)
    began = time.monotonic()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    temporary = target.with_name(f".{target.name}.{os.getpid()}.backup")
    try:
        _copy(backend, temporary)
        counts = _check(temporary)
        _sync(temporary)
        for suffix in _SIDE_FILES:  # a stale WAL of the old file would be replayed on the new
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{target}{suffix}")
        os.replace(temporary, target)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    finally:
        for suffix in ("", *_SIDE_FILES):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{temporary}{suffix}")
    return BackupReport(
        source=backend.location,
        destination=str(target),
        bytes=target.stat().st_size,
        seconds=time.monotonic() - began,
        counts=counts,
    )


def _copy(backend: EmbeddedBackend, temporary: Path) -> None:
    """The whole store into ``temporary`` in one backup step (one read transaction)."""
    storage = backend.db.storage
    copy = sqlite3.connect(temporary, isolation_level=None)
    try:
        if backend.location == ":memory:":
            with storage.lock:  # the store's own connection: nothing else may use it meanwhile
                storage.conn.backup(copy)
        else:
            source = sqlite3.connect(backend.location, timeout=storage.timeout)
            try:
                source.backup(copy)  # pages=-1: every page in one step, from one snapshot
            finally:
                source.close()
    except sqlite3.Error as exc:
        raise DumpError(f"backup failed: {exc}", ERROR_CANNOT_WRITE_FILE) from None
    finally:
        copy.close()


def _check(path: Path) -> dict[str, int]:
    """``PRAGMA integrity_check`` of the copy, and its documents per collection."""
    from .embedded.storage import Storage

    connection = sqlite3.connect(path, isolation_level=None)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    if problems != ["ok"]:
        raise DumpError(
            f"the copy failed its integrity check: {'; '.join(problems[:5])}",
            ERROR_CANNOT_WRITE_FILE,
        )
    storage = Storage(str(path))
    try:
        return {info.name: storage.count(info.name) for info in storage.collections()}
    finally:
        storage.close()


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _cannot_write(target: Path, exc: OSError) -> DumpError:
    return DumpError(
        f"cannot write the backup {target}: {exc.strerror or exc}", ERROR_CANNOT_WRITE_FILE
    )
