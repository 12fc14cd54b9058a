"""Compile AQL operations into a lazy pipeline of generators, and run it.

Each operation becomes a stage ``stage(upstream, frame) -> iterator``: the
stage pulls from upstream, writes its variables into the shared frame and
yields once per output row, so ``LIMIT`` stops every scan above it. Stages that
need all their input (SORT, COLLECT, WINDOW) copy frames. A FOR over a
collection uses the primary, edge and persistent indexes and pushes simple
filters on attributes down to SQLite (see ``planner.py``); the FILTERs right
after it run in the same stage, and only their conjuncts whose SQL is not
exact run again in Python. A FOR or traversal variable read only through
attribute paths is bound to a document holding just those paths (see
``projections.py``). A compiled pipeline keeps no state between executions,
so the database may cache it (see ``prepared.py``). Counted statistics (see
``statistics.py``): the scans count what they read, a FILTER stage the rows it
drops, and under fullCount the final top-level LIMIT reads on to the end.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ..aql import ast as A
from ..errors import (
    ERROR_ARANGO_COLLECTION_TYPE_INVALID,
    ERROR_ARANGO_ILLEGAL_NAME,
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_ACCESS_AFTER_MODIFICATION,
    ERROR_QUERY_ARRAY_EXPECTED,
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    ERROR_QUERY_PARSE,
    AQLSyntaxError,
    BindParameterError,
    CollectionError,
    CollectionNotFoundError,
    GraphError,
    QueryError,
)
from . import graph_rules
from .aggregates import aggregator
from .documents import (
    split_id,
)
from .expressions import Expr, ExpressionCompiler, Frame, range_values
from .graph_view import EdgeSource, GraphView
from .index_sort import SortHint
from .limits import GROUP_BYTES, Held, Sampled, estimate_size, frame_size
from .path_conditions import leading_filters, path_conditions
from .planner import attribute_path
from .projections import Path, VariableUsage, minimal_paths
from .pushdown import following_rows, plan_rows
from .runtime import Runtime
from .scans import compile_collection_scan, returned_path
from .storage import Storage
from .traversal import (
    Step,
    TraversalOptions,
    all_shortest_paths,
    k_paths,
    k_shortest_paths,
    shortest_path,
    traverse,
)
from .union_scans import compile_union_scans, in_turn, union_subqueries
from .values import SortKey, hashable, to_bool
from .vertices import VertexLoader
from .walk_stage import compile_walk_stage
from .window import compile_window

Stage = Callable[[Iterator[None], Frame], Iterator[Any]]
Walk = tuple[str, int, int]  # a traversal's start vertex, min depth and max depth


class _Descending(SortKey):
    __slots__ = ()

    def __lt__(self, other: SortKey) -> bool:
        return other.value is not self.value and SortKey(other.value) < SortKey(self.value)


class QueryCompiler:
    """Compiles one parsed query (with its bind values) against a storage."""

    def __init__(
        self, storage: Storage, bind_vars: dict[str, Any], usage: VariableUsage | None = None
    ) -> None:
        self.storage = storage
        self.bind_vars = bind_vars
        self.usage = usage
        # bind parameter slots evaluated while compiling (a cached plan depends on them)
        self.compile_time_slots: set[int] = set()
        self.expressions = ExpressionCompiler(
            self.compile_subquery, self.resolve_collection, self.check_read
        )
        self.modified: set[str] = set()
        self.read_collections: set[str] = set()
        self.writes = False
        # ids of the bare variables that are an UPDATE / REPLACE / REMOVE key (statistics)
        self.key_reads: set[int] = set()
        # the LIMIT that reads its input to the end when statistics count ArangoDB's
        # fullCount (the last top-level one of a query that does not write)
        self.final_limit: A.Limit | None = None
        # whether scans being compiled read in index order only when SQL decides their
        # FILTERs (see SortHint.exact_only)
        self.index_order_when_exact = False
        # the variables of FORs over collections, in a query that does not write: each
        # holds a document that exists (a traversal starting at one need not look)
        self.stored_documents: set[A.Variable] = set()

    # ------------------------------------------------------------------ helpers

    def resolve_collection(self, node: A.Node) -> str:
        if isinstance(node, A.CollectionRef):
            name = node.name
        elif isinstance(node, A.CollectionParam):
            value = self.bind_vars.get("@" + node.name)
            if not isinstance(value, str):
                raise BindParameterError(
                    f"bind parameter '@@{node.name}' has an invalid value or type",
                    ERROR_QUERY_BIND_PARAMETER_TYPE,
                )
            name = value
        else:
            raise AQLSyntaxError("expecting a collection name", ERROR_QUERY_PARSE)
        if name == "":
            raise CollectionError("illegal collection name ''", ERROR_ARANGO_ILLEGAL_NAME)
        if not self.storage.has_collection(name):
            raise CollectionNotFoundError(f"collection or view not found: {name}")
        return name

    def check_read(self, reader: str, collection: str | None) -> None:
        """Refuse reading ``collection`` (None: any collection, as DOCUMENT() may) after writing it."""
        if (collection is None and self.modified) or collection in self.modified:
            raise QueryError(
                f"access after data-modification by {reader}",
                ERROR_QUERY_ACCESS_AFTER_MODIFICATION,
            )

    def expr(self, node: A.Node) -> Expr:
        return self.expressions.compile(node)

    def constant(self, node: A.Node | None, frame: Frame | None = None) -> Any:
        """Evaluate an expression that needs no row (options, bind parameters, literals)."""
        if node is None:
            return None
        self.compile_time_slots.update(p.slot for p in node.find_all(A.BindParam))
        probe: Frame = frame if frame is not None else self.frame_template
        return self.expr(node)(probe)

    # ------------------------------------------------------------------ entry points

    def compile_query(
        self,
        query: A.Query,
        frame_template: Frame,
        modifications: list[A.Modification] | None = None,
    ) -> Callable[[Frame], Iterator[Any]]:
        """The runnable pipeline; ``modifications`` are the query's (found here when None)."""
        self.frame_template = frame_template
        if self.usage is None:
            self.usage = VariableUsage(query)
        if modifications is None:
            modifications = list(query.find_all(A.Modification))
        # collections this query writes anywhere: scans of them read a snapshot
        self.modified_anywhere = {self.resolve_collection(m.collection) for m in modifications}
        self.key_reads = {id(m.key) for m in modifications if isinstance(m.key, A.Var)}
        if not modifications:
            limits = [op for op in query.operations if isinstance(op, A.Limit)]
            self.final_limit = limits[-1] if limits else None
        return self.pipeline(query.operations)

    def compile_subquery(self, query: A.Query) -> Callable[[Frame], list[Any]]:
        run = self.pipeline(query.operations)

        def subquery(frame: Frame) -> list[Any]:
            budget = frame[0].budget
            if not budget.counts_memory:
                return list(run(list(frame)))
            # its rows count while it is built (a row it returns counts again where it is kept)
            sampled = _sampled(frame, subquery)
            with Held(budget) as held:
                rows: list[Any] = []
                for row in run(list(frame)):
                    if sampled.next_measured():
                        sampled.size = 8 + estimate_size(row)
                    held.charge(sampled.size)
                    rows.append(row)
                return rows

        return subquery

    def pipeline(self, operations: list[A.Node]) -> Callable[[Frame], Iterator[Any]]:
        """The runnable stages of ``operations`` (a query's or a subquery's)."""
        stages: list[Stage] = []
        ops = list(operations)
        i = 0
        while i < len(ops):
            op = ops[i]
            if isinstance(op, A.ForIn):
                filters = _following_filters(ops, i + 1)
                after = i + 1 + len(filters)
                last = ops[after] if after == len(ops) - 1 else None
                ret = last if isinstance(last, A.Return) else None
                # LET and FILTER make at most one row of the one a pipeline starts with
                single = all(isinstance(o, (A.Let, A.Filter, A.With)) for o in ops[:i])
                sort = self.sort_hint(op, filters, ops[after : after + 2], single)
                then = ops[after] if after < len(ops) else None
                sorted_by = then if isinstance(then, A.Sort) else None
                stage, absorbed, returned = self.compile_for(
                    op, filters, ret, sort, sorted_by, ops[after : after + 2]
                )
                stages.append(stage)
                i += absorbed + returned
            elif isinstance(op, A.Traversal):
                following = following_rows(ops, i + 1)
                after = i + 1 + len(following)
                last = ops[after] if after == len(ops) - 1 else None
                ret = last if isinstance(last, A.Return) and not last.distinct else None
                stage, absorbed, returned = self.compile_traversal(op, following, ret)
                stages.append(stage)
                i += absorbed + returned
            elif isinstance(op, A.Collect):
                sort_null = i + 1 < len(ops) and _is_sort_null(ops[i + 1])
                stages.append(self.compile_collect(op, sort_groups=not sort_null))
            elif isinstance(op, A.Sort) and i + 1 < len(ops) and isinstance(ops[i + 1], A.Limit):
                stages.append(self.compile_sort(op, ops[i + 1]))  # type: ignore[arg-type]
            else:
                stages.append(self.compile_operation(op))
            i += 1
        returns_values = bool(operations) and isinstance(operations[-1], A.Return)

        def run(frame: Frame) -> Iterator[Any]:
            stream: Iterator[Any] = iter((None,))
            for stage in stages:
                stream = stage(stream, frame)
            if returns_values:
                yield from stream
            else:
                for _ in stream:
                    pass

        return run

    def compile_operation(self, op: A.Node) -> Stage:
        if isinstance(op, A.Let):
            return self.compile_let(op)
        if isinstance(op, A.Filter):
            return self.compile_filter(op)
        if isinstance(op, A.Return):
            return self.compile_return(op)
        if isinstance(op, A.Sort):
            return self.compile_sort(op)
        if isinstance(op, A.Limit):
            return self.compile_limit(op)
        if isinstance(op, A.Traversal):
            return self.compile_traversal(op)[0]
        if isinstance(op, A.ShortestPath):
            return self.compile_shortest_path(op)
        if isinstance(op, A.PathEnumeration):
            return self.compile_path_enumeration(op)
        if isinstance(op, A.Window):
            return compile_window(op, self.expr, self.constant)
        if isinstance(op, A.Modification):
            return self.compile_modification(op)
        if isinstance(op, A.With):
            for name in op.collections:
                self.resolve_collection(name)
            return lambda upstream, frame: upstream
        raise QueryError(f"unsupported operation {type(op).__name__}")

    # ------------------------------------------------------------------ simple operations

    def compile_let(self, op: A.Let) -> Stage:
        slot = op.var.slot
        value = self.expr(op.expr)

        def let(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            for _ in upstream:
                frame[slot] = value(frame)
                yield None

        return let

    def compile_filter(self, op: A.Filter) -> Stage:
        condition = self.expr(op.condition)

        def filter_(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            stats = frame[0].budget.counters
            if stats is None:
                for _ in upstream:
                    if to_bool(condition(frame)):
                        yield None
                return
            for _ in upstream:
                if to_bool(condition(frame)):
                    yield None
                else:
                    stats.filtered += 1  # ArangoDB's "filtered"

        return filter_

    def compile_return(self, op: A.Return) -> Stage:
        value = self.expr(op.expr)
        if not op.distinct:

            def return_(upstream: Iterator[None], frame: Frame) -> Iterator[Any]:
                for _ in upstream:
                    yield value(frame)

            return return_

        def return_distinct(upstream: Iterator[None], frame: Frame) -> Iterator[Any]:
            seen: set[Any] = set()
            with Held(frame[0].budget) as held:
                for _ in upstream:
                    result = value(frame)
                    key = hashable(result)
                    if key not in seen:
                        held.charge_value(result)
                        seen.add(key)
                        yield result

        return return_distinct

    def compile_limit(self, op: A.Limit) -> Stage:
        offset_expr = self.expr(op.offset)
        count_expr = self.expr(op.count)
        final = op is self.final_limit

        def limit(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            offset = _limit_value(offset_expr(frame))
            count = _limit_value(count_expr(frame))
            # under fullCount ArangoDB reads the rest too: its statistics count it
            drain = final and frame[0].budget.drains_final_limit
            if count == 0:
                if drain:
                    deque(upstream, maxlen=0)
                return
            for i, _ in enumerate(upstream):
                if i < offset:
                    continue
                yield None
                if i + 1 >= offset + count:
                    if drain:
                        deque(upstream, maxlen=0)
                    return

        return limit

    def compile_sort(self, op: A.Sort, limit: A.Limit | None = None) -> Stage:
        """The SORT stage; with the ``limit`` right after it, it keeps only the rows that
        LIMIT may return (``offset + count`` of them, in a heap) as ArangoDB's sort-limit
        does, unless that LIMIT's fullCount is asked for (it must see every row)."""
        keys = [self.expr(e.expr) for e in op.elements]
        directions = [self.expr(e.ascending) for e in op.elements]
        kept = None if limit is None else self._kept_by(limit)

        def sort(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            ascending = [_is_ascending(d(frame)) for d in directions]
            top = None if kept is None else kept(frame)
            with Held(frame[0].budget) as held:
                rows = _keyed_rows(
                    keys, ascending, upstream, frame, held, top, _sampled(frame, sort)
                )
                # both stable: among equal keys, the earlier row first
                ordered = (
                    sorted(rows, key=_sort_key)
                    if top is None
                    else heapq.nsmallest(top, rows, key=_sort_key)
                )
                for _, saved in ordered:
                    frame[:] = saved
                    yield None

        return sort

    def _kept_by(self, limit: A.Limit) -> Callable[[Frame], int | None]:
        """How many rows a SORT before ``limit`` needs to keep in this execution: its offset
        plus count, or None (every row: a bad value, which the LIMIT stage reports, a count
        of 0, for which nothing would read the rows before it, or fullCount)."""
        limits = self._limits(limit)
        final = limit is self.final_limit

        def kept(frame: Frame) -> int | None:
            if final and frame[0].budget.drains_final_limit:
                return None
            try:
                offset, count = limits(frame)
            except QueryError:
                return None
            return offset + count if count > 0 else None

        return kept

    # ------------------------------------------------------------------ FOR

    def compile_for(
        self,
        op: A.ForIn,
        filters: list[A.Node],
        ret: A.Return | None = None,
        sort: SortHint | None = None,
        sorted_by: A.Sort | None = None,
        following: list[A.Node] | None = None,
    ) -> tuple[Stage, int, bool]:
        """The FOR stage, how many operations right after it it runs, and whether it RETURNs.

        It runs the FILTERs right after it, and the SORT and LIMIT after them (the
        SORT alone when ``sort`` has no ``limits``) when ``sort`` has a ``finish``;
        ``ret`` is the pipeline's final RETURN when it follows those FILTERs;
        ``sorted_by``: the SORT after them, if any (for the statistics: ArangoDB may
        read an index in its order instead); ``following``: the two operations after
        them (a FOR over a union of collections runs them in each, ``union_scans.py``).
        """
        source = op.source
        if isinstance(source, (A.CollectionRef, A.CollectionParam)):
            if not self.modified_anywhere:
                self.stored_documents.add(op.var)
            fused = ret if returned_path(ret, op.var) is not None else None
            stage = compile_collection_scan(self, op, source, filters, fused, sort, sorted_by)
            return stage, len(filters) + _absorbed(sort), fused is not None
        stage = self.compile_for_values(op)
        union = compile_union_scans(self, op, filters, following or [], stage)
        if union is not None:
            return union, len(filters), False
        return stage, 0, False

    def sort_hint(
        self, op: A.ForIn, filters: list[A.Node], following: list[A.Node], single: bool
    ) -> SortHint | None:
        """The :class:`SortHint` of a SORT and LIMIT that follow the FILTERs after ``op``.

        Only for a FOR over a collection, SORT keys that are attribute paths of
        its variable, and directions and LIMIT values given as constants or bind
        parameters (the FOR stage evaluates them too). With one SORT key and
        ``single`` (the FOR gets at most one row from upstream) the FOR stage
        does the SORT and LIMIT itself, and a SORT that no LIMIT follows too.
        """
        if not isinstance(op.source, (A.CollectionRef, A.CollectionParam)) or not following:
            return None
        sort = following[0]
        limit = following[1] if len(following) > 1 else None
        if not isinstance(sort, A.Sort):
            return None
        one_key = single and len(sort.elements) == 1
        if not isinstance(limit, A.Limit):
            limit = None
            if not one_key:
                return None
        paths = [attribute_path(element.expr, op.var.slot) for element in sort.elements]
        given = [element.ascending for element in sort.elements]
        if limit is not None:
            given += [limit.offset, limit.count]
        key = sort.elements[0].expr
        if limit is not None and one_key and paths[0] is None and _is_distance(key):
            paths = [[]]  # a geo index may give this order (geo_nearest.py)
        if any(path is None for path in paths) or not all(
            isinstance(node, (A.Literal, A.BindParam)) for node in given
        ):
            return None
        if any(True for condition in filters for _ in condition.find_all(A.Modification)):
            return None  # a FILTER that writes: the scan reads everything before it runs
        first = paths[0]
        assert first is not None
        direction = self.expr(sort.elements[0].ascending)
        limits = None if limit is None else self._limits(limit)
        finish = self._finish(sort, limit) if one_key else None
        return SortHint(
            [name if isinstance(name, str) else self.expr(name) for name in first],
            lambda frame: _is_ascending(direction(frame)),
            limits,
            len(sort.elements) > 1,
            finish,
            None if first else key,
            self.index_order_when_exact,
        )

    def _limits(self, limit: A.Limit) -> Callable[[Frame], tuple[int, int]]:
        """A LIMIT's offset and count in a frame (raising as the LIMIT stage does)."""
        offset, count = self.expr(limit.offset), self.expr(limit.count)
        return lambda frame: (_limit_value(offset(frame)), _limit_value(count(frame)))

    def _finish(self, sort: A.Sort, limit: A.Limit | None) -> Stage:
        """The SORT and LIMIT stages (the SORT alone without ``limit``) as one."""
        sort_stage = self.compile_sort(sort, limit)
        if limit is None:
            return sort_stage
        limit_stage = self.compile_limit(limit)

        def finish(rows: Iterator[None], frame: Frame) -> Iterator[None]:
            return limit_stage(sort_stage(rows, frame), frame)

        return finish

    def compile_for_values(self, op: A.ForIn) -> Stage:
        slot = op.var.slot
        source = op.source
        if isinstance(source, A.Range):
            low = self.expr(source.low)
            high = self.expr(source.high)

            def for_range(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
                tick = frame[0].budget.tick
                for _ in upstream:
                    for value in range_values(low(frame), high(frame), frame[0]):
                        tick()
                        frame[slot] = value
                        yield None

            return for_range
        values = self.expr(source)
        streamed = self._union_of_subqueries(op)

        def for_values(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            if streamed is not None and frame[0].budget.counters is None:
                yield from streamed(upstream, frame)
                return
            tick = frame[0].budget.tick
            for _ in upstream:
                items = values(frame)
                if type(items) is dict:
                    items = list(items.values())
                elif type(items) is not list:
                    if items is None:
                        continue
                    raise QueryError(
                        "collection or array expected as operand to FOR loop",
                        ERROR_QUERY_ARRAY_EXPECTED,
                    )
                for item in items:
                    tick()
                    frame[slot] = item
                    yield None

        return for_values

    def _union_of_subqueries(self, op: A.ForIn) -> Stage | None:
        """A FOR over ``UNION((FOR ...), (FOR ...), ...)`` as each subquery's rows in turn,
        as they come, instead of all of them at once (a stored query's collections
        parameter is such a union: every document of every type). The same rows in the
        same order; not for a query that writes (its subqueries read before its writes),
        and not while statistics are counted (ArangoDB reads every subquery whole)."""
        subqueries = union_subqueries(op.source)
        if subqueries is None or self.modified_anywhere:
            return None
        return in_turn([self.pipeline(s.query.operations) for s in subqueries], op.var.slot)

    # ------------------------------------------------------------------ COLLECT

    def compile_collect(self, op: A.Collect, sort_groups: bool) -> Stage:
        group_slots = [var.slot for var, _ in op.groups]
        group_exprs = [self.expr(e) for _, e in op.groups]
        aggregates = [
            (a.var.slot, aggregator(a.function), [self.expr(x) for x in a.args])
            for a in op.aggregates
        ]
        into_slot = op.into.slot if op.into is not None else None
        into_expr = self.expr(op.into_expr) if op.into_expr is not None else None
        keep = op.keep if op.keep is not None else op.visible_before
        keep_vars = [(v.name, v.slot) for v in keep]
        count_slot = op.count_into.slot if op.count_into is not None else None
        always_one_group = not op.groups

        def project(frame: Frame) -> Any:
            if into_expr is not None:
                return into_expr(frame)
            return {name: frame[slot] for name, slot in keep_vars}

        def collect(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            with Held(frame[0].budget) as held:
                yield from collect_groups(upstream, frame, held)

        def collect_groups(upstream: Iterator[None], frame: Frame, held: Held) -> Iterator[None]:
            groups: dict[Any, list[Any]] = {}
            counts = held.budget.counts_memory
            for _ in upstream:
                values = [e(frame) for e in group_exprs]
                key = tuple(hashable(v) for v in values)
                group = groups.get(key)
                if group is None:
                    group = [values, [[] for _ in aggregates], [], 0]
                    groups[key] = group
                    if counts:
                        held.charge(GROUP_BYTES + estimate_size(values))
                for i, (_, _, args) in enumerate(aggregates):
                    item = args[0](frame) if args else None
                    group[1][i].append(item)
                    if counts:
                        held.charge(8 + estimate_size(item))
                if into_slot is not None:
                    projected = project(frame)
                    group[2].append(projected)
                    if counts:
                        held.charge(8 + estimate_size(projected))
                group[3] += 1
            if always_one_group and not groups:
                groups[()] = [[], [[] for _ in aggregates], [], 0]
            ordered = list(groups.values())
            if sort_groups and group_exprs:
                ordered.sort(key=lambda g: tuple(SortKey(v) for v in g[0]))
            runtime = frame[0]
            for values, collected, into, count in ordered:
                for slot, value in zip(group_slots, values, strict=True):
                    frame[slot] = value
                for (slot, impl, _), items in zip(aggregates, collected, strict=True):
                    frame[slot] = impl(runtime, items)
                if into_slot is not None:
                    frame[into_slot] = into
                if count_slot is not None:
                    frame[count_slot] = count
                yield None

        return collect

    # ------------------------------------------------------------------ graphs

    def graph_view(
        self,
        spec: A.GraphSpec,
        direction: str,
        options: dict[str, Any],
        documents: bool = True,
        probe: str | None = None,
        edge_paths: frozenset[Path] | None = None,
    ) -> GraphView:
        sources: list[EdgeSource] = []
        if spec.graph is not None:
            graph_name = self.constant(spec.graph)
            if not isinstance(graph_name, str):
                raise GraphError("graph name must be a string")
            graph = self.storage.graph(graph_name)
            for definition in graph.get("edgeDefinitions", []):
                sources.append(
                    EdgeSource(self.storage.collection(definition["collection"]), direction)
                )
        else:
            listed = [
                (self.resolve_collection(coll), coll_direction or direction)
                for coll_direction, coll in spec.collections
            ]
            for name, coll_direction in graph_rules.merge_directions(listed):
                info = self.storage.collection(name)
                if not info.edge:
                    raise CollectionError(
                        f"collection type invalid: '{name}' is not an edge collection",
                        ERROR_ARANGO_COLLECTION_TYPE_INVALID,
                    )
                sources.append(EdgeSource(info, coll_direction))
        allowed = graph_rules.restriction(options, "edgeCollections")
        if allowed is not None:
            sources = [s for s in sources if s.info.name in allowed]
        for source in sources:
            if source.info.name in self.modified:
                raise QueryError(
                    f"access after data-modification by collection '{source.info.name}'",
                    ERROR_QUERY_ACCESS_AFTER_MODIFICATION,
                )
        vertex_collections = graph_rules.restriction(options, "vertexCollections")
        return GraphView(self.storage, sources, vertex_collections, documents, probe, edge_paths)

    def traversal_options(
        self, node: A.Node | None, path_search: bool = False
    ) -> tuple[dict[str, Any], TraversalOptions]:
        """The OPTIONS object as written and as read (see ``graph_rules.py``)."""
        raw = self.constant(node) if node is not None else {}
        options = (
            graph_rules.path_options(raw) if path_search else graph_rules.traversal_options(raw)
        )
        return raw, options

    def depth_bounds(
        self, low: A.Node | None, high: A.Node | None
    ) -> Callable[[Frame], tuple[int, int]]:
        """The (min, max) depths of a walk, checked now (1501) and again when it runs
        (a cached plan may run with other bind parameters)."""
        if low is None or high is None:
            return lambda f: (1, 1)
        graph_rules.check_depth_nodes(low, high)
        low_expr, high_expr = self.expr(low), self.expr(high)

        def bounds(frame: Frame) -> tuple[int, int]:
            return graph_rules.depth_range(low_expr(frame), high_expr(frame))

        bounds(self.frame_template)
        return bounds

    def vertex_check(self, node: A.Node, part: str) -> Callable[[Frame], None] | None:
        """For a constant start or target vertex, the check of its value (1501 for a
        null, boolean or number), made now and when the plan runs; None for others."""
        if not graph_rules.is_constant(node):
            return None
        expr = self.expr(node)

        def check(frame: Frame) -> None:
            graph_rules.check_constant_vertex(expr(frame), part)

        check(self.frame_template)
        return check

    def vertex_checks(self, start: A.Node, target: A.Node) -> Callable[[Frame], None]:
        """The checks of a path search's constant start and target vertices (1501)."""
        found = [
            check
            for check in (self.vertex_check(start, "start"), self.vertex_check(target, "target"))
            if check is not None
        ]

        def checks(frame: Frame) -> None:
            for check in found:
                check(frame)

        return checks

    def _start_vertex(self, value: Any, frame: Frame) -> str | None:
        return self._start(value, frame)[0]

    def _start(self, value: Any, frame: Frame) -> tuple[str | None, tuple[str, str] | None]:
        """A start or target vertex id and its (collection, key); (None, None) (with a
        warning) when ``value`` is not an id or an object with one."""
        if isinstance(value, dict):
            value = value.get("_id")
        parts = split_id(value) if isinstance(value, str) else None
        if parts is not None:
            return value, parts
        frame[0].warn(
            ERROR_BAD_PARAMETER,
            "Invalid input for traversal: Only id strings or objects with _id are allowed",
        )
        return None, None

    def vertex_loader(self, var: A.Variable) -> VertexLoader | None:
        """How to bind a traversal's vertex variable (see ``vertices.py``); None: never read."""
        assert self.usage is not None
        if not self.usage.is_used(var):
            return None
        paths = self.usage.paths(var)
        # vertices may lie in any collection: the paths are checked as for a document one
        minimal = None if paths is None else minimal_paths(paths, edge=False)
        if minimal is not None and any(p[0] in ("_from", "_to") for p in minimal):
            minimal = None
        return VertexLoader(minimal)

    def lean_edge_paths(
        self, op: A.Traversal, options: TraversalOptions
    ) -> tuple[bool, frozenset[Path] | None]:
        """Whether :func:`bfs_levels` serves ``op``, and the paths it reads of the edge (None: none).

        It does for a breadth-first walk with global vertex uniqueness whose edge
        variable is read only through attribute paths and whose path variable
        only as ``LENGTH(p.edges)`` or ``LENGTH(p.vertices)`` (the depth), in
        PRUNE as anywhere else.
        """
        assert self.usage is not None
        usage = self.usage
        if options.order != "bfs" or options.unique_vertices != "global":
            return False, None
        path = op.path
        if path is not None and not usage.counted_only(path, ("edges", "vertices")):
            return False, None
        if not usage.is_used(op.edge):
            return True, None
        paths = usage.paths(op.edge)  # type: ignore[arg-type]
        minimal = None if paths is None else minimal_paths(paths, edge=True)
        return minimal is not None, minimal

    def compile_traversal(
        self, op: A.Traversal, following: list[A.Node] | None = None, ret: A.Return | None = None
    ) -> tuple[Stage, int, bool]:
        """The traversal stage, how many of the LETs and FILTERs ``following`` it it runs,
        and whether it runs ``ret``, the pipeline's RETURN after them (see ``walk_stage.py``)."""
        assert self.usage is not None
        # checked in ArangoDB's order: depths, OPTIONS, edge collections, start vertex
        bounds = self.depth_bounds(op.min_depth, op.max_depth)
        raw_options, options = self.traversal_options(op.options)
        usage = self.usage
        lean, edge_paths = self.lean_edge_paths(op, options)
        e_used = usage.is_used(op.edge)
        p_used = usage.is_used(op.path)
        documents = not lean and (e_used or p_used or options.weight_attribute is not None)
        loader = self.vertex_loader(op.vertex)
        # a query that writes loads each vertex when it binds it, as it always did
        eager = not self.modified_anywhere
        probe = None
        if eager and loader is not None:
            probe = "" if loader.stub else loader.select  # "": whether the vertex exists
        view = self.graph_view(op.graph, op.direction, raw_options, documents, probe, edge_paths)
        walks = self.walk_source(op, bounds)
        e_slot = op.edge.slot if e_used and op.edge is not None else None
        p_slot = op.path.slot if p_used and op.path is not None else None
        if lean:
            if not eager:  # a query that writes: every operation in its own stage
                following, ret = [], None
            plan = plan_rows(op, following or [])
            # what reads the vertex besides the operations run before it is bound
            excluded: list[A.Node] = [step.node for step in plan.pushed]
            if op.prune is not None:
                excluded.append(op.prune)
            outside = usage.paths(op.vertex, excluded)
            bind_vertex = outside is None or bool(outside)
            stage = compile_walk_stage(
                self, op, view, loader, eager, e_slot, p_slot, plan, bind_vertex, ret, walks
            )
            return stage, len(plan.operations), ret is not None
        v_slot = op.vertex.slot
        prune_expr = self.expr(op.prune) if op.prune is not None else None
        weighted = options.order == "weighted"
        checks: list[tuple[Expr, int, bool]] = []  # the path conditions a walk checks
        if options.unique_vertices == "global" and p_slot is not None and op.path is not None:
            found = path_conditions(leading_filters(following or []), op.path)
            checks = [(self.expr(c.node), c.depth, c.exact) for c in found]

        def bind(frame: Frame, step: Step, load: Callable[[str], Any] | None) -> None:
            runtime = frame[0]
            if load is not None:
                frame[v_slot] = load(step.vertex_id)
            if e_slot is not None:
                frame[e_slot] = step.edges[-1] if step.edges else None
            if p_slot is not None:
                path: dict[str, Any] = {
                    "edges": list(step.edges),
                    "vertices": [runtime.vertex(v) for v in step.vertex_ids],
                }
                if weighted:
                    path["weights"] = _path_weights(step, options)
                frame[p_slot] = path

        def setup(runtime: Runtime) -> tuple[GraphView, Callable[[str], Any] | None]:
            """The view and vertex loader of an execution: made once in a query that does
            not write (a traversal in a subquery runs once per outer row)."""
            made = runtime.cache_for(setup) if eager else None
            found = None if made is None else made.get("")
            if found is None:
                probed = loader.probed(runtime) if loader is not None else None
                bound = view.bind(runtime.edge_cache, runtime.vertex_exists, probed, runtime.budget)
                load = None if loader is None else loader.session(runtime)[0]
                found = (bound, load)
                if made is not None:
                    made[""] = found
            return found

        def traversal(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            runtime = frame[0]
            bound, load = setup(runtime)
            bound.forget_neighbors()  # each run's, as a fresh bind's: the edge cache keeps them
            tick = runtime.budget.tick
            for start, low, high in walks(upstream, frame):
                prune = None
                if prune_expr is not None:

                    def prune(step: Step) -> bool:
                        bind(frame, step, load)
                        return to_bool(prune_expr(frame))

                admit = None
                if checks:

                    def admit(step: Step) -> bool:
                        depth = step.depth
                        bound_path = False
                        for check, at, exact in checks:
                            if depth < at or (exact and depth != at):
                                continue
                            if not bound_path:
                                bind(frame, step, None)
                                bound_path = True
                            if not to_bool(check(frame)):
                                return False
                        return True

                for step in traverse(bound, start, low, high, options, prune, admit):
                    tick()
                    bind(frame, step, load)
                    yield None

        return traversal, 0, False

    def walk_source(
        self, op: A.Traversal, bounds: Callable[[Frame], tuple[int, int]]
    ) -> Callable[[Iterator[None], Frame], Iterator[Walk]]:
        """(start vertex, min depth, max depth) of each walk ``op`` makes, one per row.

        The depths (``bounds``, see :meth:`depth_bounds`) and a constant start vertex
        are checked as the plan is made and again, before any row, when it runs.
        """
        check = self.vertex_check(op.start, "start")
        start_expr = self.expr(op.start)
        stored = isinstance(op.start, A.Var) and op.start.var in self.stored_documents

        def walks(upstream: Iterator[None], frame: Frame) -> Iterator[Walk]:
            runtime = frame[0]
            low, high = bounds(frame)
            if check is not None:
                check(frame)
            for _ in upstream:
                start, parts = self._start(start_expr(frame), frame)
                if start is None or not (stored or runtime.has_vertex(start, parts)):
                    continue  # as in ArangoDB, a start vertex that does not exist yields nothing
                yield start, low, high

        return walks

    def _path_object(self, frame: Frame, step: Step, options: TraversalOptions) -> dict[str, Any]:
        runtime = frame[0]
        return {
            "edges": list(step.edges),
            "vertices": [runtime.vertex(v) for v in step.vertex_ids],
            "weight": step.weight if options.weight_attribute else len(step.edges),
        }

    def compile_shortest_path(self, op: A.ShortestPath) -> Stage:
        raw_options, options = self.traversal_options(op.options, path_search=True)
        view = self.graph_view(op.graph, op.direction, raw_options)
        checks = self.vertex_checks(op.start, op.target)
        start_expr = self.expr(op.start)
        target_expr = self.expr(op.target)
        v_slot = op.vertex.slot
        e_slot = op.edge.slot if op.edge is not None else None

        def shortest(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            bound = view.bind(frame[0].edge_cache, budget=frame[0].budget)
            checks(frame)
            for _ in upstream:
                start = self._start_vertex(start_expr(frame), frame)
                target = self._start_vertex(target_expr(frame), frame)
                if start is None or target is None:
                    continue
                step = shortest_path(bound, start, target, options)
                if step is None:
                    continue
                for i, vertex_id in enumerate(step.vertex_ids):
                    frame[v_slot] = frame[0].vertex(vertex_id)
                    if e_slot is not None:
                        frame[e_slot] = step.edges[i - 1] if i > 0 else None
                    yield None

        return shortest

    def compile_path_enumeration(self, op: A.PathEnumeration) -> Stage:
        bounds = self.depth_bounds(op.min_depth, op.max_depth)
        raw_options, options = self.traversal_options(op.options, path_search=True)
        view = self.graph_view(op.graph, op.direction, raw_options)
        checks = self.vertex_checks(op.start, op.target)
        start_expr = self.expr(op.start)
        target_expr = self.expr(op.target)
        slot = op.path.slot
        kind = op.kind

        def paths(upstream: Iterator[None], frame: Frame) -> Iterator[None]:
            bound = view.bind(frame[0].edge_cache, budget=frame[0].budget)
            low, high = bounds(frame)
            checks(frame)
            for _ in upstream:
                start = self._start_vertex(start_expr(frame), frame)
                target = self._start_vertex(target_expr(frame), frame)
                if start is None or target is None:
                    continue
                steps: Iterator[Step]
                if kind == "K_SHORTEST_PATHS":
                    steps = k_shortest_paths(bound, start, target, options)
                elif kind == "ALL_SHORTEST_PATHS":
                    steps = all_shortest_paths(bound, start, target, options)
                else:
                    steps = k_paths(bound, start, target, low, high, options)
                for step in steps:
                    bound.budget.tick()
                    frame[slot] = self._path_object(frame, step, options)
                    yield None

        return paths

    # ------------------------------------------------------------------ modifications

    def compile_modification(self, op: A.Modification) -> Stage:
        from .modify import compile_modification

        name = self.resolve_collection(op.collection)
        if name in self.modified:
            raise QueryError(
                f"access after data-modification by collection '{name}'",
                ERROR_QUERY_ACCESS_AFTER_MODIFICATION,
            )
        self.writes = True
        stage = compile_modification(op, self, name)
        self.modified.add(name)
        return stage


def _absorbed(sort: SortHint | None) -> int:
    """How many operations after a FOR's FILTERs its stage runs: its SORT (and LIMIT)."""
    if sort is None or sort.finish is None:
        return 0
    return 1 if sort.limits is None else 2


def _following_filters(ops: list[A.Node], start: int) -> list[A.Node]:
    filters: list[A.Node] = []
    for op in ops[start:]:
        if isinstance(op, A.Filter):
            filters.append(op.condition)
        else:
            break
    return filters


def _is_sort_null(op: A.Node) -> bool:
    return (
        isinstance(op, A.Sort)
        and len(op.elements) == 1
        and isinstance(op.elements[0].expr, A.Literal)
        and op.elements[0].expr.value is None
    )


def _is_distance(node: A.Node) -> bool:
    return isinstance(node, A.FunctionCall) and node.name in ("DISTANCE", "GEO_DISTANCE")


def _keyed_rows(
    keys: list[Expr],
    ascending: list[bool],
    upstream: Iterator[None],
    frame: Frame,
    held: Held,
    held_at_most: int | None,
    sampled: Sampled,
) -> Iterator[tuple[tuple[SortKey, ...], list[Any]]]:
    """Each row from ``upstream`` as (its SORT key, a copy of its frame), charged to ``held``
    while the SORT holds it (the first ``held_at_most`` of them; None: every one).

    A value the frame held before the first row (a bind parameter, an enclosing
    loop's variable: a subquery's SORT runs once per outer row) is not the SORT's.
    """
    counts = held.budget.counts_memory
    previous = list(frame) if counts else None
    for seen, _ in enumerate(upstream):
        key = tuple(
            (SortKey if asc else _Descending)(k(frame))
            for k, asc in zip(keys, ascending, strict=True)
        )
        saved = list(frame)
        if counts and (held_at_most is None or seen < held_at_most):
            if sampled.next_measured():
                sampled.size = frame_size(saved, previous)
                previous = saved
            held.charge(sampled.size)
        yield key, saved


def _sampled(frame: Frame, owner: object) -> Sampled:
    """The :class:`Sampled` of ``owner`` (a compiled part of the plan) in this execution."""
    state = frame[0].cache_for(owner)
    found = state.get("")
    if found is None:
        found = state[""] = Sampled()
    return found


def _sort_key(entry: tuple[tuple[SortKey, ...], list[Any]]) -> tuple[SortKey, ...]:
    return entry[0]


def _is_ascending(value: Any) -> bool:
    if isinstance(value, str):
        return value.upper() != "DESC"
    return to_bool(value)


def _limit_value(value: Any) -> int:
    if type(value) is bool or not isinstance(value, (int, float)) or value < 0:
        raise QueryError("LIMIT value must be a non-negative number", 1504)
    return int(value)


def _path_weights(step: Step, options: TraversalOptions) -> list[float]:
    from .traversal import edge_weight

    weights = [0.0]
    for edge in step.edges:
        weights.append(weights[-1] + edge_weight(edge, options))
    return weights
