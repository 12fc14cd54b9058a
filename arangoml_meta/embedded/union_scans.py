"""A FOR over a UNION of collection scans: its FILTERs, SORT and LIMIT run in each scan.

A stored query's collections parameter (``FOR d IN @@types``) becomes
``FOR d IN UNION((FOR x0 IN c0 RETURN x0), (FOR x1 IN c1 RETURN x1), ...)``.
Run as written, every document of every collection is decoded before the
FILTERs look at it and the SORT keeps the best of them. Instead each
collection becomes a scan of its own, ``FOR d IN ci FILTER ... SORT ...
LIMIT 0, offset + count RETURN d``, read in turn: the FILTERs are pushed down
to SQL where they can be, ``d`` is bound to just the attributes the query
reads (``projections.py``), and a SORT on an attribute of ``d`` reads an index
in its order and stops early (``index_sort.py``). The SORT and LIMIT still run
after the union, over the few rows each scan gives.

The rows are the same in the same order: each scan keeps its rows' order
among equal SORT keys, as the SORT of the union does, and the first
``offset + count`` of the union are among the first ``offset + count`` of each
collection. Not for a query that writes (its subqueries read before its
writes), nor while statistics are counted (ArangoDB reads each subquery whole).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..aql import ast as A

if TYPE_CHECKING:
    from .executor import QueryCompiler

Frame = list[Any]
Stage = Callable[[Iterator[None], Frame], Iterator[Any]]


def union_subqueries(source: A.Node) -> list[A.Subquery] | None:
    """The subqueries of ``UNION((...), (...), ...)`` (two or more, nothing else); else None."""
    if not isinstance(source, A.FunctionCall) or source.name != "UNION" or len(source.args) < 2:
        return None
    if not all(isinstance(arg, A.Subquery) for arg in source.args):
        return None
    return list(source.args)  # type: ignore[arg-type]


def union_sources(source: A.Node) -> list[A.Node] | None:
    """The collections of ``UNION((FOR x IN c RETURN x), ...)`` (two or more); else None."""
    subqueries = union_subqueries(source)
    if subqueries is None:
        return None
    collections: list[A.Node] = []
    for arg in subqueries:
        ops = arg.query.operations
        if len(ops) != 2:
            return None
        loop, ret = ops
        if not (
            isinstance(loop, A.ForIn)
            and isinstance(loop.source, (A.CollectionRef, A.CollectionParam))
            and loop.options is None
            and loop.search is None
            and isinstance(ret, A.Return)
            and not ret.distinct
            and isinstance(ret.expr, A.Var)
            and ret.expr.var is loop.var
        ):
            return None
        collections.append(loop.source)
    return collections


def _pushed_limit(compiler: QueryCompiler, limit: A.Limit) -> A.Limit | None:
    """``LIMIT 0, offset + count`` for each scan (None when the values are not known
    before the query runs or are not valid: the LIMIT after the union reports them)."""
    if isinstance(limit.offset, A.Literal) and limit.offset.value == 0:
        return A.Limit(limit.offset, limit.count)  # the usual case: the count, bound as it runs
    if not all(isinstance(n, (A.Literal, A.BindParam)) for n in (limit.offset, limit.count)):
        return None
    offset, count = compiler.constant(limit.offset), compiler.constant(limit.count)
    if not all(type(v) in (int, float) and v >= 0 for v in (offset, count)):
        return None
    return A.Limit(A.Literal(0), A.Literal(int(offset) + int(count)))


def compile_union_scans(
    compiler: QueryCompiler,
    op: A.ForIn,
    filters: list[A.Node],
    following: list[A.Node],
    fallback: Stage,
) -> Stage | None:
    """The stage of ``op`` and its ``filters`` (see the module docstring), or None when
    ``op`` is not a FOR over a union of collection scans. ``following``: the (up to)
    two operations after the FILTERs; ``fallback``: the FOR stage as written, for a
    run that counts statistics (the FILTERs are run after it here)."""
    collections = union_sources(op.source)
    if collections is None or compiler.modified_anywhere:
        return None
    tail: list[A.Node] = []
    if len(following) == 2 and isinstance(following[0], A.Sort):
        sort, limit = following
        pushed = _pushed_limit(compiler, limit) if isinstance(limit, A.Limit) else None
        if pushed is not None:
            tail = [sort, pushed]
    # each scan binds the union's variable itself: the FILTERs and SORT read it as written
    compiler.index_order_when_exact = True
    try:
        runs = [
            compiler.pipeline(
                [
                    A.ForIn(op.var, collection),
                    *(A.Filter(condition) for condition in filters),
                    *tail,
                    A.Return(A.Var(op.var)),
                ]
            )
            for collection in collections
        ]
    finally:
        compiler.index_order_when_exact = False
    checks = [compiler.compile_filter(A.Filter(condition)) for condition in filters]
    scans = in_turn(runs, op.var.slot)

    def union_scans(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
        if frame[0].budget.counters is None:
            return scans(upstream, frame)
        stream = fallback(upstream, frame)
        for check in checks:
            stream = check(stream, frame)
        return stream

    return union_scans


def in_turn(runs: list[Callable[[Frame], Iterator[Any]]], slot: int) -> Stage:
    """For each row from upstream, the rows of each of ``runs`` in turn, bound to ``slot``
    as they come."""

    def rows_in_turn(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
        tick = frame[0].budget.tick
        for _ in upstream:
            for run in runs:
                for row in run(list(frame)):
                    tick()
                    frame[slot] = row
                    yield None

    return rows_in_turn
