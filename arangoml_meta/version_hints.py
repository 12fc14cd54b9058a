"""The next version of names this process committed, known without asking the store.

A pipeline registers the same names again and again (a model retrained, a
dataset refreshed). When a step commits, the versions it wrote are the newest of
their names (``versions.py`` confirmed them inside the commit's write
transaction). :class:`VersionHints` remembers them, with the backend's
``write_state()`` just after that commit: while it stays the same (no connection,
this one included, wrote anything but the steps that kept the hints), the next
version of such a name is the remembered one plus one, exactly what
:func:`~.versions.provisional_version` would read — without its read
transaction, and without its query for a name that has versions. Anything else
written (another process, an AQL insert, a restore, another store object on this
connection) drops every hint. The step's commit confirms the versions as always.

The hints are kept per backend, so that store objects sharing one keep one set.
Backends without ``write_state`` (ArangoDB: other clients write unseen) give none.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

# names remembered at most (all are forgotten when there are more)
MAX_HINTS = 10_000

State = tuple[int, int]


class VersionHints:
    """(type, name) -> the newest version committed through one backend, while true."""

    def __init__(self, state: Callable[[], State]) -> None:
        self._state = state
        self._stamp: State | None = None  # the backend's state the hints hold for
        self._latest: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def next_version(self, type_name: str, name: str) -> int | None:
        """The version ``name`` would get now, if known here; else None."""
        known = self._latest.get((type_name, name))
        if known is None:
            return None
        if self._state() != self._stamp:  # something else was written: hints may be stale
            self._latest.clear()
            return None
        return known + 1

    def state(self) -> State:
        """Inside a commit's transaction, before it ends: what :meth:`committed` takes."""
        return self._state()

    def committed(self, versions: Iterable[tuple[tuple[str, str], int]], before: State) -> None:
        """After a commit: each (type, name) and the newest version it gave it; ``before``:
        :meth:`state` read inside its transaction."""
        with self._lock:
            if before != self._stamp or len(self._latest) > MAX_HINTS:
                self._latest.clear()  # written meanwhile by something else than these steps
            data_version, commits = before
            self._stamp = (data_version, commits + 1)  # the state this commit left
            for key, version in versions:
                self._latest[key] = version

    def forget(self) -> None:
        """Drop every hint."""
        with self._lock:
            self._latest.clear()
            self._stamp = None


_by_backend: weakref.WeakKeyDictionary[Any, VersionHints] = weakref.WeakKeyDictionary()
_by_backend_lock = threading.Lock()


def hints_of(backend: Any) -> VersionHints | None:
    """The hints kept for ``backend`` (an unaudited one), None when it cannot give any."""
    state = getattr(backend, "write_state", None)
    if state is None:
        return None
    with _by_backend_lock:
        hints = _by_backend.get(backend)
        if hints is None:
            hints = _by_backend[backend] = VersionHints(state)
        return hints
