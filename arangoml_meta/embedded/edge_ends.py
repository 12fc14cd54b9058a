"""Which vertex collections the edges of each edge collection point into.

The table ``_edge_ends`` records, per edge collection, every collection its
``_from`` values (side 0) and ``_to`` values (side 1) have pointed into. It
only grows (deleting edges does not shrink it), so it is a superset: an edge
lookup for a vertex of any other collection finds nothing and can be skipped,
whatever the graph definitions say. A marker row (side -1) says the record of
a collection is complete; collections of a store made before the table existed
are summarised when the store is opened.

Writers keep it up to date inside their write transaction
(:meth:`EdgeEndsSummary.note`). The in-memory copy is dropped whenever it may
be stale: on rollback, catalog changes, and commits by other connections (see
``Storage._refresh_catalog_if_changed``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS _edge_ends (
    collection_id INTEGER NOT NULL, side INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (collection_id, side, name)
) WITHOUT ROWID
"""

_FROM, _TO, _COMPLETE = 0, 1, -1

# (collections of _from, collections of _to)
EdgeEnds = tuple[frozenset[str], frozenset[str]]


class EdgeEndsSummary:
    """The ``_edge_ends`` table of one connection, with an in-memory copy."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._ends: dict[int, EdgeEnds] | None = None

    def forget(self) -> None:
        """Drop the in-memory copy (it is read again when next needed)."""
        self._ends = None

    def incomplete(self) -> list[int]:
        """The edge collections that have no complete record."""
        rows = self.conn.execute(
            "SELECT id FROM _collections WHERE edge = 1 AND id NOT IN "
            "(SELECT collection_id FROM _edge_ends WHERE side = ?)",
            (_COMPLETE,),
        ).fetchall()
        return [cid for (cid,) in rows]

    def complete_missing(self) -> None:
        """Summarise edge collections that have no complete record (in a write transaction)."""
        for cid in self.incomplete():
            for side, column in ((_FROM, "from_id"), (_TO, "to_id")):
                self.conn.execute(
                    f"INSERT OR IGNORE INTO _edge_ends SELECT DISTINCT ?, ?, "
                    f"substr({column}, 1, instr({column}, '/') - 1) FROM c{cid}",
                    (cid, side),
                )
            self.created(cid)

    def created(self, collection_id: int) -> None:
        """A new (empty) edge collection: its record is complete."""
        self.conn.execute(
            "INSERT OR IGNORE INTO _edge_ends VALUES (?, ?, '')", (collection_id, _COMPLETE)
        )

    def dropped(self, collection_id: int) -> None:
        self.conn.execute("DELETE FROM _edge_ends WHERE collection_id = ?", (collection_id,))

    def _load(self) -> dict[int, EdgeEnds]:
        sides: dict[int, tuple[set[str], set[str]]] = {}
        complete: set[int] = set()
        for cid, side, name in self.conn.execute(
            "SELECT collection_id, side, name FROM _edge_ends"
        ):
            if side == _COMPLETE:
                complete.add(cid)
            else:
                sides.setdefault(cid, (set(), set()))[side].add(name)
        empty: tuple[set[str], set[str]] = (set(), set())
        return {
            cid: (frozenset(sides.get(cid, empty)[0]), frozenset(sides.get(cid, empty)[1]))
            for cid in complete
        }

    def get(self, collection_id: int, cached: bool = True) -> EdgeEnds | None:
        """The collection's (from, to) vertex collections; None when not known."""
        if not cached:
            return self._load().get(collection_id)
        if self._ends is None:
            self._ends = self._load()
        return self._ends.get(collection_id)

    def note(self, collection_id: int, edges: Sequence[dict[str, Any]]) -> None:
        """Record where new or changed edges point (inside their write transaction)."""
        if self._ends is None:
            self._ends = self._load()
        known = self._ends.get(collection_id)
        froms = {e["_from"].partition("/")[0] for e in edges}
        tos = {e["_to"].partition("/")[0] for e in edges}
        if known is not None and froms <= known[0] and tos <= known[1]:
            return
        self.conn.executemany(
            "INSERT OR IGNORE INTO _edge_ends VALUES (?, ?, ?)",
            [(collection_id, _FROM, n) for n in froms] + [(collection_id, _TO, n) for n in tos],
        )
        if known is not None:
            self._ends[collection_id] = (known[0] | froms, known[1] | tos)
