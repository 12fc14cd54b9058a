"""Which LETs and FILTERs after a lean traversal run in its stage, and how early.

The stage of a breadth-first traversal with global vertex uniqueness
(``walk_stage.py``) runs the LET and FILTER operations right after it itself,
and the final RETURN when it follows them. As ArangoDB's optimizer moves FILTER
conditions into a traversal, those that read the vertex only as ``v._id`` /
``v._key``, not the edge, and the path only as its length (the depth) are
*pushed*: in a query that writes nothing they run before the row's vertex and
edge are bound (``v._id`` reads the id the walk found, null when the vertex
does not exist), so a row they drop costs no projection. Among them:

- a *level* expression — pure, reading only the depth, bind parameters,
  variables from before the traversal and level LETs — has one value for a
  whole level of the walk: a level LET is evaluated once per level, and the
  leading level operands of a FILTER (a chain of AND, or of OR) decide for the
  whole level when they can;
- a FILTER whose other operands are pure and read the vertex only as
  ``PARSE_IDENTIFIER(v._id).collection`` answers the same for every existing
  vertex of a collection: it is evaluated once per collection, and tells the
  edge lookups which collections' vertices a level needs to read at all.

*Pure*: it can neither warn, fail nor write, so evaluating it earlier, or once
instead of once per row, cannot be observed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..aql import ast as A
from .projections import VariableUsage

_ID_PATHS = {("_id",), ("_key",)}
_PURE_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"})
# how long a by-collection answer holds: a level, a walk (one start), the stage's run
LEVEL, WALK, RUN = "level", "walk", "run"


@dataclass
class RowLet:
    node: A.Let
    level: bool  # the same value for the whole level: evaluated once per level
    pure: bool


@dataclass
class RowFilter:
    """A pushed FILTER, split as the module docstring says."""

    node: A.Filter
    conjunction: bool  # its operands are joined by AND (else by OR; one operand: either)
    level: list[A.Node]  # the leading level operands
    level_scopes: list[str]  # how long the value of each holds
    rest: A.Node | None  # the other operands as one expression (None: the level ones decide)
    # the PARSE_IDENTIFIER(v._id).collection reads when ``rest`` depends on nothing else of
    # the row (empty: it does, or there is no rest)
    by_collection: list[A.Node] = field(default_factory=list)
    scope: str = RUN  # how long a by-collection answer holds
    pure: bool = False


@dataclass
class RowPlan:
    """The operations after a traversal that its stage runs (see the module docstring)."""

    pushed: list[RowLet | RowFilter]  # before the vertex and edge are bound
    later: list[A.Node]  # Let / Filter operations after them
    # the v._id / v._key reads of the pushed operations (and of an id-only PRUNE)
    id_reads: list[A.AttributeAccess]
    prune_by_id: bool  # the PRUNE condition (if any) reads nothing but what a pushed one may
    path: A.Variable | None = None  # the traversal's

    @property
    def operations(self) -> list[A.Node]:
        return [step.node for step in self.pushed] + self.later


def plan_rows(traversal: A.Traversal, ops: list[A.Node]) -> RowPlan:
    """How the stage of ``traversal`` runs ``ops``, the LETs and FILTERs right after it."""
    analysis = _Analysis(traversal)
    pushed: list[RowLet | RowFilter] = []
    id_reads: list[A.AttributeAccess] = []
    i = 0
    while i < len(ops):
        op = ops[i]
        expression = op.expr if isinstance(op, A.Let) else op.condition  # type: ignore[attr-defined]
        reads = analysis.pushable(expression)
        if reads is None:
            break
        id_reads.extend(reads)
        if isinstance(op, A.Let):
            level = analysis.is_level(expression)
            pushed.append(RowLet(op, level, _pure(expression, traversal)))
            if level:
                analysis.level_vars.add(op.var)
            else:
                analysis.row_vars.add(op.var)
        else:
            pushed.append(analysis.split_filter(op))  # type: ignore[arg-type]
        i += 1
    prune_by_id = True
    if traversal.prune is not None:
        reads = analysis.pushable(traversal.prune)
        prune_by_id = reads is not None
        if reads is not None:
            id_reads.extend(reads)
    return RowPlan(pushed, ops[i:], id_reads, prune_by_id, traversal.path)


def following_rows(ops: list[A.Node], start: int) -> list[A.Node]:
    """The LET and FILTER operations from ``start`` on, up to the first other one."""
    found: list[A.Node] = []
    for op in ops[start:]:
        if not isinstance(op, (A.Let, A.Filter)):
            break
        found.append(op)
    return found


def collection_reads(node: A.Node, vertex: A.Variable) -> list[A.Node]:
    """The ``PARSE_IDENTIFIER(v._id).collection`` nodes in ``node``."""
    return [
        n
        for n in node.find_all(A.AttributeAccess)
        if n.name == "collection"
        and isinstance(n.obj, A.FunctionCall)
        and n.obj.name == "PARSE_IDENTIFIER"
        and len(n.obj.args) == 1
        and _is_attribute_of(n.obj.args[0], vertex, "_id")
    ]


class _Analysis:
    """What the operations read, as :func:`plan_rows` walks them in order."""

    def __init__(self, traversal: A.Traversal) -> None:
        self.traversal = traversal
        self.vertex = traversal.vertex
        self.declared = {v for v in (traversal.vertex, traversal.edge, traversal.path) if v}
        self.level_vars: set[A.Variable] = set()  # level LETs'
        self.row_vars: set[A.Variable] = set()  # other pushed LETs'

    def pushable(self, node: A.Node) -> list[A.AttributeAccess] | None:
        """The v._id / v._key reads of ``node`` when it can be pushed (else None)."""
        if any(True for _ in node.find_all((A.Subquery, A.Modification))):
            return None
        usage = VariableUsage(node)
        t = self.traversal
        if t.edge is not None and usage.is_used(t.edge):
            return None
        if t.path is not None and not usage.counted_only(t.path, ("edges", "vertices")):
            return None
        reads: list[A.AttributeAccess] = []
        for reader, path in usage.reads.get(self.vertex, []):
            if not isinstance(reader, A.AttributeAccess) or path not in _ID_PATHS:
                return None
            reads.append(reader)
        return reads

    def _reads_only(self, node: A.Node, allowed: set[A.Variable]) -> bool:
        """Whether the variables ``node`` reads are from before the traversal or ``allowed``."""
        usage = VariableUsage(node)
        declared = self.declared | self.level_vars | self.row_vars
        return all(var in allowed or var not in declared for var in usage.reads)

    def is_level(self, node: A.Node) -> bool:
        path = {self.traversal.path} if self.traversal.path is not None else set()
        return _pure(node, self.traversal) and self._reads_only(node, self.level_vars | path)

    def split_filter(self, op: A.Filter) -> RowFilter:
        condition = op.condition
        conjunction = not (isinstance(condition, A.Logical) and condition.op == "OR")
        operands = _operands(condition, "AND" if conjunction else "OR")
        level: list[A.Node] = []
        while operands and self.is_level(operands[0]):
            level.append(operands.pop(0))
        rest = None
        if operands:
            rest = operands[0]
            for operand in operands[1:]:
                rest = A.Logical("AND" if conjunction else "OR", rest, operand)
        scopes = [self.scope(operand) for operand in level]
        split = RowFilter(
            op, conjunction, level, scopes, rest, pure=_pure(condition, self.traversal)
        )
        if rest is not None:
            self._by_collection(split, rest)
        return split

    def scope(self, node: A.Node) -> str:
        """How long the value of a level expression (or a by-collection answer) holds."""
        read = set(VariableUsage(node).reads) - {self.vertex}
        if self.traversal.path in read or read & self.level_vars:
            return LEVEL
        return WALK if read else RUN

    def _by_collection(self, split: RowFilter, rest: A.Node) -> None:
        reads = collection_reads(rest, self.vertex)
        if not reads:
            return
        inner = {id(n.obj.args[0]) for n in reads}  # type: ignore[attr-defined]
        usage = VariableUsage(rest)
        if any(id(reader) not in inner for reader, _ in usage.reads.get(self.vertex, [])):
            return  # it reads the vertex otherwise too
        if not _pure(rest, self.traversal, allow=reads):
            return
        path = {self.traversal.path} if self.traversal.path is not None else set()
        if not self._reads_only(rest, self.level_vars | path | {self.vertex}):
            return
        split.scope = self.scope(rest)
        split.by_collection = reads


def _operands(node: A.Node, op: str) -> list[A.Node]:
    """The operands of a chain of ``op`` (``a OR b OR c``: [a, b, c]), in evaluation order."""
    if isinstance(node, A.Logical) and node.op == op:
        return _operands(node.left, op) + _operands(node.right, op)
    return [node]


def _is_attribute_of(node: A.Node, var: A.Variable, name: str) -> bool:
    return (
        isinstance(node, A.AttributeAccess)
        and node.name == name
        and isinstance(node.obj, A.Var)
        and node.obj.var is var
    )


def _pure(node: A.Node, traversal: A.Traversal, allow: list[A.Node] = ()) -> bool:  # type: ignore[assignment]
    """Whether evaluating ``node`` can neither warn, fail nor write (``allow``: nodes taken
    as pure leaves)."""
    if any(node is a for a in allow):
        return True
    if isinstance(node, (A.Literal, A.BindParam, A.Var)):
        return True
    if isinstance(node, A.AttributeAccess):
        return _pure(node.obj, traversal, allow)
    if isinstance(node, A.Unary):
        return node.op == "NOT" and _pure(node.operand, traversal, allow)
    if isinstance(node, A.Binary):
        return (
            node.op in _PURE_OPERATORS
            and _pure(node.left, traversal, allow)
            and _pure(node.right, traversal, allow)
        )
    if isinstance(node, (A.Logical, A.Ternary, A.ArrayLit)):
        return all(_pure(child, traversal, allow) for child in node.children())
    if isinstance(node, A.FunctionCall):
        # LENGTH(p.edges) / LENGTH(p.vertices): the depth
        return (
            node.name == "LENGTH"
            and len(node.args) == 1
            and traversal.path is not None
            and any(
                _is_attribute_of(node.args[0], traversal.path, n) for n in ("edges", "vertices")
            )
        )
    return False
