"""Waiting for another connection's write lock: backoff with jitter, the lock timeout (18)."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from arangoml_meta.embedded import lock_wait
from arangoml_meta.embedded.storage import Storage
from arangoml_meta.errors import ERROR_LOCK_TIMEOUT, TransactionError


@pytest.fixture
def path(tmp_path: Path) -> str:
    path = str(tmp_path / "store.db")
    Storage(path).close()
    return path


@pytest.fixture
def holder(path: str) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock until the test releases it."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()


def test_a_lock_held_past_the_timeout_is_error_18(path: str, holder: sqlite3.Connection) -> None:
    storage = Storage(path, timeout=0.3)
    began = time.monotonic()
    with pytest.raises(TransactionError) as caught, storage.atomic(write=True):
        pass
    assert caught.value.error_num == ERROR_LOCK_TIMEOUT
    assert "ARANGOML_META_LOCK_TIMEOUT" in str(caught.value)
    assert time.monotonic() - began >= 0.3
    assert not storage.conn.in_transaction
    storage.close()


def test_other_errors_of_begin_are_not_waited_for(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    with pytest.raises(sqlite3.OperationalError, match="within a transaction"):
        lock_wait.begin_transaction(connection, True, lambda: None, 5.0)
    connection.close()


def test_a_write_waits_for_the_lock_to_be_released(path: str, holder: sqlite3.Connection) -> None:
    threading.Timer(0.2, holder.execute, ("COMMIT",)).start()
    storage = Storage(path, timeout=10)
    with storage.atomic(write=True):
        storage.create_collection("after")
    assert storage.has_collection("after")
    storage.close()


def test_sqlite_busy_handler_is_off_in_wal_mode(path: str) -> None:
    storage = Storage(path, timeout=7)
    assert storage.conn.execute("PRAGMA busy_timeout").fetchone() == (0,)
    storage.close()


def busy() -> sqlite3.OperationalError:
    """What a read gets while another connection recovers or cleans up the WAL."""
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = 5  # type: ignore[attr-defined]
    return error


def test_a_read_refused_a_snapshot_tries_again(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    attempts: list[bool] = []

    def first_read() -> None:
        attempts.append(connection.in_transaction)
        if len(attempts) < 3:
            raise busy()

    lock_wait.begin_transaction(connection, False, first_read, 10.0)
    assert attempts == [True, True, True] and connection.in_transaction
    connection.execute("ROLLBACK")
    connection.close()


def test_a_read_refused_past_the_timeout_is_error_18(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)

    def first_read() -> None:
        raise busy()

    with pytest.raises(TransactionError) as caught:
        lock_wait.begin_transaction(connection, False, first_read, 0.2)
    assert caught.value.error_num == ERROR_LOCK_TIMEOUT
    assert not connection.in_transaction
    connection.close()


def test_pauses_double_with_jitter_up_to_the_cap(
    path: str, holder: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that has waited long still tries every MAX_DELAY at most, as often as a
    newcomer, each pause drawn from [delay / 2, delay]."""
    pauses: list[float] = []
    draws: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        draws.append((low, high))
        return high

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 12:
            holder.execute("COMMIT")

    monkeypatch.setattr(lock_wait.random, "uniform", uniform)
    monkeypatch.setattr(lock_wait.time, "sleep", sleep)
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)  # as the store's
    lock_wait.begin_transaction(connection, True, lambda: None, 60.0)
    assert connection.in_transaction
    connection.execute("ROLLBACK")
    connection.close()
    assert len(pauses) == 12
    highs = [high for _, high in draws]
    assert highs[0] == lock_wait.FIRST_DELAY
    assert all(b == min(2 * a, lock_wait.MAX_DELAY) for a, b in itertools.pairwise(highs))
    assert highs[-1] == lock_wait.MAX_DELAY
    assert all(low == high / 2 for low, high in draws)


def test_a_finished_read_holds_no_snapshot(path: str) -> None:
    """Every transaction's statements run on one kept cursor: none stays running after
    COMMIT, so a checkpoint by another connection is not held back."""
    storage = Storage(path)
    with storage.atomic(write=True):
        storage.create_collection("c")
    with storage.atomic():
        storage.has_collection("c")
    assert not storage.conn.in_transaction
    other = sqlite3.connect(path, isolation_level=None)
    busy_, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy_ == 0
    other.close()
    storage.close()
