"""Lineage walks: one AQL traversal per question, whatever the number of starts.

Edges point the way data flows (dataset → run → model → deployment), so
``OUTBOUND`` is downstream and ``INBOUND`` upstream. A walk starts from a set
of vertices (:func:`resolve_starts`: ids, ``type/name`` for every version of a
name, ``type/name@N``, documents, filters, or a list of these) and runs
:data:`WALK` once: every start is walked breadth-first with global vertex
uniqueness (so cycles end), and :func:`assemble` merges what the starts reached
into one row per vertex — its type, name and version (or the fields asked
for), its depth, the edge it was reached by and the depth at which each start
reached it.

Complete by default: without a depth, a walk follows every link (up to
:data:`COMPLETE_DEPTH` hops, a safety bound no real pipeline nears). It always
asks for one level more than it returns, so an answer cut by a depth — the
caller's or the safety bound — says so (:attr:`Lineage.truncated`) instead of
being silently partial.

The query text is fixed here; the direction keyword and the optional PRUNE
come from this module, every value from bind parameters.

Cost on the embedded engine (issue 8 asks for <= 3x a hand-written recursive CTE
downstream and <= 5x upstream). A ``type/name@N`` or ``@latest`` start is found
by the walk's own query (:data:`_VERSIONED`: one query, not two). The engine
keeps what a walk reads (each vertex's edge rows with what their probes read of
the far ends, and whether vertices exist) and what finds the name's versions (a
DOCUMENT() miss, the index scan's rows) across queries while nothing is written
(``embedded/edge_lists.py``), so a walk from a name asked before needs no
statement but its transaction's. Measured (CPU, best of 61 rounds) on the peer
benchmark's scale-1 store, such an upstream call from ``type/name`` (8 levels,
one row) is ~80 us (it was ~100 us): ~8 us of query and transaction setup, ~13
us finding the name's versions, ~19 us setting up the traversal, ~3 us per
breadth-first level, ~12 us here and in the backend's layers; a downstream one
(two versions, ~96 edges, ~44 rows) ~285 us (was ~305 us). A
first walk reads each level with one statement per edge collection and
direction (~5 us, plus ~1.3 us an edge, ~0.4 us more for each far end's
existence and ~1.5 us for the name and version of one returned): about half of
its ~1.1 ms downstream. A whole-walk recursive CTE was measured slower on
SQLite 3.40 (its reachable set alone costs about what the level statements do).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..backends import missing_ids
from ..errors import (
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    BadParameterError,
    DocumentError,
    DocumentNotFoundError,
)
from ..fields import check_filter_types
from ..filters import compile_filters
from ..refs import Ref, is_valid_name, parse_ref

if TYPE_CHECKING:
    from ..store import MetadataStore

GRAPH = "lineage"
# the edge collections of the graph
EDGES = ("inputs", "outputs", "derivations")
DIRECTIONS = {"downstream": "OUTBOUND", "upstream": "INBOUND"}
# how far a walk asked to be complete goes; deeper lineage is reported as truncated
COMPLETE_DEPTH = 100_000
# what depends on a dataset: what to retrain or re-check when it changes
IMPACT_TYPES = ("models", "deployments")

_WALK = """
FOR s IN {starts}
  FOR v, e, p IN 1..@max {direction} s GRAPH 'lineage'{prune}
    OPTIONS {{ uniqueVertices: 'global', order: 'bfs' }}
    LET depth = LENGTH(p.edges)
    FILTER depth > @depth OR @types == null OR PARSE_IDENTIFIER(v._id).collection IN @types
    RETURN [s, v._id, depth, e._id, e._from, e._to, e.role, e.relation, {vertex}]
"""
# one ``type/name`` start, resolved by the walk's own query (one query, not three): the
# document of that key (``@id``), else every version of the name; the row is [starts, rows]
_NAMED = """
LET keyed = DOCUMENT(@id)
LET starts = keyed != null ? [keyed._id] : (FOR d IN @@start FILTER d.name == @name RETURN d._id)
RETURN [starts, ({walk})]
"""
# one ``type/name@N`` or ``@latest`` start, found by the walk's own query too: ``lookup``
# is the store's query for that document (MetadataStore.version_lookup)
_VERSIONED = """
LET starts = ({lookup})[*]._id
RETURN [starts, ({walk})]
"""
# a vertex whose type is not walked through is reached, but not followed further
_PRUNE = "\n    PRUNE v._id != s AND PARSE_IDENTIFIER(v._id).collection NOT IN @through"
# what a row carries of its vertex: compact, the whole document, or chosen fields
_VERTEX = {"compact": "v.name, v.version", "full": "v", "fields": "KEEP(v, @fields)"}


def walk_query(
    direction: str, *, through: bool, vertex: str, named: bool = False, lookup: str | None = None
) -> str:
    """The walk's AQL for ``direction`` (downstream / upstream) and the row form ``vertex``;
    ``named``: from the versions of one name (``@@start``, ``@name``) instead of ``@starts``;
    ``lookup``: from the document this query finds (see :data:`_VERSIONED`)."""
    walk = _WALK.format(
        starts="starts" if named or lookup else "@starts",
        direction=DIRECTIONS[direction],
        prune=_PRUNE if through else "",
        vertex=_VERTEX[vertex],
    )
    if lookup is not None:
        return _VERSIONED.format(lookup=lookup, walk=walk)
    return _NAMED.format(walk=walk) if named else walk


_versioned_walk = lru_cache(maxsize=64)(walk_query)


WALK = {
    (direction, through, vertex, named): walk_query(
        direction, through=through, vertex=vertex, named=named
    )
    for direction in DIRECTIONS
    for through in (False, True)
    for vertex in _VERTEX
    for named in (False, True)
}

PATH = """
FOR v, e IN {direction} SHORTEST_PATH @from TO @to GRAPH 'lineage'
  RETURN {{ vertex: v, edge: e }}
"""


def path_query(any_direction: bool) -> str:
    return PATH.format(direction="ANY" if any_direction else "OUTBOUND")


# every version of a name (in the order they were registered)
_IDS_BY_NAME = "FOR d IN @@c FILTER d.name == @name RETURN d._id"


class Lineage(list[dict[str, Any]]):
    """The rows of a lineage walk, nearest first (then by id).

    Each row: ``_id``, ``_type``, ``name`` and ``version`` (or the whole document,
    or the fields asked for), ``_depth`` (links from the nearest start), ``_via``
    (the edge it was reached by: ``_id``, ``_from``, ``_to`` and its ``role`` or
    ``relation``) and ``_starts`` (each start that reached it, with the depth).
    ``truncated`` is true when a depth cut the walk short: more lineage lies beyond.
    """

    def __init__(
        self,
        rows: Iterable[dict[str, Any]] = (),
        *,
        starts: Sequence[str] = (),
        direction: str = "downstream",
        depth: int | None = None,
        types: Sequence[str] | None = None,
        truncated: bool = False,
    ) -> None:
        super().__init__(rows)
        self.starts = list(starts)
        self.direction = direction
        self.depth = depth
        self.types = None if types is None else list(types)
        self.truncated = truncated

    def ids(self) -> list[str]:
        return [row["_id"] for row in self]

    def parent(self, row: Mapping[str, Any]) -> str:
        """The vertex ``row`` was reached from (the other end of its ``_via`` edge)."""
        via = row["_via"]
        return str(via["_from"] if self.direction == "downstream" else via["_to"])


def check_depth(depth: int | None) -> int:
    """The number of links to follow: ``depth``, or :data:`COMPLETE_DEPTH` for all of them."""
    if depth is None:
        return COMPLETE_DEPTH
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise BadParameterError(f"depth is a whole number of links, at least 1 (not {depth!r})")
    return depth


def vertex_form(fields: str | Sequence[str] | None) -> tuple[str, list[str] | None]:
    """How rows carry their vertex: ``compact`` (None), ``full`` ("*") or ``fields`` (names)."""
    if fields is None:
        return "compact", None
    if fields == "*":
        return "full", None
    if isinstance(fields, str) or not all(isinstance(f, str) and f for f in fields):
        raise BadParameterError(
            f"fields is '*' for whole documents or a list of field names, not {fields!r}"
        )
    return "fields", ["_id", *fields]


def resolve_starts(store: MetadataStore, start: Any) -> tuple[list[str], list[str]]:
    """The ids a walk starts from, and those of them not yet known to exist.

    A start is an id or a document (``_id``); ``type/name`` (every version of
    it, unless a document has that key); ``type/name@N`` or ``@latest``; a
    filter ``{"type": T, "filter": {...}}`` (every document of ``T`` it
    matches, see ``filters.py``); or a list of these.
    """
    items = list(start) if isinstance(start, (list, tuple, set, frozenset)) else [start]
    if not items:
        raise BadParameterError("a lineage walk needs at least one start")
    found: dict[str, None] = {}
    unchecked: list[str] = []
    for item in items:
        if isinstance(item, Mapping) and "_id" in item:
            doc_id = _checked_id(store, item["_id"])
            found[doc_id] = None
            unchecked.append(doc_id)
        elif isinstance(item, Mapping):
            found.update(dict.fromkeys(_filtered(store, item)))
        elif isinstance(item, str):
            found.update(dict.fromkeys(_named(store, item)))
        else:
            raise BadParameterError(
                f"a lineage start is an id, a reference, a document or a filter, not {item!r}"
            )
    return list(found), unchecked


def _checked_id(store: MetadataStore, doc_id: Any) -> str:
    ref = parse_ref(doc_id)
    store.type(ref.type)  # an unknown type is 1203
    if ref.key is None:
        raise DocumentError(f"not a document id: {doc_id!r}")
    return str(doc_id)


def _named(store: MetadataStore, text: str) -> list[str]:
    ref = parse_ref(text)
    if ref.key is None:  # name@N or name@latest: one document
        return [str(store.get(text)["_id"])]
    store.type(ref.type)
    if store.backend.get(ref.type, ref.key) is not None:
        return [text]
    ids = store.backend.query(_IDS_BY_NAME, {"@c": ref.type, "name": ref.key})
    if not ids:
        raise _named_nothing(text, ref.type)
    return [str(i) for i in ids]


def _named_nothing(text: str, type_name: str) -> DocumentNotFoundError:
    return DocumentNotFoundError(
        f"artifact not found: {text} (neither the id nor the name of any {type_name})",
        ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    )


def _one_name(store: MetadataStore, start: Any) -> tuple[str, str, str] | None:
    """(type, key or name, ``type/key``) when ``start`` is one ``type/name`` (not ``@N`` /
    ``@latest``) whose name part is a valid name (so a valid key too)."""
    if not isinstance(start, str):
        return None
    found = _name_parts(start)
    if found is not None:
        store.type(found[0])  # an unknown type is 1203
    return found


@lru_cache(maxsize=1024)
def _name_parts(start: str) -> tuple[str, str, str] | None:
    """What :func:`_one_name` parses out of ``start`` (remembered, as :func:`_parsed`)."""
    ref = _parsed(start)
    if ref.key is None or not is_valid_name(ref.key):
        return None
    return ref.type, ref.key, f"{ref.type}/{ref.key}"


def _one_version(store: MetadataStore, start: Any) -> tuple[str, dict[str, Any]] | None:
    """The store's query for the document when ``start`` is one ``type/name@N`` or
    ``type/name@latest`` and no transaction holds versions not yet stored (see
    :meth:`MetadataStore.version_lookup`), with its bind parameters."""
    if not isinstance(start, str) or store.step is not None:
        return None
    ref = _parsed(start)
    if ref.key is not None:
        return None
    return store.version_lookup(store.type(ref.type), ref)


@lru_cache(maxsize=1024)
def _parsed(start: str) -> Ref:
    """:func:`parse_ref`, remembered (a walk is often asked again from the same start; a
    malformed reference raises each time)."""
    return parse_ref(start)


def _filtered(store: MetadataStore, spec: Mapping[str, Any]) -> list[str]:
    unknown = set(spec) - {"type", "filter"}
    if "type" not in spec or unknown:
        raise BadParameterError(
            'a filter start is {"type": TYPE, "filter": {...}}' + f", not {dict(spec)!r}"
        )
    artifact_type = store.type(spec["type"])
    bind: dict[str, Any] = {"@c": artifact_type.name}
    check_filter_types(artifact_type, spec.get("filter"))
    filter_line = compile_filters(spec.get("filter"), bind)
    return [str(i) for i in store.backend.query(f"FOR d IN @@c {filter_line} RETURN d._id", bind)]


def check_types(store: MetadataStore, types: Iterable[str] | None, what: str) -> list[str] | None:
    """Registered type names (an unknown one is 1203, not an empty answer); None for all."""
    if types is None:
        return None
    if isinstance(types, str):
        raise BadParameterError(f"{what} is a list of type names, not the string {types!r}")
    names = list(types)
    for name in names:
        store.type(name)
    return names


def walk(
    store: MetadataStore,
    start: Any,
    *,
    direction: str,
    types: Iterable[str] | None = None,
    through: Iterable[str] | None = None,
    depth: int | None = None,
    fields: str | Sequence[str] | None = None,
) -> Lineage:
    """See :meth:`MetadataStore.lineage`."""
    if direction not in DIRECTIONS:
        raise BadParameterError(f"direction is 'downstream' or 'upstream', not {direction!r}")
    # (the defaults without a call: this runs for every walk)
    limit = COMPLETE_DEPTH if depth is None else check_depth(depth)
    form, keep = ("compact", None) if fields is None else vertex_form(fields)
    wanted = None if types is None else check_types(store, types, "types")
    walked = None if through is None else check_types(store, through, "through")
    bind: dict[str, Any] = {"max": limit + 1, "depth": limit, "types": wanted}
    if walked is not None:
        bind["through"] = walked
    if keep is not None:
        bind["fields"] = keep
    named = _one_name(store, start)
    versioned = None if named is not None else _one_version(store, start)
    unchecked: list[str] = []
    if named is not None:
        bind["@start"], bind["name"], bind["id"] = named
        [[starts, raw]] = store.backend.query(WALK[direction, walked is not None, form, True], bind)
        if not starts:
            raise _named_nothing(start, named[0])
    elif versioned is not None:
        lookup, found_by = versioned
        aql = _versioned_walk(direction, through=walked is not None, vertex=form, lookup=lookup)
        [[starts, raw]] = store.backend.query(aql, {**bind, **found_by})
        if not starts:  # no such document (get raises), or one written since
            starts = [str(store.get(start)["_id"])]
            bind["starts"] = starts
            raw = store.backend.query(WALK[direction, walked is not None, form, False], bind)
    else:
        starts, unchecked = resolve_starts(store, start)
        bind["starts"] = starts
        raw = store.backend.query(WALK[direction, walked is not None, form, False], bind)
    rows, truncated = assemble(raw, limit, form, direction)
    if unchecked:
        reached = {s for row in rows for s in row["_starts"]}
        _require_existing(store, [s for s in unchecked if s not in reached])
    if truncated and depth is None:
        warnings.warn(
            f"lineage walk from {starts[0]}{' and more' if len(starts) > 1 else ''} stopped at "
            f"the safety bound of {COMPLETE_DEPTH} links: the answer is incomplete",
            stacklevel=3,
        )
    return Lineage(
        rows, starts=starts, direction=direction, depth=depth, types=wanted, truncated=truncated
    )


def _require_existing(store: MetadataStore, ids: list[str]) -> None:
    missing = missing_ids(store.backend, ids)
    if missing:
        raise DocumentNotFoundError(
            f"artifact not found: {', '.join(missing)}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
        )


def assemble(
    raw: Iterable[Sequence[Any]], limit: int, form: str, direction: str
) -> tuple[list[dict[str, Any]], bool]:
    """One row per reached vertex from the walk's per-start rows (see :class:`Lineage`);
    and whether any start reached beyond ``limit`` links (the answer was cut there).

    A vertex an edge points to but which does not exist (written around the store)
    is a row too, with its id from the edge and ``_missing`` true. (This runs for every
    row of every walk: plain loops and literals, no helper calls.)
    """
    rows: dict[str, dict[str, Any]] = {}
    truncated = False
    compact = form == "compact"
    far = 5 if direction == "downstream" else 4  # the edge's end that is the reached vertex
    name = version = vertex = None
    for item in raw:
        if compact:
            start, vertex_id, depth, edge_id, edge_from, edge_to, role, relation, name, version = (
                item
            )
        else:
            start, vertex_id, depth, edge_id, edge_from, edge_to, role, relation, vertex = item
        if depth > limit:
            truncated = True
            continue
        missing = vertex_id is None
        if missing:
            vertex_id = item[far]
        row = rows.get(vertex_id)
        if row is not None:
            reached = row["_starts"]
            if start not in reached:
                reached[start] = depth
            if depth >= row["_depth"]:
                continue
            row["_depth"] = depth  # nearer from this start: reached by this start's edge
        elif compact:
            row = rows[vertex_id] = {
                "_id": vertex_id,
                "_type": vertex_id[: vertex_id.index("/")],
                "name": name,
                "version": version,
                "_depth": depth,
                "_starts": {start: depth},
            }
        else:
            row = rows[vertex_id] = dict(vertex or ())
            row.update(
                _id=vertex_id,
                _type=vertex_id[: vertex_id.index("/")],
                _depth=depth,
                _starts={start: depth},
            )
        if missing:
            row["_missing"] = True
        via = {"_id": edge_id, "_from": edge_from, "_to": edge_to}
        if role is not None:
            via["role"] = role
        if relation is not None:
            via["relation"] = relation
        row["_via"] = via
    ordered = sorted(rows.values(), key=_NEAREST_FIRST)
    return ordered, truncated


_NEAREST_FIRST = itemgetter("_depth", "_id")
