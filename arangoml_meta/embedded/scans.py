"""The stage of a FOR over a collection, with its FILTERs and maybe its RETURN.

``FOR d IN coll FILTER c1 FILTER c2 ... [RETURN d.path]`` compiles to one
stage:

- the FILTERs' conjuncts that :mod:`planner` can express in SQL narrow the scan
  there, and those whose SQL is exact are not checked again in Python;
- when ``d`` is read only through attribute paths (in what is left of the
  FILTERs and everywhere else in the query), the scan selects just those
  paths and binds ``d`` to a small document holding them (see
  :mod:`projections`);
- when the pipeline ends in ``RETURN d.path`` right after the FILTERs and no
  conjunct is left for Python, the stage yields the returned values straight
  from the SQL rows.

A collection the query also modifies is read into a list first (a snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import ERROR_QUERY_ACCESS_AFTER_MODIFICATION, QueryError
from . import ast as A
from .planner import Conjunct, plan_scan
from .projections import Path, Projection, VariableUsage, attribute_chain, minimal_paths
from .storage import CollectionInfo
from .values import to_bool

if TYPE_CHECKING:
    from .executor import QueryCompiler

Frame = list[Any]
Stage = Callable[[Iterator[None], Frame], Iterator[Any]]


def returned_path(ret: A.Return | None, var: A.Variable) -> Path | None:
    """``RETURN var.a.b`` (not DISTINCT) → ("a", "b"); otherwise None."""
    if ret is None or ret.distinct or not isinstance(ret.expr, A.AttributeAccess):
        return None
    base, path = attribute_chain(ret.expr)
    return path if isinstance(base, A.Var) and base.var is var else None


def compile_collection_scan(
    compiler: QueryCompiler,
    op: A.ForIn,
    source: A.Node,
    filters: list[A.Node],
    ret: A.Return | None,
) -> Stage:
    """The stage (see the module docstring); with ``ret`` it also does the RETURN."""
    slot = op.var.slot
    name = compiler.resolve_collection(source)
    if name in compiler.modified:
        raise QueryError(
            f"access after data-modification by collection '{name}'",
            ERROR_QUERY_ACCESS_AFTER_MODIFICATION,
        )
    compiler.read_collections.add(name)
    storage = compiler.storage
    info = storage.collection(name)
    scan = plan_scan(info, op.var, filters, compiler.expr)
    assert compiler.usage is not None
    projection = _projections(compiler.usage, info, op.var, scan.pushable)
    snapshot = name in compiler.modified_anywhere
    value = compiler.expr(ret.expr) if ret is not None else None
    path = returned_path(ret, op.var)

    def for_collection(upstream: Iterator[None], frame: Frame) -> Iterator[Any]:
        for _ in upstream:
            where, params, residual = scan(frame)
            chosen = projection(residual)
            if chosen is not None and path is not None and not residual:
                read = chosen.reader(path)
                if read is not None:
                    rows: Any = storage.scan_rows(info, chosen.columns, where, params)
                    yield from map(read, list(rows) if snapshot else rows)
                    continue
            docs: Any
            if chosen is None:
                docs = storage.scan(info, where, params)
            else:
                docs = map(chosen.build, storage.scan_rows(info, chosen.columns, where, params))
            if snapshot:
                docs = list(docs)
            checks = [c.check for c in residual]
            for doc in docs:
                frame[slot] = doc
                if checks and not all(to_bool(check(frame)) for check in checks):
                    continue
                yield None if value is None else value(frame)

    return for_collection


def _projections(
    usage: VariableUsage, info: CollectionInfo, var: A.Variable, pushable: list[Conjunct]
) -> Callable[[list[Conjunct]], Projection | None]:
    """Per set of conjuncts left to Python: the projection the scan can use (None: whole)."""
    outside = usage.paths(var, exclude=[c.node for c in pushable])
    inside = {id(c): VariableUsage(c.node).paths(var) for c in pushable}
    chosen: dict[tuple[int, ...], Projection | None] = {}

    def projection(residual: list[Conjunct]) -> Projection | None:
        key = tuple(id(c) for c in residual)
        if key in chosen:
            return chosen[key]
        paths: set[Path] | None = None if outside is None else set(outside)
        for conjunct in residual:
            read = inside.get(id(conjunct), frozenset())
            if paths is None or read is None:
                paths = None
                break
            paths |= read
        minimal = None if paths is None else minimal_paths(paths, info.edge)
        result = None if minimal is None else Projection(info.name, info.edge, minimal)
        chosen[key] = result
        return result

    return projection
