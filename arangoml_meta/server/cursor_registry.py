"""Open cursors: their batches, ids, time to live, and the server's registry of them.

A cursor is opened when a query's result does not fit its first batch (or a
streamed query has more to give). It answers the next batch on request, the
last one again when ``allowRetry`` was asked for (``nextBatchId``), and is
forgotten after its last batch (kept, with ``allowRetry``, until deleted),
when deleted, or when it was not used for ``ttl`` seconds (30 by default,
renewed by every use; a streamed query's worker idles out with it, giving
back its snapshot). One request at a time: a cursor in use answers 1601
"cursor is busy". The registry holds at most :data:`MAX_OPEN` cursors, of
which :data:`MAX_STREAMING` streamed ones (each holds a thread, a connection
and a snapshot); past that, expired ones are dropped first, then new ones are
refused with 32 (resource limit).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool

from ..errors import ERROR_CURSOR_BUSY, ERROR_CURSOR_NOT_FOUND, ERROR_RESOURCE_LIMIT, QueryError
from .query_run import Spool, StreamQuery
from .query_tracking import QueryTracker, RunningQuery
from .responses import HTTPError

MAX_OPEN = 1024
MAX_STREAMING = 64


def not_found(message: str = "cursor not found") -> HTTPError:
    return HTTPError(404, ERROR_CURSOR_NOT_FOUND, message)


def response_body(batch: bytes, fields: dict[str, Any]) -> bytes:
    """``{"result": <batch>, ...fields}`` with the batch spliced in as it was serialised."""
    rest = orjson.dumps(fields)
    return b'{"result":' + batch + (b"," + rest[1:] if len(rest) > 2 else b"}")


class QueryCursor:
    """An open cursor over a spooled result or a streamed query."""

    def __init__(
        self,
        cursor_id: str,
        database: str,
        ttl: float,
        *,
        retriable: bool,
        count: int | None,
        tracker: QueryTracker,
        entry: RunningQuery | None,
        spool: Spool | None = None,
        stream: StreamQuery | None = None,
        extra: dict[str, Any] | None = None,
        streamed: bool = False,
    ) -> None:
        self.id = cursor_id
        self.database = database
        self.ttl = ttl
        self.retriable = retriable
        self.count = count
        self.spool = spool
        self.stream = stream
        self.extra = extra
        self.streamed = streamed  # answers as a streamed cursor (extra with the last batch)
        self.batch_id = 0  # the batch handed out last (the first is 1)
        self.has_more = True
        self.last: bytes | None = None  # the last batch's answer, for a retry
        self.expires = time.monotonic() + ttl
        self._tracker = tracker
        self._entry = entry
        self._busy = threading.Lock()
        self.closed = False

    # ------------------------------------------------------------------ batches

    def respond(self, batch: bytes, more: bool, extra: dict[str, Any] | None, code: int) -> bytes:
        """The answer with the next batch (it becomes the current one)."""
        self.batch_id += 1
        self.has_more = more
        fields: dict[str, Any] = {"hasMore": more}
        if more or self.retriable:
            fields["id"] = self.id
        if self.count is not None:
            fields["count"] = self.count
        if extra is not None:
            fields["extra"] = extra
        fields["cached"] = False
        if more:
            fields["nextBatchId"] = str(self.batch_id + 1)
        fields["error"] = False
        fields["code"] = code
        body = response_body(batch, fields)
        if self.retriable:
            self.last = body
        if not more and self._entry is not None:
            self._tracker.finish(self._entry)
        return body

    async def next_batch(self) -> bytes:
        """The answer with the next batch (200)."""
        if not self.has_more:
            raise not_found()
        if self.spool is None:
            assert self.stream is not None
            stream = self.stream
            batch, more, extra = await asyncio.wrap_future(stream.submit(stream.take))
            return self.respond(batch, more, extra, 200)
        spool = self.spool
        number = self.batch_id + 1
        batch = await run_in_threadpool(spool.batch, number)
        more = number < spool.batches
        extra = self.extra if (more is False or not self.streamed) else None
        return self.respond(batch, more, extra, 200)

    # ------------------------------------------------------------------ life

    def try_lease(self) -> bool:
        return self._busy.acquire(blocking=False)

    def release(self) -> None:
        self.expires = time.monotonic() + self.ttl
        self._busy.release()

    @property
    def expired(self) -> bool:
        return time.monotonic() > self.expires and not self._busy.locked()

    def close(self) -> None:
        """Give back what it holds (its spool, its streamed query's worker)."""
        if self.closed:
            return
        self.closed = True
        if self.spool is not None:
            self.spool.close()
        if self.stream is not None:
            self.stream.stop()
        if self._entry is not None:
            self._tracker.finish(self._entry)


def too_many(what: str, limit: int) -> QueryError:
    return QueryError(
        f"too many open {what} ({limit}): read cursors to their end or delete them "
        "(DELETE /_api/cursor/<id>)",
        ERROR_RESOURCE_LIMIT,
    )


class Cursors:
    """The server's open cursors, by id (see the module docstring)."""

    def __init__(self, max_open: int = MAX_OPEN, max_streaming: int = MAX_STREAMING) -> None:
        self.max_open = max_open
        self.max_streaming = max_streaming
        self._lock = threading.Lock()
        self._open: dict[str, QueryCursor] = {}

    def room_for_stream(self) -> None:
        """Fail (32) unless another streamed cursor may open."""
        self._sweep()
        with self._lock:
            streaming = sum(1 for c in self._open.values() if c.stream is not None)
        if streaming >= self.max_streaming:
            raise too_many("streaming cursors", self.max_streaming)

    def add(self, cursor: QueryCursor) -> None:
        self._sweep()
        with self._lock:
            if len(self._open) >= self.max_open:
                refused = True
            else:
                refused = False
                self._open[cursor.id] = cursor
        if refused:
            cursor.close()
            raise too_many("cursors", self.max_open)

    def lease(self, cursor_id: str, database: str) -> QueryCursor:
        """The cursor, taken for one request (:meth:`QueryCursor.release` it); 1600 when
        there is none (or it expired), 1601 when another request uses it."""
        self._sweep()
        with self._lock:
            cursor = self._open.get(cursor_id)
        if cursor is None or cursor.database != database or cursor.closed:
            raise not_found()
        if not cursor.try_lease():
            raise HTTPError(409, ERROR_CURSOR_BUSY, "cursor is busy")
        return cursor

    def remove(self, cursor_id: str, database: str) -> bool:
        with self._lock:
            cursor = self._open.get(cursor_id)
            if cursor is None or cursor.database != database:
                return False
            del self._open[cursor_id]
        cursor.close()
        return True

    def forget(self, cursor: QueryCursor) -> None:
        """Drop ``cursor`` (read to its end, or failed)."""
        with self._lock:
            if self._open.get(cursor.id) is cursor:
                del self._open[cursor.id]
        cursor.close()

    def _sweep(self) -> None:
        with self._lock:
            expired = [c for c in self._open.values() if c.expired]
            for cursor in expired:
                del self._open[cursor.id]
        for cursor in expired:
            cursor.close()

    def __len__(self) -> int:
        with self._lock:
            return len(self._open)

    def close(self) -> None:
        """Close every cursor (the server shuts down)."""
        with self._lock:
            cursors, self._open = list(self._open.values()), {}
        for cursor in cursors:
            cursor.close()


__all__ = ["Cursors", "QueryCursor", "not_found", "response_body"]
