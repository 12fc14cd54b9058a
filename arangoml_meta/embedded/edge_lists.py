"""Edge lists that traversals share across queries while nothing is written.

A traversal's edge lookups (``graph_view.py``) keep what they read — a
vertex's edge rows, with what their probes read of the far ends — in a dict
per lookup, and whether the vertices they learnt of exist (a walk's start, the
far ends their probes read) in another. Within one execution those dicts are
the runtime's. Between executions, :func:`kept_lists` gives ones kept by the
connection instead, as long as they provably describe what the transaction
reads:

- it is stamped with the connection's :meth:`~.storage.Storage.write_state`
  (SQLite's ``data_version``, which moves when any other connection commits,
  and this connection's commit count), its catalog generation (moved by schema
  changes and rolled-back statements) and its ``total_changes`` (moved by every
  row this connection inserts, updates or deletes, even when rolled back
  later); a different stamp empties them first;
- a transaction that has written anything since it began (its changes are not
  committed, and may yet be rolled back) gets none: its lookups use the
  execution's dicts, as before.

Only immutable rows are kept (tuples of strings and numbers: a view reading
whole edge documents, which a caller may change, keeps them per execution).

Collection scans keep their SQL rows here too, under the same stamp
(:func:`kept_scan`): a query asked again (a lineage walk finding the versions of
a name) reads no index. Only small answers are kept (:data:`MAX_SCAN_ROWS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .storage import Storage

# when the lists hold more vertices than this, they start afresh: about 390 bytes a vertex
# (measured on the peer benchmark's lineage), so ~10 MB a connection, and `serve` holds a
# connection per worker thread (up to 40); every walk of its scale-1 store holds 15,000
MAX_VERTICES = 25_000
# how often (in calls of kept_lists) their size is checked
_SIZE_CHECKS = 64
# the most rows of one scan that are kept (a larger answer is read as it streams), and
# of all scans (a query running many scans keeps no more: its size is checked only
# between queries)
MAX_SCAN_ROWS = 64
MAX_SCANS_ROWS = 5_000


class Kept:
    """What traversals keep for one connection: edge lists by lookup, and whether each
    vertex they learnt of exists; and the rows of small collection scans, by statement."""

    __slots__ = ("calls", "exists", "generation", "lists", "scan_rows", "scans", "stamp")

    def __init__(self) -> None:
        self.stamp: tuple[Any, ...] | None = None
        self.lists: dict[Any, dict[str, Any]] = {}
        self.exists: dict[str, bool] = {}
        self.scans: dict[Any, tuple[Any, ...]] = {}
        self.scan_rows = 0  # the rows in scans (and one per scan)
        self.calls = 0
        # moves whenever it is emptied: what was made from it before (a traversal's bound
        # lookups, see GraphView.bind) holds while it stays the same
        self.generation = 0

    def clear(self) -> None:
        self.lists.clear()
        self.exists.clear()
        self.scans.clear()
        self.scan_rows = 0
        self.generation += 1

    def held(self) -> int:
        """How many vertices (and scan rows) it holds."""
        return len(self.exists) + sum(len(found) for found in self.lists.values()) + self.scan_rows

    def missing(self, vertex: str) -> None:
        """Note that ``vertex`` does not exist (while fewer than :data:`MAX_VERTICES` are
        known: a query reading many is not checked until it ends)."""
        if len(self.exists) < MAX_VERTICES:
            self.exists[vertex] = False


def kept_lists(storage: Storage) -> Kept | None:
    """What traversals keep for ``storage``'s connection, valid for the transaction open
    now; None when it has written (see the module docstring). Call it inside the
    transaction that reads them."""
    changes = storage.conn.total_changes
    if changes != storage.changes_at_begin:
        return None
    kept = storage.kept
    if kept is None:
        kept = storage.kept = Kept()
    stamp = (*storage.write_state(), storage.catalog_generation, changes)
    if stamp != kept.stamp:
        kept.clear()
        kept.stamp = stamp
    else:
        check_size(kept)
    return kept


def check_size(kept: Kept) -> None:
    """Count a use of ``kept`` (every call of :func:`kept_lists` is one); every
    :data:`_SIZE_CHECKS` uses, empty it when it holds more than :data:`MAX_VERTICES`."""
    kept.calls += 1
    if kept.calls % _SIZE_CHECKS == 0 and kept.held() > MAX_VERTICES:
        kept.clear()


def forget(storage: Storage) -> None:
    """Drop what is kept for ``storage``'s connection (the next query reads afresh)."""
    kept = storage.kept
    if kept is not None:
        kept.clear()


def shared_edge_lists(storage: Storage) -> dict[Any, dict[str, Any]] | None:
    """The edge lists of :func:`kept_lists` (None when it gives none)."""
    kept = kept_lists(storage)
    return None if kept is None else kept.lists


def kept_scan(kept: Kept | None, key: Any, read: Callable[[], Iterable[Any]]) -> Iterable[Any]:
    """The rows ``read()`` gives (a statement's, identified by ``key``): kept in ``kept``
    (:func:`kept_lists`, None: not to be kept) by an earlier query, else read and kept there
    when there are at most :data:`MAX_SCAN_ROWS` (SQL rows are tuples, never changed)."""
    if kept is None:
        return read()
    found = kept.scans.get(key)
    if found is not None:
        return found
    rows = iter(read())
    head = tuple(islice(rows, MAX_SCAN_ROWS + 1))
    if len(head) > MAX_SCAN_ROWS:
        return chain(head, rows)
    if kept.scan_rows + 1 + len(head) <= MAX_SCANS_ROWS:  # (an empty answer counts too)
        kept.scans[key] = head
        kept.scan_rows += 1 + len(head)
    return head
