"""Stream transactions: one SQLite transaction held open across requests.

A stream transaction (``POST /_api/transaction/begin``) gets a connection and a
thread of its own; every request that carries its ``x-arango-trx-id`` runs on
that thread, inside the transaction (so SQLite's per-connection state and the
engine's per-thread locks stay with one thread). A transaction that declares
write or exclusive collections begins as a SQLite write transaction (writers
are serialised: a second one waits for the first to end); a read-only one
reads one snapshot. A transaction left idle longer than the idle timeout is
aborted and forgotten (ArangoDB's ``--transaction.streaming-idle-timeout``),
so a client that disappears never holds the store past it; requests for it
then answer 1655.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ..embedded import EmbeddedDatabase
from ..errors import ERROR_TRANSACTION_NOT_FOUND, TransactionError
from .state import Database

RUNNING, COMMITTED, ABORTED = "running", "committed", "aborted"

# how long a finished transaction's status is still answered (ArangoDB keeps it a while)
FINISHED_KEPT_SECONDS = 300.0

_ids = itertools.count(int(time.time() * 1000) % 10**12)


class _Finish:
    def __init__(self, commit: bool) -> None:
        self.commit = commit
        self.done: Future[str] = Future()


class _Rollback(Exception):
    """Leaves the transaction's block: it rolls back."""


@dataclass
class StreamTransaction:
    """One stream transaction and the thread that runs its requests."""

    id: str
    database: Database
    write: bool
    collections: dict[str, list[str]]
    idle_timeout: float
    status: str = RUNNING
    started: threading.Event = field(default_factory=threading.Event)
    start_error: BaseException | None = None
    last_used: float = field(default_factory=time.monotonic)
    finished_at: float | None = None
    _jobs: queue.Queue[Any] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._main, name=f"arangoml-meta-trx-{self.id}", daemon=True
        )
        self._thread.start()
        self.started.wait()
        if self.start_error is not None:
            raise self.start_error

    def _main(self) -> None:
        db: EmbeddedDatabase | None = None
        finish: _Finish | None = None
        try:
            db = self.database.open()
            with db.transaction(write=self.write):
                # the snapshot / write lock is taken now, not at the first statement
                db.storage.conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
                self.started.set()
                finish = self._serve(db)
                if finish is None or not finish.commit:
                    raise _Rollback
            self.status = COMMITTED
        except _Rollback:
            self.status = ABORTED
        except BaseException as exc:
            self.status = ABORTED
            if not self.started.is_set():
                self.start_error = exc
            elif finish is not None:
                finish.done.set_exception(exc)
                finish = None
        finally:
            self.finished_at = time.monotonic()
            self.started.set()
            if db is not None:
                self.database.forget(db)
            if finish is not None:
                finish.done.set_result(self.status)
            self._fail_waiting()

    def _serve(self, db: EmbeddedDatabase) -> _Finish | None:
        """Run jobs until commit / abort (returned) or the idle timeout (None)."""
        while True:
            wait = self.idle_timeout - (time.monotonic() - self.last_used)
            try:
                job = self._jobs.get(timeout=max(wait, 0.0))
            except queue.Empty:
                return None  # idle too long: aborted
            if isinstance(job, _Finish):
                return job
            work, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(db))
            except BaseException as exc:
                future.set_exception(exc)
            self.last_used = time.monotonic()

    def _fail_waiting(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if isinstance(job, _Finish):
                job.done.set_result(self.status)
            else:
                job[1].set_exception(not_found(self.id))

    def submit(self, work: Callable[[EmbeddedDatabase], Any]) -> Future[Any]:
        """Queue ``work`` to run inside the transaction."""
        future: Future[Any] = Future()
        if self.status != RUNNING:
            future.set_exception(not_found(self.id))
            return future
        self.last_used = time.monotonic()
        self._jobs.put((work, future))
        return future

    def finish(self, commit: bool) -> Future[str]:
        """Commit or abort; the future gives the final status."""
        request = _Finish(commit)
        if self.status != RUNNING:
            request.done.set_result(self.status)
            return request.done
        self._jobs.put(request)
        return request.done


def not_found(trx_id: str) -> TransactionError:
    return TransactionError(f"transaction '{trx_id}' not found", ERROR_TRANSACTION_NOT_FOUND)


class Transactions:
    """The server's stream transactions, by id."""

    def __init__(self, idle_timeout: float) -> None:
        self.idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._all: dict[str, StreamTransaction] = {}

    def begin(
        self, database: Database, collections: dict[str, list[str]], write: bool
    ) -> StreamTransaction:
        trx = StreamTransaction(
            id=str(next(_ids)),
            database=database,
            write=write,
            collections=collections,
            idle_timeout=self.idle_timeout,
        )
        trx.start()
        with self._lock:
            self._forget_old()
            self._all[trx.id] = trx
        return trx

    def get(self, trx_id: str, database: Database | None = None) -> StreamTransaction:
        """The transaction ``trx_id`` (of ``database``); 1655 when there is none."""
        with self._lock:
            trx = self._all.get(trx_id)
        if trx is None or (database is not None and trx.database.name != database.name):
            raise not_found(trx_id)
        return trx

    def running(self, database: Database) -> list[StreamTransaction]:
        with self._lock:
            return [
                t
                for t in self._all.values()
                if t.status == RUNNING and t.database.name == database.name
            ]

    def _forget_old(self) -> None:
        now = time.monotonic()
        for trx_id, trx in list(self._all.items()):
            if trx.finished_at is not None and now - trx.finished_at > FINISHED_KEPT_SECONDS:
                del self._all[trx_id]

    def abort_all(self) -> None:
        """Abort every running transaction (graceful shutdown)."""
        with self._lock:
            running = [t for t in self._all.values() if t.status == RUNNING]
        for trx in running:
            trx.finish(commit=False).result(timeout=30)
