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

Only an edge into a document that existed before the step needs the query: a
document new in the step has no links but the step's own, so a cycle through it
either enters a document that existed (by a step edge, which is checked) or lies
among the step's new documents alone (found without a query, :func:`_new_cycle`).
A pipeline step's own edges (inputs into its new run, outputs into new versions)
therefore cost no query. ``import_records`` checks its links the same way, batch by
batch, unless ``allow_cycles`` keeps another system's history as it was (a self-link
is refused all the same).
"""

from __future__ import annotations

from collections.abc import Collection
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


def refuse_cycles(session: Session, edges: list[dict[str, Any]], new: Collection[str] = ()) -> None:
    """Raise :class:`GraphError` (1906) when one of ``edges`` (written in ``session``'s
    transaction already) closes a cycle in the lineage graph; ``new``: the ids of the
    documents the step created (see the module docstring)."""
    closing = _new_cycle(edges, new)
    if not closing:
        ends = [{"from": e["_from"], "to": e["_to"]} for e in edges if e["_to"] not in new]
        if not ends:
            return
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


def _new_cycle(edges: list[dict[str, Any]], new: Collection[str]) -> list[dict[str, str]]:
    """The edges of ``edges`` between new documents that lie on a cycle among them
    (Kahn's algorithm: what is left once every document without a remaining
    predecessor is taken away is on a cycle or downstream of one)."""
    inner = [e for e in edges if e["_from"] in new and e["_to"] in new]
    if not inner:
        return []
    incoming: dict[str, int] = {}
    outgoing: dict[str, list[str]] = {}
    for edge in inner:
        incoming[edge["_to"]] = incoming.get(edge["_to"], 0) + 1
        incoming.setdefault(edge["_from"], 0)
        outgoing.setdefault(edge["_from"], []).append(edge["_to"])
    ready = [vertex for vertex, count in incoming.items() if count == 0]
    while ready:
        for target in outgoing.get(ready.pop(), ()):
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    left = {vertex for vertex, count in incoming.items() if count}
    return [
        {"from": e["_from"], "to": e["_to"]}
        for e in inner
        if e["_from"] in left and e["_to"] in left
    ]
