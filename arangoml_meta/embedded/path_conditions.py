"""FILTERs on a traversal's path that a globally unique walk checks as it goes.

ArangoDB's optimizer (rule ``optimize-traversals``) moves a FILTER on the path
variable into the traversal when it holds for a path only if it holds for each
path the walk made on the way: a condition over every vertex or edge of the
path (``p.vertices[*].x ALL == 1``, ``p.edges[*].w NONE < 0``) or over the
vertex or edge at one depth (``p.vertices[2].x == 1``, ``p.edges[0].w > 1``).
The walk then drops a path that fails as it makes it, and does not go on from
it. With ``uniqueVertices: 'global'`` (``bfs`` or ``weighted`` order) that
changes what the walk finds: a vertex first reached on a path that fails is
not marked visited, and is still found on a path that passes (ArangoDB's
weighted-traversal suite, ``testShortestPathWithVertexCondition`` and
``testShortestPathWithEdgeCondition``). Without global uniqueness, dropping
such paths early changes nothing the FILTER would not drop, so the walk is
left alone; the FILTER itself always runs after the traversal as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..aql import ast as A
from .graph_rules import folds

# quantifiers for which a path fails whenever the path it extends fails
_PREFIX_CLOSED = ("ALL", "NONE")


@dataclass
class PathCondition:
    """A conjunct of a FILTER after the traversal, checked on paths of ``depth`` edges
    (``exact``) or of at least ``depth`` edges."""

    node: A.Node
    depth: int
    exact: bool


def leading_filters(following: list[A.Node]) -> list[A.Node]:
    """The conditions of the FILTERs among the LETs and FILTERs right after the
    traversal, up to a LET that runs a subquery (which may write: a row it drops
    early must not skip it)."""
    conditions: list[A.Node] = []
    for op in following:
        if isinstance(op, A.Filter):
            conditions.append(op.condition)
        elif not isinstance(op, A.Let) or any(True for _ in op.expr.find_all(A.Subquery)):
            break
    return conditions


def path_conditions(conditions: list[A.Node], path: A.Variable) -> list[PathCondition]:
    """The conjuncts of ``conditions`` a walk may check as it makes its paths."""
    found: list[PathCondition] = []
    for condition in conditions:
        for conjunct in _conjuncts(condition):
            checked = _as_path_condition(conjunct, path)
            if checked is not None:
                found.append(checked)
    return found


def _conjuncts(node: A.Node) -> list[A.Node]:
    if isinstance(node, A.Logical) and node.op == "AND":
        return [*_conjuncts(node.left), *_conjuncts(node.right)]
    return [node]


def _path_list(node: A.Node, path: A.Variable) -> str | None:
    """``"vertices"`` or ``"edges"`` when ``node`` is ``p.vertices`` / ``p.edges``."""
    if (
        isinstance(node, A.AttributeAccess)
        and isinstance(node.obj, A.Var)
        and node.obj.var is path
        and node.name in ("vertices", "edges")
    ):
        return node.name
    return None


def _pure(node: A.Node, path: A.Variable, own: set[int]) -> bool:
    """Whether ``node`` reads no variable but ``path`` and the expansions' own, no
    collection, no subquery, and calls only functions ArangoDB would fold."""
    for found in node.find_all(A.Node):
        if isinstance(found, A.Var) and found.var is not path and id(found.var) not in own:
            return False
        if isinstance(found, (A.CollectionRef, A.CollectionParam, A.Subquery)):
            return False
        if isinstance(found, A.FunctionCall) and not folds(found.name):
            return False
    return True


def _as_path_condition(node: A.Node, path: A.Variable) -> PathCondition | None:
    own = {id(e.var) for e in node.find_all((A.Expansion, A.QuestionExpansion))}
    if not _pure(node, path, own):
        return None
    reads = [v for v in node.find_all(A.Var) if v.var is path]
    if not reads:
        return None
    # every vertex / every edge: ``p.vertices[*]... ALL|NONE <op> value``
    if (
        isinstance(node, A.ArrayComparison)
        and node.quantifier.kind in _PREFIX_CLOSED
        and isinstance(node.left, A.Expansion)
        and node.left.limit_count is None
        and _path_list(node.left.source, path) is not None
        and len(reads) == 1
    ):
        return PathCondition(node, 0, exact=False)
    # the vertex or edge at one depth: ``p.vertices[n]`` / ``p.edges[n]``, n >= 0
    depth = -1
    accesses = [
        access
        for access in node.find_all(A.IndexAccess)
        if _path_list(access.obj, path) is not None
    ]
    if len(accesses) != len(reads):
        return None
    for access in accesses:
        index = access.index
        if not (isinstance(index, A.Literal) and type(index.value) is int and index.value >= 0):
            return None
        kind = _path_list(access.obj, path)
        depth = max(depth, index.value + (1 if kind == "edges" else 0))
    return PathCondition(node, depth, exact=True)
