"""Edge lists that traversals share across queries while nothing is written.

A traversal's edge lookups (``graph_view.py``) keep what they read — a
vertex's edge rows, with what their probes read of the far ends — in a dict
per lookup. Within one execution that dict is the runtime's. Between
executions, :func:`shared_edge_lists` gives one kept by the connection instead,
as long as it provably describes what the transaction reads:

- it is stamped with the connection's :meth:`~.storage.Storage.write_state`
  (SQLite's ``data_version``, which moves when any other connection commits,
  and this connection's commit count), its catalog generation (moved by schema
  changes and rolled-back statements) and its ``total_changes`` (moved by every
  row this connection inserts, updates or deletes, even when rolled back
  later); a different stamp empties it first;
- a transaction that has written anything since it began (its changes are not
  committed, and may yet be rolled back) gets none: its lookups use the
  execution's dict, as before.

Only immutable rows are kept (tuples of strings and numbers: a view reading
whole edge documents, which a caller may change, keeps them per execution).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .storage import Storage

# when the lists hold more vertices than this, they start afresh
MAX_VERTICES = 100_000

_kept: weakref.WeakKeyDictionary[Storage, _Kept] = weakref.WeakKeyDictionary()


class _Kept:
    __slots__ = ("lists", "stamp")

    def __init__(self) -> None:
        self.stamp: tuple[Any, ...] | None = None
        self.lists: dict[Any, dict[str, Any]] = {}


def shared_edge_lists(storage: Storage) -> dict[Any, dict[str, Any]] | None:
    """The edge lists kept for ``storage``'s connection, valid for the transaction open
    now; None when it has written (see the module docstring). Call it inside the
    transaction that reads them."""
    changes = storage.conn.total_changes
    if changes != storage.changes_at_begin:
        return None
    kept = _kept.get(storage)
    if kept is None:
        kept = _kept[storage] = _Kept()
    stamp = (*storage.write_state(), storage.catalog_generation, changes)
    lists = kept.lists
    if stamp != kept.stamp:
        lists.clear()
        kept.stamp = stamp
    elif sum(len(found) for found in lists.values()) > MAX_VERTICES:
        lists.clear()
    return lists
