"""Compile AQL expressions into Python closures.

Every expression becomes a function ``fn(frame) -> value``: the frame is the
list of variable slots of the running query (slot 0 holds the
:class:`~.runtime.Runtime`). Nothing is ever ``eval``-ed; operators follow
ArangoDB's casting rules (arithmetic on numbers cast with TO_NUMBER, results
that are not finite become null, division by zero is null with a warning),
logical operators return one of their operands, and comparisons use AQL's
type order. Subqueries are compiled by the executor, which passes itself in
as ``compile_subquery``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..aql import ast as A
from ..errors import (
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    ERROR_QUERY_COLLECTION_USED_IN_EXPRESSION,
    ERROR_QUERY_DIVISION_BY_ZERO,
    ERROR_QUERY_INVALID_ARITHMETIC_VALUE,
    ERROR_RESOURCE_LIMIT,
    BindParameterError,
    QueryError,
)
from .functions import lookup
from .limits import INT_ITEM_BYTES, LIST_BYTES
from .values import (
    compare,
    equal,
    get_attribute,
    get_index,
    hashable,
    normalize_number,
    to_bool,
    to_number,
    to_string,
)

if TYPE_CHECKING:
    from .runtime import Runtime

Frame = list[Any]
Expr = Callable[[Frame], Any]

MAX_RANGE = 10_000_000

# functions that receive a collection argument as its name instead of its documents
_COLLECTION_NAME_FUNCTIONS = frozenset(
    {"DOCUMENT", "COLLECTION_COUNT", "IS_SAME_COLLECTION", "PARSE_IDENTIFIER"}
)


def range_values(low: Any, high: Any, rt: Runtime) -> range:
    """The integers of ``low..high`` (ascending or descending, both ends included)."""
    lo = to_number(low)
    hi = to_number(high)
    lo_i = math.floor(lo) if isinstance(lo, float) else lo
    hi_i = math.floor(hi) if isinstance(hi, float) else hi
    size = abs(hi_i - lo_i) + 1
    if size > MAX_RANGE:
        raise QueryError(
            f"range {lo_i}..{hi_i} has {size} elements, more than the limit of {MAX_RANGE}",
            ERROR_RESOURCE_LIMIT,
        )
    return range(lo_i, hi_i + 1) if lo_i <= hi_i else range(lo_i, hi_i - 1, -1)


class ExpressionCompiler:
    """Turns expression nodes into closures; see the module docstring."""

    def __init__(
        self,
        compile_subquery: Callable[[A.Query], Callable[[Frame], list[Any]]],
        resolve_collection: Callable[[A.Node], str],
        check_read: Callable[[str, str | None], None],
    ) -> None:
        self.compile_subquery = compile_subquery
        self.resolve_collection = resolve_collection
        self.check_read = check_read
        # node id -> what to compile it to instead (see :meth:`substituting`)
        self.overrides: dict[int, Expr] = {}
        # node id -> (slot, i): its value is item i of the list in the slot (None: null)
        self.positions: dict[int, tuple[int, int]] = {}

    def compile(self, node: A.Node) -> Expr:
        if self.overrides:
            override = self.overrides.get(id(node))
            if override is not None:
                return override
        if self.positions:
            position = self.positions.get(id(node))
            if position is not None:
                return _item_read(*position)
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise QueryError(f"cannot evaluate {type(node).__name__} here")
        result: Expr = method(node)
        return result

    def substituting(
        self,
        node: A.Node,
        overrides: dict[int, Expr],
        positions: dict[int, tuple[int, int]] | None = None,
    ) -> Expr:
        """``node`` compiled with the nodes whose ids ``overrides`` holds compiled to its
        values, and those ``positions`` holds read as items of lists in slots.

        (A traversal evaluates a FILTER on ``v._id`` before it binds ``v``, and may bind
        ``v`` and ``e`` to lists of what its RETURN reads: see ``walk_stage.py``.)
        """
        saved, saved_positions = self.overrides, self.positions
        self.overrides = {**saved, **overrides}
        if positions:
            self.positions = {**saved_positions, **positions}
        try:
            return self.compile(node)
        finally:
            self.overrides, self.positions = saved, saved_positions

    # ------------------------------------------------------------------ leaves

    def _Literal(self, node: A.Literal) -> Expr:
        value = node.value
        return lambda f: value

    def _Var(self, node: A.Var) -> Expr:
        slot = node.var.slot
        return lambda f: f[slot]

    def _BindParam(self, node: A.BindParam) -> Expr:
        slot = node.slot
        return lambda f: f[slot]

    def _CollectionRef(self, node: A.Node) -> Expr:
        name = self.resolve_collection(node)
        self.check_read("collection", name)
        raise QueryError(
            f"collection '{name}' used as expression operand",
            ERROR_QUERY_COLLECTION_USED_IN_EXPRESSION,
        )

    _CollectionParam = _CollectionRef

    def _ArrayLit(self, node: A.ArrayLit) -> Expr:
        items = [self.compile(item) for item in node.items]
        if all(isinstance(item, A.Literal) for item in node.items):
            constant = [item.value for item in node.items]  # type: ignore[attr-defined]
            return lambda f: constant
        reads = [self._simple_read(item) for item in node.items]
        if all(read is not None for read in reads):
            return _array_of_reads(reads)  # type: ignore[arg-type]
        return lambda f: [item(f) for item in items]

    def _simple_read(self, node: A.Node) -> tuple[int, str | int | None] | None:
        """(slot, attribute name, item position or None) when ``node`` is ``var``,
        ``var.name`` or a position read (see :meth:`substituting`)."""
        if id(node) in self.overrides:
            return None
        position = self.positions.get(id(node)) if self.positions else None
        if position is not None:
            return position
        if isinstance(node, A.Var):
            return node.var.slot, None
        base = node.obj if isinstance(node, A.AttributeAccess) else None
        if isinstance(base, A.Var) and id(base) not in self.overrides:
            return base.var.slot, node.name  # type: ignore[attr-defined]
        return None

    def _ObjectLit(self, node: A.ObjectLit) -> Expr:
        parts: list[tuple[str | Expr, Expr]] = []
        dynamic = False
        for key, value in node.items:
            if isinstance(key, str):
                if any(k == key for k, _ in parts):
                    continue  # as in ArangoDB, the first occurrence of a name wins
                parts.append((key, self.compile(value)))
            else:
                dynamic = True
                parts.append((self.compile(key), self.compile(value)))
        if not dynamic:
            static = [(k, v) for k, v in parts]

            def build_static(f: Frame) -> dict[str, Any]:
                return {k: v(f) for k, v in static}  # type: ignore[misc]

            return build_static

        def build(f: Frame) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in parts:
                name = key if isinstance(key, str) else key(f)
                if not isinstance(name, str):
                    name = to_string(name)
                if name not in out:
                    out[name] = value(f)
            return out

        return build

    # ------------------------------------------------------------------ access

    def _AttributeAccess(self, node: A.AttributeAccess) -> Expr:
        path = [node.name]
        base: A.Node = node.obj
        while isinstance(base, A.AttributeAccess):
            path.append(base.name)
            base = base.obj
        path.reverse()
        if isinstance(base, A.Var) and id(base) not in self.overrides and len(path) <= 2:
            return _variable_attribute(base.var.slot, path)
        if isinstance(base, A.FunctionCall) and len(path) == 1:
            parsed = self._parsed_identifier(base, path[0])
            if parsed is not None:
                return parsed
        obj = self.compile(base)
        if len(path) == 1:
            name = path[0]

            def get1(f: Frame) -> Any:
                value = obj(f)
                return value.get(name) if type(value) is dict else None

            return get1
        if len(path) == 2:
            first, second = path

            def get2(f: Frame) -> Any:
                value = obj(f)
                if type(value) is not dict:
                    return None
                value = value.get(first)
                return value.get(second) if type(value) is dict else None

            return get2

        def get_path(f: Frame) -> Any:
            value = obj(f)
            for name in path:
                if type(value) is not dict:
                    return None
                value = value.get(name)
            return value

        return get_path

    def _parsed_identifier(self, call: A.FunctionCall, part: str) -> Expr | None:
        """``PARSE_IDENTIFIER(x).collection`` / ``.key`` without the intermediate object."""
        if call.name != "PARSE_IDENTIFIER" or len(call.args) != 1 or part not in _ID_PARTS:
            return None
        if isinstance(call.args[0], (A.CollectionRef, A.CollectionParam)):
            return None
        whole = self._FunctionCall(call)
        argument = self.compile(call.args[0])
        index = _ID_PARTS[part]

        def parsed_part(f: Frame) -> Any:
            value = argument(f)
            if type(value) is str and value.count("/") == 1:  # what PARSE_IDENTIFIER accepts
                return value.split("/")[index]
            parsed = whole(f)  # anything else: as the function answers (and warns)
            return parsed.get(part) if type(parsed) is dict else None

        return parsed_part

    def _BoundAttributeAccess(self, node: A.BoundAttributeAccess) -> Expr:
        obj = self.compile(node.obj)
        name = self.compile(node.name)

        def get(f: Frame) -> Any:
            key = name(f)
            value = obj(f)
            if isinstance(key, str):
                return get_attribute(value, key)
            if isinstance(key, list) and key and all(isinstance(k, str) for k in key):
                for k in key:
                    value = get_attribute(value, k)
                return value
            raise BindParameterError(
                "bind parameter for an attribute name must be a string or an array of strings",
                ERROR_QUERY_BIND_PARAMETER_TYPE,
            )

        return get

    def _Destructure(self, node: A.Destructure) -> Expr:
        obj = self.compile(node.obj)
        key = node.key
        if isinstance(key, int):
            return lambda f: _array_item(obj(f), key)
        return lambda f: get_attribute(obj(f), key)

    def _IndexAccess(self, node: A.IndexAccess) -> Expr:
        obj = self.compile(node.obj)
        index = self.compile(node.index)
        return lambda f: get_index(obj(f), index(f))

    def _Expansion(self, node: A.Expansion) -> Expr:
        source = self.compile(node.source)
        slot = node.var.slot
        depth = node.depth
        condition = self.compile(node.filter) if node.filter is not None else None
        offset = self.compile(node.limit_offset) if node.limit_offset is not None else None
        count = self.compile(node.limit_count) if node.limit_count is not None else None
        projection = node.projection
        identity = isinstance(projection, A.Var) and projection.var.slot == slot
        project = None if identity or projection is None else self.compile(projection)

        def expand(f: Frame) -> Any:
            items = source(f)
            if type(items) is not list:
                return [] if depth == 1 else None if items is None else []
            for _ in range(depth - 1):
                flat: list[Any] = []
                for item in items:
                    if type(item) is list:
                        flat.extend(item)
                    else:
                        flat.append(item)
                items = flat
            skip, take = 0, -1  # -1: no LIMIT
            if count is not None:
                # as ArangoDB: both cast to integers; a negative offset or a count
                # below 1 gives an empty array
                skip = _limit_int(offset(f)) if offset is not None else 0
                take = _limit_int(count(f))
                if skip < 0 or take <= 0:
                    return []
            out: list[Any] = []
            saved = f[slot]
            for item in items:
                f[slot] = item
                if condition is not None and not to_bool(condition(f)):
                    continue
                if skip > 0:
                    skip -= 1
                    continue
                if take == 0:
                    break
                out.append(item if project is None else project(f))
                take -= 1
            f[slot] = saved
            return out

        return expand

    def _QuestionExpansion(self, node: A.QuestionExpansion) -> Expr:
        source = self.compile(node.source)
        slot = node.var.slot
        condition = self.compile(node.filter) if node.filter is not None else None
        quantifier = node.quantifier
        kind = quantifier.kind if quantifier is not None else "ANY"
        operand = (
            self.compile(quantifier.operand)
            if quantifier is not None and quantifier.operand
            else None
        )
        operand_is_range = quantifier is not None and isinstance(quantifier.operand, A.Range)
        low = self.compile(quantifier.operand.low) if operand_is_range else None  # type: ignore[union-attr]
        high = self.compile(quantifier.operand.high) if operand_is_range else None  # type: ignore[union-attr]

        def question(f: Frame) -> bool:
            items = source(f)
            if type(items) is not list:
                return False
            matches = 0
            saved = f[slot]
            for item in items:
                f[slot] = item
                if condition is None or to_bool(condition(f)):
                    matches += 1
            f[slot] = saved
            total = len(items)
            if kind == "ANY":
                return matches > 0
            if kind == "ALL":
                return matches == total
            if kind == "NONE":
                return matches == 0
            if kind == "AT LEAST":
                return matches >= to_number(operand(f)) if operand else False
            if low is not None and high is not None:
                return to_number(low(f)) <= matches <= to_number(high(f))
            return matches == to_number(operand(f)) if operand else False

        return question

    # ------------------------------------------------------------------ calls

    def _FunctionCall(self, node: A.FunctionCall) -> Expr:
        spec = lookup(node.name)
        assert spec is not None
        impl = spec.impl
        if node.name == "DOCUMENT":
            self.check_read("DOCUMENT()", None)
        args: list[Expr] = []
        for arg in node.args:
            if isinstance(arg, (A.CollectionRef, A.CollectionParam)):
                name = self.resolve_collection(arg)
                args.append(_collection_argument(name, node.name in _COLLECTION_NAME_FUNCTIONS))
            else:
                args.append(self.compile(arg))
        if len(args) == 1:
            only = args[0]
            return lambda f: impl(f[0], only(f))
        if len(args) == 2:
            first, second = args
            return lambda f: impl(f[0], first(f), second(f))
        return lambda f: impl(f[0], *[a(f) for a in args])

    def _Subquery(self, node: A.Subquery) -> Expr:
        run = self.compile_subquery(node.query)
        return lambda f: run(f)

    # ------------------------------------------------------------------ operators

    def _Unary(self, node: A.Unary) -> Expr:
        operand = self.compile(node.operand)
        if node.op == "NOT":
            return lambda f: not to_bool(operand(f))
        if node.op == "-":
            return lambda f: normalize_number(-to_number(operand(f)))
        return lambda f: to_number(operand(f))

    def _Logical(self, node: A.Logical) -> Expr:
        left = self.compile(node.left)
        right = self.compile(node.right)
        if node.op == "AND":

            def conj(f: Frame) -> Any:
                value = left(f)
                return right(f) if to_bool(value) else value

            return conj

        def disj(f: Frame) -> Any:
            value = left(f)
            return value if to_bool(value) else right(f)

        return disj

    def _Ternary(self, node: A.Ternary) -> Expr:
        condition = self.compile(node.condition)
        otherwise = self.compile(node.otherwise)
        if node.then is None:

            def shortcut(f: Frame) -> Any:
                value = condition(f)
                return value if to_bool(value) else otherwise(f)

            return shortcut
        then = self.compile(node.then)
        return lambda f: then(f) if to_bool(condition(f)) else otherwise(f)

    def _Range(self, node: A.Range) -> Expr:
        low = self.compile(node.low)
        high = self.compile(node.high)

        def range_list(f: Frame) -> list[int]:
            values = range_values(low(f), high(f), f[0])
            budget = f[0].budget
            if budget.counts_memory:
                budget.check_room(LIST_BYTES + INT_ITEM_BYTES * len(values))
            return list(values)

        return range_list

    def _Binary(self, node: A.Binary) -> Expr:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        if op == "==":
            return lambda f: equal(left(f), right(f))
        if op == "!=":
            return lambda f: not equal(left(f), right(f))
        if op in _ORDERINGS:
            return _ordering(op, left, right)
        if op in ("IN", "NOT IN"):
            negate = op == "NOT IN"
            if isinstance(node.right, A.ArrayLit) and all(
                isinstance(i, A.Literal) for i in node.right.items
            ):
                keys = {hashable(i.value) for i in node.right.items}  # type: ignore[attr-defined]
                return lambda f: (hashable(left(f)) in keys) != negate

            def contains(f: Frame) -> bool:
                value = left(f)
                haystack = right(f)
                if type(haystack) is not list:
                    return negate
                if type(value) is str:  # Python's == on a string is AQL's: same type, same text
                    return (value in haystack) != negate
                return any(equal(value, item) for item in haystack) != negate

            return contains
        return self._arithmetic(op, left, right)

    def _arithmetic(self, op: str, left: Expr, right: Expr) -> Expr:
        if op == "+":
            return lambda f: normalize_number(to_number(left(f)) + to_number(right(f)))
        if op == "-":
            return lambda f: normalize_number(to_number(left(f)) - to_number(right(f)))
        if op == "*":
            return lambda f: _checked(f, to_number(left(f)) * to_number(right(f)))

        def divide(f: Frame) -> Any:
            a = to_number(left(f))
            b = to_number(right(f))
            if b == 0:
                f[0].warn(ERROR_QUERY_DIVISION_BY_ZERO, "division by zero")
                return None
            if op == "/":
                return _checked(f, a / b)
            return _checked(f, math.fmod(a, b))

        return divide

    def _ArrayComparison(self, node: A.ArrayComparison) -> Expr:
        left = self.compile(node.left)
        right = self.compile(node.right)
        kind = node.quantifier.kind
        at_least = (
            self.compile(node.quantifier.operand) if node.quantifier.operand is not None else None
        )
        test = _comparison_test(node.op)

        def quantified(f: Frame) -> bool:
            items = left(f)
            if type(items) is not list:
                return False
            other = right(f)
            matches = sum(1 for item in items if test(item, other))
            if kind == "ALL":
                return matches == len(items)
            if kind == "ANY":
                return matches > 0
            if kind == "NONE":
                return matches == 0
            needed = to_number(at_least(f)) if at_least is not None else 0
            return matches >= needed

        return quantified


_ID_PARTS = {"collection": 0, "key": 1}


def _array_of_reads(reads: list[tuple[int, str | int | None]]) -> Expr:
    """``[a, b.c, ...]`` of variables, their attributes and position reads: one loop,
    no call per item; consecutive position reads of one record are one ``itemgetter``."""
    # (slot, None or an attribute name, 0) or (slot, positions, how many)
    runs: list[tuple[int, Any, int]] = []
    for slot, name in reads:
        if type(name) is not int:
            runs.append((slot, name, 0))
        elif runs and runs[-1][0] == slot and runs[-1][2]:
            runs[-1] = (slot, [*runs[-1][1], name], runs[-1][2] + 1)
        else:
            runs.append((slot, [name], 1))
    steps = [(slot, _getter(read) if n else read, n) for slot, read, n in runs]

    def array(f: Frame) -> list[Any]:
        out: list[Any] = []
        for slot, name, count in steps:
            value = f[slot]
            if count:  # items of a record (None: of a missing vertex, all null)
                if value is None:
                    out.extend([None] * count)
                elif count == 1:
                    out.append(name(value))
                else:
                    out.extend(name(value))
            elif name is None:
                out.append(value)
            else:
                out.append(value.get(name) if type(value) is dict else None)
        return out

    return array


def _getter(positions: list[int]) -> Callable[[list[Any]], Any]:
    """The items of a list at ``positions`` (one: the item, more: a tuple of them)."""
    return itemgetter(*positions)


def _item_read(slot: int, index: int) -> Expr:
    def item(f: Frame) -> Any:
        found = f[slot]
        return None if found is None else found[index]

    return item


def _variable_attribute(slot: int, path: list[str]) -> Expr:
    """``var.a`` / ``var.a.b``: one call per read (the most common expression)."""
    if len(path) == 1:
        name = path[0]

        def get_attribute1(f: Frame) -> Any:
            value = f[slot]
            return value.get(name) if type(value) is dict else None

        return get_attribute1
    first, second = path

    def get_attribute2(f: Frame) -> Any:
        value = f[slot]
        if type(value) is not dict:
            return None
        value = value.get(first)
        return value.get(second) if type(value) is dict else None

    return get_attribute2


# comparison operator -> (Python's operator for two numbers, the test of compare()'s answer)
_ORDERINGS: dict[str, tuple[Callable[[Any, Any], bool], Callable[[int], bool]]] = {
    "<": (operator.lt, lambda c: c < 0),
    "<=": (operator.le, lambda c: c <= 0),
    ">": (operator.gt, lambda c: c > 0),
    ">=": (operator.ge, lambda c: c >= 0),
}


def _ordering(op: str, left: Expr, right: Expr) -> Expr:
    """``<`` ... ``>=``: two numbers compared directly, anything else in AQL's type order."""
    numbers, test = _ORDERINGS[op]

    def ordered(f: Frame) -> bool:
        a = left(f)
        b = right(f)
        ta = type(a)
        tb = type(b)
        if (ta is int or ta is float) and (tb is int or tb is float):
            return numbers(a, b)
        return test(compare(a, b))

    return ordered


def _array_item(value: Any, position: int) -> Any:
    return value[position] if type(value) is list and position < len(value) else None


def _collection_argument(name: str, by_name: bool) -> Expr:
    """A collection passed to a function: its name, or all of its documents."""
    if by_name:
        return lambda f: name
    return lambda f: f[0].collection_documents(name)


def _checked(f: Frame, value: int | float) -> Any:
    result = normalize_number(value)
    if result is None:
        f[0].warn(ERROR_QUERY_INVALID_ARITHMETIC_VALUE, "invalid arithmetic value")
    return result


def _comparison_test(op: str) -> Callable[[Any, Any], bool]:
    if op == "==":
        return equal
    if op == "!=":
        return lambda a, b: not equal(a, b)
    if op == "<":
        return lambda a, b: compare(a, b) < 0
    if op == "<=":
        return lambda a, b: compare(a, b) <= 0
    if op == ">":
        return lambda a, b: compare(a, b) > 0
    if op == ">=":
        return lambda a, b: compare(a, b) >= 0
    if op == "IN":
        return lambda a, b: type(b) is list and any(equal(a, x) for x in b)
    return lambda a, b: not (type(b) is list and any(equal(a, x) for x in b))


def _limit_int(value: Any) -> int:
    """An inline LIMIT's offset or count as an integer (AqlValue::toInt64)."""
    number = to_number(value)
    if number != number or number in (float("inf"), float("-inf")):
        return 0
    return int(number)
