"""A parsed query as ArangoDB prints it: ``/_api/query``'s ``ast`` and the expressions of
``/_api/explain``'s plan nodes.

ArangoDB's node type names (``AstNode::TypeNames``) over this project's AST:
``{"type": "for", "subNodes": [...]}``, values as ``{"type": "value", "value": 1}``,
variables by name and id (ids in order of declaration, as ArangoDB's parser
numbers them). With ``type_ids`` (explain) each node also carries ArangoDB's
``typeID`` and a value its ``vTypeID``, where those numbers are known.
A known gap: ArangoDB's optimizer rewrites the tree before it prints a plan
(constant folding, n-ary AND/OR); this prints the tree as parsed.
"""

from __future__ import annotations

from typing import Any

from ..aql import ast as A

# ArangoDB's AstNodeType numbers of the types printed here (Aql/AstNode.h)
TYPE_IDS = {
    "root": 0, "for": 1, "let": 2, "filter": 3, "return": 4, "remove": 5, "insert": 6,
    "update": 7, "replace": 8, "collect": 9, "sort": 10, "sort element": 11, "limit": 12,
    "variable": 13, "assign": 14, "unary plus": 15, "unary minus": 16, "unary not": 17,
    "logical and": 18, "logical or": 19, "plus": 20, "minus": 21, "times": 22, "division": 23,
    "modulus": 24, "compare ==": 25, "compare !=": 26, "compare <": 27, "compare <=": 28,
    "compare >": 29, "compare >=": 30, "compare in": 31, "compare not in": 32, "ternary": 33,
    "subquery": 34, "attribute access": 35, "bound attribute access": 36,
    "indexed access": 37, "expansion": 38, "iterator": 39, "value": 40, "array": 41,
    "object": 42, "object element": 43, "collection": 44, "reference": 45, "parameter": 46,
    "function call": 47, "range": 49, "no-op": 50,
}  # fmt: skip

_BINARY = {
    "+": "plus", "-": "minus", "*": "times", "/": "division", "%": "modulus",
    "==": "compare ==", "!=": "compare !=", "<": "compare <", "<=": "compare <=",
    ">": "compare >", ">=": "compare >=", "IN": "compare in", "NOT IN": "compare not in",
    "=~": "compare =~", "!~": "compare !~", "LIKE": "compare like",
}  # fmt: skip
_UNARY = {"-": "unary minus", "+": "unary plus", "NOT": "unary not"}


def value_type_id(value: Any) -> int:
    """ArangoDB's value type: null 0, bool 1, int 2, double 3, string 4."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return 2
    if isinstance(value, float):
        return 3
    return 4


class AstPrinter:
    """Prints nodes of one query, numbering its variables as ArangoDB's parser does."""

    def __init__(self, type_ids: bool = False) -> None:
        self.type_ids = type_ids
        self.ids: dict[int, int] = {}  # id(Variable) -> ArangoDB's variable id
        self.names: dict[int, str] = {}

    def variable_id(self, var: A.Variable) -> int:
        key = id(var)
        if key not in self.ids:
            self.ids[key] = len(self.ids)
            self.names[key] = var.name
        return self.ids[key]

    def temporary(self) -> tuple[int, str]:
        """A variable of the plan's own (ArangoDB names them by their number)."""
        number = len(self.ids)
        self.ids[-number - 1] = number
        return number, str(number)

    def _node(self, kind: str, *children: dict[str, Any], **fields: Any) -> dict[str, Any]:
        node: dict[str, Any] = {"type": kind}
        if self.type_ids and kind in TYPE_IDS:
            node["typeID"] = TYPE_IDS[kind]
        node.update(fields)
        if children:
            node["subNodes"] = list(children)
        return node

    def variable(self, var: A.Variable) -> dict[str, Any]:
        return self._node("variable", name=var.name, id=self.variable_id(var))

    def reference(self, var: A.Variable) -> dict[str, Any]:
        return self._node(
            "reference", name=var.name, id=self.variable_id(var), subqueryReference=False
        )

    def value(self, value: Any) -> dict[str, Any]:
        if isinstance(value, list):
            return self._node("array", *(self.value(v) for v in value))
        if isinstance(value, dict):
            return self._node(
                "object",
                *(self._node("object element", self.value(v), name=k) for k, v in value.items()),
            )
        node = self._node("value", value=value)
        if self.type_ids:
            node["vTypeID"] = value_type_id(value)
        return node

    def expression(self, node: A.Node | None) -> dict[str, Any]:
        if node is None:
            return self._node("no-op")
        if isinstance(node, A.Literal):
            return self.value(node.value)
        if isinstance(node, A.Var):
            return self.reference(node.var)
        if isinstance(node, A.BindParam):
            return self._node("parameter", name=node.name)
        if isinstance(node, A.CollectionRef):
            return self._node("collection", name=node.name)
        if isinstance(node, A.CollectionParam):
            return self._node("datasource parameter", name="@" + node.name)
        if isinstance(node, A.ArrayLit):
            return self._node("array", *(self.expression(i) for i in node.items))
        if isinstance(node, A.ObjectLit):
            elements = []
            for key, item in node.items:
                if isinstance(key, str):
                    elements.append(self._node("object element", self.expression(item), name=key))
                else:
                    elements.append(
                        self._node(
                            "calculated object element",
                            self.expression(key),
                            self.expression(item),
                        )
                    )
            return self._node("object", *elements)
        if isinstance(node, A.AttributeAccess):
            return self._node("attribute access", self.expression(node.obj), name=node.name)
        if isinstance(node, A.BoundAttributeAccess):
            return self._node(
                "bound attribute access", self.expression(node.obj), self.expression(node.name)
            )
        if isinstance(node, A.IndexAccess):
            return self._node(
                "indexed access", self.expression(node.obj), self.expression(node.index)
            )
        if isinstance(node, A.FunctionCall):
            return self._node(
                "function call",
                self._node("array", *(self.expression(a) for a in node.args)),
                name=node.name,
            )
        if isinstance(node, A.Unary):
            return self._node(
                _UNARY.get(node.op, "unary " + node.op.lower()), self.expression(node.operand)
            )
        if isinstance(node, A.Binary):
            kind = _BINARY.get(node.op, "compare " + node.op.lower())
            return self._node(kind, self.expression(node.left), self.expression(node.right))
        if isinstance(node, A.Logical):
            kind = "logical and" if node.op == "AND" else "logical or"
            return self._node(kind, self.expression(node.left), self.expression(node.right))
        if isinstance(node, A.Ternary):
            parts = [self.expression(node.condition)]
            if node.then is not None:
                parts.append(self.expression(node.then))
            parts.append(self.expression(node.otherwise))
            return self._node("ternary", *parts)
        if isinstance(node, A.Range):
            return self._node("range", self.expression(node.low), self.expression(node.high))
        if isinstance(node, A.Subquery):
            return self._node("subquery", self.query(node.query))
        if isinstance(node, A.Expansion):
            iterator = self._node("iterator", self.variable(node.var), self.expression(node.source))
            return self._node(
                "expansion",
                iterator,
                self.reference(node.var),
                self.expression(node.filter),
                self.expression(node.limit_count),
                self.expression(node.projection),
            )
        return self._node(type(node).__name__.lower())

    # ------------------------------------------------------------------ operations

    def query(self, query: A.Query) -> dict[str, Any]:
        return self._node("root", *(self.operation(op) for op in query.operations))

    def operation(self, op: A.Node) -> dict[str, Any]:
        if isinstance(op, A.ForIn):
            return self._node(
                "for",
                self.variable(op.var),
                self.expression(op.source),
                self.expression(op.options),
            )
        if isinstance(op, A.Let):
            return self._node("let", self.variable(op.var), self.expression(op.expr))
        if isinstance(op, A.Filter):
            return self._node("filter", self.expression(op.condition))
        if isinstance(op, A.Return):
            return self._node("return", self.expression(op.expr))
        if isinstance(op, A.Limit):
            return self._node("limit", self.expression(op.offset), self.expression(op.count))
        if isinstance(op, A.Sort):
            elements = [
                self._node("sort element", self.expression(e.expr), self.expression(e.ascending))
                for e in op.elements
            ]
            return self._node("sort", self._node("array", *elements))
        if isinstance(op, A.Collect):
            groups = [
                self._node("assign", self.variable(var), self.expression(expr))
                for var, expr in op.groups
            ]
            parts = [self._node("array", *groups)]
            if op.count_into is not None:
                parts.append(self._node("collect count", self.variable(op.count_into)))
            return self._node("collect", *parts)
        if isinstance(op, A.Modification):
            kind = op.kind.lower()
            parts = [
                self.expression(x) for x in (op.key, op.search, op.doc, op.update) if x is not None
            ]
            parts.append(self.expression(op.collection))
            parts.append(self.expression(op.options))
            return self._node(kind, *parts)
        if isinstance(op, A.With):
            return self._node("with", *(self.expression(c) for c in op.collections))
        if isinstance(op, A.Traversal):
            return self._node(
                "traversal",
                self._node("direction", value=op.direction),
                self.expression(op.start),
                self.variable(op.vertex),
            )
        return self._node(type(op).__name__.lower())


def collection_name(node: A.Node, bind_vars: dict[str, Any]) -> str | None:
    """The collection ``node`` names, a ``@@`` parameter's value included (None: not a
    collection, or a parameter without a name for a value)."""
    if isinstance(node, A.CollectionRef):
        return node.name
    if isinstance(node, A.CollectionParam):
        value = bind_vars.get("@" + node.name)
        return value if isinstance(value, str) else None
    return None


def collections_of(query: A.Query) -> list[str]:
    """The collections a query names (ArangoDB lists them sorted)."""
    return sorted({node.name for node in query.find_all(A.CollectionRef)})


def bind_parameters_of(query: A.Query) -> list[str]:
    """The bind parameters a query declares (collections as ``@name``), sorted."""
    return sorted(set(query.bind_params) | {"@" + n for n in query.collection_params})


__all__ = [
    "AstPrinter",
    "bind_parameters_of",
    "collection_name",
    "collections_of",
    "value_type_id",
]
