"""A thread with a connection of its own that runs requests' work one job at a time.

SQLite's per-connection state (an open transaction, a query's read snapshot)
and the engine's per-connection lock must stay with one thread, so what lives
across requests — a stream transaction, a stream cursor — gets a
:class:`Worker`: its own connection (``Database.open()``) on its own thread.
Requests hand it work (:meth:`Worker.submit`) and await the future without
holding a thread of the server's pool. What surrounds the jobs (a transaction,
a cursor's query) is the subclass's :meth:`Worker.session`; it ends when the
owner stops the worker (:meth:`Worker.stop`: commit or roll back) or when no
job came for ``idle_timeout`` seconds, whatever the clients do: a client that
disappears holds nothing for longer. Once a worker is closing it takes no more
work, so no request can wait on a thread that has gone.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

from ..embedded import EmbeddedDatabase
from .state import Database

T = TypeVar("T")

RUNNING, COMMITTED, ABORTED = "running", "committed", "aborted"


class _Stop:
    """The last job: end the session, committing it or not."""

    def __init__(self, commit: bool) -> None:
        self.commit = commit
        self.done: Future[str] = Future()


class _Rollback(Exception):
    """Leaves the session without committing it."""


class Worker:
    """A connection and the thread that runs every job on it (see the module docstring)."""

    def __init__(self, database: Database, idle_timeout: float, name: str) -> None:
        self.database = database
        self.idle_timeout = idle_timeout
        self.name = name
        self.status = RUNNING  # RUNNING, then COMMITTED or ABORTED when the thread ends
        self.ending: str | None = None  # what it is ending to once closing (COMMITTED, ABORTED)
        self.expired = False  # ended because no job came within the idle timeout
        self.finished_at: float | None = None
        self.last_used = time.monotonic()
        self._closing = False  # no more jobs are taken
        self._jobs: deque[Any] = deque()
        self._wake = threading.Condition()
        self._started: Future[None] = Future()
        self._ended: Future[str] = Future()  # the final status, once the thread has ended

    # ------------------------------------------------------------------ hooks

    def prepare(self, db: EmbeddedDatabase) -> None:
        """Set up the new connection (before the session begins)."""

    @contextlib.contextmanager
    def session(self, db: EmbeddedDatabase) -> Iterator[None]:
        """What surrounds the jobs; it commits when left normally, rolls back on an error."""
        yield

    def run_job(self, db: EmbeddedDatabase, work: Callable[[EmbeddedDatabase], T]) -> T:
        """Run one job (a subclass may wrap it)."""
        return work(db)

    def gone(self) -> Exception:
        """The error for work that comes after the worker closed."""
        return RuntimeError(f"{self.name} has ended")

    # ------------------------------------------------------------------ owner side

    def start(self) -> Future[None]:
        """Open the connection and begin the session on a new thread; the future resolves
        once the session has begun, or with the error that prevented it."""
        thread = threading.Thread(target=self._main, name=self.name, daemon=True)
        thread.start()
        return self._started

    def submit(self, work: Callable[[EmbeddedDatabase], T]) -> Future[T]:
        """Queue ``work`` to run in the session; its future gives the result or error."""
        future: Future[T] = Future()
        with self._wake:
            if self._closing:
                future.set_exception(self.gone())
                return future
            self.last_used = time.monotonic()
            self._jobs.append((work, future))
            self._wake.notify()
        return future

    def stop(self, commit: bool = False) -> Future[str]:
        """End the session after the jobs queued before (committing it or not); the future
        gives the final status, or the error of a commit that failed. A worker already
        closing is not stopped again: the future gives its final status when it has ended."""
        request = _Stop(commit)
        with self._wake:
            if self._closing:
                return self._ended
            self._closing = True
            self.ending = COMMITTED if commit else ABORTED
            self._jobs.append(request)
            self._wake.notify()
        return request.done

    @property
    def closing(self) -> bool:
        """Whether it takes no more work (ending, or ended)."""
        return self._closing

    @property
    def finished(self) -> bool:
        """Whether its thread has ended (:attr:`status` is final)."""
        return self._ended.done()

    # ------------------------------------------------------------------ the thread

    def _main(self) -> None:
        db: EmbeddedDatabase | None = None
        stop: _Stop | None = None
        failure: BaseException | None = None  # what kept the session from beginning or ending
        status = ABORTED
        try:
            db = self.database.open()
            self.prepare(db)
            with self.session(db):
                self.last_used = time.monotonic()  # idle from now, not from the wait to begin
                self._started.set_result(None)
                stop = self._serve(db)
                if stop is None or not stop.commit:
                    raise _Rollback
            status = COMMITTED
        except _Rollback:
            pass
        except BaseException as exc:
            failure = exc
        finally:
            with self._wake:
                self._closing = True
                self.ending = self.ending or status
                self.status = status
                self.finished_at = time.monotonic()
                waiting, self._jobs = list(self._jobs), deque()
            if db is not None:
                self.database.forget(db)
            # ended before anyone hears of it: an answer that follows sees the final status
            self._ended.set_result(status)
            if not self._started.done():  # the session never began
                self._started.set_exception(failure or self.gone())
            elif stop is not None and failure is not None:  # it could not commit
                stop.done.set_exception(failure)
            elif stop is not None:
                stop.done.set_result(status)
            for job in waiting:
                if isinstance(job, _Stop):
                    job.done.set_result(status)
                else:
                    job[1].set_exception(self.gone())

    def _serve(self, db: EmbeddedDatabase) -> _Stop | None:
        """Run jobs until the owner stops the worker (returned) or it idles out (None)."""
        while True:
            with self._wake:
                while not self._jobs:
                    wait = self.idle_timeout - (time.monotonic() - self.last_used)
                    if wait <= 0:
                        self._closing = True
                        self.ending = ABORTED
                        self.expired = True
                        return None
                    self._wake.wait(wait)
                job = self._jobs.popleft()
            if isinstance(job, _Stop):
                return job
            work, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(self.run_job(db, work))
                except BaseException as exc:
                    future.set_exception(exc)
            with self._wake:
                self.last_used = time.monotonic()


__all__ = ["ABORTED", "COMMITTED", "RUNNING", "Worker"]
