"""Which SQLite files are stores of this engine, and opening one for reading only.

A store file carries the engine's mark in its header (``PRAGMA application_id``,
the field SQLite keeps for "which application's file is this"), written when
the store is created or brought up to date. A file without the mark is ours
when it holds the catalog of an older release (``_collections``), new when it
holds nothing at all (no schema, no version); any other SQLite file belongs to
another application and is refused, never written into.

A read-only store is opened through SQLite's ``mode=ro`` URI. In WAL mode even
a reader needs the ``-shm`` file beside the database; in a directory the user
cannot write, where it cannot be created, the file is opened ``immutable``
instead, which is safe because no writer can be at work there either (a writer
needs that directory too), and refused when a write-ahead log left behind holds
commits that such a reading would not see.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from ..errors import ERROR_ARANGO_ILLEGAL_PARAMETER_FILE, ERROR_ARANGO_READ_ONLY, StoreError
from .upgrade import stored_format

# "AMLM" in the header's application_id field: a store of arangoml-meta's engine
APPLICATION_ID = 0x414D4C4D
CATALOG_TABLES = frozenset({"_collections", "_indexes", "_graphs"})
# what a reader that cannot have the -shm file gets (SQLite 3.22+; the messages: Python 3.10)
_NO_SHARED_MEMORY = frozenset(
    {
        "SQLITE_READONLY_DIRECTORY",
        "SQLITE_CANTOPEN",
        "attempt to write a readonly database",
        "unable to open database file",
    }
)


def connect(path: str, timeout: float, read_only: bool) -> sqlite3.Connection:
    """A connection to ``path``: read-write (created when missing) or read-only."""
    if not read_only:
        return sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn = _connect_uri(path, timeout, "mode=ro")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", str(exc)) not in _NO_SHARED_MEMORY:
            raise
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"cannot read the store {path}: its write-ahead log ({wal.name}) holds commits "
            "that only a process allowed to write in its directory can read; ask its owner "
            "to open it once (any arangoml-meta command) so that they reach the file",
            ERROR_ARANGO_READ_ONLY,
        )
    return _connect_uri(path, timeout, "mode=ro&immutable=1")


def _connect_uri(path: str, timeout: float, options: str) -> sqlite3.Connection:
    uri = f"file:{quote(os.path.abspath(path))}?{options}"
    return sqlite3.connect(
        uri, timeout=timeout, isolation_level=None, check_same_thread=False, uri=True
    )


def is_new(conn: sqlite3.Connection, path: str) -> bool:
    """Whether the open file is an empty database to make a store of (else one of ours);
    a file of another application is refused (1101)."""
    # one snapshot: another process may be creating the store meanwhile
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        marked = conn.execute("PRAGMA application_id").fetchone()[0]
        names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        version = stored_format(conn)
    finally:
        if own:
            conn.execute("COMMIT")
    if marked == APPLICATION_ID:
        return False
    if marked == 0 and not names and version == 0:
        return True
    if marked == 0 and names >= CATALOG_TABLES:
        return False  # a store of a release that did not mark its files yet
    owner = (
        f"application id {marked:#x}"
        if marked or not names
        else f"tables {', '.join(sorted(names)[:5])}"
    )
    raise StoreError(
        f"{path} is not an arangoml-meta store but an SQLite database of another application "
        f"({owner}): nothing was written to it; choose another store location",
        ERROR_ARANGO_ILLEGAL_PARAMETER_FILE,
    )


def mark(conn: sqlite3.Connection) -> None:
    """Write the engine's mark (inside the write transaction that creates or upgrades)."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
