"""Waiting for SQLite's write lock fairly: short polls with exponential backoff and jitter.

SQLite's own busy handler (the ``timeout`` of :func:`sqlite3.connect`) sleeps 1, 2,
5, 10, ... then 100 ms between attempts: a writer that has waited a while sleeps
100 ms at a time, while one that just arrived tries again after a millisecond and
takes the lock first. With 8 processes writing one store, completion times of
equal writers ranged from 4 to 49 s.

:func:`begin_write` takes the lock with ``BEGIN IMMEDIATE`` attempted without
SQLite's handler (busy timeout 0 for that one statement) and waits in Python:
a random pause in ``[delay / 2, delay]`` (jitter, so that waiters do not retry in
lock step), ``delay`` doubling from :data:`FIRST_DELAY` to :data:`MAX_DELAY`. The
cap is low, about the time a pipeline step holds the lock for, so that a writer
that has waited long still tries as often as a newcomer. After ``timeout``
seconds it gives up with :class:`TransactionError` 18 (lock timeout).
"""

from __future__ import annotations

import random
import sqlite3
import time

from ..errors import ERROR_LOCK_TIMEOUT, TransactionError

FIRST_DELAY = 0.0005  # seconds before the second attempt (at most)
MAX_DELAY = 0.008  # the longest pause between two attempts
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite refused because another connection holds a lock (SQLITE_BUSY)."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def begin_write(conn: sqlite3.Connection, timeout: float, busy_timeout_ms: int) -> None:
    """``BEGIN IMMEDIATE`` on ``conn``, waiting up to ``timeout`` seconds for another
    connection's write to end (see the module docstring). ``busy_timeout_ms``: the
    connection's busy timeout, which every other statement keeps."""
    conn.execute("PRAGMA busy_timeout=0")
    try:
        deadline = 0.0
        delay = FIRST_DELAY
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
            now = time.monotonic()
            deadline = deadline or now + timeout
            if now >= deadline:
                raise TransactionError(
                    f"the store is locked: another process kept it busy for {timeout:g} s "
                    "(raise ARANGOML_META_LOCK_TIMEOUT to wait longer)",
                    ERROR_LOCK_TIMEOUT,
                )
            time.sleep(min(deadline - now, random.uniform(delay / 2, delay)))
            delay = min(delay * 2, MAX_DELAY)
    finally:
        conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
