"""What a graph operation accepts: depths, start and target vertices, OPTIONS, weights.

The rules ArangoDB applies while it instantiates the plan of a traversal,
shortest-path or path-enumeration query (``ExecutionPlan.cpp``, the graph
nodes) and while it walks, as its graph test suites assert them
(``tests/js/client/aql/aql-graph-*.js``):

- **Depths** must be constant (literals, bind parameters, or what folds to
  them), numeric, whole, non-negative, at most 2^63 - 1, and ``min <= max``;
  anything else is 1501 "invalid traversal depth", raised before any row is
  read. ``0..0`` is valid (the start vertex alone).
- **Start and target vertices** given as a constant must be an id string or an
  object whose ``_id`` is one: a constant null, boolean or number (also as an
  object's ``_id``) is 1501 at plan time. A computed value, a constant array
  or an object without ``_id`` is judged per row: a warning and no result, as
  is a string that is not a vertex id (``''``).
- **OPTIONS** are read in the order written: ``order`` and ``bfs`` (the one
  given first wins), ``uniqueVertices`` / ``uniqueEdges`` compared without
  case, an unknown ``order`` or ``uniqueEdges: 'global'`` is 10, as is
  ``uniqueVertices: 'global'`` outside ``bfs`` / ``weighted`` order; the
  collection restrictions must be a name or an array of names (10). Other
  attributes, and values of the wrong type for ``weightAttribute`` /
  ``defaultWeight`` / the uniqueness options, are ignored as ArangoDB ignores
  them.
- **Edge collections** listed twice with different directions are 1218; the
  same collection twice in the same direction is walked once.
- **Weights**: an edge's weight is its ``weightAttribute`` when that is a
  number, else ``defaultWeight``; a negative weight met while walking is
  1948 (weighted traversals, shortest paths, K_SHORTEST_PATHS).
"""

from __future__ import annotations

from typing import Any

from ..aql import ast as A
from ..errors import (
    ERROR_ARANGO_COLLECTION_TYPE_INVALID,
    ERROR_BAD_PARAMETER,
    ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT,
    AQLSyntaxError,
    BadParameterError,
    CollectionError,
    GraphError,
)
from .functions import lookup
from .traversal import TraversalOptions
from .values import INT64_MAX


def folds(name: str) -> bool:
    """Whether ArangoDB folds a call of this function with constant arguments: a
    deterministic built-in (not a user function, not NOOPT / RAND / DOCUMENT ...;
    PASSTHRU is marked non-deterministic so that its argument withstands optimization)."""
    spec = lookup(name)
    return spec is not None and spec.deterministic and spec.name != "PASSTHRU"


def is_constant(node: A.Node) -> bool:
    """Whether ``node`` is known before any row: it reads no variable, collection or
    subquery and calls no function whose value may change (bind parameters are constant)."""
    for found in node.find_all(A.Node):
        if isinstance(
            found, (A.Var, A.CollectionRef, A.CollectionParam, A.Subquery, A.BoundAttributeAccess)
        ):
            return False
        if isinstance(found, A.FunctionCall) and not folds(found.name):
            return False
    return True


# ---------------------------------------------------------------------------- depths


def _depth_error() -> AQLSyntaxError:
    return AQLSyntaxError("invalid traversal depth (while instantiating plan)")


def depth_value(value: Any) -> int:
    """A constant depth as ArangoDB's ``checkDepthValue`` takes it (else 1501)."""
    if type(value) is int and 0 <= value <= INT64_MAX:  # the common case, checked once a walk
        return value
    if type(value) not in (int, float):
        raise _depth_error()
    if value != value or value < 0 or value > INT64_MAX or value != int(value):
        raise _depth_error()
    return int(value)


def depth_range(low: Any, high: Any) -> tuple[int, int]:
    """(min, max) of a traversal's or K_PATHS' depths (else 1501)."""
    low_depth, high_depth = depth_value(low), depth_value(high)
    if high_depth < low_depth:
        raise _depth_error()
    return low_depth, high_depth


def check_depth_nodes(*nodes: A.Node | None) -> None:
    """Depth expressions must be constant (1501 at plan time otherwise)."""
    for node in nodes:
        if node is not None and not is_constant(node):
            raise _depth_error()


# ---------------------------------------------------------------------------- vertices


def check_constant_vertex(value: Any, part: str) -> None:
    """A constant start (``part='start'``) or target vertex: 1501 when it is a null,
    boolean or number, itself or as the ``_id`` of an object; other values are left to
    the per-row check (a warning)."""
    if type(value) is dict and "_id" in value:
        value = value["_id"]
    if value is None or type(value) in (bool, int, float):
        raise AQLSyntaxError(
            f"invalid {part} vertex. Must either be an _id string or an object with _id."
            " (while instantiating plan)"
        )


# ---------------------------------------------------------------------------- options


def _restriction(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return set(value)
    raise BadParameterError(
        "collection restrictions option must be either a string or an array of collection names",
        ERROR_BAD_PARAMETER,
    )


def _same(value: Any, word: str) -> bool:
    return isinstance(value, str) and value.lower() == word


def _weight_options(raw: dict[str, Any], options: TraversalOptions) -> None:
    """``weightAttribute``: an attribute name, or an array of names (a path into the edge);
    ``defaultWeight``: a number, not negative (1948)."""
    weight = raw.get("weightAttribute")
    if isinstance(weight, str) and weight:
        options.weight_attribute = (weight,)
    elif isinstance(weight, list) and weight and all(isinstance(n, str) for n in weight):
        options.weight_attribute = tuple(weight)
    default = raw.get("defaultWeight")
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if default < 0:
            raise negative_weight()
        options.default_weight = float(default)


def _object(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadParameterError("traversal OPTIONS must be an object", ERROR_BAD_PARAMETER)
    return raw


def traversal_options(raw: Any) -> TraversalOptions:
    """A traversal's OPTIONS object read as ArangoDB's ``createTraversalOptions`` does."""
    raw = _object(raw)
    options = TraversalOptions()
    has_bfs = False
    for name, value in raw.items():
        if name == "bfs":
            options.order = "bfs" if value is True else "dfs"
            has_bfs = True
        elif name == "order" and not has_bfs:
            order = value.lower() if isinstance(value, str) else None
            if order not in ("dfs", "bfs", "weighted"):
                raise BadParameterError("order: unknown order", ERROR_BAD_PARAMETER)
            options.order = order
        elif name == "uniqueVertices":
            if _same(value, "path"):
                options.unique_vertices = "path"
            elif _same(value, "global"):
                options.unique_vertices = "global"
        elif name == "uniqueEdges":
            if _same(value, "none"):
                options.unique_edges = "none"
            elif _same(value, "global"):
                raise BadParameterError(
                    "uniqueEdges: 'global' is not supported, due to otherwise unpredictable"
                    " results. Use 'path' or 'none' instead",
                    ERROR_BAD_PARAMETER,
                )
        elif name in ("edgeCollections", "vertexCollections"):
            _restriction(value)
    _weight_options(raw, options)
    if options.order == "weighted" and options.weight_attribute is None:
        options.weight_attribute = ()  # every edge weighs defaultWeight
    if options.unique_vertices == "global" and options.order not in ("bfs", "weighted"):
        raise BadParameterError(
            "uniqueVertices: 'global' is only supported, with order: bfs|weighted due to"
            " otherwise unpredictable results.",
            ERROR_BAD_PARAMETER,
        )
    return options


def path_options(raw: Any) -> TraversalOptions:
    """A path search's OPTIONS (shortest paths, K_PATHS): weights and restrictions."""
    raw = _object(raw)
    options = TraversalOptions()
    for name, value in raw.items():
        if name in ("edgeCollections", "vertexCollections"):
            _restriction(value)
    _weight_options(raw, options)
    return options


def restriction(raw: dict[str, Any], name: str) -> set[str] | None:
    """The collections an ``edgeCollections`` / ``vertexCollections`` option names
    (None: no restriction; an empty list restricts nothing)."""
    value = raw.get(name)
    if value is None:
        return None
    names = _restriction(value)
    return names or None


# ---------------------------------------------------------------------------- collections


def merge_directions(listed: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(collection, direction) pairs with repeats dropped; 1218 when one collection is
    listed with two directions."""
    seen: dict[str, str] = {}
    merged: list[tuple[str, str]] = []
    for name, direction in listed:
        earlier = seen.get(name)
        if earlier is None:
            seen[name] = direction
            merged.append((name, direction))
        elif earlier != direction:
            raise CollectionError(
                f"conflicting directions specified for collection '{name}'",
                ERROR_ARANGO_COLLECTION_TYPE_INVALID,
            )
    return merged


# ---------------------------------------------------------------------------- weights


def negative_weight() -> GraphError:
    return GraphError("negative edge weight found", ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT)
