"""Running an AQL query for a cursor: to its end into a spool, or a batch at a time.

A query that is not streamed runs to its end in one transaction (a snapshot to
read, the write lock to write: a writing query is all or nothing), and its
rows, serialised once, go to a :class:`Spool`: in memory while small, then a
temporary file, a batch per blob, so that a cursor over a large result holds
one batch in memory when it answers. A streamed read-only query
(:class:`StreamQuery`) runs on a worker of its own, which holds the query's
snapshot from the first batch to the last (or until the cursor is deleted or
idles out) and makes each batch when it is asked for.

Also here: ``fullCount`` (the rows the last top-level LIMIT let through and
those it cut; counted by running the query's text up to that LIMIT in the
same transaction, before the query, so that a query that writes does not see
its own writes; a prefix that writes is rolled back), ``failOnWarning``
(the query is undone and fails with its first warning), ``maxWarningCount``,
``profile`` (the phases this engine has: parsing, executing, finalizing;
the others of ArangoDB's list are 0; with ``profile: 2`` the plan of
``explain.py`` too, but no per-node statistics), and errors worded as ArangoDB words
them for a cursor: ``AQL: <message> (while parsing|executing)``.

Statistics (``extra.stats``): ``writesExecuted``, ``writesIgnored``,
``scannedFull``, ``scannedIndex``, ``filtered``, ``documentLookups``,
``cursorsCreated``, ``cursorsRearmed`` (what ArangoDB's plan would read, see
``embedded/statistics.py`` and its approximations), ``executionTime`` and
``peakMemoryUsage`` (0 without a memory limit: only a limit makes the engine
account memory) are measured; ``httpRequests``, ``intermediateCommits``,
``seeks``, ``cacheHits`` and ``cacheMisses`` are 0 because this engine has no
cluster, no intermediate commits, no merge joins and no index caches. With
``fullCount`` the query's last top-level LIMIT reads the rest of its input, as
ArangoDB's does, so that the statistics count it; in a query that writes it
does not (the writes would run for rows past the LIMIT), and the counters are
the larger of the query's and its count's, which counts short a part after that
LIMIT that reads collections.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..aql import ast as A
from ..aql.lexer import TokenKind, tokenize
from ..cursor import Cursor
from ..embedded import EmbeddedDatabase
from ..embedded.statistics import COUNTERS
from ..errors import (
    ERROR_CURSOR_NOT_FOUND,
    ERROR_QUERY_KILLED,
    ArangoMLMetaError,
    QueryError,
    error_for,
)
from .explain import PlanBuilder
from .responses import HTTPError
from .state import Database
from .worker import Worker

# errors ArangoDB finds before it executes a query: "(while parsing)"
_FOUND_WHEN_PARSING = frozenset(
    (1203, 1501, 1502, 1510, 1511, 1512, 1522, 1540, 1541, 1550, 1551, 1552, 1553, 1575, 1578)
) | {1579}
# a spool keeps this many bytes in memory before it moves to a temporary file
SPOOL_IN_MEMORY = 1 << 20
PROFILE_PHASES = (
    "initializing",
    "parsing",
    "optimizing ast",
    "loading collections",
    "instantiating plan",
    "optimizing plan",
    "instantiating executors",
    "executing",
    "finalizing",
)


@dataclass
class QueryRequest:
    """A query and the options of ``POST /_api/cursor`` that running it needs."""

    query: str
    bind_vars: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 1000
    count: bool = False
    stream: bool = False
    full_count: bool = False
    fail_on_warning: bool = False
    max_warning_count: int = 10
    profile: int = 0
    # what the engine reads of ArangoDB's options: memoryLimit, maxRuntime
    engine_options: dict[str, Any] = field(default_factory=dict)


class Killed:
    """A flag ``DELETE /_api/query/{id}`` sets on a running query; the run checks it per
    row, and stops the engine's own loops through the query's deadline."""

    def __init__(self) -> None:
        self.killed = False
        self._cursor: Cursor | None = None
        self._lock = threading.Lock()

    def watch(self, cursor: Cursor) -> None:
        with self._lock:
            self._cursor = cursor
            if self.killed:
                self._stop_engine()

    def kill(self) -> None:
        with self._lock:
            self.killed = True
            self._stop_engine()

    def _stop_engine(self) -> None:
        if self._cursor is not None and self._cursor.budget is not None:
            self._cursor.budget.deadline = float("-inf")

    def check(self) -> None:
        if self.killed:
            raise QueryError("query killed", ERROR_QUERY_KILLED)


def aql_error(exc: ArangoMLMetaError, parsing: bool, killed: Killed | None = None) -> Exception:
    """``exc`` worded as ArangoDB words a cursor's error: ``AQL: ... (while ...)``."""
    num = exc.error_num
    message = exc.message
    if killed is not None and killed.killed and num == ERROR_QUERY_KILLED:
        message = "query killed"
    phase = "parsing" if parsing or num in _FOUND_WHEN_PARSING else "executing"
    error = error_for(num, f"AQL: {message} (while {phase})")
    error.details = dict(exc.details)
    return error


class Spool:
    """The rows of a finished query, serialised, a batch per blob (see the module docstring)."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.count = 0
        self.first: bytes = b"[]"
        self._file: Any = None  # a SpooledTemporaryFile once there is a second batch
        self._spans: list[tuple[int, int]] = []  # (offset, length) of the batches after the first
        self._rows: list[bytes] = []
        self._lock = threading.Lock()

    def add(self, row: Any) -> None:
        self._rows.append(orjson.dumps(row))
        self.count += 1
        if len(self._rows) == self.batch_size:
            self._flush()

    def _flush(self) -> None:
        blob = b"[" + b",".join(self._rows) + b"]"
        self._rows = []
        if self.count <= self.batch_size:
            self.first = blob
            return
        if self._file is None:  # closed by close(): it outlives this call
            self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        offset = self._file.seek(0, 2)
        self._file.write(blob)
        self._spans.append((offset, len(blob)))

    def done(self) -> None:
        """No more rows."""
        if self._rows:
            self._flush()

    @property
    def batches(self) -> int:
        return 1 + len(self._spans)

    def batch(self, number: int) -> bytes:
        """The ``number``-th batch (1 is the first) as a JSON array."""
        if number == 1:
            return self.first
        offset, length = self._spans[number - 2]
        with self._lock:
            self._file.seek(offset)
            data: bytes = self._file.read(length)
        return data

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass
class Outcome:
    """A query run to its end: its rows and ArangoDB's ``extra``."""

    spool: Spool
    extra: dict[str, Any]


def _extra(
    db: EmbeddedDatabase,
    request: QueryRequest,
    cursor: Cursor,
    full_count: FullCount | None,
    timings: dict[str, float],
) -> dict[str, Any]:
    budget = cursor.budget
    measured: dict[str, Any] = budget.stats() if budget is not None else {}
    counted = dict(measured)
    if full_count is not None and full_count.writes:
        # its LIMIT stopped early (the query's writes are not run twice): the count's
        # scans read what ArangoDB's would have read before the LIMIT
        for name, value in full_count.counters.items():
            counted[name] = max(counted.get(name, 0), value)
    stats: dict[str, Any] = {
        "writesExecuted": measured.get("writesExecuted", 0),
        "writesIgnored": measured.get("writesIgnored", 0),
        "documentLookups": counted.get("documentLookups", 0),
        "seeks": 0,
        "scannedFull": counted.get("scannedFull", 0),
        "scannedIndex": counted.get("scannedIndex", 0),
        "searchParallelism": 1,
        "cursorsCreated": counted.get("cursorsCreated", 0),
        "cursorsRearmed": counted.get("cursorsRearmed", 0),
        "cacheHits": 0,
        "cacheMisses": 0,
        "filtered": counted.get("filtered", 0),
        "httpRequests": 0,
    }
    if full_count is not None:
        stats["fullCount"] = full_count.count
    stats["executionTime"] = measured.get("executionTime", 0.0)
    stats["peakMemoryUsage"] = measured.get("peakMemoryUsage", 0)
    stats["intermediateCommits"] = 0
    extra: dict[str, Any] = {"warnings": list(cursor.warnings[: request.max_warning_count])}
    extra["stats"] = stats
    if request.profile:
        extra["profile"] = {phase: timings.get(phase, 0.0) for phase in PROFILE_PHASES}
    if request.profile >= 2:  # ArangoDB adds the plan (per-node statistics are not measured)
        extra["plan"] = PlanBuilder(db, request.bind_vars).build(db.parse(request.query))
    return extra


def _fail_on_warning(request: QueryRequest, cursor: Cursor) -> None:
    if request.fail_on_warning and cursor.warnings:
        first = cursor.warnings[0]
        raise error_for(int(first["code"]), str(first["message"]))


class _Undo(Exception):
    """Rolls back what a count query wrote."""


def full_count_query(db: EmbeddedDatabase, query: str) -> str | None:
    """The text of ``query`` up to its last top-level LIMIT, counting the rows that reach
    it; None when the query has no top-level LIMIT."""
    tree = db.parse(query)
    limits = sum(1 for op in tree.operations if isinstance(op, A.Limit))
    if not limits:
        return None
    depth = 0
    found: list[int] = []
    previous = None
    for token in tokenize(query):
        if token.kind is TokenKind.OP and token.value in ("(", "[", "{"):
            depth += 1
        elif token.kind is TokenKind.OP and token.value in (")", "]", "}"):
            depth -= 1
        elif (
            depth == 0
            and token.is_keyword("LIMIT")
            and not (previous is not None and previous.is_op("."))
        ):
            found.append(token.pos)
        previous = token
    if len(found) != limits:  # the text and the tree disagree: no count rather than a wrong one
        return None
    name = "_full_count"
    while name in query:
        name += "_"
    return f"{query[: found[-1]]} COLLECT WITH COUNT INTO {name} RETURN {name}"


@dataclass
class FullCount:
    """ArangoDB's ``fullCount`` of a query, and the scan statistics of counting it."""

    count: int
    counters: dict[str, int]
    writes: bool  # the query writes (its statistics did not count the rest past its LIMIT)


def count_full(db: EmbeddedDatabase, request: QueryRequest) -> FullCount | None:
    """ArangoDB's ``fullCount`` of the query (see :func:`full_count_query`)."""
    text = full_count_query(db, request.query)
    if text is None:
        return None
    try:
        counting = db.prepare(text)
    except ArangoMLMetaError:  # the cut text does not parse: no count rather than an error
        return None
    bind_vars = {k: v for k, v in request.bind_vars.items() if k in counting.declared}
    writes = counting.writes
    # the query's own statistics count what reading past its LIMIT reads, unless it writes
    query_writes = db.prepare(request.query).writes
    counted: list[Any] = []
    stats: dict[str, Any] = {}
    with contextlib.suppress(_Undo), db.transaction(write=writes):
        result = db.query(text, bind_vars, request.engine_options, statistics=query_writes)
        counted, stats = list(result), result.stats
        if writes:
            raise _Undo
    counters = {name: stats.get(name, 0) for name in COUNTERS}
    return FullCount(int(counted[0]) if counted else 0, counters, query_writes)


def run_to_end(db: EmbeddedDatabase, request: QueryRequest, killed: Killed) -> Outcome:
    """Run the query in one transaction and spool its rows (see the module docstring)."""
    started = time.monotonic()
    try:
        prepared = db.prepare(request.query)
    except ArangoMLMetaError as exc:
        raise aql_error(exc, parsing=True) from None
    parsed = time.monotonic()
    spool = Spool(request.batch_size)
    try:
        with db.transaction(write=prepared.writes):
            full_count = count_full(db, request) if request.full_count else None
            try:
                options = request.engine_options
                if request.full_count:  # its statistics count what fullCount reads
                    options = {**options, "fullCount": True}
                cursor = db.cursor(request.query, request.bind_vars, options, statistics=True)
            except ArangoMLMetaError as exc:
                raise aql_error(exc, parsing=True) from None
            killed.watch(cursor)
            executing = time.monotonic()
            with cursor:
                for row in cursor:
                    killed.check()
                    spool.add(row)
            spool.done()
            _fail_on_warning(request, cursor)
    except ArangoMLMetaError as exc:
        spool.close()
        if exc.message.startswith("AQL: "):
            raise
        raise aql_error(exc, parsing=False, killed=killed) from None
    except BaseException:
        spool.close()
        raise
    finished = time.monotonic()
    timings = {
        "parsing": parsed - started,
        "executing": finished - executing,
        "finalizing": time.monotonic() - finished,
    }
    return Outcome(spool, _extra(db, request, cursor, full_count, timings))


class StreamQuery(Worker):
    """A read-only query streamed a batch at a time on a worker of its own."""

    def __init__(
        self, database: Database, request: QueryRequest, idle_timeout: float, name: str
    ) -> None:
        super().__init__(database, idle_timeout, name)
        self.request = request
        self.killed = Killed()
        self.cursor: Cursor | None = None
        self.outcome: Outcome | None = None  # set when the query writes: it ran to its end
        self._pending: list[Any] = []  # rows read ahead (to know whether there are more)
        self._exhausted = False
        self._started_at = time.monotonic()

    @contextlib.contextmanager
    def session(self, db: EmbeddedDatabase) -> Iterator[None]:
        try:
            yield
        finally:
            if self.cursor is not None:
                self.cursor.close()  # ends the query's snapshot on this thread

    def gone(self) -> Exception:
        return HTTPError(404, ERROR_CURSOR_NOT_FOUND, "cursor not found")  # it idled out

    def open(self, db: EmbeddedDatabase) -> None:
        """The first job: parse and start the query (a writing one runs to its end)."""
        try:
            prepared = db.prepare(self.request.query)
        except ArangoMLMetaError as exc:
            raise aql_error(exc, parsing=True) from None
        if prepared.writes:
            self.outcome = run_to_end(db, self.request, self.killed)
            return
        try:
            self.cursor = db.cursor(
                self.request.query,
                self.request.bind_vars,
                self.request.engine_options,
                statistics=True,
            )
        except ArangoMLMetaError as exc:
            raise aql_error(exc, parsing=True) from None
        self.killed.watch(self.cursor)

    def take(self, db: EmbeddedDatabase) -> tuple[bytes, bool, dict[str, Any] | None]:
        """The next batch, whether more follow, and ``extra`` with the last batch."""
        cursor = self.cursor
        assert cursor is not None
        wanted = self.request.batch_size + 1  # one more tells whether there are more
        rows = self._pending
        try:
            while len(rows) < wanted and not self._exhausted:
                self.killed.check()
                try:
                    rows.append(next(cursor))
                except StopIteration:
                    self._exhausted = True
            if self._exhausted:
                _fail_on_warning(self.request, cursor)
        except ArangoMLMetaError as exc:
            raise aql_error(exc, parsing=False, killed=self.killed) from None
        batch, self._pending = rows[: self.request.batch_size], rows[self.request.batch_size :]
        more = bool(self._pending) or not self._exhausted
        body = b"[" + b",".join(orjson.dumps(row) for row in batch) + b"]"
        if more:
            return body, True, None
        executing = time.monotonic() - self._started_at
        return body, False, _extra(db, self.request, cursor, None, {"executing": executing})


__all__ = [
    "FullCount",
    "Killed",
    "Outcome",
    "QueryRequest",
    "Spool",
    "StreamQuery",
    "aql_error",
    "count_full",
    "full_count_query",
    "run_to_end",
]
