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
  early (see :mod:`index_sort`); a SORT on one key without LIMIT, every row
  in that order, a batch at a time, instead of the SORT holding them all.

A collection the query also modifies is read into a list first (a snapshot):
in index order, just the rows the stage yields. Each scan, and each document
the stage looks at in Python, ticks the query's budget (its maxRuntime, see
:mod:`limits`). When the query counts ArangoDB's statistics, each run of the
stage tallies the rows it took and dropped and settles what ArangoDB's plan
would have read (see :mod:`statistics`); otherwise it counts nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from ..aql import ast as A
from ..errors import ERROR_QUERY_ACCESS_AFTER_MODIFICATION, QueryError
from .edge_lists import kept_scan
from .geo_nearest import nearest_order
from .geo_search import geo_search
from .index_sort import SortHint, index_order
from .planner import Conjunct, ScanFilter, plan_scan, resolve_path
from .projections import Path, Projection, VariableUsage, attribute_chain, minimal_paths
from .sorted_reads import OrderedRows, ordered_rows
from .statistics import (
    ScanTally,
    access_chooser,
    measured,
    read_paths,
    settle_ordered,
    settle_scan,
    snapshot_positions,
    sort_fields,
)
from .storage import CollectionInfo, Storage
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
    sorted_by: A.Sort | None = None,
) -> Stage:
    """The stage (see the module docstring); with ``ret`` it also does the RETURN.

    ``sort``: the SORT and LIMIT that follow the FILTERs, if the stage may use them;
    ``sorted_by``: the SORT that follows them (what the statistics count may depend on it).
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
    scan = plan_scan(info, op.var, filters, compiler.expr, geo_search)
    assert compiler.usage is not None
    projection = _projections(compiler.usage, info, op.var, scan.pushable)
    snapshot = name in compiler.modified_anywhere
    value = compiler.expr(ret.expr) if ret is not None else None
    path = returned_path(ret, op.var)
    nearest = None
    if sort is not None and sort.key is not None:
        nearest = nearest_order(info, sort.key, slot, compiler.expr)
    # what ArangoDB's plan reads of the documents, for the statistics
    read_by_query = read_paths(compiler.usage, op.var, compiler.key_reads)
    access_of = access_chooser(info, read_by_query, sort_fields(sorted_by, op.var))

    def scan_rows(frame: Frame, found: ScanFilter) -> Iterator[Any]:
        """The stage's output for one row from upstream, in insertion order."""
        stats = frame[0].budget.counters
        if stats is None:
            return rows_of(frame, found, None)
        access, tally = access_of(found.pushed), ScanTally()
        if snapshot:  # what the access reads, before the query's writes change it
            tally.positions = snapshot_positions(storage, info, access, found.pushed)
        return measured(
            lambda tally: rows_of(frame, found, tally),
            lambda tally: settle_scan(stats, storage, info, scan, access, found.pushed, tally),
            tally,
        )

    def ordered_rows_of(
        frame: Frame, make: Callable[[ScanTally | None], Iterator[Any]]
    ) -> Iterator[Any]:
        """The rows ``make`` takes from an index order (see :func:`_prefix`, :func:`_page`)."""
        stats = frame[0].budget.counters
        if stats is None:
            return make(None)
        assert sort is not None
        sort_path = resolve_path(sort.path, frame)
        return measured(
            make, lambda tally: settle_ordered(stats, info, scan, sort_path, read_by_query, tally)
        )

    def scanned(frame: Frame, found: ScanFilter, columns: str) -> Iterable[Any]:
        """The SQL rows of the scan: kept across queries while nothing is written (not
        for a collection the query writes, see ``edge_lists.kept_scan``)."""
        where, params = found.sql()
        if snapshot:
            return storage.scan_rows(info, columns, where, params)
        key = found.derived.get(columns)
        if key is None:
            # repr tells 1, 1.0 and true apart (a stricter key than equality only shares less)
            key = found.derived[columns] = (info.table, columns, where, repr(params))
        read = partial(storage.scan_rows, info, columns, where, params)
        return kept_scan(frame[0].kept(), key, read)

    def rows_of(frame: Frame, found: ScanFilter, tally: ScanTally | None) -> Iterator[Any]:
        """:func:`scan_rows`; ``tally`` counts the rows read and those Python drops."""
        residual = found.residual
        chosen = projection(residual)
        if chosen is not None and path is not None and not residual:
            read = chosen.reader(path)
            if read is not None:
                rows: Any = scanned(frame, found, chosen.columns)
                if snapshot:
                    rows = list(rows)
                yield from map(read, rows if tally is None else tally.reading(rows))
                return
        columns, build = (
            (info.columns, info.document) if chosen is None else (chosen.columns, chosen.build)
        )
        rows = scanned(frame, found, columns)
        if snapshot:
            rows = list(rows)
        docs = map(build, rows if tally is None else tally.reading(rows))
        checks = [c.check for c in residual]
        tick = frame[0].budget.tick
        for doc in docs:
            tick()
            frame[slot] = doc
            if checks and not all(to_bool(check(frame)) for check in checks):
                if tally is not None:
                    tally.dropped += 1
                continue
            yield None if value is None else value(frame)

    def in_order(
        frame: Frame, found: ScanFilter, wanted: int | None, batch: int
    ) -> OrderedRows | None:
        """The scan's rows in index order (``wanted`` None: all of them, streamed)."""
        assert sort is not None
        chosen = projection(found.residual)
        if sort.key is not None:  # a distance: nearest first through a geo index, if one
            if nearest is None or wanted is None:
                return None
            columns, build = _reading(info, chosen)
            ascending = sort.ascending(frame)
            return nearest.rows(storage, found, columns, build, ascending, frame, wanted, batch)
        return _in_index_order(storage, info, sort, found, chosen, frame, wanted, batch)

    def for_collection(upstream: Iterator[None], frame: Frame) -> Iterator[Any]:
        # under fullCount (counted) the scan reads everything: no early stop in index order
        early = sort is not None and not frame[0].budget.drains_final_limit
        wanted = _wanted(sort, frame) if early and sort is not None else None
        tick = frame[0].budget.tick
        for _ in upstream:
            tick()  # a scan per row from upstream: a product of scans is checked
            found = scan(frame)
            ordered = None if wanted is None else in_order(frame, found, wanted, wanted)
            if ordered is None:
                yield from scan_rows(frame, found)
                continue
            assert sort is not None and wanted is not None
            prefix = partial(
                _prefix, ordered, wanted, sort.more_keys, found.residual, slot, frame, value
            )
            yield from ordered_rows_of(frame, prefix)

    if sort is None or sort.finish is None:
        return for_collection
    finish, limits = sort.finish, sort.limits

    def streamed_rows_of(frame: Frame, found: ScanFilter, rows: OrderedRows) -> Iterator[None]:
        """Every row of an index order (see :func:`_every`); its statistics are a scan's
        (:func:`settle_scan`: the same rows in another order), or, when a reader stops
        before the end, the entries read (:func:`settle_ordered`)."""
        checks = [c.check for c in found.residual]
        stats = frame[0].budget.counters
        if stats is None:
            return _every(rows, checks, slot, frame)
        assert sort is not None
        access, tally = access_of(found.pushed), ScanTally()
        if snapshot:
            tally.positions = snapshot_positions(storage, info, access, found.pushed)
        sort_path = resolve_path(sort.path, frame)

        def settle(tally: ScanTally) -> None:
            if tally.done:
                settle_scan(stats, storage, info, scan, access, found.pushed, tally)
            else:
                settle_ordered(stats, info, scan, sort_path, read_by_query, tally)

        return measured(partial(_every, rows, checks, slot, frame), settle, tally)

    def sorted_stream(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
        """The SORT (no LIMIT): every row in index order, else the SORT stage's."""
        tick = frame[0].budget.tick
        for _ in upstream:
            tick()
            found = scan(frame)
            ordered = in_order(frame, found, None, 0)
            if ordered is None:
                yield from finish(scan_rows(frame, found), frame)
                continue
            rows = streamed_rows_of(frame, found, ordered)
            yield from _read_first(rows, slot, frame) if snapshot else rows

    if limits is None:
        return sorted_stream

    def sorted_and_limited(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
        assert sort is not None and value is None and limits is not None
        offset, count = limits(frame)  # first, as the LIMIT stage does
        early = not frame[0].budget.drains_final_limit  # see for_collection
        if count == 0 and early:
            return
        tick = frame[0].budget.tick
        for _ in upstream:
            tick()
            found = scan(frame)
            checks = [c.check for c in found.residual]
            # rows skipped by the offset are fetched only when a FILTER must see them
            ordered = (
                in_order(frame, found, offset + count, offset + count if checks else count)
                if early and not (checks and sort.exact_only)
                else None
            )
            if ordered is None:
                yield from finish(scan_rows(frame, found), frame)
                continue
            page = ordered_rows_of(
                frame, partial(_page, ordered, offset, count, checks, slot, frame)
            )
            yield from _read_first(page, slot, frame) if snapshot else page

    return sorted_and_limited


def _wanted(sort: SortHint, frame: Frame) -> int | None:
    assert sort.limits is not None  # a SORT without LIMIT is the stage's when one key
    try:
        offset, count = sort.limits(frame)
    except QueryError:
        return None  # the LIMIT stage raises it
    return offset + count


def _in_index_order(
    storage: Storage,
    info: CollectionInfo,
    sort: SortHint,
    found: ScanFilter,
    chosen: Projection | None,
    frame: Frame,
    wanted: int | None,
    batch: int,
) -> OrderedRows | None:
    """The scan's rows in the order of the first SORT key, when an index gives it
    (``wanted`` None: all of them, streamed; see :func:`ordered_rows`)."""
    path = resolve_path(sort.path, frame)
    if path is None:
        return None
    if path == ["_id"] and frame[0].budget.counters is None:
        # a collection's ids are its name and a slash before its keys (ASCII, see
        # collation.py): they sort as the keys, which the primary index holds (the
        # statistics count ArangoDB's plan, which sorts ids without it)
        path = ["_key"]
    order = index_order(info, path, found.pushed)
    if order is None:
        return None
    columns, build = _reading(info, chosen)
    return ordered_rows(order, storage, columns, build, sort.ascending(frame), wanted, batch)


def _reading(info: CollectionInfo, chosen: Projection | None) -> tuple[str, Callable[..., Any]]:
    """The columns a stage reads and how a document is made of them."""
    return (info.columns, info.document) if chosen is None else (chosen.columns, chosen.build)


def _prefix(
    rows: OrderedRows,
    wanted: int,
    more_keys: bool,
    residual: list[Conjunct],
    slot: int,
    frame: Frame,
    value: Callable[[Frame], Any] | None,
    tally: ScanTally | None = None,
) -> Iterator[Any]:
    """The first ``wanted`` documents passing the residual FILTER, then the rest of the
    last one's run of equal first keys when more SORT keys follow (see :class:`SortHint`).
    ``tally`` counts the index entries read and those the FILTER drops."""
    checks = [c.check for c in residual]
    produced = 0
    last: Any = None
    for key, seq in rows if tally is None else tally.reading(rows):
        if produced >= wanted and (not more_keys or compare(key, last) != 0):
            return
        frame[slot] = rows.document(seq)
        if checks and not all(to_bool(check(frame)) for check in checks):
            if tally is not None:
                tally.dropped += 1
            continue
        produced += 1
        last = key
        yield None if value is None else value(frame)


def _read_first(rows: Iterator[None], slot: int, frame: Frame) -> Iterator[None]:
    """``rows`` (each binding ``frame[slot]``), all read before the first is handed on:
    what comes next writes the collection they are read from."""
    for doc in [frame[slot] for _ in rows]:
        frame[slot] = doc
        yield None


def _every(
    rows: OrderedRows,
    checks: list[Callable[[Frame], Any]],
    slot: int,
    frame: Frame,
    tally: ScanTally | None = None,
) -> Iterator[None]:
    """Every document of ``rows`` that passes the residual FILTER, in their order
    (``tally``: see :func:`_prefix`)."""
    tick = frame[0].budget.tick
    for _, seq in rows if tally is None else tally.reading(rows):
        tick()
        frame[slot] = rows.document(seq)
        if checks and not all(to_bool(check(frame)) for check in checks):
            if tally is not None:
                tally.dropped += 1
            continue
        yield None


def _page(
    rows: OrderedRows,
    offset: int,
    count: int,
    checks: list[Callable[[Frame], Any]],
    slot: int,
    frame: Frame,
    tally: ScanTally | None = None,
) -> Iterator[None]:
    """What SORT and LIMIT give of a scan in the order of its only SORT key (``tally``:
    see :func:`_prefix`)."""
    passed = 0
    for _, seq in rows if tally is None else tally.reading(rows):
        if checks:
            frame[slot] = rows.document(seq)
            if not all(to_bool(check(frame)) for check in checks):
                if tally is not None:
                    tally.dropped += 1
                continue
        passed += 1
        if passed <= offset:
            continue
        if not checks:
            frame[slot] = rows.document(seq)
        yield None
        if passed == offset + count:
            return


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
