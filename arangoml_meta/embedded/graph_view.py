"""Neighbourhood lookups over the edge index, for traversals and path searches.

A :class:`GraphView` answers "which edges leave / enter this vertex" for the
edge collections a query walks (a named graph's edge definitions or an
explicit list, each with its own direction): :meth:`GraphView.neighbors` a
vertex at a time, :meth:`GraphView.expand` a whole breadth-first level at a
time with one statement per edge collection and direction (for
:func:`~.traversal.bfs_levels`). Each edge collection and direction is a
:class:`Lookup`; a walk whose FILTERs let only some collections' vertices pass
asks narrowed lookups that read no more of the others' vertices than whether
they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .codec import decode
from .edge_lists import Kept, shared_edge_lists
from .limits import Budget
from .projections import Path, Projection, values_at
from .storage import CollectionInfo, EdgeEnds, Storage, in_list_params, in_list_size

# the system attributes of an edge that come from a column of its row
_EDGE_COLUMNS = {"_key": "key", "_rev": "rev", "_from": "from_id", "_to": "to_id"}
# an edge: its document; (collection id, seq) in the links of a view without documents;
# with edge paths (builder, lookup row), what the query reads of it is edge_value(edge)
Edge = Any
Neighbors = list[tuple[Edge, str]]
Row = tuple[Any, ...]


@dataclass
class EdgeSource:
    info: CollectionInfo
    direction: str  # OUTBOUND, INBOUND or ANY


@dataclass(slots=True)
class Lookup:
    """One edge collection asked in one direction."""

    info: CollectionInfo
    outbound: bool
    near: frozenset[str] | None  # the collections the near end may lie in (None: any)
    probe: str  # SQL reading the far end: whether it exists, or more (see Storage.probe_sql)
    # its edge lists in the execution's cache (vertex -> rows or pairs): its statement, which
    # tells the edge collection, the direction and what is read (a string: its hash is kept)
    key: str
    sql: str  # the statement for one vertex
    statements: dict[int, str] = field(default_factory=dict)  # for more, by in_list_size
    build_edge: Callable[[Row], Any] | None = None  # with edge paths: a row's edge value
    columns: str = ""  # what it reads of the edge (SQL over its row, see Storage.edge_links_sql)
    far: frozenset[str] | None = None  # the collections the far end may lie in (None: any)
    probes: bool = field(init=False)  # whether its rows tell of their far ends (see _fetch)

    def __post_init__(self) -> None:
        self.probes = self.probe != "NULL"


def _lists(cache: dict[Any, Any], key: Any) -> dict[str, Any]:
    """The edge lists of one lookup in ``cache`` (made empty the first time)."""
    found = cache.get(key)
    if found is None:
        found = cache[key] = {}
    return found


@dataclass
class _Plan:
    """The lookups of a view while the edge ends stay the same (kept across executions)."""

    # the planned lookups, then the narrowed ones as walks ask for them (GraphView._narrow)
    lookups: list[Lookup]
    # vertex collection -> the lookups that can find its edges, with their index
    by_collection: dict[str, list[tuple[int, Lookup]]] = field(default_factory=dict)
    # the same for a walk that reads vertices only in some collections
    narrowed_by_collection: dict[frozenset[str], dict[str, list[tuple[int, Lookup]]]] = field(
        default_factory=dict
    )
    # (lookup, collections read) -> the narrowed lookup's index
    narrowed: dict[tuple[int, frozenset[str]], int] = field(default_factory=dict)
    planned: int = field(init=False)  # how many lookups are not narrowed ones
    # whether every lookup reads the far ends it finds (see GraphView.probe); one whose
    # edges never pointed anywhere (an empty edge collection) finds nothing
    probes_all: bool = field(init=False)
    far: frozenset[str] | None = field(init=False)  # where found vertices lie (None: anywhere)

    def __post_init__(self) -> None:
        lookups = self.lookups
        self.planned = len(lookups)
        self.probes_all = all(
            lookup.probe != "NULL" or lookup.near == frozenset() for lookup in lookups
        )
        fars = [lookup.far for lookup in lookups]
        self.far = None if None in fars else frozenset().union(*fars)  # type: ignore[arg-type]

    def asked(self, collection: str) -> list[tuple[int, Lookup]]:
        asked = self.by_collection.get(collection)
        if asked is None:
            asked = [
                (i, lookup)
                for i, lookup in enumerate(self.lookups[: self.planned])
                if lookup.near is None or collection in lookup.near
            ]
            self.by_collection[collection] = asked
        return asked


class GraphView:
    """Neighbourhood lookups over a set of edge collections.

    Compiled once per query plan; :meth:`bind` gives the view one execution
    uses. An edge collection is only asked about a vertex when its edges have
    ever pointed into the vertex's collection (:meth:`Storage.edge_ends`). With
    ``documents=False`` only the ``_from`` / ``_to`` columns are read (and the
    attributes ``edge_paths``, see :meth:`edge_value`). With ``probe`` (not
    None) the same statement also tells whether each far end exists (into
    ``existing``) and reads what ``probe`` selects of it (into ``probed``, see
    ``vertices.py``): a query then needs no statement per vertex. Edge lists
    are cached for the execution, shared by every traversal of it; without
    documents, across queries while nothing is written (``edge_lists.py``).
    """

    def __init__(
        self,
        storage: Storage,
        sources: list[EdgeSource],
        vertex_collections: set[str] | None = None,
        documents: bool = True,
        probe: str | None = None,
        edge_paths: frozenset[Path] | None = None,
    ) -> None:
        self.storage = storage
        self.sources = sources
        # the last bind to kept lists: (the Kept, its generation, the plan, the lookups' lists)
        self._kept_bind: tuple[Kept, int, _Plan, list[dict[str, Any]]] | None = None
        self.vertex_collections = vertex_collections
        self.documents = documents
        self.probe = probe
        self.edge_paths = None if documents else edge_paths
        self.existing: dict[str, bool] = {}
        self.probed: dict[str, Any] | None = None
        self.budget = Budget()  # the execution's (see bind), which walks tick and charge
        self._cache: dict[Any, Any] = {}
        self._plan: _Plan | None = None  # set by bind()
        self._caches: list[dict[str, Any]] = []  # each lookup's edge lists (in _cache)
        self._neighbors: dict[str, Neighbors] = {}
        self._planned: dict[Any, _Plan] = {}  # edge ends -> plan (they rarely change)
        self._edge_columns = ""
        self._edge_builders: dict[int, Callable[[Row], Any]] = {}
        self._edge_projection: Projection | None = None  # the columns are the same for each
        self._edge_prefixes: dict[Callable[[Row], Any], str] = {}  # builder -> "collection/"
        if self.edge_paths:
            for source in sources:
                # lookup rows start with (seq, other end, probe)
                # an edge's JSON is taken whole (most edges a walk reads are never bound)
                projection = Projection(source.info.name, True, self.edge_paths, 3, raw=True)
                self._edge_projection = projection
                self._edge_columns = projection.columns
                self._edge_builders[source.info.id] = projection.build
                self._edge_prefixes[projection.build] = source.info.name + "/"

    def bind(
        self,
        cache: dict[Any, Any],
        existing: dict[str, bool] | None = None,
        probed: dict[str, Any] | None = None,
        budget: Budget | None = None,
        share: bool = True,
        kept: Kept | None = None,
    ) -> GraphView:
        """This view for one execution: edge lists cached in ``cache`` (the runtime's) or,
        with ``share`` and without documents, in those kept across queries while nothing
        is written (``edge_lists.py``), or in ``kept``'s (the caller's kept_lists);
        walks limited by ``budget`` (the runtime's)."""
        if kept is not None:
            cache = kept.lists
        elif share and self.keeps:
            shared = shared_edge_lists(self.storage)
            if shared is not None:
                cache = shared
        view = GraphView.__new__(GraphView)
        view.__dict__.update(self.__dict__)
        view._cache = cache
        if budget is not None:
            view.budget = budget
        view._neighbors = {}
        view.existing = existing if existing is not None else {}
        view.probed = probed if self.probe else None  # existence alone goes to ``existing``
        if kept is not None and self._bind_kept(view, kept):
            return view
        ends_now = [self.storage.edge_ends(source.info) for source in self.sources]
        key = (self.storage.catalog_generation, *ends_now)
        plan = self._planned.get(key)
        if plan is None:
            plan = _Plan(self._plan_lookups(ends_now))
            if len(self._planned) > 8:
                self._planned.clear()
            self._planned[key] = plan
        view._plan = plan
        view._caches = [_lists(cache, lookup.key) for lookup in plan.lookups]
        if kept is not None:
            self._kept_bind = (kept, kept.generation, plan, list(view._caches))
        return view

    def _bind_kept(self, view: GraphView, kept: Kept) -> bool:
        """Bind ``view`` as the last bind to ``kept`` did, when that still holds: nothing
        was written since (``kept`` was not emptied), so the catalog and the edge ends,
        hence the plan, are the same, and so are the lookups' lists."""
        last = self._kept_bind
        if last is None or last[0] is not kept or last[1] != kept.generation:
            return False
        plan, caches = last[2], list(last[3])
        if len(caches) < len(plan.lookups):  # narrowed lookups made since
            caches.extend(_lists(kept.lists, x.key) for x in plan.lookups[len(caches) :])
            self._kept_bind = (kept, last[1], plan, list(caches))
        view._plan, view._caches = plan, caches
        return True

    @property
    def keeps(self) -> bool:
        """Whether its edge lists may be kept across queries (rows, not documents)."""
        return not self.documents

    def _plan_lookups(self, ends_now: list[EdgeEnds | None]) -> list[Lookup]:
        outbound: list[Lookup] = []
        inbound: list[Lookup] = []
        for source, ends in zip(self.sources, ends_now, strict=True):
            for is_out, found in ((True, outbound), (False, inbound)):
                if source.direction not in ("ANY", "OUTBOUND" if is_out else "INBOUND"):
                    continue
                info = source.info
                near = None if ends is None else ends[0 if is_out else 1]
                probe = "NULL"
                if self.probe is not None and ends is not None:
                    probe = self.storage.probe_sql(is_out, ends[1 if is_out else 0], self.probe)
                columns = self._edge_columns
                if self.documents and probe != "NULL":
                    columns = info.columns  # whole edges, and the far ends (see _edges)
                sql = self.storage.edge_links_sql(info, is_out, probe, columns)
                key = "documents " + sql if self.documents else sql
                lookup = Lookup(info, is_out, near, probe, key, sql)
                lookup.build_edge = self._edge_builders.get(info.id)
                lookup.columns = self._edge_columns
                lookup.far = None if ends is None else ends[1 if is_out else 0]
                found.append(lookup)
        return outbound + inbound

    @property
    def far_collections(self) -> frozenset[str] | None:
        """Where the vertices the lookups find may lie (None: anywhere)."""
        return self._bound_plan().far

    def _narrow(self, plan: _Plan, index: int, wanted: frozenset[str]) -> int:
        """The index of the lookup reading what ``probe`` selects only of the far ends in
        ``wanted`` collections, instead of lookup ``index``.

        A walk asks for it when it knows that no existing vertex of the other
        collections gets past its FILTERs: rows of those tell only whether the
        vertex exists (1 or 0).
        """
        lookup = plan.lookups[index]
        far = lookup.far
        if not far or not self.probe:
            return index
        keep = far & wanted
        if keep == far:
            return index
        found = plan.narrowed.get((index, keep))
        if found is None:
            found = plan.narrowed[(index, keep)] = len(plan.lookups)
            plan.lookups.append(self._narrowed_lookup(lookup, keep))
        return found

    def _narrowed_lookup(self, lookup: Lookup, keep: frozenset[str]) -> Lookup:
        assert lookup.far is not None
        outbound = lookup.outbound
        probe = lookup.probe
        if self.probe:
            probe = self.storage.probe_sql(outbound, lookup.far, self.probe, keep)
        # The edge's JSON is read whatever the far end's collection: a row whose vertex
        # is missing may pass, and telling those apart costs a second probe, more than
        # the JSON of a small edge (lineage: 8 us more per downstream query).
        columns = lookup.columns
        info = lookup.info
        sql = self.storage.edge_links_sql(info, outbound, probe, columns)
        narrowed = Lookup(info, outbound, lookup.near, probe, sql, sql)
        narrowed.build_edge = lookup.build_edge
        narrowed.columns = columns
        narrowed.far = lookup.far
        return narrowed

    @property
    def reads_far_ends(self) -> bool:
        """Whether the lookups read what ``probe`` selects of every vertex they find."""
        return self.probe is not None and self._bound_plan().probes_all

    def _bound_plan(self) -> _Plan:
        if self._plan is None:  # not bound: a private cache
            bound = self.bind(self._cache, share=False)
            self._plan, self._caches = bound._plan, bound._caches
        assert self._plan is not None
        return self._plan

    def _fetch(
        self, lookup: Lookup, vertices: list[str], cached: dict[str, Any], note: bool = True
    ) -> list[Row]:
        """The links of ``vertices`` into ``cached`` with one statement; the rows read.

        Rows are ``(seq, other end, probe, *edge columns)`` (and the near end
        when there are several vertices), each vertex's in insertion order.
        ``note``: put what the probes tell into ``existing`` / ``probed`` (else the
        caller does, for the far ends it keeps: :meth:`expand`).
        """
        storage = self.storage
        if len(vertices) == 1:
            rows = cached[vertices[0]] = storage.rows(lookup.sql, (vertices[0],))
        else:
            size = in_list_size(len(vertices))
            sql = lookup.statements.get(size)
            if sql is None:
                sql = storage.edge_links_sql(
                    lookup.info, lookup.outbound, lookup.probe, lookup.columns, size
                )
                # the edge index gives this order as it is (SQLite sorts nothing)
                near = "from_id" if lookup.outbound else "to_id"
                sql = lookup.statements[size] = f"{sql} ORDER BY e.{near}, e.seq"
            rows = storage.rows(sql, in_list_params(vertices, size))
            # ordered by near end, then seq: each vertex's links are one run of rows (a
            # plain loop: a level's rows are few per vertex, groupby costs more than it saves)
            for vertex in vertices:
                cached[vertex] = ()
            current = None
            links: list[Row] = []
            for row in rows:
                if row[-1] != current:
                    current = row[-1]
                    links = cached[current] = [row]
                else:
                    links.append(row)
        if note and lookup.probes:
            self._note(rows)
        return rows

    def _note(self, rows: list[Row]) -> None:
        """Put what the probes of ``rows`` tell of their far ends into ``existing`` /
        ``probed``."""
        existing = self.existing
        probed = self.probed
        for row in rows:
            value = row[2]
            if value is not None:  # 0: missing; 1 or what it read (JSON text): exists
                existing[row[1]] = value != 0
                if probed is not None and value != 1:  # 1: it exists, nothing read
                    probed[row[1]] = value

    def _edges(self, index: int, lookup: Lookup, vertex: str) -> Neighbors:
        cached = self._caches[index]
        found = cached.get(vertex)
        if found is None:
            if self.documents and lookup.probes:
                # the statement reads the far ends too: none is fetched on its own
                rows = self.storage.rows(lookup.sql, (vertex,))
                self._note(rows)
                edge = lookup.info.document
                found = cached[vertex] = [(edge(row[3:]), row[1]) for row in rows]
            elif self.documents:
                end = "_to" if lookup.outbound else "_from"
                edges = self.storage.edges(lookup.info, vertex, lookup.outbound)
                found = cached[vertex] = [(e, e[end]) for e in edges]
            else:
                self._fetch(lookup, [vertex], cached)
                found = cached[vertex]
        elif lookup.probes and not self.documents:
            self._note(found)  # read by an earlier query, perhaps (edge_lists.py)
        if self.documents:
            return found
        cid = lookup.info.id
        if self.edge_paths:
            return [((lookup.build_edge, row), row[1]) for row in found]
        return [((cid, row[0]), row[1]) for row in found]

    def forget_neighbors(self) -> None:
        """Drop the neighbour lists made so far (not the edge lists they come from)."""
        self._neighbors.clear()

    def neighbors(self, vertex: str) -> Neighbors:
        """(edge, other vertex id) pairs: outbound then inbound, each in insertion order."""
        result = self._neighbors.get(vertex)
        if result is not None:
            return result
        result = []
        for index, lookup in self._bound_plan().asked(vertex.partition("/")[0]):
            result.extend(self._edges(index, lookup, vertex))
        if self.vertex_collections is not None:
            allowed = self.vertex_collections
            result = [(e, v) for e, v in result if v.partition("/")[0] in allowed]
        self._neighbors[vertex] = result
        return result

    def expand(
        self,
        level: list[str],
        visited: set[str],
        wanted: frozenset[str] | None = None,
    ) -> tuple[list[str], list[Edge]]:
        """The vertices next to ``level`` not in ``visited`` (added to it), in walk order.

        What iterating :meth:`neighbors` of each vertex finds, for a view
        without documents, with one statement per edge collection and
        direction for the whole level (for :func:`bfs_levels`). With
        ``edge_paths``, also the edge that reached each first (else no edges).
        With ``wanted``, what ``probe`` selects is read only of the vertices found in
        those collections (see :meth:`_narrow`).
        """
        plan = self._plan or self._bound_plan()
        caches = self._caches
        asked_by_collection = plan.by_collection
        if wanted is not None:
            asked_by_collection = plan.narrowed_by_collection.get(wanted)  # type: ignore[assignment]
            if asked_by_collection is None:
                asked_by_collection = plan.narrowed_by_collection[wanted] = {}
        # each (vertex, lookup) asked, in walk order: its cache, the vertex, its edge builder,
        # whether its rows tell of their far ends
        work: list[tuple[dict[str, Any], str, Callable[[Row], Any] | None, bool]] = []
        missing: dict[int, list[str]] | None = None  # lookup index -> vertices not cached
        for vertex in level:
            collection = vertex[: vertex.find("/")]
            asked = asked_by_collection.get(collection)
            if asked is None:
                asked = self._asked(plan, collection, asked_by_collection, wanted)
                if len(caches) < len(plan.lookups):  # narrowed lookups made meanwhile
                    self._sync_caches(plan)
            for index, lookup in asked:
                cached = caches[index]
                work.append((cached, vertex, lookup.build_edge, lookup.probes))
                if vertex not in cached:
                    if missing is None:
                        missing = {}
                    vertices = missing.get(index)
                    if vertices is None:
                        missing[index] = [vertex]
                    else:
                        vertices.append(vertex)
        if missing is not None:
            for index, vertices in missing.items():
                self._fetch(plan.lookups[index], vertices, caches[index], note=False)
        allowed = self.vertex_collections
        edges = self.edge_paths is not None
        existing = self.existing
        probed = self.probed
        found: list[str] = []
        via: list[Edge] = []
        add = visited.add
        for cached, vertex, build, probes in work:
            for row in cached[vertex]:
                target = row[1]
                if target in visited:
                    continue
                if allowed is not None and target.partition("/")[0] not in allowed:
                    continue
                add(target)
                found.append(target)
                if edges:
                    via.append((build, row))
                if probes:  # what the row's probe tells of the vertex it found (see _fetch)
                    value = row[2]
                    if value is not None:
                        existing[target] = value != 0
                        if probed is not None and value != 1:
                            probed[target] = value
        return found, via

    def _sync_caches(self, plan: _Plan) -> None:
        """Give the lookups narrowed since :meth:`bind` their caches for the execution."""
        caches = self._caches
        caches.extend(_lists(self._cache, x.key) for x in plan.lookups[len(caches) :])

    def _asked(
        self,
        plan: _Plan,
        collection: str,
        asked_by_collection: dict[str, list[tuple[int, Lookup]]],
        wanted: frozenset[str] | None,
    ) -> list[tuple[int, Lookup]]:
        """The lookups for a vertex of ``collection`` (narrowed to ``wanted``), remembered."""
        asked = plan.asked(collection)
        if wanted is not None:
            narrowed = [self._narrow(plan, index, wanted) for index, _ in asked]
            asked = asked_by_collection[collection] = [(i, plan.lookups[i]) for i in narrowed]
        return asked

    @staticmethod
    def edge_value(edge: Edge) -> Any:
        """What a query reading ``edge_paths`` sees of an edge :meth:`expand` found."""
        return edge[0](edge[1])

    def edge_records(
        self, paths: list[Path]
    ) -> tuple[Callable[[Edge], list[Any]], list[tuple[int, Path]]] | None:
        """``record(edge)``: a list of what the query reads of an edge :meth:`expand`
        found, and where each of ``paths`` lies in it (the item, the path below it);
        None when a record cannot hold one of them.

        A record is the values of the edge's JSON paths, then its ``_id``, then the
        system attributes read from their columns.
        """
        projection = self._edge_projection
        if projection is None:
            return None
        json_sql = projection.json_sql
        # the columns before the JSON one (which holds ", " itself)
        head = projection.columns[: -len(json_sql)] if json_sql else projection.columns
        columns = head.rstrip(", ").split(", ")
        json_paths = projection.json_paths
        read = sorted({path[0] for path in paths if path[0] in _EDGE_COLUMNS})
        if any(_EDGE_COLUMNS[name] not in columns for name in read):
            return None
        offset = len(json_paths) + 1  # after the JSON values and the id
        places = {name: offset + i for i, name in enumerate(read)}
        found: list[tuple[int, Path]] = []
        for path in paths:
            if path[0] == "_id":
                found.append((len(json_paths), path[1:]))
            elif path[0] in places:
                found.append((places[path[0]], path[1:]))
            else:
                prefix = [i for i, p in enumerate(json_paths) if path[: len(p)] == p]
                if not prefix:
                    return None
                found.append((prefix[0], path[len(json_paths[prefix[0]]) :]))
        # row items: (seq, other end, probe, *columns, JSON column)
        cells = [3 + columns.index(_EDGE_COLUMNS[name]) for name in read]
        key = 3 + columns.index("key")
        json = 3 + len(columns) if json_sql is not None else None
        single = projection.single_json
        pick = values_at(json_paths) if projection.raw else None
        prefixes = self._edge_prefixes
        loads = decode

        def record(edge: Edge) -> list[Any]:
            build, row = edge
            if json is None:
                values: list[Any] = []
            elif pick is not None:
                values = pick(loads(row[json]))
            elif single:
                text = row[json]
                values = [None if text is None else loads(text)]
            else:
                values = loads(row[json])
            values.append(prefixes[build] + row[key])
            for cell in cells:
                values.append(row[cell])
            return values

        return record, found
