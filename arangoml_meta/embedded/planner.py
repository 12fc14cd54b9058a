"""Index selection and filter push-down for collection scans.

``FOR d IN coll FILTER d.a.b == @x`` should not decode every document in
Python. :func:`plan_scan` looks at the FILTER conditions that directly follow
a FOR over a collection, picks the conjuncts of the form ``d.path OP value``
(``value`` not depending on ``d``; names in the path may be bind parameters,
``d.@attr``), and turns them into SQL over the stored
document: the primary key for ``_key`` / ``_id``, the edge index for ``_from`` /
``_to``, the ``rev`` column for ``_rev`` (a path below a system attribute is
missing: its condition is a constant), and typed ``json_type`` /
``json_extract`` expressions for any other path — the same expressions the persistent indexes are built on, so SQLite
uses an index when one exists (paths no index leads with get cheaper SQL that
parses each document once, mostly). The SQL honours AQL's type order
(``d.a > 5`` also matches strings, arrays and objects). Where it is exact —
equality with null, a boolean, a number or a string, a range over numbers,
``IN`` over such values — the FILTER does not run again in Python for that
conjunct; otherwise the SQL only narrows the scan and Python decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..aql import ast as A
from .documents import split_id
from .layout import CollectionInfo, json_path
from .values import compare, to_bool

Frame = list[Any]
Compile = Callable[[A.Node], Callable[[Frame], Any]]
# a geo index's narrowing of one FILTER conjunct, per execution (``geo_search.py``)
GeoNarrowing = Callable[[Frame], "Pushed | None"]
# finds the narrowing of a conjunct, if a geo index has one (``geo_search.geo_search``)
GeoFinder = Callable[[CollectionInfo, A.Node, int, Compile], "GeoNarrowing | None"]

_FLIPPED = {"==": "==", "<": ">", ">": "<", "<=": ">=", ">=": "<=", "IN": "IN"}
_NUMBER = "('integer','real')"
_BELOW_NUMBERS = "('null','true','false')"
_ABOVE_NUMBERS = "('text','array','object')"


def _conjuncts(node: A.Node) -> list[A.Node]:
    if isinstance(node, A.Logical) and node.op == "AND":
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def attribute_path(node: A.Node, slot: int) -> list[str | A.Node] | None:
    """``d.a.@p`` → ``["a", <@p>]`` when ``d`` is the variable in ``slot``.

    A name given by an expression (``d.@p``: a bind parameter) is resolved per
    execution, see :func:`resolve_path`.
    """
    path: list[str | A.Node] = []
    while isinstance(node, (A.AttributeAccess, A.BoundAttributeAccess)):
        path.append(node.name)
        node = node.obj
    if isinstance(node, A.Var) and node.var.slot == slot and path:
        path.reverse()
        return path
    return None


def _is_name(name: Any) -> bool:
    """Whether ``x.@p`` accepts this value of ``@p``: a name, or a path of names."""
    if type(name) is str:
        return True
    return type(name) is list and bool(name) and all(type(n) is str for n in name)


def resolve_path(parts: list[str | Callable[[Frame], Any]], frame: Frame) -> list[str] | None:
    """The attribute path, names from expressions filled in; None when one is not a name.

    As ``d.@p`` reads it: a string names one attribute, an array of strings a
    path. Anything else is an error the FILTER raises when it runs in Python.
    """
    path: list[str] = []
    for part in parts:
        if type(part) is str:
            path.append(part)
            continue
        assert callable(part)
        name = part(frame)
        if not _is_name(name):
            return None
        if type(name) is str:
            path.append(name)
        else:
            path.extend(name)
    return path


# operators whose value may be taken once before the scan: they neither warn nor fail
# (``*`` warns on overflow, ``/`` and ``%`` on a zero divisor)
_QUIET_ARITHMETIC = frozenset(("+", "-"))


def independent(node: A.Node, slot: int) -> bool:
    """Whether ``node`` can be evaluated before the scan (no reference to the loop variable,
    nothing that can warn: ``d.n < @lo + 10`` narrows the scan in SQL too)."""
    allowed = (A.Literal, A.BindParam, A.Var, A.AttributeAccess, A.IndexAccess, A.ArrayLit, A.Unary)
    for sub in node.find_all(A.Node):
        if isinstance(sub, A.Binary) and sub.op in _QUIET_ARITHMETIC:
            continue
        if not isinstance(sub, allowed):
            return False
        if isinstance(sub, A.Var) and sub.var.slot == slot:
            return False
    return True


# comparisons never warn nor fail, whatever they compare
_QUIET_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">=", "IN", "NOT IN"))


def _quiet_independent(node: A.Node, slot: int) -> bool:
    """Whether ``node`` is :func:`independent` of the loop variable, comparisons and
    ``AND`` / ``OR`` of such values allowed too (``@text == null``)."""
    parts = [node]
    while parts:
        part = parts.pop()
        if isinstance(part, A.Logical) or (
            isinstance(part, A.Binary) and part.op in _QUIET_COMPARISONS
        ):
            parts += [part.left, part.right]
        elif not independent(part, slot):
            return False
    return True


def _leading_disjunct(node: A.Node) -> A.Node | None:
    """``a`` of ``a OR b OR ...``; None when ``node`` is no ``OR``."""
    if not (isinstance(node, A.Logical) and node.op == "OR"):
        return None
    while isinstance(node, A.Logical) and node.op == "OR":
        node = node.left
    return node


def safe_path(path: list[str]) -> bool:
    """Whether each name of ``path`` can be quoted in a SQLite JSON path."""
    return all(name and '"' not in name and "\\" not in name for name in path)


# numbers whose comparisons SQLite and Python both make exactly (and SQLite can bind)
EXACT_LIMIT = 2**53


def _indexed(info: CollectionInfo, path: list[str]) -> bool:
    """Whether a persistent index leads with ``path`` (its expressions are the typed ones)."""
    return any(index.fields[0].split(".") == path for index in info.indexes)


def pushdown(
    info: CollectionInfo,
    path: list[str],
    op: str,
    value: Any,
    indexed: bool | None = None,
) -> tuple[str, list[Any], bool] | None:
    """SQL for ``d.path OP value``: (where, params, exact), or None when it cannot be pushed.

    The SQL holds for every document satisfying the condition; when ``exact``
    it holds for no other, so the FILTER need not run again in Python.
    ``indexed``: whether a persistent index leads with ``path`` (a quotable one), when
    the caller knows (a compiled scan does, see :class:`ScanPlan`).
    """
    if op == "IN":
        if not isinstance(value, list) or not value or len(value) > 500:
            return None
        parts: list[str] = []
        params: list[Any] = []
        exact = True
        for item in value:
            sql = pushdown(info, path, "==", item, indexed)
            if sql is None:
                return None
            parts.append(sql[0])
            params.extend(sql[1])
            exact = exact and sql[2]
        return "(" + " OR ".join(parts) + ")", params, exact
    if path[0] in info.system:
        return _system_sql(info, path, op, value)
    if indexed is None:
        if not safe_path(path):
            return None
        indexed = _indexed(info, path)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number and abs(value) >= EXACT_LIMIT:
        return None  # beyond what SQLite binds / compares exactly: Python decides
    if op == "==":
        if value is not None and not is_number and not isinstance(value, (bool, str)):
            return None
    elif not is_number:
        return None
    if indexed:
        where, bound, exact = _typed_sql(info, path, op, value, is_number)
        if op == "==" and value is not None and _sparse(info, path):
            # SQLite uses a partial index only when the query states its condition
            where += f" AND {info.typed_value_sql(path)[0]} <> 'null'"
        return where, bound, exact
    return _plain_sql(path, op, value, is_number)


def _sparse(info: CollectionInfo, path: list[str]) -> bool:
    """Whether a sparse index of the single field ``path`` exists."""
    return any(i.sparse and [f.split(".") for f in i.fields] == [path] for i in info.indexes)


_HOLDS = {
    "==": lambda order: order == 0,
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
    ">": lambda order: order > 0,
    ">=": lambda order: order >= 0,
}


def _system_sql(
    info: CollectionInfo, path: list[str], op: str, value: Any
) -> tuple[str, list[Any], bool] | None:
    """``d.path OP value`` for a system attribute (a string, in a column) or a path below one."""
    if len(path) == 1 and type(value) is str:
        if op != "==":
            # SQLite does not order strings as AQL does: Python decides. A ``_key`` range
            # is kept (SQL that narrows nothing) for a read of the primary index in its
            # order to start or stop at it (see index_sort.py)
            return ("1", [], False) if path[0] == "_key" else None
        if path[0] == "_id":
            parts = split_id(value)
            if parts is None or parts[0] != info.name:
                return "0", [], True
            return "key = ?", [parts[1]], True  # the primary index
        return f"{info.system_sql(path[0])} = ?", [value], True
    # a constant: null below a system attribute, or some string against a value of another type
    known = None if len(path) > 1 else ""
    return ("1" if _HOLDS[op](compare(known, value)) else "0"), [], True


def _typed_sql(
    info: CollectionInfo, path: list[str], op: str, value: Any, is_number: bool
) -> tuple[str, list[Any], bool]:
    """The conditions over the expressions persistent indexes are built on (SQLite uses them)."""
    type_sql, value_sql = info.typed_value_sql(path)
    if op == "==":
        if value is None:
            return f"{type_sql} = 'null'", [], True
        if isinstance(value, bool):
            return f"{type_sql} = '{'true' if value else 'false'}'", [], True
        if is_number:
            return f"{type_sql} IN {_NUMBER} AND {value_sql} = ?", [value], True
        return f"{type_sql} = 'text' AND {value_sql} = ?", [value], True
    if op in ("<", "<="):
        return (
            f"({type_sql} IN {_BELOW_NUMBERS} OR ({type_sql} IN {_NUMBER} AND {value_sql} {op} ?))",
            [value],
            True,
        )
    return (
        f"({type_sql} IN {_ABOVE_NUMBERS} OR ({type_sql} IN {_NUMBER} AND {value_sql} {op} ?))",
        [value],
        True,
    )


def _plain_sql(
    path: list[str], op: str, value: Any, is_number: bool
) -> tuple[str, list[Any], bool]:
    """The same conditions with one JSON parse per document for most of them (no index to use).

    ``json_extract`` gives null for a missing attribute, 1 / 0 for true / false
    and text for strings, arrays and objects; SQLite orders numbers before
    text, which is AQL's order. ``json_type`` sorts out the booleans and text.
    """
    p = json_path(path).replace("'", "''")
    x = f"json_extract(doc, '{p}')"
    t = f"json_type(doc, '{p}')"
    if op == "==":
        if value is None:
            return f"{x} IS NULL", [], True
        if isinstance(value, bool):
            return f"{t} = '{'true' if value else 'false'}'", [], True
        if is_number:
            return f"({x} = ? AND {t} IN {_NUMBER})", [value], True
        return f"({x} = ? AND {t} = 'text')", [value], True
    if op in ("<", "<="):
        return f"(ifnull({x} {op} ?, 1) OR {t} IN ('true','false'))", [value], True
    return f"({x} {op} ? AND {t} NOT IN ('true','false'))", [value], True


def condition_sql(
    info: CollectionInfo, path: list[str], op: str, value: Any
) -> tuple[str, list[Any]] | None:
    """SQL that every document satisfying ``d.path OP value`` also satisfies, or None."""
    sql = pushdown(info, path, op, value)
    return None if sql is None else (sql[0], sql[1])


@dataclass
class Conjunct:
    """One ``AND``-ed part of the FILTERs after a FOR: its check, and how to push it down."""

    node: A.Node
    check: Callable[[Frame], Any]
    # set when the conjunct is ``d.path OP value`` (names given by expressions compiled)
    path: list[str | Callable[[Frame], Any]] | None = None
    op: str = ""
    value: Callable[[Frame], Any] | None = None
    # a path of fixed names, known when compiled: the names, and whether an index leads
    # with them (None: not a quotable path, see pushdown)
    fixed: list[str] | None = None
    indexed: bool | None = None
    # ``guard OR ...`` whose first part does not read the loop variable: when it holds
    # in an execution, so does the conjunct for every document (the rest is never read)
    guard: Callable[[Frame], Any] | None = None


@dataclass
class Pushed:
    """A conjunct ``d.path OP value`` whose SQL narrows the scan, as it read this execution."""

    path: list[str]
    op: str
    value: Any
    sql: str
    params: list[Any]


def joined(pushed: list[Pushed]) -> tuple[str, list[Any]]:
    """The SQL of all the conditions (AND), and its parameters."""
    return " AND ".join(p.sql for p in pushed), [x for p in pushed for x in p.params]


@dataclass
class ScanFilter:
    """One execution's filtering of a scan: SQL, and what is left for Python."""

    pushed: list[Pushed]  # the conjuncts in SQL, exact or not
    residual: list[Conjunct]  # the conjuncts still to check in Python, in order
    _sql: tuple[str, list[Any]] | None = field(default=None, repr=False, compare=False)
    # what a scan derives from it, by what it reads (see scans.py): made once too
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def sql(self) -> tuple[str, list[Any]]:
        """:func:`joined` of :attr:`pushed` (made once: a filter may serve many scans)."""
        if self._sql is None:
            self._sql = joined(self.pushed)
        return self._sql


class ScanPlan:
    """Per execution: the SQL WHERE narrowing the scan, and the conjuncts Python must check.

    Conjuncts keep their order; one whose SQL is exact is left out of the
    Python check (it has no side effects: its value side is a plain constant,
    bind parameter or outer variable access, or a sum or difference of them).
    """

    def __init__(
        self,
        info: CollectionInfo,
        var: A.Variable,
        filters: list[A.Node],
        compile_expr: Callable[[A.Node], Callable[[Frame], Any]],
        geo_search: GeoFinder | None = None,
    ) -> None:
        self.info = info
        self.conjuncts: list[Conjunct] = []
        self.geo: list[GeoNarrowing] = []  # conjuncts a geo index narrows (geo_search.py)
        slot = var.slot
        for condition in filters:
            for node in _conjuncts(condition):
                conjunct = Conjunct(node, compile_expr(node))
                self.conjuncts.append(conjunct)
                if (
                    info.geo_indexes
                    and geo_search is not None
                    and (found := geo_search(info, node, slot, compile_expr))
                ):
                    self.geo.append(found)  # narrows the scan, and runs in Python too
                    continue
                guard = _leading_disjunct(node)
                if guard is not None and _quiet_independent(guard, slot):
                    conjunct.guard = compile_expr(guard)
                if not isinstance(node, A.Binary) or node.op not in _FLIPPED:
                    continue
                path = attribute_path(node.left, slot)
                other = node.right
                op = node.op
                if path is None and op != "IN":
                    path = attribute_path(node.right, slot)
                    other = node.left
                    op = _FLIPPED[op]
                if path is None or not independent(other, slot):
                    continue
                if not all(isinstance(p, str) or independent(p, slot) for p in path):
                    continue
                conjunct.path = [p if isinstance(p, str) else compile_expr(p) for p in path]
                conjunct.op, conjunct.value = op, compile_expr(other)
        self.pushable = [c for c in self.conjuncts if c.value is not None]
        # pushable with a path of fixed names only (no ``d.@p``)
        self.fixed = [
            c.path is not None and all(type(p) is str for p in c.path) for c in self.conjuncts
        ]
        for conjunct, fixed in zip(self.conjuncts, self.fixed, strict=True):
            if fixed:
                names = conjunct.fixed = [str(p) for p in conjunct.path or ()]
                if names[0] not in info.system and safe_path(names):
                    conjunct.indexed = _indexed(info, names)
        # every path of fixed names: nothing to resolve when a scan starts
        self.all_fixed = all(c.path is None or c.fixed is not None for c in self.conjuncts)
        self.fixed_paths = [c.fixed for c in self.conjuncts]
        # every attribute name the FILTERs take from an expression (``x.@p``, anywhere)
        self.bound_names: list[Callable[[Frame], Any]] | None = []
        for condition in filters:
            for access in condition.find_all(A.BoundAttributeAccess):
                if not independent(access.name, slot):
                    self.bound_names = None  # unknown before the scan: push fixed paths only
                    break
                if self.bound_names is not None:
                    self.bound_names.append(compile_expr(access.name))
        self._made: dict[str, ScanFilter] = {}  # see _by_values
        self.guarded = [c for c in self.conjuncts if c.guard is not None]

    def __call__(self, frame: Frame) -> ScanFilter:
        found = self._unguarded(frame)
        if self.guarded:
            held = [c for c in self.guarded if to_bool(c.guard(frame))]  # type: ignore[misc]
            if held:  # conjuncts true for every document: nothing to check
                residual = [c for c in found.residual if not any(c is h for h in held)]
                return ScanFilter(found.pushed, residual)
        return found

    def _unguarded(self, frame: Frame) -> ScanFilter:
        if not self.pushable:
            return ScanFilter(self._narrowed([], frame), self.conjuncts)
        paths: list[list[str] | None]
        if self.all_fixed and not self.bound_names:
            if not self.geo:
                return self._by_values(frame)
            paths = self.fixed_paths  # nothing to resolve: as compiled
        else:
            paths = [
                None if c.path is None else resolve_path(c.path, frame) for c in self.conjuncts
            ]
            if self.bound_names is None or not all(_is_name(n(frame)) for n in self.bound_names):
                # a bound name that is not one: only fixed paths narrow the scan (as they
                # always did), so that the FILTER meets the bad name where it did before, and
                # raises
                paths = [p if fixed else None for p, fixed in zip(paths, self.fixed, strict=True)]
        return self._filter(frame, paths, None)

    def _by_values(self, frame: Frame) -> ScanFilter:
        """The filter when the SQL depends on nothing but the values compared with (paths
        as compiled, no geo index): the same one for the same scalar values (it is not
        changed by its users), kept for the last :data:`_MADE_MAX` of them."""
        values = [c.value(frame) for c in self.pushable]  # type: ignore[misc]
        if not all(type(value) in _SCALARS for value in values):
            return self._filter(frame, self.fixed_paths, values)
        key = repr(values)  # tells 1, 1.0 and true apart
        found = self._made.get(key)
        if found is None:
            found = self._filter(frame, self.fixed_paths, values)
            if len(self._made) >= _MADE_MAX:
                self._made.clear()
            self._made[key] = found
        return found

    def _filter(
        self, frame: Frame, paths: list[list[str] | None], values: list[Any] | None
    ) -> ScanFilter:
        """What ``paths`` push down (``values``: those of the pushable conjuncts, in order,
        when known, else evaluated here) and what is left to Python."""
        residual: list[Conjunct] = []
        pushed: list[Pushed] = []
        info = self.info
        given = None if values is None else iter(values)
        for conjunct, path in zip(self.conjuncts, paths, strict=True):
            if path is not None:
                assert conjunct.value is not None
                value = conjunct.value(frame) if given is None else next(given)
                indexed = conjunct.indexed if path is conjunct.fixed else None
                sql = pushdown(info, path, conjunct.op, value, indexed)
                if sql is not None:
                    pushed.append(Pushed(path, conjunct.op, value, sql[0], sql[1]))
                    if sql[2]:
                        continue
            residual.append(conjunct)
        return ScanFilter(_between(info, self._narrowed(pushed, frame)), residual)

    def _narrowed(self, pushed: list[Pushed], frame: Frame) -> list[Pushed]:
        """``pushed`` and the SQL of the geo indexes' narrowing (in this execution)."""
        for search in self.geo:
            narrowed = search(frame)
            if narrowed is not None:
                pushed.append(narrowed)
        return pushed


_LOWER, _UPPER = (">", ">="), ("<", "<=")
# values whose pushed-down SQL a scan keeps (see ScanPlan._by_values), and for how many
_SCALARS = frozenset({str, int, float, bool, type(None)})
_MADE_MAX = 64


def _between(info: CollectionInfo, pushed: list[Pushed]) -> list[Pushed]:
    """``pushed`` with a lower and an upper bound on one indexed path as one range.

    Apart, ``d.n >= lo`` also holds for strings, arrays and objects and ``d.n <
    hi`` for null and booleans (AQL's type order), so SQLite reads the index
    from ``lo`` to its end and checks the upper bound row by row; together only
    numbers between them pass, one range of the index. The upper bound's SQL
    becomes ``1`` (it stays in the list: it is still the FILTER's condition).
    """
    if len(pushed) < 2:
        return pushed
    bounds: dict[tuple[str, ...], list[int]] = {}
    for i, p in enumerate(pushed):
        if p.op in _LOWER or p.op in _UPPER:
            bounds.setdefault(tuple(p.path), []).append(i)
    merged = list(pushed)
    for path, positions in bounds.items():
        lower = [i for i in positions if pushed[i].op in _LOWER]
        upper = [i for i in positions if pushed[i].op in _UPPER]
        if len(lower) != 1 or len(upper) != 1 or path[0] in info.system:
            continue
        if not _indexed(info, list(path)):
            continue
        low, high = pushed[lower[0]], pushed[upper[0]]
        type_sql, value_sql = info.typed_value_sql(list(path))
        sql = f"{type_sql} IN {_NUMBER} AND {value_sql} {low.op} ? AND {value_sql} {high.op} ?"
        merged[lower[0]] = Pushed(low.path, low.op, low.value, sql, [low.value, high.value])
        merged[upper[0]] = Pushed(high.path, high.op, high.value, "1", [])
    return merged


def plan_scan(
    info: CollectionInfo,
    var: A.Variable,
    filters: list[A.Node],
    compile_expr: Callable[[A.Node], Callable[[Frame], Any]],
    geo_search: GeoFinder | None = None,
) -> ScanPlan:
    """The :class:`ScanPlan` of a FOR over ``info`` followed by the FILTERs ``filters``;
    ``geo_search`` finds the conditions a geo index narrows (``geo_search.py``, which
    builds on this module: the caller passes it)."""
    return ScanPlan(info, var, filters, compile_expr, geo_search)
