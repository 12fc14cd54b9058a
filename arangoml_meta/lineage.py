"""Lineage questions, each one AQL query whose text is the same on every backend.

Edges point in the direction data flows (dataset → run → model →
deployment), so ``OUTBOUND`` is downstream and ``INBOUND`` upstream. Every
query takes its start, depth and type filter as bind parameters; only the
direction keyword differs between the upstream and downstream texts, and it
comes from this module, never from the caller.
"""

from __future__ import annotations

from typing import Any

GRAPH = "lineage"

_WALK = """
FOR v, e, p IN 1..@depth {direction} @start GRAPH 'lineage'
  OPTIONS {{ uniqueVertices: 'global', order: 'bfs' }}
  FILTER @types == null OR PARSE_IDENTIFIER(v._id).collection IN @types
  RETURN MERGE(v, {{ _depth: LENGTH(p.edges), _via: e._id }})
"""

DOWNSTREAM = _WALK.format(direction="OUTBOUND")
UPSTREAM = _WALK.format(direction="INBOUND")

PATH = """
FOR v, e IN {direction} SHORTEST_PATH @from TO @to GRAPH 'lineage'
  RETURN {{ vertex: v, edge: e }}
"""

SUBGRAPH = """
LET start = DOCUMENT(@start)
LET reached = UNION_DISTINCT(
  (FOR v IN 1..@depth INBOUND @start GRAPH 'lineage'
     OPTIONS { uniqueVertices: 'global', order: 'bfs' } RETURN v),
  (FOR v IN 1..@depth OUTBOUND @start GRAPH 'lineage'
     OPTIONS { uniqueVertices: 'global', order: 'bfs' } RETURN v)
)
LET vertices = start == null ? [] : UNION_DISTINCT([start], reached)
LET ids = vertices[*]._id
LET edges = (
  FOR id IN ids
    FOR v, e IN 1..1 OUTBOUND id GRAPH 'lineage'
      FILTER v._id IN ids
      RETURN DISTINCT e
)
RETURN { vertices, edges }
"""


# What deleting @start takes with it: the start (when it exists) and, when @cascade,
# everything downstream of it (nearest first, then by id), as {id, name, version, project}; every lineage edge
# touching one of them; without @cascade, the documents depending on the start directly
# (which make the deletion a conflict).
DELETION = """
LET start = DOCUMENT(@start)
LET downstream = start == null || !@cascade ? [] : (
  FOR v, e, p IN 1..@depth OUTBOUND @start GRAPH 'lineage'
    OPTIONS { uniqueVertices: 'global', order: 'bfs' }
    FILTER v != null
    SORT LENGTH(p.edges), v._id
    RETURN { id: v._id, name: v.name, version: v.version, project: v.project }
)
LET documents = start == null ? [] : APPEND(
  [{ id: start._id, name: start.name, version: start.version, project: start.project }],
  downstream
)
LET dependents = start == null || @cascade ? [] : (
  FOR v IN 1..1 OUTBOUND @start GRAPH 'lineage'
    FILTER v != null
    RETURN DISTINCT v._id
)
LET edges = (
  FOR doc IN documents
    FOR v, e IN 1..1 ANY doc.id GRAPH 'lineage'
      RETURN DISTINCT e._id
)
RETURN { documents, dependents, edges }
"""


def walk_query(downstream: bool) -> str:
    return DOWNSTREAM if downstream else UPSTREAM


def path_query(any_direction: bool) -> str:
    return PATH.format(direction="ANY" if any_direction else "OUTBOUND")


def walk_bind(start: str, depth: int, types: list[str] | None) -> dict[str, Any]:
    return {"start": start, "depth": depth, "types": types}
