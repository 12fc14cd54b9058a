"""Projection analysis: which parts of a document a query actually reads.

``FOR r IN runs FILTER r.status == @s RETURN r._key`` reads ``r`` only through
the attribute paths ``status`` and ``_key``; there is no need to decode the
whole stored document. :class:`VariableUsage` walks a query once and records,
for every variable, each place that reads it: through a fixed attribute path
(``r.metrics.accuracy``) or as a whole value (``RETURN r``, ``MERGE(r, ...)``,
``r[@name]``, ``COLLECT ... INTO g`` capturing it, ...). Anything it does not
recognise counts as a whole read, so the analysis errs on the side of fetching
more.

:class:`Projection` turns a set of paths into SQL columns (the columns of
system attributes, ``key``, ``rev``, ``from_id`` / ``to_id``, and one
``json_extract`` over the stored JSON) and builds from a row a small document
holding just those paths. Reading any of those paths from it gives what
reading it from the full document gives. :func:`vertex_reader` does the same
in one SQL expression, for vertices of any collection.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import fields
from operator import itemgetter
from typing import Any

from ..aql import ast as A
from .layout import DOCUMENT_SYSTEM, EDGE_SYSTEM
from .storage import decode, json_path

Path = tuple[str, ...]
Row = tuple[Any, ...]

# (node class, field): fields whose Variables are declared there, not read
_DECLARATIONS = {
    ("ForIn", "var"),
    ("Expansion", "var"),
    ("QuestionExpansion", "var"),
    ("Traversal", "vertex"),
    ("Traversal", "edge"),
    ("Traversal", "path"),
    ("Traversal", "prune_var"),
    ("ShortestPath", "vertex"),
    ("ShortestPath", "edge"),
    ("PathEnumeration", "path"),
    ("Let", "var"),
    ("Aggregate", "var"),
    ("Collect", "groups"),
    ("Collect", "into"),
    ("Collect", "count_into"),
    ("Collect", "keep"),  # read only by INTO without an expression: see _walk_collect
    ("Collect", "visible_before"),
    ("Modification", "old_var"),
    ("Modification", "new_var"),
}

_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls))
        _FIELDS[cls] = names
    return names


def attribute_chain(node: A.AttributeAccess) -> tuple[A.Node, Path]:
    """``a.b.c`` → (``a``, ("b", "c")): the innermost object and the names applied to it."""
    names: list[str] = []
    base: A.Node = node
    while isinstance(base, A.AttributeAccess):
        names.append(base.name)
        base = base.obj
    names.reverse()
    return base, tuple(names)


class VariableUsage:
    """Every read of every variable in a query (see the module docstring).

    ``visit`` is called once for each node of the query (except the inner
    links of an attribute chain on a variable), so that other analyses can
    share the walk.
    """

    def __init__(self, root: A.Node, visit: Callable[[A.Node], None] | None = None) -> None:
        # variable -> (reading node or None for an implicit read, path or None for whole)
        self.reads: dict[A.Variable, list[tuple[A.Node | None, Path | None]]] = {}
        self._counted: set[int] = set()  # ids of attribute reads that are LENGTH()'s argument
        self._walk(root, visit)

    def _walk(self, root: A.Node, visit: Callable[[A.Node], None] | None) -> None:
        reads = self.reads
        stack: list[A.Node] = [root]
        while stack:
            node = stack.pop()
            if visit is not None:
                visit(node)
            if isinstance(node, A.AttributeAccess):
                base, path = attribute_chain(node)
                if isinstance(base, A.Var):
                    reads.setdefault(base.var, []).append((node, path))
                else:
                    stack.append(base)
                continue
            if isinstance(node, A.Var):
                reads.setdefault(node.var, []).append((node, None))
                continue
            cls = type(node)
            name = cls.__name__
            if name == "Collect":
                self._walk_collect(node)  # type: ignore[arg-type]
            elif name == "FunctionCall":
                self._note_counted(node)  # type: ignore[arg-type]
            for field_name in _field_names(cls):
                value = getattr(node, field_name)
                declared = (name, field_name) in _DECLARATIONS
                self._push(value, declared, stack)

    def _push(self, value: Any, declared: bool, stack: list[A.Node]) -> None:
        if isinstance(value, A.Node):
            stack.append(value)
        elif isinstance(value, A.Variable):
            if not declared:  # a field this analysis does not know: assume it reads the value
                self.reads.setdefault(value, []).append((None, None))
        elif isinstance(value, (list, tuple)):
            for item in value:
                self._push(item, declared, stack)
        elif isinstance(value, dict):
            for item in value.values():
                self._push(item, declared, stack)

    def _walk_collect(self, node: A.Collect) -> None:
        if node.into is not None and node.into_expr is None:
            captured = node.keep if node.keep is not None else node.visible_before
            for var in captured:
                self.reads.setdefault(var, []).append((None, None))

    def _note_counted(self, node: A.FunctionCall) -> None:
        if node.name in ("LENGTH", "COUNT") and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, A.AttributeAccess) and isinstance(arg.obj, A.Var):
                self._counted.add(id(arg))

    def counted_only(self, var: A.Variable, names: Iterable[str]) -> bool:
        """Whether every read of ``var`` is ``LENGTH(var.name)`` for one of ``names``.

        (A traversal's path read as ``LENGTH(p.edges)`` is the depth.)
        """
        allowed = {(name,) for name in names}
        return all(
            node is not None and id(node) in self._counted and path in allowed
            for node, path in self.reads.get(var, [])
        )

    def is_used(self, var: A.Variable | None) -> bool:
        return var is not None and bool(self.reads.get(var))

    def paths(self, var: A.Variable, exclude: Iterable[A.Node] = ()) -> frozenset[Path] | None:
        """The paths ``var`` is read through outside the ``exclude`` subtrees (None: whole)."""
        reads = self.reads.get(var, [])
        skip: Counter[int] = Counter()
        for subtree in exclude:
            inner = VariableUsage(subtree).reads.get(var, [])
            skip.update(id(node) for node, _ in inner)
        result: set[Path] = set()
        for node, path in reads:
            if node is not None and skip[id(node)] > 0:
                skip[id(node)] -= 1
                continue
            if path is None:
                return None
            result.add(path)
        return frozenset(result)


# --------------------------------------------------------------------------- projections

_ARROW = sqlite3.sqlite_version_info >= (3, 38, 0)  # `doc -> path` gives the value as JSON


def _safe(name: str) -> bool:
    return bool(name) and '"' not in name and "\\" not in name


def _column_attributes(edge: bool) -> frozenset[str]:
    return EDGE_SYSTEM if edge else DOCUMENT_SYSTEM


def minimal_paths(paths: Iterable[Path], edge: bool) -> frozenset[Path] | None:
    """The paths to fetch: prefixes cover longer paths; None when one cannot be expressed."""
    columns = _column_attributes(edge)
    wanted: set[Path] = set()
    for path in paths:
        if not path or not all(_safe(name) for name in path):
            return None
        # a system attribute is a string: anything below it reads null from the whole value
        wanted.add(path[:1] if path[0] in columns else path)
    return frozenset(p for p in wanted if not any(p[:i] in wanted for i in range(1, len(p))))


class Projection:
    """SQL columns for some attribute paths of a collection's documents, and the row builder."""

    def __init__(
        self,
        collection: str,
        edge: bool,
        paths: frozenset[Path],
        offset: int = 0,
        raw: bool = False,
    ) -> None:
        """``offset``: where the columns start in the rows ``build`` is given; ``raw``: read
        the stored JSON whole and take the paths from it in Python, only for the rows
        built (SQLite would parse it for every row read)."""
        columns = _column_attributes(edge)
        self.collection = collection
        self.paths = paths
        top = {p[0] for p in paths if len(p) == 1 and p[0] in columns}
        self.json_paths = sorted(p for p in paths if not (len(p) == 1 and p[0] in columns))
        select = ["key"]
        if "_rev" in top:
            select.append("rev")
        if "_from" in top:
            select.append("from_id")
        if "_to" in top:
            select.append("to_id")
        quoted = [json_path(p).replace("'", "''") for p in self.json_paths]
        # the last column: the value as JSON
        self.raw = raw and bool(quoted)
        self.single_json = len(quoted) == 1 and _ARROW and not self.raw
        self.json_sql: str | None = None
        if self.raw:
            self.json_sql = "doc"
        elif self.single_json:
            self.json_sql = f"doc -> '{quoted[0]}'"
        elif quoted:
            self.json_sql = _json_values_sql(quoted)  # several paths (or no `->`)
        if self.json_sql is not None:
            select.append(self.json_sql)
        self.columns = ", ".join(select)
        self.build = self._builder(collection, top, len(select) - 1, offset)
        self._readers: dict[Path, Callable[[Row], Any] | None] = {}

    def reader(self, path: Path) -> Callable[[Row], Any] | None:
        """A function reading ``path`` straight from a row, when that is simple (else None)."""
        if path not in self._readers:
            self._readers[path] = row_reader(self, path)
        return self._readers[path]

    def _builder(
        self, collection: str, top: set[str], json_column: int, offset: int
    ) -> Callable[[Row], Any]:
        want_key = "_key" in top
        want_id = "_id" in top
        prefix = collection + "/"
        k = offset
        if not self.json_paths and top <= {"_key", "_id"}:
            if not want_id:
                return lambda row: {"_key": row[k]}
            if not want_key:
                return lambda row: {"_id": prefix + row[k]}
            return lambda row: {"_key": row[k], "_id": prefix + row[k]}
        # after the key: rev, from_id, to_id (those wanted), in this order
        wanted = [name for name in ("_rev", "_from", "_to") if name in top]
        attributes = [(name, k + i) for i, name in enumerate(wanted, 1)]
        json_paths = self.json_paths
        make = document_of(json_paths)
        j = offset + json_column
        single = self.single_json
        pick = values_at(json_paths) if self.raw else None
        loads = decode

        def build(row: Row) -> dict[str, Any]:
            if not json_paths:
                out: dict[str, Any] = {}
            elif single:
                text = row[j]
                out = make([None if text is None else loads(text)])
            elif pick is not None:
                out = make(pick(loads(row[j])))
            else:
                out = make(loads(row[j]))
            key = row[k]
            if want_key:
                out["_key"] = key
            if want_id:
                out["_id"] = prefix + key
            for attribute, i in attributes:
                out[attribute] = row[i]
            return out

        return build


def _json_values_sql(quoted: list[str]) -> str:
    """One parse of ``doc``: a JSON array of the values at the (quoted) paths."""
    args = quoted if len(quoted) > 1 else quoted * 2  # one path alone gives its bare value
    return "json_extract(doc, " + ", ".join(f"'{q}'" for q in args) + ")"


def values_at(paths: list[Path]) -> Callable[[dict[str, Any]], list[Any]]:
    """``pick(document)``: the value at each of ``paths`` (null where there is none), as
    ``json_extract`` over the stored JSON gives them."""
    if all(len(path) == 1 for path in paths):
        names = [path[0] for path in paths]
        return lambda doc: [doc.get(name) for name in names]

    def pick(doc: dict[str, Any]) -> list[Any]:
        found = []
        for path in paths:
            value: Any = doc
            for name in path:
                value = value.get(name) if type(value) is dict else None
            found.append(value)
        return found

    return pick


def document_of(paths: list[Path]) -> Callable[[list[Any]], dict[str, Any]]:
    """``make(values)``: a new document holding each of ``paths`` set to its value, in order.

    Extra values are ignored (a single path is read twice to get a JSON array).
    """
    if all(len(path) == 1 for path in paths):
        names = [path[0] for path in paths]
        return lambda values: dict(zip(names, values, strict=False))

    def make(values: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, value in zip(paths, values, strict=False):
            target = out
            for step in path[:-1]:
                target = target.setdefault(step, {})
            target[path[-1]] = value
        return out

    return make


def row_reader(projection: Projection, path: Path) -> Callable[[Row], Any] | None:
    """Reads ``path`` straight from a row of ``projection`` (None: build the document)."""
    columns = projection.columns.split(", ")
    if path == ("_key",):
        return itemgetter(0)
    if path == ("_id",):
        prefix = projection.collection + "/"
        return lambda row: prefix + row[0]
    if path in (("_from",), ("_to",)) and path[0][1:] + "_id" in columns:
        return itemgetter(columns.index(path[0][1:] + "_id"))
    if path == ("_rev",) and "rev" in columns:
        return itemgetter(columns.index("rev"))
    if projection.json_paths == [path] and projection.single_json:
        index = len(columns) - 1
        loads = decode
        return lambda row: None if row[index] is None else loads(row[index])
    return None


def vertex_reader(paths: frozenset[Path]) -> tuple[str, Callable[[str, Any], dict[str, Any]]]:
    """SQL reading ``paths`` of a vertex row (never null, see ``Storage.vertex_rows``), and
    ``build(vertex id, its value)``: a document holding them.

    ``paths`` are minimal (see :func:`minimal_paths`) and hold no ``_from`` / ``_to``,
    which only an edge collection keeps in columns. The value is a JSON array of the
    paths read from ``doc``, after the revision and a space when ``_rev`` is read.
    """
    columns = _column_attributes(False)
    json_paths = sorted(p for p in paths if p[0] not in columns)
    quoted = [json_path(p).replace("'", "''") for p in json_paths]
    select = _json_values_sql(quoted) if quoted else "'[]'"
    want_rev = ("_rev",) in paths
    if want_rev:
        select = f"rev || ' ' || {select}"
    make = document_of(json_paths)
    want_key = ("_key",) in paths
    want_id = ("_id",) in paths
    loads = decode

    def build(vertex_id: str, value: Any) -> dict[str, Any]:
        if want_rev:
            rev, _, value = value.partition(" ")
        out = make(loads(value))
        if want_id:
            out["_id"] = vertex_id
        if want_key:
            out["_key"] = vertex_id.partition("/")[2]
        if want_rev:
            out["_rev"] = rev
        return out

    return select, build
