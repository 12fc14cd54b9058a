"""``/_api/explain``'s plan: a query's operations as ArangoDB's execution nodes.

Built from the parsed query, one node (or a calculation and a node) per
operation, in ArangoDB's shape: ``{type, dependencies, id, estimatedCost,
estimatedNrItems, ...}`` with the variables, collections (``read`` /
``write``) and the estimated cost and row count of the whole plan. Estimates
follow ArangoDB's simplest model: a collection loop yields the collection's
count, a list loop the range's size (100 when it is not a constant), each
node's cost is its dependency's plus the rows it handles. What this does not
show: the embedded planner's own choices (index use, SQL push-down, sorted
reads, projections), which it makes when the query is compiled and does not
report, so ``rules`` is empty and loops over collections are always
``EnumerateCollectionNode``.
"""

from __future__ import annotations

from typing import Any

from ..aql import ast as A
from ..embedded import EmbeddedDatabase
from .ast_json import AstPrinter, collection_name

_DEFAULT_LIST_SIZE = 100
# functions whose result is not the same for the same input (the result is not cacheable)
_NOT_CACHEABLE = frozenset(
    ("RAND", "RANDOM_TOKEN", "UUID", "NOW", "DATE_NOW", "SLEEP", "CURRENT_USER", "FAIL", "V8")
)


class PlanBuilder:
    """The nodes of one query's plan (see the module docstring)."""

    def __init__(self, db: EmbeddedDatabase, bind_vars: dict[str, Any]) -> None:
        self.db = db
        self.bind_vars = bind_vars
        self.printer = AstPrinter(type_ids=True)
        self.nodes: list[dict[str, Any]] = []
        self.collections: dict[str, str] = {}
        self.items = 1.0
        self.cost = 0.0

    # ------------------------------------------------------------------ helpers

    def _add(self, kind: str, rows: float, **fields: Any) -> dict[str, Any]:
        self.items = rows
        self.cost += max(rows, 1.0)
        node: dict[str, Any] = {
            "type": kind,
            "dependencies": [self.nodes[-1]["id"]] if self.nodes else [],
            "id": len(self.nodes) + 1,
            "estimatedCost": self.cost,
            "estimatedNrItems": int(rows),
        }
        node.update(fields)
        self.nodes.append(node)
        return node

    def _variable(self, var: A.Variable) -> dict[str, Any]:
        return {
            "id": self.printer.variable_id(var),
            "name": var.name,
            "isFullDocumentFromCollection": False,
        }

    def _calculation(self, expr: A.Node) -> dict[str, Any]:
        """A CalculationNode computing ``expr`` into a variable of the plan; that variable."""
        number, name = self.printer.temporary()
        out = {"id": number, "name": name, "isFullDocumentFromCollection": False}
        self._add(
            "CalculationNode",
            self.items,
            expression=self.printer.expression(expr),
            outVariable=out,
            canThrow=False,
            expressionType="simple",
        )
        return out

    def _input(self, expr: A.Node) -> dict[str, Any]:
        """The variable holding ``expr``: itself when it is one, else a calculation's."""
        if isinstance(expr, A.Var):
            return self._variable(expr.var)
        return self._calculation(expr)

    def _use(self, name: str, access: str) -> None:
        if self.collections.get(name) != "write":
            self.collections[name] = access

    # ------------------------------------------------------------------ operations

    def build(self, query: A.Query) -> dict[str, Any]:
        self._add("SingletonNode", 1.0, bindParameterVariables={})
        for op in query.operations:
            self._operation(op)
        for node in query.find_all(A.CollectionRef):  # also those read in expressions
            self._use(node.name, "read")
        variables = [
            {"id": number, "name": self.printer.names.get(key, str(number))}
            for key, number in sorted(self.printer.ids.items(), key=lambda kv: -kv[1])
        ]
        return {
            "nodes": self.nodes,
            "rules": [],
            "collections": [{"name": n, "type": t} for n, t in sorted(self.collections.items())],
            "variables": [dict(v, isFullDocumentFromCollection=False) for v in variables],
            "estimatedCost": self.cost,
            "estimatedNrItems": int(self.items),
            "isModificationQuery": any(True for _ in query.find_all(A.Modification)),
        }

    def _operation(self, op: A.Node) -> None:
        if isinstance(op, A.ForIn):
            name = collection_name(op.source, self.bind_vars)
            if name is not None:
                self._use(name, "read")
                rows = self.items * self.db.storage.count(name)  # 1203 for an unknown one
                self._add(
                    "EnumerateCollectionNode",
                    rows,
                    random=False,
                    outVariable=self._variable(op.var),
                    collection=name,
                )
                return
            source = self._input(op.source)
            rows = self.items * self._list_size(op.source)
            self._add(
                "EnumerateListNode", rows, inVariable=source, outVariable=self._variable(op.var)
            )
        elif isinstance(op, A.Let):
            if isinstance(op.expr, A.Subquery):
                inner = PlanBuilder(self.db, self.bind_vars)
                inner.printer = self.printer
                sub = inner.build(op.expr.query)
                self._add(
                    "SubqueryNode",
                    self.items,
                    subquery={"nodes": sub["nodes"]},
                    outVariable=self._variable(op.var),
                    isConst=False,
                )
                for name, access in inner.collections.items():
                    self._use(name, access)
                return
            self._add(
                "CalculationNode",
                self.items,
                expression=self.printer.expression(op.expr),
                outVariable=self._variable(op.var),
                canThrow=False,
                expressionType="simple",
            )
        elif isinstance(op, A.Filter):
            condition = self._input(op.condition)
            self._add("FilterNode", self.items, inVariable=condition)
        elif isinstance(op, A.Sort):
            elements = [
                {"inVariable": self._input(e.expr), "ascending": _ascending(e.ascending)}
                for e in op.elements
            ]
            self._add("SortNode", self.items, elements=elements, stable=False, strategy="standard")
        elif isinstance(op, A.Limit):
            offset, count = (
                _constant(op.offset, self.bind_vars),
                _constant(op.count, self.bind_vars),
            )
            offset = offset if isinstance(offset, int) else 0
            count = count if isinstance(count, int) else int(self.items)
            rows = max(min(self.items - offset, count), 0)
            self._add("LimitNode", rows, offset=offset, limit=count, fullCount=False)
        elif isinstance(op, A.Collect):
            groups = [
                {"outVariable": self._variable(var), "inVariable": self._input(expr)}
                for var, expr in op.groups
            ]
            rows = self.items if op.groups else 1.0
            fields: dict[str, Any] = {"groups": groups, "aggregates": []}
            if op.into is not None:
                fields["outVariable"] = self._variable(op.into)
            if op.count_into is not None:
                fields["outVariable"] = self._variable(op.count_into)
            self._add("CollectNode", rows, **fields)
        elif isinstance(op, A.Return):
            self._add("ReturnNode", self.items, inVariable=self._input(op.expr), count=True)
        elif isinstance(op, A.Modification):
            name = collection_name(op.collection, self.bind_vars)
            fields = {"collection": name}
            if name is not None:
                self._use(name, "write")
            for label, expr in (("inDocVariable", op.doc), ("inKeyVariable", op.key)):
                if expr is not None:
                    fields[label] = self._input(expr)
            if op.new_var is not None:
                fields["outVariableNew"] = self._variable(op.new_var)
            if op.old_var is not None:
                fields["outVariableOld"] = self._variable(op.old_var)
            self._add(op.kind.capitalize() + "Node", self.items, **fields)
        elif isinstance(op, (A.Traversal, A.ShortestPath, A.PathEnumeration)):
            kind = {
                A.Traversal: "TraversalNode",
                A.ShortestPath: "ShortestPathNode",
                A.PathEnumeration: "EnumeratePathsNode",
            }[type(op)]
            for graph_collection in _graph_collections(op.graph):
                self._use(graph_collection, "read")
            self._add(kind, self.items * _DEFAULT_LIST_SIZE)
        elif isinstance(op, A.Window):
            self._add("WindowNode", self.items)
        # WITH declares collections only: no node

    def _list_size(self, source: A.Node) -> float:
        if isinstance(source, A.Range):
            low, high = (
                _constant(source.low, self.bind_vars),
                _constant(source.high, self.bind_vars),
            )
            if isinstance(low, (int, float)) and isinstance(high, (int, float)):
                return float(abs(int(high) - int(low)) + 1)
        if isinstance(source, A.ArrayLit):
            return float(len(source.items))
        return float(_DEFAULT_LIST_SIZE)


def _constant(node: A.Node, bind_vars: dict[str, Any]) -> Any:
    if isinstance(node, A.Literal):
        return node.value
    if isinstance(node, A.BindParam):
        return bind_vars.get(node.name)
    return None


def _ascending(node: A.Node) -> bool:
    value = node.value if isinstance(node, A.Literal) else True
    return not (value is False or (isinstance(value, str) and value.upper() == "DESC"))


def _graph_collections(graph: A.GraphSpec) -> list[str]:
    return [n.name for _, n in graph.collections if isinstance(n, A.CollectionRef)]


def cacheable(query: A.Query) -> bool:
    """Whether ArangoDB's query cache could keep the result: a query that only reads and
    calls only deterministic functions."""
    if any(True for _ in query.find_all(A.Modification)):
        return False
    return not any(call.name in _NOT_CACHEABLE for call in query.find_all(A.FunctionCall))


def explain(db: EmbeddedDatabase, query: str, bind_vars: dict[str, Any]) -> dict[str, Any]:
    """The plan of ``query`` (parse and bind errors raised as the engine raises them)."""
    db.check_bind_vars(query, bind_vars)
    tree = db.parse(query)
    return PlanBuilder(db, bind_vars).build(tree)


__all__ = ["PlanBuilder", "cacheable", "explain"]
