"""Graph walks over the edge index: traversals and path searches.

On a :class:`~.graph_view.GraphView` (which edges leave / enter a vertex):

- :func:`traverse` — ``FOR v, e, p IN min..max DIR start`` in ``dfs`` (default),
  ``bfs`` or ``weighted`` order, with ``uniqueVertices`` / ``uniqueEdges`` and a
  prune callback. As in ArangoDB, a vertex's most recently inserted edge is
  explored first and ``ANY`` takes outbound edges before inbound ones.
  :func:`bfs_levels` is its lean form for the common global-uniqueness walk.
- :func:`shortest_path`, :func:`k_shortest_paths` (Yen's algorithm),
  :func:`k_paths` and :func:`all_shortest_paths`.

Every walk ticks the view's budget (the query's deadline) as it looks at edges,
and charges it what it keeps: breadth-first and weighted frontiers, the paths
K_PATHS sorts (see ``limits.py``).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT, GraphError
from .graph_view import Edge, GraphView
from .limits import STEP_BYTES, Held


@dataclass
class TraversalOptions:
    order: str = "dfs"
    unique_vertices: str = "none"
    unique_edges: str = "path"
    # the attribute path of an edge's weight (None: each edge weighs 1; (): defaultWeight)
    weight_attribute: tuple[str, ...] | None = None
    default_weight: float = 1.0


@dataclass
class Step:
    """One emitted traversal position: the path that leads to ``vertex_id``."""

    vertex_ids: list[str]
    edges: list[Edge]
    weight: float = 0.0

    @property
    def vertex_id(self) -> str:
        return self.vertex_ids[-1]

    @property
    def depth(self) -> int:
        return len(self.edges)


def raw_weight(edge: Edge, options: TraversalOptions) -> float:
    """The edge's weight attribute when it is a number, else the default weight."""
    path = options.weight_attribute
    if path is None:
        return 1.0
    if len(path) == 1:
        value = edge.get(path[0])
    else:
        value = edge if path else None
        for name in path:
            value = value.get(name) if type(value) is dict else None
    if type(value) is float or type(value) is int:  # not a bool
        return float(value)
    return options.default_weight


def edge_weight(edge: Edge, options: TraversalOptions) -> float:
    """:func:`raw_weight` for a walk that adds weights: a negative one is an error (1948)."""
    weight = raw_weight(edge, options)
    if weight < 0:
        raise GraphError("negative edge weight found", ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT)
    return weight


def _on_path(step: Step, edge: Edge) -> bool:
    if type(edge) is tuple:
        return edge in step.edges
    return any(e is edge or e.get("_id") == edge.get("_id") for e in step.edges)


def _allowed(
    step: Step, edge: Edge, target: str, options: TraversalOptions, visited: set[str]
) -> bool:
    if options.unique_edges == "path" and _on_path(step, edge):
        return False
    if options.unique_vertices == "path" and target in step.vertex_ids:
        return False
    return not (options.unique_vertices == "global" and target in visited)


def traverse(
    view: GraphView,
    start: str,
    min_depth: int,
    max_depth: int,
    options: TraversalOptions,
    prune: Callable[[Step], bool] | None,
    admit: Callable[[Step], bool] | None = None,
) -> Iterator[Step]:
    """All paths from ``start`` with ``min_depth`` ≤ length ≤ ``max_depth`` (see module docstring).

    ``admit`` (breadth-first and weighted order): whether a path the walk makes
    is kept at all; one it refuses is not emitted, not followed and, with global
    vertex uniqueness, does not mark its vertex visited (see ``path_conditions.py``).
    """
    if options.order == "bfs":
        yield from _bfs(view, start, min_depth, max_depth, options, prune, admit)
    elif options.order == "weighted":
        yield from _weighted(view, start, min_depth, max_depth, options, prune, admit)
    else:
        yield from _dfs(view, start, min_depth, max_depth, options, prune)


def bfs_levels(
    view: GraphView,
    start: str,
    max_depth: int,
    pruned: set[str] | None = None,
    wanted: Callable[[int], frozenset[str] | None] | None = None,
) -> Iterator[tuple[int, list[str], list[Edge]]]:
    """(depth, vertices, edges) of each level of a breadth-first walk visiting each vertex once.

    What :func:`traverse` gives for ``order: 'bfs', uniqueVertices: 'global'``,
    level by level, without paths: with every vertex visited once, no path can
    repeat an edge, and a vertex is reached once, at its depth, by the first
    edge that finds it. ``edges[i]`` is the edge that reached ``vertices[i]``
    (None for the start; the list is empty when the view reads no edge
    paths). A level is expanded all at once (:meth:`GraphView.expand`) when
    the consumer asks for the next one; vertices it added to ``pruned`` in the
    meantime are not expanded (PRUNE). ``wanted(depth)``: which collections'
    vertices at ``depth`` the consumer reads (see :meth:`GraphView.expand`).
    """
    visited = {start}
    level = [start]
    via: list[Edge] = [None] if view.edge_paths is not None else []
    depth = 0
    # (a query without a maxRuntime has no deadline to check)
    check_time = view.budget.check_time if view.budget.deadline != math.inf else None
    expand = view.expand
    while True:
        if check_time is not None:
            check_time()
        yield depth, level, via
        if depth >= max_depth:
            return
        frontier = [v for v in level if v not in pruned] if pruned else level
        if not frontier:
            return
        depth += 1
        level, via = expand(frontier, visited, wanted(depth) if wanted else None)
        if not level:
            return


def _dfs(
    view: GraphView,
    start: str,
    min_depth: int,
    max_depth: int,
    options: TraversalOptions,
    prune: Callable[[Step], bool] | None,
) -> Iterator[Step]:
    step = Step([start], [])
    visited = {start}
    stack: list[Iterator[tuple[Edge, str]]] = []  # depth-first: last edge first
    tick = view.budget.tick

    def enter() -> bool:
        """Emit-check and decide whether to expand the current step."""
        pruned = prune(step) if prune is not None else False
        return not pruned and step.depth < max_depth

    expand = enter()
    if step.depth >= min_depth:
        yield step
    if expand:
        stack.append(reversed(view.neighbors(start)))
    while stack:
        advanced = False
        for edge, target in stack[-1]:
            tick()
            if not _allowed(step, edge, target, options, visited):
                continue
            visited.add(target)
            step.vertex_ids.append(target)
            step.edges.append(edge)
            expand = enter()
            if step.depth >= min_depth:
                yield step
            if expand:
                stack.append(reversed(view.neighbors(target)))
                advanced = True
                break
            step.vertex_ids.pop()
            step.edges.pop()
        if not advanced:
            stack.pop()
            if step.edges:
                step.vertex_ids.pop()
                step.edges.pop()


def _bfs(
    view: GraphView,
    start: str,
    min_depth: int,
    max_depth: int,
    options: TraversalOptions,
    prune: Callable[[Step], bool] | None,
    admit: Callable[[Step], bool] | None,
) -> Iterator[Step]:
    visited = {start}
    queue: list[Step] = [Step([start], [])]
    if admit is not None and not admit(queue[0]):
        return
    budget = view.budget
    counts = budget.counts_memory
    while queue:
        next_level: list[Step] = []
        with Held(budget) as held:  # the next level, until it becomes the one walked
            for step in queue:
                pruned = prune(step) if prune is not None else False
                if step.depth >= min_depth:
                    yield step
                if pruned or step.depth >= max_depth:
                    continue
                for edge, target in view.neighbors(step.vertex_id):
                    budget.tick()
                    if not _allowed(step, edge, target, options, visited):
                        continue
                    made = Step([*step.vertex_ids, target], [*step.edges, edge])
                    if admit is not None and not admit(made):
                        continue
                    visited.add(target)
                    next_level.append(made)
                    if counts:
                        held.charge(STEP_BYTES + 16 * step.depth)
        queue = next_level


def _weighted(
    view: GraphView,
    start: str,
    min_depth: int,
    max_depth: int,
    options: TraversalOptions,
    prune: Callable[[Step], bool] | None,
    admit: Callable[[Step], bool] | None,
) -> Iterator[Step]:
    """Paths in order of weight. A path's edges are weighed before it is emitted (as
    ArangoDB does: a negative weight is an error even when no longer path is read)."""
    counter = itertools.count()
    heap: list[tuple[float, int, Step]] = [(0.0, next(counter), Step([start], [], 0.0))]
    visited: set[str] = set()
    global_unique = options.unique_vertices == "global"
    budget = view.budget
    counts = budget.counts_memory
    with Held(budget) as held:  # the heap's paths
        while heap:
            weight, _, step = heapq.heappop(heap)
            if counts and step.edges:
                held.release(STEP_BYTES + 16 * (step.depth - 1))
            if global_unique and step.vertex_id in visited:
                continue
            if admit is not None and not admit(step):
                continue
            if global_unique:
                visited.add(step.vertex_id)
            pruned = prune(step) if prune is not None else False
            if not pruned and step.depth < max_depth:
                for edge, target in view.neighbors(step.vertex_id):
                    budget.tick()
                    if not _allowed(step, edge, target, options, set()):
                        continue
                    w = weight + edge_weight(edge, options)
                    path = Step([*step.vertex_ids, target], [*step.edges, edge], w)
                    heapq.heappush(heap, (w, next(counter), path))
                    if counts:
                        held.charge(STEP_BYTES + 16 * step.depth)
            if step.depth >= min_depth:
                yield step


# --------------------------------------------------------------------------- path searches


def _dijkstra(
    view: GraphView,
    start: str,
    target: str,
    options: TraversalOptions,
    banned_edges: set[str] | None = None,
    banned_vertices: set[str] | None = None,
    newest_first: bool = False,
) -> Step | None:
    counter = itertools.count()
    heap: list[tuple[float, int, Step]] = [(0.0, next(counter), Step([start], [], 0.0))]
    best: dict[str, float] = {start: 0.0}
    done: set[str] = set()
    tick = view.budget.tick
    while heap:
        tick()
        weight, _, step = heapq.heappop(heap)
        vertex = step.vertex_id
        if vertex in done:
            continue
        done.add(vertex)
        if vertex == target:
            return step
        neighbors = view.neighbors(vertex)
        for edge, other in reversed(neighbors) if newest_first else neighbors:
            if banned_edges and edge.get("_id") in banned_edges:
                continue
            if banned_vertices and other in banned_vertices:
                continue
            w = weight + edge_weight(edge, options)
            if w < best.get(other, float("inf")):
                best[other] = w
                heapq.heappush(
                    heap,
                    (w, next(counter), Step([*step.vertex_ids, other], [*step.edges, edge], w)),
                )
    return None


def shortest_path(
    view: GraphView, start: str, target: str, options: TraversalOptions
) -> Step | None:
    """One shortest path (fewest edges, or least weight with a weight attribute)."""
    return _dijkstra(view, start, target, options)


def k_shortest_paths(
    view: GraphView, start: str, target: str, options: TraversalOptions
) -> Iterator[Step]:
    """Loop-free paths in order of increasing weight (Yen's algorithm), lazily.

    Ties are broken as ArangoDB's finder does: the newest edge of a vertex is
    tried first, and of equally short candidates the one found last wins.
    """
    first = _dijkstra(view, start, target, options, newest_first=True)
    if first is None:
        return
    found: list[Step] = [first]
    yield first
    candidates: list[tuple[float, int, Step]] = []
    seen = {tuple(first.vertex_ids) + tuple(e.get("_id") for e in first.edges)}
    counter = itertools.count()
    while True:
        last = found[-1]
        for i in range(len(last.vertex_ids) - 1):
            spur = last.vertex_ids[i]
            root_vertices = last.vertex_ids[: i + 1]
            root_edges = last.edges[:i]
            banned_edges: set[str] = {
                str(p.edges[i].get("_id"))
                for p in found
                if p.vertex_ids[: i + 1] == root_vertices and len(p.edges) > i
            }
            banned_vertices = set(root_vertices[:-1])
            spur_path = _dijkstra(
                view, spur, target, options, banned_edges, banned_vertices, newest_first=True
            )
            if spur_path is None:
                continue
            edges = [*root_edges, *spur_path.edges]
            vertices = [*root_vertices[:-1], *spur_path.vertex_ids]
            signature = tuple(vertices) + tuple(e.get("_id") for e in edges)
            if signature in seen:
                continue
            seen.add(signature)
            weight = sum(edge_weight(e, options) for e in edges)
            heapq.heappush(candidates, (weight, -next(counter), Step(vertices, edges, weight)))
        if not candidates:
            return
        _, _, best = heapq.heappop(candidates)
        found.append(best)
        yield best


def k_paths(
    view: GraphView,
    start: str,
    target: str,
    min_depth: int,
    max_depth: int,
    options: TraversalOptions,
) -> Iterator[Step]:
    """Every path without repeated vertices from start to target, of a length within bounds.

    ArangoDB finds them with a search from both ends, so shorter paths come
    first; paths of one length are ordered by the edges of their first half as
    the forward search meets them, then by the edges of their second half as the
    backward search (from the target) meets them.
    """
    path_options = TraversalOptions(unique_vertices="path", unique_edges="path")
    found: list[Step] = []
    held = Held(view.budget)
    counts = held.budget.counts_memory
    for step in _dfs(
        view, start, 0, max_depth, path_options, lambda s: s.vertex_id == target and s.depth > 0
    ):
        if step.vertex_id == target and step.depth >= min_depth:
            found.append(
                Step(
                    list(step.vertex_ids),
                    list(step.edges),
                    sum(raw_weight(e, options) for e in step.edges),
                )
            )
            if counts:
                held.charge(STEP_BYTES + 16 * step.depth)

    def rank(step: Step) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        half = (len(step.edges) + 1) // 2
        forward = tuple(_edge_rank(view, e, True) for e in step.edges[:half])
        backward = tuple(_edge_rank(view, e, False) for e in reversed(step.edges[half:]))
        return len(step.edges), forward, backward

    found.sort(key=rank)
    with held:
        yield from found


def _edge_rank(view: GraphView, edge: Edge, from_source: bool) -> int:
    """Position of ``edge`` among the edges its source (or target) vertex has."""
    vertex = edge["_from"] if from_source else edge["_to"]
    pairs = view.neighbors(vertex)
    for i, (candidate, _) in enumerate(pairs):
        if candidate.get("_id") == edge.get("_id"):
            return i
    return len(pairs)


def all_shortest_paths(
    view: GraphView, start: str, target: str, options: TraversalOptions
) -> Iterator[Step]:
    """Every path of the minimal number of edges from start to target."""
    if start == target:
        yield Step([start], [], 0.0)
        return
    parents: dict[str, list[tuple[str, Edge]]] = {start: []}
    frontier = [start]
    tick = view.budget.tick
    while frontier and target not in parents:
        level: dict[str, list[tuple[str, Edge]]] = {}
        for vertex in frontier:
            for edge, other in view.neighbors(vertex):
                tick()
                if other in parents:
                    continue
                level.setdefault(other, []).append((vertex, edge))
        parents.update(level)
        frontier = list(level)
    if target not in parents:
        return

    def unwind(vertex: str) -> Iterator[tuple[list[str], list[Edge]]]:
        if vertex == start:
            yield [start], []
            return
        for parent, edge in parents[vertex]:
            for vertices, edges in unwind(parent):
                yield [*vertices, vertex], [*edges, edge]

    for vertices, edges in unwind(target):
        yield Step(vertices, edges, float(len(edges)))
