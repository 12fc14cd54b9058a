"""The queries a server runs: ``/_api/query/current``, ``/slow``, ``/properties`` and kill.

As ArangoDB's query list: a query is listed while it runs (a streamed one
until its cursor is read to the end or deleted), one that took at least the
slow-query threshold is kept in the slow list (the last ``maxSlowQueries``),
and ``DELETE /_api/query/{id}`` kills a running one (it fails with 1500
"query killed"). Per database; the properties are the server's.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .query_run import Killed

_ids = itertools.count(int(time.time() * 1000) % 10**12 + 500_000_000)


@dataclass
class QueryProperties:
    """ArangoDB's query-tracking properties and their defaults (ArangoDB's names: they
    are read and answered as they are)."""

    enabled: bool = True
    trackSlowQueries: bool = True
    trackBindVars: bool = True
    maxSlowQueries: int = 64
    slowQueryThreshold: float = 10.0
    slowStreamingQueryThreshold: float = 10.0
    maxQueryStringLength: int = 4096

    def update(self, body: dict[str, Any]) -> None:
        """Take the values of ``body`` that have the right type (as ArangoDB does)."""
        for name, value in body.items():
            if not hasattr(self, name):
                continue
            current = getattr(self, name)
            if isinstance(current, bool):
                if isinstance(value, bool):
                    setattr(self, name, value)
            elif isinstance(current, int):
                if type(value) is int and value >= 0:
                    setattr(self, name, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(self, name, float(value))

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class RunningQuery:
    """One query in the list."""

    id: str
    database: str
    user: str
    query: str
    bind_vars: dict[str, Any]
    stream: bool
    killed: Killed = field(default_factory=Killed)
    started_wall: float = field(default_factory=time.time)
    started: float = field(default_factory=time.monotonic)
    run_time: float | None = None  # set when it has finished

    def as_dict(self, properties: QueryProperties, state: str) -> dict[str, Any]:
        run_time = self.run_time if self.run_time is not None else time.monotonic() - self.started
        return {
            "id": self.id,
            "database": self.database,
            "user": self.user,
            "query": self.query[: properties.maxQueryStringLength],
            "bindVars": self.bind_vars if properties.trackBindVars else {},
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started_wall)),
            "runTime": run_time,
            "peakMemoryUsage": 0,
            "state": state,
            "stream": self.stream,
        }


class QueryTracker:
    """The running and the slow queries of the server's databases."""

    def __init__(self) -> None:
        self.properties = QueryProperties()
        self._lock = threading.Lock()
        self._running: dict[str, RunningQuery] = {}
        self._slow: dict[str, deque[RunningQuery]] = {}

    def start(
        self, database: str, user: str | None, query: str, bind_vars: dict[str, Any], stream: bool
    ) -> RunningQuery:
        """A query that begins now (listed when tracking is enabled)."""
        entry = RunningQuery(str(next(_ids)), database, user or "", query, bind_vars, stream)
        if self.properties.enabled:
            with self._lock:
                self._running[entry.id] = entry
        return entry

    def finish(self, entry: RunningQuery) -> None:
        """The query has ended (successfully or not)."""
        if entry.run_time is not None:
            return
        entry.run_time = time.monotonic() - entry.started
        properties = self.properties
        threshold = (
            properties.slowStreamingQueryThreshold
            if entry.stream
            else properties.slowQueryThreshold
        )
        with self._lock:
            self._running.pop(entry.id, None)
            if properties.enabled and properties.trackSlowQueries and entry.run_time >= threshold:
                slow = self._slow.setdefault(entry.database, deque())
                slow.append(entry)
                while len(slow) > properties.maxSlowQueries:
                    slow.popleft()

    def current(self, database: str) -> list[dict[str, Any]]:
        with self._lock:
            running = [q for q in self._running.values() if q.database == database]
        return [q.as_dict(self.properties, "executing") for q in running]

    def slow(self, database: str) -> list[dict[str, Any]]:
        with self._lock:
            slow = list(self._slow.get(database, ()))
        return [q.as_dict(self.properties, "finished") for q in slow]

    def clear_slow(self, database: str) -> None:
        with self._lock:
            self._slow.pop(database, None)

    def kill(self, database: str, query_id: str) -> bool:
        """Kill the running query ``query_id``; False when there is none."""
        with self._lock:
            entry = self._running.get(query_id)
        if entry is None or entry.database != database:
            return False
        entry.killed.kill()
        return True


__all__ = ["QueryProperties", "QueryTracker", "RunningQuery"]
