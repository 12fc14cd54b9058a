"""AST of an AQL query.

Expression nodes and operation (statement) nodes are small dataclasses. Every
node can list its children (:meth:`Node.children`) and search its subtree
(:meth:`Node.find_all`), which the compiler uses to find the variables an
expression reads, whether a query modifies data, and so on; :meth:`Node.transform`
rewrites a tree and :meth:`Node.dump` prints one. The parser resolves each name
to its :class:`Variable` (scopes are syntax in AQL: ArangoDB's parser raises
1511 and 1512); the frame slots are an engine's, assigned by its binding step. Variables are
resolved by the parser: a :class:`Var` carries the slot it lives in at run
time (see ``compiler.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field, fields
from typing import Any

# each node class's field names, looked up once (dataclasses.fields() is slow)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


class Node:
    """Base of all AST nodes."""

    def children(self) -> Iterator[Node]:
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))  # type: ignore[arg-type]
        for name in names:
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, Node):
                        yield item
                    elif isinstance(item, (list, tuple)):
                        yield from (x for x in item if isinstance(x, Node))

    def find_all(self, kind: type | tuple[type, ...]) -> Iterator[Any]:
        """This node and every descendant that is an instance of ``kind``."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, kind):
                yield node
            stack.extend(node.children())

    def transform(self, fn: Callable[[Node], Node], copy: bool = True) -> Node:
        """The tree with every node replaced by ``fn(node)``, top-down.

        ``fn`` returns the node itself to keep it; the children of what it returns
        are transformed in turn. ``copy=False`` rewrites this tree in place.
        """
        root = deepcopy(self) if copy else self
        return _transform(root, fn)

    def dump(self) -> str:
        """The tree as indented text, one node a line: its fields (those not at their
        default), then its children."""
        lines: list[str] = []
        _dump(self, "", 0, lines)
        return "\n".join(lines)


def _transform(node: Node, fn: Callable[[Node], Node]) -> Node:
    node = fn(node)
    for f in fields(node):  # type: ignore[arg-type]
        value = getattr(node, f.name)
        if isinstance(value, Node):
            setattr(node, f.name, _transform(value, fn))
        elif isinstance(value, list):
            value[:] = [_transform_item(item, fn) for item in value]
    return node


def _transform_item(item: Any, fn: Callable[[Node], Node]) -> Any:
    if isinstance(item, Node):
        return _transform(item, fn)
    if isinstance(item, tuple):
        return tuple(_transform_item(x, fn) for x in item)
    if isinstance(item, list):
        return [_transform_item(x, fn) for x in item]
    return item


def _dump(value: Any, label: str, depth: int, lines: list[str]) -> None:
    pad = "  " * depth + (f"{label}: " if label else "")
    if not isinstance(value, Node):
        if isinstance(value, (list, tuple)) and any(_holds_node(x) for x in value):
            lines.append(f"{pad}[")
            for item in value:
                _dump(item, "", depth + 1, lines)
            lines.append("  " * depth + "]")
        else:
            lines.append(pad + _scalar(value))
        return
    scalars, nested = [], []
    for f in fields(value):  # type: ignore[arg-type]
        if f.name == "at":  # where in the text, not what the tree says
            continue
        item = getattr(value, f.name)
        if isinstance(item, Node) or (
            isinstance(item, (list, tuple)) and any(map(_holds_node, item))
        ):
            nested.append((f.name, item))
        elif item is not None and item != [] and item != {} and item != f.default:
            scalars.append(f"{f.name}={_scalar(item)}")
    lines.append(pad + " ".join([type(value).__name__, *scalars]))
    for name, item in nested:
        _dump(item, name, depth + 1, lines)


def _holds_node(value: Any) -> bool:
    if isinstance(value, Node):
        return True
    return isinstance(value, (list, tuple)) and any(map(_holds_node, value))


def _scalar(value: Any) -> str:
    if isinstance(value, Variable):  # its slot once an engine has bound the tree
        return value.name if value.slot < 0 else f"{value.name}#{value.slot}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_scalar, value)) + "]"
    return repr(value)


# --------------------------------------------------------------------------- variables


@dataclass(eq=False)
class Variable:
    """A declared variable, one object for all its uses; ``slot`` indexes an engine's
    run-time frame once its binding step has assigned one (-1 until then)."""

    name: str
    slot: int = -1


# --------------------------------------------------------------------------- expressions


@dataclass(eq=False)
class Literal(Node):
    value: Any


@dataclass(eq=False)
class ArrayLit(Node):
    items: list[Node]


@dataclass(eq=False)
class ObjectLit(Node):
    # key: a str for a fixed name, or a Node (computed `[expr]` or `@param`) evaluated at run time
    items: list[tuple[str | Node, Node]]


@dataclass(eq=False)
class Var(Node):
    var: Variable


@dataclass(eq=False)
class CollectionRef(Node):
    name: str


@dataclass(eq=False)
class BindParam(Node):
    name: str
    slot: int = -1  # assigned by an engine's binding step, as a Variable's


@dataclass(eq=False)
class CollectionParam(Node):
    """``@@name``: a bind parameter that names a collection."""

    name: str


@dataclass(eq=False)
class AttributeAccess(Node):
    obj: Node
    name: str


@dataclass(eq=False)
class BoundAttributeAccess(Node):
    obj: Node
    name: Node  # a bind parameter: a string or an array of strings (a path)


@dataclass(eq=False)
class IndexAccess(Node):
    obj: Node
    index: Node


@dataclass(eq=False)
class Destructure(Node):
    """One step of a destructuring pattern: an array position or an object attribute."""

    obj: Node
    key: int | str


@dataclass(eq=False)
class Expansion(Node):
    """``source[* FILTER f LIMIT o, c RETURN r]`` (``depth`` > 1 for ``[**]``)."""

    source: Node
    depth: int
    var: Variable
    filter: Node | None = None
    limit_offset: Node | None = None
    limit_count: Node | None = None
    projection: Node | None = None


@dataclass(eq=False)
class QuestionExpansion(Node):
    """``source[? quantifier FILTER f]``: whether enough elements match."""

    source: Node
    var: Variable
    quantifier: Quantifier | None
    filter: Node | None


@dataclass(eq=False)
class Quantifier(Node):
    """ALL / ANY / NONE / AT LEAST (n) / an exact count or range of matches."""

    kind: str  # "ALL", "ANY", "NONE", "AT LEAST", "COUNT"
    operand: Node | None = None


@dataclass(eq=False)
class FunctionCall(Node):
    """A call; ``name`` is upper-cased, ``at`` is (line, column, name as written) when parsed."""

    name: str
    args: list[Node]
    at: tuple[int, int, str] | None = None


@dataclass(eq=False)
class Unary(Node):
    op: str  # "-", "+", "NOT"
    operand: Node


@dataclass(eq=False)
class Binary(Node):
    op: str  # arithmetic, comparison, IN, NOT IN
    left: Node
    right: Node


@dataclass(eq=False)
class Logical(Node):
    op: str  # "AND" / "OR"
    left: Node
    right: Node


@dataclass(eq=False)
class ArrayComparison(Node):
    op: str
    quantifier: Quantifier
    left: Node
    right: Node


@dataclass(eq=False)
class Ternary(Node):
    condition: Node
    then: Node | None  # None for the shortcut form `a ?: b`
    otherwise: Node


@dataclass(eq=False)
class Range(Node):
    low: Node
    high: Node


@dataclass(eq=False)
class Subquery(Node):
    query: Query


# --------------------------------------------------------------------------- operations


@dataclass(eq=False)
class ForIn(Node):
    var: Variable
    source: Node
    options: Node | None = None
    search: Search | None = None


@dataclass(eq=False)
class Search(Node):
    """An ArangoSearch condition, ``SEARCH expr``; ``at`` is (line, column, text near it)."""

    condition: Node
    at: tuple[int, int, str]


@dataclass(eq=False)
class GraphSpec(Node):
    """Where a traversal walks: a named graph or a list of edge collections."""

    graph: Node | None  # graph name expression (GRAPH 'g')
    collections: list[tuple[str | None, Node]] = field(default_factory=list)  # (direction, name)


@dataclass(eq=False)
class Traversal(Node):
    vertex: Variable
    edge: Variable | None
    path: Variable | None
    direction: str
    min_depth: Node
    max_depth: Node
    start: Node
    graph: GraphSpec
    prune: Node | None = None
    prune_var: Variable | None = None
    options: Node | None = None


@dataclass(eq=False)
class ShortestPath(Node):
    vertex: Variable
    edge: Variable | None
    direction: str
    start: Node
    target: Node
    graph: GraphSpec
    options: Node | None = None


@dataclass(eq=False)
class PathEnumeration(Node):
    """K_SHORTEST_PATHS, K_PATHS and ALL_SHORTEST_PATHS."""

    kind: str
    path: Variable
    direction: str
    min_depth: Node | None
    max_depth: Node | None
    start: Node
    target: Node
    graph: GraphSpec
    options: Node | None = None


@dataclass(eq=False)
class Let(Node):
    var: Variable
    expr: Node


@dataclass(eq=False)
class Filter(Node):
    condition: Node


@dataclass(eq=False)
class Aggregate(Node):
    var: Variable
    function: str
    args: list[Node]


@dataclass(eq=False)
class Collect(Node):
    groups: list[tuple[Variable, Node]]
    aggregates: list[Aggregate]
    into: Variable | None = None
    into_expr: Node | None = None
    keep: list[Variable] | None = None
    count_into: Variable | None = None
    options: Node | None = None
    # the variables visible before the COLLECT (for `INTO g` without an expression)
    visible_before: list[Variable] = field(default_factory=list)


@dataclass(eq=False)
class SortElement(Node):
    expr: Node
    ascending: Node  # a constant or bind parameter evaluating to a boolean or "ASC"/"DESC"


@dataclass(eq=False)
class Sort(Node):
    elements: list[SortElement]


@dataclass(eq=False)
class Limit(Node):
    offset: Node
    count: Node


@dataclass(eq=False)
class Window(Node):
    spec: Node
    range_expr: Node | None
    aggregates: list[Aggregate]


@dataclass(eq=False)
class Return(Node):
    expr: Node
    distinct: bool = False


@dataclass(eq=False)
class Modification(Node):
    """INSERT, UPDATE, REPLACE, REMOVE and UPSERT."""

    kind: str
    collection: Node  # CollectionRef or CollectionParam
    doc: Node | None = None  # INSERT document / UPDATE-REPLACE changes / UPSERT insert doc
    key: Node | None = None  # UPDATE/REPLACE `key WITH`, REMOVE key expression
    search: Node | None = None  # UPSERT search object
    update: Node | None = None  # UPSERT update / replace expression
    upsert_replace: bool = False
    options: Node | None = None
    old_var: Variable | None = None
    new_var: Variable | None = None


@dataclass(eq=False)
class With(Node):
    collections: list[Node]


@dataclass(eq=False)
class Query(Node):
    operations: list[Node]
    # number of frame slots the whole query (with its subqueries) uses; set on the top
    # level by an engine's binding step, as are the slots of the value bind parameters
    slot_count: int = 0
    bind_params: dict[str, int] = field(default_factory=dict)  # name -> slot (-1: unbound)
    collection_params: list[str] = field(default_factory=list)
