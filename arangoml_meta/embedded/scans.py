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
  from the SQL rows;
- when a SORT and a LIMIT follow the FILTERs and a persistent index holds the
  first SORT key, the stage reads the rows in the index's order and stops
  early (see :mod:`index_sort`).

A collection the query also modifies is read into a list first (a snapshot);
a scan in index order needs none, as the SORT after it reads all of it before
anything downstream runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ERROR_QUERY_ACCESS_AFTER_MODIFICATION, QueryError
from . import ast as A
from .index_sort import OrderedRows, SortHint, index_order
from .planner import Conjunct, ScanFilter, plan_scan, resolve_path
from .projections import Path, Projection, VariableUsage, attribute_chain, minimal_paths
from .storage import CollectionInfo, Storage, decode
from .values import compare, to_bool

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
    sort: SortHint | None = None,
) -> Stage:
    """The stage (see the module docstring); with ``ret`` it also does the RETURN.

    ``sort``: the SORT and LIMIT that follow the FILTERs, if the stage may use them.
    """
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
            found = scan(frame)
            where, params, residual = found.where, found.params, found.residual
            chosen = projection(residual)
            if sort is not None:
                ordered = _in_index_order(storage, info, sort, found, chosen, frame)
                if ordered is not None:
                    yield from _checked(ordered, sort.more_keys, residual, slot, frame, value)
                    continue
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


@dataclass
class _Ordered:
    """A scan in the order of the first SORT key, and what to yield of it."""

    rows: OrderedRows
    build: Callable[[tuple[Any, ...]], Any]  # the document of a row
    wanted: int


def _in_index_order(
    storage: Storage,
    info: CollectionInfo,
    sort: SortHint,
    found: ScanFilter,
    chosen: Projection | None,
    frame: Frame,
) -> _Ordered | None:
    """The scan's rows in the order of the first SORT key, when an index gives it."""
    wanted = sort.wanted(frame)
    path = resolve_path(sort.path, frame)
    if wanted is None or path is None:
        return None
    order = index_order(info, path, found.pushed)
    if order is None:
        return None
    columns, build = ("doc", _decode_first) if chosen is None else (chosen.columns, chosen.build)
    rows = order.rows(storage, found.where, found.params, columns, sort.ascending(frame), wanted)
    return _Ordered(rows, build, wanted)


def _decode_first(row: tuple[Any, ...]) -> Any:
    return decode(row[0])


def _checked(
    ordered: _Ordered,
    more_keys: bool,
    residual: list[Conjunct],
    slot: int,
    frame: Frame,
    value: Callable[[Frame], Any] | None,
) -> Iterator[Any]:
    """The first ``wanted`` documents passing the residual FILTER, then the rest of the
    last one's run of equal first keys when more SORT keys follow (see :class:`SortHint`)."""
    checks = [c.check for c in residual]
    rows, build = ordered.rows, ordered.build
    produced = 0
    last: Any = None
    for key, seq in rows:
        if produced >= ordered.wanted and (not more_keys or compare(key, last) != 0):
            return
        frame[slot] = build(rows.row(seq))
        if checks and not all(to_bool(check(frame)) for check in checks):
            continue
        produced += 1
        last = key
        yield None if value is None else value(frame)


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
