"""Index selection and filter push-down for collection scans.

``FOR d IN coll FILTER d.a.b == @x`` should not decode every document in
Python. :func:`plan_scan` looks at the FILTER conditions that directly follow
a FOR over a collection, picks the conjuncts of the form ``d.path OP value``
(``value`` not depending on ``d``), and turns them into SQL over the stored
JSON: the primary key for ``_key`` / ``_id``, the edge index for ``_from`` /
``_to``, and typed ``json_type`` / ``json_extract`` expressions for any other
path — the same expressions the persistent indexes are built on, so SQLite
uses an index when one exists. The SQL honours AQL's type order (``d.a > 5``
also matches strings, arrays and objects), and it only narrows the scan: the
FILTER itself still runs on every document SQLite returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ast as A
from .documents import split_id
from .storage import CollectionInfo, typed_value_sql

Frame = list[Any]
ScanPlan = Callable[[Frame], tuple[str, list[Any]]]

_FLIPPED = {"==": "==", "<": ">", ">": "<", "<=": ">=", ">=": "<=", "IN": "IN"}
_NUMBER = "('integer','real')"
_BELOW_NUMBERS = "('null','true','false')"
_ABOVE_NUMBERS = "('text','array','object')"


def _conjuncts(node: A.Node) -> list[A.Node]:
    if isinstance(node, A.Logical) and node.op == "AND":
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def _attribute_path(node: A.Node, slot: int) -> list[str] | None:
    """``d.a.b`` → ``["a", "b"]`` when ``d`` is the variable in ``slot``."""
    path: list[str] = []
    while isinstance(node, A.AttributeAccess):
        path.append(node.name)
        node = node.obj
    if isinstance(node, A.Var) and node.var.slot == slot and path:
        path.reverse()
        return path
    return None


def _independent(node: A.Node, slot: int) -> bool:
    """Whether ``node`` can be evaluated before the scan (no reference to the loop variable)."""
    allowed = (A.Literal, A.BindParam, A.Var, A.AttributeAccess, A.IndexAccess, A.ArrayLit, A.Unary)
    for sub in node.find_all(A.Node):
        if not isinstance(sub, allowed):
            return False
        if isinstance(sub, A.Var) and sub.var.slot == slot:
            return False
    return True


def _safe(path: list[str]) -> bool:
    return all('"' not in name and "\\" not in name for name in path)


def condition_sql(
    info: CollectionInfo, path: list[str], op: str, value: Any
) -> tuple[str, list[Any]] | None:
    """SQL that every document satisfying ``d.path OP value`` also satisfies, or None."""
    if op == "IN":
        if not isinstance(value, list) or not value or len(value) > 500:
            return None
        parts: list[str] = []
        params: list[Any] = []
        for item in value:
            sql = condition_sql(info, path, "==", item)
            if sql is None:
                return None
            parts.append(sql[0])
            params.extend(sql[1])
        return "(" + " OR ".join(parts) + ")", params
    if path == ["_key"] and op == "==":
        return ("key = ?", [value]) if isinstance(value, str) else ("0", [])
    if path == ["_id"] and op == "==":
        parts_id = split_id(value)
        if parts_id is None or parts_id[0] != info.name:
            return "0", []
        return "key = ?", [parts_id[1]]
    if info.edge and path in (["_from"], ["_to"]) and op == "==":
        column = "from_id" if path == ["_from"] else "to_id"
        return (f"{column} = ?", [value]) if isinstance(value, str) else ("0", [])
    if not _safe(path):
        return None
    type_sql, value_sql = typed_value_sql(path)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if op == "==":
        if value is None:
            return f"{type_sql} = 'null'", []
        if isinstance(value, bool):
            return f"{type_sql} = '{'true' if value else 'false'}'", []
        if is_number:
            return f"{type_sql} IN {_NUMBER} AND {value_sql} = ?", [value]
        if isinstance(value, str):
            return f"{type_sql} = 'text' AND {value_sql} = ?", [value]
        return None
    if not is_number:
        return None
    sql_op = op
    if op in ("<", "<="):
        return (
            f"({type_sql} IN {_BELOW_NUMBERS} OR ({type_sql} IN {_NUMBER} AND {value_sql} {sql_op} ?))",
            [value],
        )
    return (
        f"({type_sql} IN {_ABOVE_NUMBERS} OR ({type_sql} IN {_NUMBER} AND {value_sql} {sql_op} ?))",
        [value],
    )


def plan_scan(
    info: CollectionInfo,
    var: A.Variable,
    filters: list[A.Node],
    compile_expr: Callable[[A.Node], Callable[[Frame], Any]],
) -> ScanPlan:
    """A function giving, per execution, the SQL WHERE clause narrowing the scan of ``info``."""
    slot = var.slot
    pushable: list[tuple[list[str], str, Callable[[Frame], Any]]] = []
    for condition in filters:
        for conjunct in _conjuncts(condition):
            if not isinstance(conjunct, A.Binary) or conjunct.op not in _FLIPPED:
                continue
            path = _attribute_path(conjunct.left, slot)
            other = conjunct.right
            op = conjunct.op
            if path is None and op != "IN":
                path = _attribute_path(conjunct.right, slot)
                other = conjunct.left
                op = _FLIPPED[op]
            if path is None or not _independent(other, slot):
                continue
            pushable.append((path, op, compile_expr(other)))

    if not pushable:
        return lambda frame: ("", [])

    def plan(frame: Frame) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for path, op, value in pushable:
            sql = condition_sql(info, path, op, value(frame))
            if sql is not None:
                clauses.append(sql[0])
                params.extend(sql[1])
        return " AND ".join(clauses), params

    return plan
