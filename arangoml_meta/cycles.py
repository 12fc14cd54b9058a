"""Keeping the data flow acyclic: self-links and links that close a cycle are refused.

Lineage edges point the way data flows (``inputs``: artifact → run, ``outputs``:
run → artifact, ``derivations``: artifact → artifact), so a walk downstream must
never come back to where it started. An edge ``A → B`` closes a cycle when ``A``
is downstream of ``B`` already. Every edge a step adds is checked unless its
caller allowed a cycle (``link(..., allow_cycle=True)``): a self-link at once,
the rest when the step commits, after its writes and inside its transaction, so
that edges of the same step (``link(a, b)`` then ``link(b, a)``) are seen too.
The check is one AQL query for all the step's edges, on every backend
(:data:`CLOSING_EDGES`): does a path ``B → ... → A`` exist?

A run's own edges cannot close a cycle through the API (a run's inputs are linked
when it starts, before it has outputs, and its outputs are new versions); they
are checked all the same, as every edge is. ``import_records`` writes history
from another system as it was: it refuses a self-link but does not look for a
longer cycle (a walk per edge would cost more than the import itself).
"""

from __future__ import annotations

from typing import Any

from .backends import Session
from .errors import ERROR_GRAPH_INVALID_EDGE, GraphError
from .lineage.walk import COMPLETE_DEPTH, GRAPH

SHOWN_EDGES = 3  # named in the error of a refused step
# the edges (of @edges, {from, to}) whose target leads back to their source
CLOSING_EDGES = f"""
FOR e IN @edges
  LET back = FIRST(
    FOR v IN 1..@depth OUTBOUND e.to GRAPH '{GRAPH}'
      OPTIONS {{ uniqueVertices: 'global', order: 'bfs' }}
      FILTER v._id == e.from
      LIMIT 1
      RETURN v._id
  )
  FILTER back != null
  RETURN e
"""


def refuse_self_link(collection: str, source_id: str, target_id: str) -> None:
    """Raise :class:`GraphError` (1906) when an edge would join a document to itself."""
    if source_id == target_id:
        raise GraphError(
            f"refused a self-link: a {collection} edge from {source_id} to itself would make "
            "it its own ancestor in the lineage (allow_cycle=True / --allow-cycle to link anyway)",
            ERROR_GRAPH_INVALID_EDGE,
        )


def refuse_cycles(session: Session, edges: list[dict[str, Any]]) -> None:
    """Raise :class:`GraphError` (1906) when one of ``edges`` (written in ``session``'s
    transaction already) closes a cycle in the lineage graph."""
    ends = [{"from": edge["_from"], "to": edge["_to"]} for edge in edges]
    closing = session.query(CLOSING_EDGES, {"edges": ends, "depth": COMPLETE_DEPTH})
    if not closing:
        return
    shown = ", ".join(f"{e['from']} -> {e['to']}" for e in closing[:SHOWN_EDGES])
    more = len(closing) - SHOWN_EDGES
    raise GraphError(
        f"refused a link that closes a cycle in the lineage: {shown}"
        f"{f' and {more} more' if more > 0 else ''} (the target is upstream of the source "
        "already); nothing was written (allow_cycle=True / --allow-cycle to link anyway)",
        ERROR_GRAPH_INVALID_EDGE,
        edges=closing,
    )
