"""ArangoDB's execution statistics of a query: what its scans read and its FILTERs dropped.

ArangoDB reports per query (a cursor's ``extra.stats``):

- ``scannedFull``: documents a full collection scan read (EnumerateCollectionNode);
- ``scannedIndex``: entries an index scan read (IndexNode), a scan of a whole
  index included;
- ``filtered``: rows a FILTER dropped, in a FilterNode or moved into a scan;
- ``documentLookups``: documents an index scan fetched because its index does not
  hold every attribute the query reads of them;
- ``cursorsCreated`` / ``cursorsRearmed``: index cursors an IndexNode opened, and
  re-armed for a later row from upstream.

Built-in functions (``DOCUMENT()``, ...) count nothing, as in ArangoDB. UPSERT's
lookup counts as ArangoDB plans it: a FOR over the collection with the search's
FILTER and ``LIMIT 1`` (see ``modify.py``).

This engine runs FILTERs and stops for LIMIT inside SQLite, which reports none
of it, so a scan works out what ArangoDB's plan for it reads. :func:`choose_access`
picks what ArangoDB's optimizer picks for a FOR over a collection: an index its
FILTER conditions select (the primary index for ``_key`` / ``_id``, the edge
index for ``_from`` / ``_to``, a persistent index whose leading fields they
bind), else the whole primary index when the SORT after the FOR sorts by
``_key`` alone, or a whole persistent index whose leading fields it sorts by
(``use-index-for-sort``), else a whole index that holds every
attribute read (``reduce-extraction-to-projection``: the primary index when
only ``_key`` / ``_id`` or nothing is read), else the collection.
:class:`ScanTally` then counts what that access reads: the rows of its index
condition (or of the collection) up to where the scan stopped — one SQL
``count`` when the scan's SQL is narrower than that condition, none otherwise
(a scan of a collection its query writes takes the keys with its snapshot) —
and what the other conditions dropped.

Approximations, written down: ArangoDB reads an index in the index's order and
this engine a scan in insertion order, so a scan that LIMIT stops early counts
the index condition's rows inserted before the last row it gave; an index order
used for SORT and LIMIT (see ``sorted_reads``) counts the entries it read after
the conditions SQLite applied, and so does one used for a SORT alone when a
later LIMIT stops it (read to its end, it counts as a scan); ArangoDB picks
among indexes by its cost estimates, this module by a fixed preference
(primary, unique, edge, the most fields bound); conditions this engine does
not push into SQL (ranges over ``_key``, ``IN`` lists of more than 500 values,
expressions) count as read by a full scan; traversals and path searches count
nothing yet.

Measuring is asked for per query (the server always asks); without it a scan
does no more than before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..aql import ast as A
from .projections import Path, VariableUsage, attribute_chain

if TYPE_CHECKING:
    from .layout import IndexInfo
    from .planner import Pushed
    from .storage import CollectionInfo, Storage

# ArangoDB's default maxProjections: more attributes read make no projection (whole documents)
MAX_PROJECTIONS = 5
Fields = tuple[tuple[str, ...], ...]
_PRIMARY_FIELDS: Fields = (("_key",), ("_id",))
_EDGE_FIELDS: Fields = (("_from",), ("_to",))
_EQUALITY = ("==", "IN")
_RANGE = ("<", "<=", ">", ">=")


class QueryStats:
    """The counters of one query execution (ArangoDB's names in :meth:`as_dict`)."""

    __slots__ = (
        "_opened",
        "cursors_created",
        "cursors_rearmed",
        "document_lookups",
        "filtered",
        "scanned_full",
        "scanned_index",
    )

    def __init__(self) -> None:
        self.scanned_full = 0
        self.scanned_index = 0
        self.filtered = 0
        self.document_lookups = 0
        self.cursors_created = 0
        self.cursors_rearmed = 0
        self._opened: set[int] = set()  # the index scans (by id) that opened a cursor

    def open_cursor(self, scan: object) -> None:
        """An index scan starts: its first start opens a cursor, a later one re-arms it."""
        key = id(scan)
        if key in self._opened:
            self.cursors_rearmed += 1
        else:
            self._opened.add(key)
            self.cursors_created += 1

    def as_dict(self) -> dict[str, int]:
        return {
            "documentLookups": self.document_lookups,
            "scannedFull": self.scanned_full,
            "scannedIndex": self.scanned_index,
            "cursorsCreated": self.cursors_created,
            "cursorsRearmed": self.cursors_rearmed,
            "filtered": self.filtered,
        }


COUNTERS = tuple(QueryStats().as_dict())


# --------------------------------------------------------------------------- what ArangoDB reads


def read_paths(
    usage: VariableUsage, var: A.Variable, key_reads: set[int]
) -> frozenset[Path] | None:
    """The attribute paths of ``var`` the query reads, as ArangoDB's projections see them
    (None: whole documents). ``key_reads``: ids of the bare variables that are the key of
    an UPDATE, REPLACE or REMOVE, which reads just ``_key``."""
    paths: set[Path] = set()
    for node, path in usage.reads.get(var, []):
        if path is None:
            if node is None or id(node) not in key_reads:
                return None
            path = ("_key",)
        paths.add(path)
    if len(paths) > MAX_PROJECTIONS:
        return None
    return frozenset(paths)


def _fields(index: IndexInfo) -> Fields:
    return tuple(tuple(f.split(".")) for f in index.fields)


def _covers(fields: Fields, paths: frozenset[Path]) -> bool:
    """Whether an index of ``fields`` holds every path (a field holds the paths below it)."""
    return all(any(path[: len(f)] == f for f in fields) for path in paths)


@dataclass
class Access:
    """How ArangoDB reads a FOR over a collection (see the module docstring)."""

    index: bool  # an index scan (else a full collection scan)
    covering: bool = False  # the index holds every path read: no document lookups
    # the index's part of the FILTERs: positions in the list of pushed conditions
    condition: tuple[int, ...] = ()


_FULL_SCAN = Access(False)


def sort_fields(sort: A.Sort | None, var: A.Variable) -> Fields | None:
    """The attribute paths of ``var`` a SORT right after its FOR (and FILTERs) sorts by,
    in one direction; None when it sorts otherwise (see :func:`choose_access`)."""
    if sort is None:
        return None
    paths: list[Path] = []
    for element in sort.elements:
        if not isinstance(element.expr, A.AttributeAccess):
            return None
        base, path = attribute_chain(element.expr)
        if not isinstance(base, A.Var) or base.var is not var:
            return None
        paths.append(path)
    directions = {_constant(element.ascending) for element in sort.elements}
    if len(directions) != 1 or None in directions:
        return None
    return tuple(paths)


def _constant(node: A.Node) -> Any:
    """A SORT direction given as a literal (None otherwise)."""
    if isinstance(node, A.Literal) and isinstance(node.value, (bool, str)):
        return str(node.value).upper() in ("TRUE", "ASC")
    return None


def choose_access(
    info: CollectionInfo,
    pushed: list[Pushed],
    paths: frozenset[Path] | None,
    sorted_by: Fields | None = None,
) -> Access:
    """The access ArangoDB's optimizer picks, given the conditions pushed into SQL, the
    paths read (see :func:`read_paths`) and the SORT that follows (see :func:`sort_fields`:
    ArangoDB reads an index whose leading fields it sorts by in the index's order)."""
    best: tuple[int, list[Pushed], Fields] | None = None
    by_path: dict[tuple[str, ...], list[Pushed]] = {}
    for p in pushed:
        by_path.setdefault(tuple(p.path), []).append(p)

    def consider(rank: int, used: list[Pushed], fields: Fields) -> None:
        nonlocal best
        if used and (best is None or rank > best[0]):
            best = (rank, used, fields)

    for name in ("_key", "_id"):
        consider(100, [p for p in by_path.get((name,), []) if p.op in _EQUALITY], _PRIMARY_FIELDS)
    if info.edge:  # an edge index holds both ends
        for name in ("_from", "_to"):
            consider(50, [p for p in by_path.get((name,), []) if p.op in _EQUALITY], _EDGE_FIELDS)
    for index in info.indexes:
        fields = _fields(index)
        used = _index_condition(fields, by_path, index.sparse)
        bound = len({tuple(p.path) for p in used})
        unique_hit = index.unique and bound == len(fields) and all(p.op in _EQUALITY for p in used)
        consider(90 if unique_hit else 10 + bound, used, fields)
    if best is not None:
        _, used, fields = best
        positions = tuple(i for i, p in enumerate(pushed) if any(p is u for u in used))
        return Access(True, paths is not None and _covers(fields, paths), positions)
    if sorted_by == _PRIMARY_FIELDS[:1]:  # the primary index is sorted by _key
        return Access(True, paths is not None and _covers(_PRIMARY_FIELDS, paths))
    if sorted_by:
        for index in info.indexes:
            fields = _fields(index)
            if not index.sparse and fields[: len(sorted_by)] == sorted_by:
                return Access(True, paths is not None and _covers(fields, paths))
    if paths is not None and (not paths or _covers(_PRIMARY_FIELDS, paths)):
        return Access(True, True)
    if paths is not None:
        for index in info.indexes:
            if not index.sparse and _covers(_fields(index), paths):
                return Access(True, True)
    return _FULL_SCAN


def access_chooser(
    info: CollectionInfo, paths: frozenset[Path] | None, sorted_by: Fields | None = None
) -> Callable[[list[Pushed]], Access]:
    """:func:`choose_access` for one scan stage, remembered per set of pushed conditions
    (a sparse index makes the choice depend on the values too: then not remembered)."""
    if any(index.sparse for index in info.indexes):
        return lambda pushed: choose_access(info, pushed, paths, sorted_by)
    chosen: dict[tuple[tuple[tuple[str, ...], str], ...], Access] = {}

    def access(pushed: list[Pushed]) -> Access:
        key = tuple((tuple(p.path), p.op) for p in pushed)
        found = chosen.get(key)
        if found is None:
            found = chosen[key] = choose_access(info, pushed, paths, sorted_by)
        return found

    return access


def _index_condition(
    fields: Fields, by_path: dict[tuple[str, ...], list[Pushed]], sparse: bool
) -> list[Pushed]:
    """The conditions a persistent index of ``fields`` can look up: equalities on its
    leading fields, then at most one field's range (none that a sparse index misses)."""
    used: list[Pushed] = []
    for f in fields:
        conditions = by_path.get(f, [])
        if sparse and any(_may_be_null(p) for p in conditions):
            conditions = [p for p in conditions if not _may_be_null(p)]
        equal = [p for p in conditions if p.op in _EQUALITY]
        if equal:
            used += equal
            continue
        used += [p for p in conditions if p.op in _RANGE]
        break
    if sparse and len(used) and len({tuple(p.path) for p in used}) < len(fields):
        return []  # a sparse index answers only when every field is bound
    return used


def _may_be_null(p: Pushed) -> bool:
    """Whether null satisfies the condition (a sparse index does not hold null)."""
    if p.op == "IN":
        return not isinstance(p.value, list) or None in p.value
    if p.op == "==":
        return p.value is None
    return p.op in ("<", "<=")  # null is below every other value


# --------------------------------------------------------------------------- counting a scan


class ScanTally:
    """What one run of a scan stage read: the rows its SQL gave (``count``, and ``done``
    once it gave them all) and how many of them the conditions left to Python dropped."""

    __slots__ = ("count", "done", "dropped", "last", "positions")

    def __init__(self) -> None:
        self.count = 0
        self.done = False
        self.dropped = 0
        self.last: Any = None  # the last row taken
        # for a scan of a snapshot (its query writes the collection meanwhile): the keys
        # the access reads, in order, taken with the snapshot (see snapshot_positions)
        self.positions: dict[str, int] | None = None

    def reading(self, rows: Iterable[Any]) -> Iterator[Any]:
        """``rows``, counted as they are taken."""
        for row in rows:
            self.count += 1
            self.last = row
            yield row
        self.done = True


def settle_scan(
    stats: QueryStats,
    storage: Storage,
    info: CollectionInfo,
    scan: object,
    access: Access,
    pushed: list[Pushed],
    tally: ScanTally,
) -> None:
    """Add what one run of a scan stage read (``access``: see :func:`choose_access`;
    ``pushed``: all of its SQL's conditions; ``scan``: the stage, for its cursor)."""
    read = tally.count
    if len(access.condition) != len(pushed) and (read or tally.done):
        if tally.positions is not None:
            read = len(tally.positions) if tally.done else tally.positions[tally.last[0]]
        else:
            condition = [pushed[i] for i in access.condition]
            read = _rows_read(storage, info, condition, tally)
    stats.filtered += read - (tally.count - tally.dropped)
    if not access.index:
        stats.scanned_full += read
        return
    stats.open_cursor(scan)
    stats.scanned_index += read
    if not access.covering:
        stats.document_lookups += read


def settle_ordered(
    stats: QueryStats,
    info: CollectionInfo,
    scan: object,
    sort_path: list[str] | None,
    paths: frozenset[Path] | None,
    tally: ScanTally,
) -> None:
    """Add what one run of a scan in the order of a persistent index (for SORT and LIMIT)
    read: the index entries it took, each a document lookup unless the index holds every
    path read; the FILTER's drops."""
    stats.open_cursor(scan)
    stats.scanned_index += tally.count
    stats.filtered += tally.dropped
    if paths is not None and sort_path == ["_key"] and _covers(_PRIMARY_FIELDS, paths):
        return  # the primary index, read in its order, holds _key and _id
    covering = paths is not None and any(
        not index.sparse
        and index.fields[0].split(".") == sort_path
        and _covers(_fields(index), paths)
        for index in info.indexes
    )
    if not covering:
        stats.document_lookups += tally.count


def snapshot_positions(
    storage: Storage, info: CollectionInfo, access: Access, pushed: list[Pushed]
) -> dict[str, int] | None:
    """For a scan of a snapshot: each key the access reads -> how many it reads up to
    that one; None when the scan's SQL is the access's (nothing more to count). Taken
    with the snapshot, as the query's writes change the collection afterwards."""
    if len(access.condition) == len(pushed):
        return None
    condition = [pushed[i] for i in access.condition]
    where = " AND ".join(p.sql for p in condition) or "1"
    params = [x for p in condition for x in p.params]
    rows = storage.rows(f"SELECT key FROM {info.table} WHERE {where} ORDER BY seq", params)
    return {row[0]: i for i, row in enumerate(rows, 1)}


def measured(
    make: Callable[[ScanTally], Iterator[Any]],
    settle: Callable[[ScanTally], None],
    tally: ScanTally | None = None,
) -> Iterator[Any]:
    """The rows ``make`` gives with a tally (a new one unless given), then ``settle``
    with it: when they end, or when the reader stops early (a LIMIT met), with what
    was read so far."""
    if tally is None:
        tally = ScanTally()
    try:
        yield from make(tally)
    except GeneratorExit:
        settle(tally)
        raise
    settle(tally)


def _rows_read(
    storage: Storage, info: CollectionInfo, condition: list[Pushed], tally: ScanTally
) -> int:
    """The rows ``condition`` holds (the collection's when empty), up to the last row the
    scan took (a row of its SQL, its key first) when it stopped early."""
    where = " AND ".join(p.sql for p in condition) or "1"
    params = [x for p in condition for x in p.params]
    sql = f"SELECT count(*) FROM {info.table} WHERE {where}"
    if not tally.done:
        sql += f" AND seq <= (SELECT seq FROM {info.table} WHERE key = ?)"
        params.append(tally.last[0])
    return int(storage.rows(sql, params)[0][0])
