"""Waiting for another process's lock fairly: short polls with exponential backoff and jitter.

SQLite's own busy handler (the ``timeout`` of :func:`sqlite3.connect`) sleeps 1, 2,
5, 10, ... then 100 ms between attempts: a writer that has waited a while sleeps
100 ms at a time, while one that just arrived tries after a millisecond and takes
the lock first. With 8 processes writing one store, completion times of equal
writers ranged from 4 to 49 s.

In WAL mode the only statements that wait for another connection are the start of
a transaction: ``BEGIN IMMEDIATE`` (the write lock) and a read transaction's first
read (its snapshot, briefly refused while another connection recovers the WAL or
cleans it up on close). So the store runs with SQLite's handler off (busy timeout
0) and :func:`begin_transaction` waits there itself: attempts separated by a random
pause in ``[delay / 2, delay]`` (jitter, so that waiters do not retry in lock step),
``delay`` doubling from :data:`FIRST_DELAY` to :data:`MAX_DELAY`. The cap is low,
a few times what a pipeline step holds the lock for, so that a writer that has
waited long tries as often as a newcomer. After ``timeout`` seconds it gives up
with :class:`TransactionError` 18 (lock timeout). The first attempt costs nothing
extra: no statement is added to a transaction that does not wait.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable

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


def begin_transaction(
    conn: sqlite3.Connection | sqlite3.Cursor,
    write: bool,
    started: Callable[[], None],
    timeout: float,
) -> None:
    """Open a transaction on ``conn`` (``BEGIN IMMEDIATE`` to write, ``BEGIN`` to read)
    and run ``started`` in it (its first read takes the snapshot), waiting up to
    ``timeout`` seconds for another connection's lock (see the module docstring).
    ``conn`` (or the cursor of it that runs these statements) has SQLite's busy handler
    off (else each attempt waits in it first)."""
    statement = "BEGIN IMMEDIATE" if write else "BEGIN"
    deadline = 0.0  # set by the first refusal
    delay = FIRST_DELAY
    while True:
        try:
            _attempt(conn, statement, started)
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


def _attempt(
    conn: sqlite3.Connection | sqlite3.Cursor, statement: str, started: Callable[[], None]
) -> None:
    conn.execute(statement)
    try:
        started()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
