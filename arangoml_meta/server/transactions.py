"""Stream transactions: one SQLite transaction held open across requests.

A stream transaction (``POST /_api/transaction/begin``) is a :class:`~.worker.Worker`:
a connection and a thread of its own; every request that carries its
``x-arango-trx-id`` runs on that thread, inside the transaction, so it reads
its own writes while requests outside it read the last commit (SQLite WAL).

Isolation and conflicts. A transaction that declares ``write`` or
``exclusive`` collections begins as a SQLite write transaction and holds the
store's write lock from begin to commit: writers are serialised, never
interleaved. A writer that finds the lock taken (another stream transaction,
or any writing request) waits for it, up to the transaction's ``lockTimeout``
(at most the server's lock timeout, which also bounds a plain writing
request); one that waits longer gets ArangoDB's write-write conflict, 1200
(HTTP 409), the error ArangoDB clients retry on, and nothing of it is written.
A read-only transaction reads one snapshot, taken at begin.

Declared collections are enforced by the connection itself (an SQLite
authorizer): writing a collection not declared for ``write`` / ``exclusive``
is 1652 "unregistered collection used in transaction" (ArangoDB only
declares collections for writing; ``allowImplicit`` governs reads: with
``false``, reading an undeclared collection is 1652 too). The operation fails
alone; the transaction goes on. ``maxTransactionSize`` (bytes; at most the
server's ``transaction_max_size``) counts the SQL text of the writes made in
the transaction (values included): the operation that goes past it is undone
and fails with 32 (resource limit), as on ArangoDB.

Where it differs from ArangoDB, which locks documents, not the store: a
request outside a stream transaction that writes while another transaction
holds the write lock waits for it (up to the lock timeout, then 1200), where
ArangoDB would let it write other documents at once; so a client that keeps
a write transaction open and writes outside it meanwhile waits for itself
until the lock timeout. Schema operations (creating a collection, an index)
write too.

Ends. Commit and abort answer as ArangoDB's transaction manager: repeating
the final status is fine, the other one is 1653 ("transaction was already
committed" / "aborted" / "expired"), an id never seen is 1655. A transaction
left idle longer than the idle timeout (ArangoDB's
``--transaction.streaming-idle-timeout``) is rolled back by its own thread,
so a client that disappears never holds the write lock for longer; requests
that join it then get 1654 (HTTP 410, "has already been aborted"), its status
reads ``aborted``. Finished transactions are remembered for
:data:`FINISHED_KEPT_SECONDS`, then forgotten (1655).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..embedded import EmbeddedDatabase
from ..errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_LOCK_TIMEOUT,
    ERROR_RESOURCE_LIMIT,
    ERROR_TRANSACTION_ABORTED,
    ERROR_TRANSACTION_DISALLOWED_OPERATION,
    ERROR_TRANSACTION_INTERNAL,
    ERROR_TRANSACTION_NOT_FOUND,
    ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
    ConflictError,
    QueryError,
    TransactionError,
)
from .state import Database
from .worker import ABORTED, COMMITTED, RUNNING, Worker

T = TypeVar("T")

# how long a finished transaction's status is still answered (ArangoDB keeps a tombstone)
FINISHED_KEPT_SECONDS = 300.0
# stream transactions running at once (each holds a thread and a connection)
MAX_RUNNING = 256

_COLLECTION_TABLE = re.compile(r"c[0-9]+")
_WRITE_ACTIONS = frozenset((sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE))
_WRITE_STATEMENT = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

_ids = itertools.count(int(time.time() * 1000) % 10**12)


def next_id() -> str:
    """A new id for a transaction or a cursor (a decimal string, as ArangoDB's ticks)."""
    return str(next(_ids))


@dataclass
class TransactionOptions:
    """What ``POST /_api/transaction/begin`` asked for (checked by the caller)."""

    read: list[str] = field(default_factory=list)
    write: list[str] = field(default_factory=list)
    exclusive: list[str] = field(default_factory=list)
    allow_implicit: bool = True
    lock_timeout: float = 0.0  # seconds; 0: the server's lock timeout
    max_size: int = 0  # bytes; 0: the server's limit

    @property
    def writes(self) -> bool:
        return bool(self.write or self.exclusive)


def lock_conflict(exc: TransactionError, waited: float) -> ConflictError:
    """ArangoDB's write-write conflict for a write that waited too long for the write lock."""
    return ConflictError(
        f"write-write conflict: another transaction held the write lock for longer than "
        f"{waited:g} s (the lock timeout); nothing was written, retry",
        ERROR_ARANGO_CONFLICT,
    )


def as_conflict(exc: BaseException, waited: float) -> BaseException:
    """``exc``, or the conflict (1200) it stands for when it is a lock wait that timed out."""
    if isinstance(exc, TransactionError) and exc.error_num == ERROR_LOCK_TIMEOUT:
        return lock_conflict(exc, waited)
    return exc


class StreamTransaction(Worker):
    """One stream transaction and the thread that runs its requests."""

    def __init__(
        self,
        trx_id: str,
        database: Database,
        options: TransactionOptions,
        idle_timeout: float,
        lock_timeout: float,
        max_size: int,
    ) -> None:
        super().__init__(database, idle_timeout, f"arangoml-meta-trx-{trx_id}")
        self.id = trx_id
        self.options = options
        self.write = options.writes
        self.lock_timeout = lock_timeout
        self.max_size = max_size
        self.size = 0  # bytes of SQL the transaction's writes sent (see the module docstring)
        self._writable: set[str] = set()  # tables of the collections declared for writing
        self._readable: set[str] = set()  # ... declared at all
        self._denied: tuple[str, str] | None = None  # (table, "read" / "write") refused last

    # ------------------------------------------------------------------ the session

    def prepare(self, db: EmbeddedDatabase) -> None:
        db.storage.timeout = self.lock_timeout
        db.storage.conn.set_authorizer(self._authorize)
        if self.write:
            db.storage.conn.set_trace_callback(self._count_write)

    @contextlib.contextmanager
    def session(self, db: EmbeddedDatabase) -> Iterator[None]:
        with db.transaction(write=self.write):
            options = self.options
            for names, tables in (
                (options.write + options.exclusive, (self._writable, self._readable)),
                (options.read, (self._readable,)),
            ):
                for name in names:
                    table = db.storage.collection(name).table  # 1203 for an unknown name
                    for allowed in tables:
                        allowed.add(table)
            # the snapshot (and, writing, the lock) is taken now, not at the first statement
            db.storage.conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
            yield

    def _authorize(self, action: int, table: str | None, *_: Any) -> int:
        if table is None or not _COLLECTION_TABLE.fullmatch(table):
            return sqlite3.SQLITE_OK  # the catalog and the engine's own tables
        if action in _WRITE_ACTIONS:
            if table not in self._writable:
                self._denied = (table, "write")
                return sqlite3.SQLITE_DENY
        elif (
            action == sqlite3.SQLITE_READ
            and not self.options.allow_implicit
            and table not in self._readable
        ):
            self._denied = (table, "read")
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def _count_write(self, statement: str) -> None:
        if _WRITE_STATEMENT.match(statement):
            self.size += len(statement)

    def run_job(self, db: EmbeddedDatabase, work: Callable[[EmbeddedDatabase], T]) -> T:
        self._denied = None
        size = self.size
        try:
            if not self.write:
                return work(db)
            with db.transaction(write=True):  # a savepoint: a failed job leaves nothing
                result = work(db)
                if self.size > self.max_size:
                    raise QueryError(
                        "aborting transaction because maximal transaction size limit of "
                        f"{self.max_size} bytes is reached",
                        ERROR_RESOURCE_LIMIT,
                    )
                return result
        except sqlite3.DatabaseError:
            if self._denied is None:
                raise
            raise self._unregistered(db, *self._denied) from None
        except TransactionError as exc:
            if not self.write and exc.error_num == ERROR_TRANSACTION_INTERNAL:
                # the engine refuses any write in a read-only transaction before it reaches
                # SQL: a write to a collection the transaction did not declare for writing
                raise TransactionError(
                    "unregistered collection used in transaction: a read-only transaction "
                    "cannot write",
                    ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
                ) from None
            raise
        except BaseException:
            self.size = size  # its writes were rolled back
            raise
        finally:
            self._denied = None

    def _unregistered(self, db: EmbeddedDatabase, table: str, access: str) -> TransactionError:
        name = next((c.name for c in db.storage.collections() if c.table == table), table)
        return TransactionError(
            f"unregistered collection used in transaction: {name} [{access}]",
            ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
        )

    def gone(self) -> Exception:
        if (self.status if self.finished else self.ending) == COMMITTED:
            return not_found(self.id)
        return TransactionError(
            f"transaction {self.id} has already been aborted", ERROR_TRANSACTION_ABORTED
        )

    def finish(self, commit: bool) -> Future[str]:
        """Commit or abort (see :meth:`Worker.stop`); the future gives the final status."""
        return self.stop(commit)

    def check_write(self, collection: str) -> None:
        """1652 unless ``collection`` was declared for writing (handlers that know what they
        write can refuse before they start; the connection refuses anyway)."""
        if collection not in self.options.write and collection not in self.options.exclusive:
            raise TransactionError(
                f"unregistered collection used in transaction: {collection} [write]",
                ERROR_TRANSACTION_UNREGISTERED_COLLECTION,
            )

    @property
    def final_status(self) -> str:
        """``running`` until the thread has ended (committing counts as running)."""
        return self.status if self.finished else RUNNING


def not_found(trx_id: str) -> TransactionError:
    """1655 for a request that joins a transaction the server does not know (any more)."""
    return TransactionError(f"transaction '{trx_id}' not found", ERROR_TRANSACTION_NOT_FOUND)


def _too_many() -> QueryError:
    return QueryError(
        f"too many stream transactions are running ({MAX_RUNNING}): commit or abort some",
        ERROR_RESOURCE_LIMIT,
    )


class Transactions:
    """The server's stream transactions, by id (finished ones kept a while)."""

    def __init__(
        self, idle_timeout: float, lock_timeout: float = 30.0, max_size: int = 128 << 20
    ) -> None:
        self.idle_timeout = idle_timeout
        self.lock_timeout = lock_timeout
        self.max_size = max_size
        self._lock = threading.Lock()
        self._all: dict[str, StreamTransaction] = {}

    def create(self, database: Database, options: TransactionOptions) -> StreamTransaction:
        """A new transaction, not begun yet (:meth:`begin` it; it is listed once begun)."""
        lock_timeout = self.lock_timeout
        if 0 < options.lock_timeout < lock_timeout:
            lock_timeout = options.lock_timeout
        max_size = self.max_size
        if 0 < options.max_size < max_size:
            max_size = options.max_size
        return StreamTransaction(
            next_id(), database, options, self.idle_timeout, lock_timeout, max_size
        )

    def begin(
        self, database: Database, collections: dict[str, list[str]], write: bool = False
    ) -> StreamTransaction:
        """Begin a transaction on ``collections`` (``read`` / ``write`` / ``exclusive``) and
        wait until it has begun: for callers off the event loop (a request handler creates
        and starts one instead). It writes when it declares collections to write, or when
        ``write`` says so."""
        options = TransactionOptions(
            read=list(collections.get("read", [])),
            write=list(collections.get("write", [])),
            exclusive=list(collections.get("exclusive", [])),
        )
        trx = self.create(database, options)
        trx.write = trx.write or write
        self.start(trx).result()
        return trx

    def start(self, trx: StreamTransaction) -> Future[None]:
        """Start ``trx``; the future resolves once it holds its snapshot (and lock), or with
        the error that kept it from beginning (1203, 1200 after the lock timeout)."""
        with self._lock:
            self._forget_old()
            running = sum(1 for t in self._all.values() if not t.finished)
            if running >= MAX_RUNNING:
                refused: Future[None] = Future()
                refused.set_exception(_too_many())
                return refused
            self._all[trx.id] = trx
        started = trx.start()
        begun: Future[None] = Future()

        def settle(done: Future[None]) -> None:
            error = done.exception()
            if error is None:
                begun.set_result(None)
                return
            with self._lock:
                self._all.pop(trx.id, None)
            begun.set_exception(as_conflict(error, trx.lock_timeout))

        started.add_done_callback(settle)
        return begun

    def _find(self, trx_id: str, database: Database | None) -> StreamTransaction | None:
        with self._lock:
            trx = self._all.get(trx_id)
        if trx is None or (database is not None and trx.database.name != database.name):
            return None
        return trx

    def get(self, trx_id: str, database: Database | None = None) -> StreamTransaction:
        """The running transaction ``trx_id`` (of ``database``) for a request that joins it:
        1655 when there is none, 1654 when it was aborted (or idled out)."""
        trx = self._find(trx_id, database)
        if trx is None:
            raise not_found(trx_id)
        if trx.closing:
            raise trx.gone()
        return trx

    def status(self, trx_id: str, database: Database) -> StreamTransaction:
        """The transaction ``trx_id`` whatever its state; 1655 when there is none."""
        trx = self._find(trx_id, database)
        if trx is None:
            raise TransactionError("transaction not found", ERROR_TRANSACTION_NOT_FOUND)
        return trx

    def finish(self, trx_id: str, database: Database, commit: bool) -> Future[str]:
        """Commit or abort ``trx_id`` as ArangoDB does (see the module docstring); the
        future gives the final status or the error."""
        wanted = COMMITTED if commit else ABORTED
        trx = self._find(trx_id, database)
        done: Future[str] = Future()
        if trx is None:
            operation = "commit" if commit else "abort"
            done.set_exception(
                TransactionError(
                    f"transaction {trx_id} not found on {operation} operation",
                    ERROR_TRANSACTION_NOT_FOUND,
                )
            )
            return done
        if trx.closing:
            ended = trx.stop()  # the final status, once the thread has ended

            def settle(ended: Future[str]) -> None:
                status = trx.status
                if status == wanted:
                    done.set_result(status)
                    return
                was = "expired" if trx.expired else status
                done.set_exception(
                    TransactionError(
                        f"transaction was already {was}", ERROR_TRANSACTION_DISALLOWED_OPERATION
                    )
                )

            ended.add_done_callback(settle)
            return done
        return trx.stop(commit)

    def running(self, database: Database) -> list[StreamTransaction]:
        with self._lock:
            return [
                t for t in self._all.values() if not t.closing and t.database.name == database.name
            ]

    def _forget_old(self) -> None:
        now = time.monotonic()
        for trx_id, trx in list(self._all.items()):
            if trx.finished_at is not None and now - trx.finished_at > FINISHED_KEPT_SECONDS:
                del self._all[trx_id]

    def abort_all(self) -> None:
        """Abort every running transaction (graceful shutdown)."""
        with self._lock:
            running = [t for t in self._all.values() if not t.closing]
        for trx in running:
            with contextlib.suppress(Exception):  # shutting down: nothing to report to
                trx.stop(commit=False).result(timeout=30)


__all__ = [
    "ABORTED",
    "COMMITTED",
    "RUNNING",
    "StreamTransaction",
    "TransactionOptions",
    "Transactions",
    "as_conflict",
    "next_id",
    "not_found",
]
