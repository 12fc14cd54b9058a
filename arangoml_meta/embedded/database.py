"""EmbeddedDatabase: the embedded engine's public face.

Shaped like a (small) ArangoDB database: collections, documents, indexes,
named graphs, transactions and ``query(aql, bind_vars)``. Parsed queries (with
their analysis and compiled plans, see ``prepared.py``) are cached by text;
every query runs in one transaction (a writer takes SQLite's
write lock up front), so a modification query is all-or-nothing. Bind
parameters are checked as ArangoDB checks them (1551 missing, 1552 unused,
1553 wrong type), and a query's warnings are kept in :attr:`last_warnings`.
A query honours ArangoDB's ``memoryLimit`` and ``maxRuntime`` options (see
``limits.py``).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from ..aql import ast as A
from ..aql.parser import parse
from ..cursor import Cursor
from ..errors import (
    ERROR_ARANGO_COLLECTION_TYPE_INVALID,
    ERROR_QUERY_BIND_PARAMETER_MISSING,
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    ERROR_QUERY_BIND_PARAMETER_UNDECLARED,
    ERROR_RESOURCE_LIMIT,
    BindParameterError,
    CollectionError,
    QueryError,
)
from .binder import bind
from .executor import QueryCompiler
from .geo_index import parse_definition as parse_geo_definition
from .inverted_index import parse_definition as parse_inverted_definition
from .limits import Budget, estimate_size, measured
from .prepared import Plan, PreparedQuery
from .runtime import Runtime
from .schemas import parse_property
from .storage import Storage

_CACHE_SIZE = 256
# bind values that need no check (see _check_json)
_SCALARS = frozenset({str, int, bool, type(None)})


def _check_json(name: str, value: Any, depth: int = 0) -> Any:
    """A JSON value for a bind parameter (tuples become lists), or error 1553."""
    t = type(value)
    if value is None or t in (bool, int, str):
        return value
    if t is float:
        if math.isfinite(value):
            return value
    elif t in (list, tuple) and depth < 200:
        return [v if type(v) in _SCALARS else _check_json(name, v, depth + 1) for v in value]
    elif t is dict and depth < 200 and all(isinstance(k, str) for k in value):
        return {
            k: v if type(v) in _SCALARS else _check_json(name, v, depth + 1)
            for k, v in value.items()
        }
    raise BindParameterError(
        f"bind parameter '{name}' has an invalid value or type", ERROR_QUERY_BIND_PARAMETER_TYPE
    )


class QueryResult(list[Any]):
    """The rows of a query, with its ``warnings`` and ``stats`` (ArangoDB's names:
    ``peakMemoryUsage`` in bytes — what the memory limit counts, 0 without one —
    and ``executionTime`` in seconds)."""

    warnings: list[dict[str, Any]]
    stats: dict[str, Any]


def _collect(rows: Iterable[Any], budget: Budget) -> QueryResult:
    """The rows, each charged to ``budget`` when it has a memory limit."""
    if not budget.counts_memory:
        return QueryResult(rows)
    result = QueryResult()
    append, charge = result.append, budget.charge
    size = 0
    for i, row in enumerate(rows):
        if measured(i):  # the result's pointer to the row, and the row
            size = 8 + estimate_size(row)
        charge(size)
        append(row)
    return result


class EmbeddedDatabase:
    """An AQL database in one SQLite file (or ``":memory:"``)."""

    def __init__(
        self,
        path: str = ":memory:",
        name: str = "_system",
        *,
        timeout: float = 30.0,
        read_only: bool = False,
    ) -> None:
        """``timeout``: how long a write waits for another connection's write to end;
        ``read_only``: open an existing file for reading only."""
        self.path = path
        self.name = name
        self.storage = Storage(path, timeout, read_only=read_only)
        self._cache: OrderedDict[str, PreparedQuery] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.last_warnings: list[dict[str, Any]] = []
        self.tracer: Callable[[str, dict[str, Any]], None] | None = None

    def close(self) -> None:
        self.storage.close()

    def __enter__(self) -> EmbeddedDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ collections

    def create_collection(self, name: str, edge: bool = False) -> None:
        self.storage.create_collection(name, edge)

    def has_collection(self, name: str) -> bool:
        return self.storage.has_collection(name)

    def drop_collection(self, name: str) -> None:
        self.storage.drop_collection(name)

    def rename_collection(self, name: str, new_name: str) -> None:
        self.storage.rename_collection(name, new_name)

    def collections(self) -> list[dict[str, Any]]:
        return [
            {"name": c.name, "type": "edge" if c.edge else "document"}
            for c in self.storage.collections()
        ]

    def count(self, name: str) -> int:
        return self.storage.count(name)

    def set_schema(self, name: str, schema: dict[str, Any] | None) -> None:
        """Set a collection's ``schema`` property (``{rule, level, message}``; None or ``{}``
        removes it), enforced on every write from then on (see ``schemas.py``); 1621 when
        ArangoDB would refuse the property."""
        self.storage.set_schema(name, parse_property(name, schema))

    def schema(self, name: str) -> dict[str, Any] | None:
        """A collection's ``schema`` property, None when it has none."""
        found = self.storage.schema_of(self.storage.collection(name))
        return None if found is None else found.as_property()

    def truncate(self, name: str) -> None:
        self.storage.truncate(name)

    def ensure_index(
        self,
        collection: str,
        fields: list[str],
        unique: bool = False,
        sparse: bool = False,
        name: str | None = None,
    ) -> dict[str, Any]:
        index = self.storage.ensure_index(collection, fields, unique, sparse, name)
        return index.as_dict(collection)

    def ensure_geo_index(
        self,
        collection: str,
        fields: list[str],
        geo_json: bool = False,
        legacy_polygons: bool = False,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Create a geo index (see ``geo_index.py``), or return the identical existing one;
        error 10 for a definition ArangoDB refuses."""
        definition = parse_geo_definition(
            {
                "type": "geo",
                "fields": fields,
                "geoJson": geo_json,
                "legacyPolygons": legacy_polygons,
            }
        )
        index, _ = self.storage.ensure_geo_index(collection, definition, name)
        return index.as_dict(collection)

    def ensure_inverted_index(
        self, collection: str, definition: dict[str, Any], name: str | None = None
    ) -> dict[str, Any]:
        """Create an inverted index from ArangoDB's definition of one (``fields``,
        ``analyzer``, ..., see ``inverted_index.py``), or return the identical existing one;
        error 10 for a definition ArangoDB refuses."""
        index, _ = self.storage.ensure_inverted_index(
            collection, parse_inverted_definition(definition), name
        )
        return index.as_dict(collection)

    def indexes(self, collection: str) -> list[dict[str, Any]]:
        info = self.storage.collection(collection)
        primary = {
            "id": f"{collection}/0",
            "name": "primary",
            "type": "primary",
            "fields": ["_key"],
            "unique": True,
            "sparse": False,
        }
        out = [primary]
        if info.edge:
            out.append(
                {
                    "id": f"{collection}/1",
                    "name": "edge",
                    "type": "edge",
                    "fields": ["_from", "_to"],
                    "unique": False,
                    "sparse": False,
                }
            )
        made = [(i.id, i.as_dict(collection)) for i in info.indexes]
        made += [(i.id, i.as_dict(collection)) for i in info.geo_indexes]
        made += [(i.id, i.as_dict(collection)) for i in info.inverted_indexes]
        return out + [described for _, described in sorted(made, key=lambda pair: pair[0])]

    # ------------------------------------------------------------------ documents

    def insert(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
        return self.insert_many(collection, [doc])[0]

    def insert_many(self, collection: str, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert documents, keeping given ``_key`` / ``_from`` / ``_to``; all or nothing."""
        # one write transaction for the catalog and the documents; values are checked (JSON
        # only, else 1227) as the storage encodes them
        storage = self.storage
        with storage.atomic(write=True):
            return storage.insert_many(storage.collection(collection), docs)

    def get(self, collection: str, key: str) -> dict[str, Any] | None:
        with self.storage.atomic():  # one read transaction for the catalog and the document
            return self.storage.get(self.storage.collection(collection), key)

    # ------------------------------------------------------------------ graphs

    def create_graph(
        self,
        name: str,
        edge_definitions: list[dict[str, Any]],
        orphan_collections: list[str] | None = None,
    ) -> dict[str, Any]:
        """Create a named graph; its edge collections must exist and be edge collections."""
        definitions = []
        for definition in edge_definitions:
            collection = definition.get("collection")
            info = self.storage.collection(str(collection))
            if not info.edge:
                raise CollectionError(
                    f"collection '{collection}' is not an edge collection",
                    ERROR_ARANGO_COLLECTION_TYPE_INVALID,
                )
            definitions.append(
                {
                    "collection": collection,
                    "from": list(definition.get("from", [])),
                    "to": list(definition.get("to", [])),
                }
            )
        graph = {
            "name": name,
            "edgeDefinitions": definitions,
            "orphanCollections": list(orphan_collections or []),
        }
        self.storage.save_graph(name, graph)
        return graph

    def graph(self, name: str) -> dict[str, Any]:
        return self.storage.graph(name)

    def replace_graph(self, name: str, graph: dict[str, Any]) -> None:
        self.storage.save_graph(name, graph, replace=True)

    def has_graph(self, name: str) -> bool:
        return name in self.storage.graphs()

    def drop_graph(self, name: str) -> None:
        self.storage.drop_graph(name)

    # ------------------------------------------------------------------ transactions

    def transaction(self, write: bool = True) -> AbstractContextManager[EmbeddedDatabase]:
        """Everything inside runs in one transaction (nested: a savepoint)."""
        return self.storage.atomic(write=write, result=self)

    # ------------------------------------------------------------------ queries

    def parse(self, aql: str) -> A.Query:
        """The (cached) AST of ``aql``."""
        return self.prepare(aql).query

    def prepare(self, aql: str) -> PreparedQuery:
        """The (cached) parsed and analysed ``aql``."""
        with self._cache_lock:
            cached = self._cache.get(aql)
            if cached is not None:
                self._cache.move_to_end(aql)
                return cached
        prepared = PreparedQuery(bind(parse(aql)))
        with self._cache_lock:
            self._cache[aql] = prepared
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return prepared

    def _bind(self, prepared: PreparedQuery, bind_vars: dict[str, Any]) -> list[Any]:
        query = prepared.query
        frame: list[Any] = [None] * query.slot_count
        declared = prepared.declared
        if declared == bind_vars.keys():
            for name, slot in query.bind_params.items():
                value = bind_vars[name]
                # a string, a whole number or a boolean is JSON as it is (the common case)
                frame[slot] = value if type(value) in _SCALARS else _check_json(name, value)
            return frame
        for name in sorted(declared):
            if name not in bind_vars:
                raise BindParameterError(
                    f"no value specified for declared bind parameter '{name}'",
                    ERROR_QUERY_BIND_PARAMETER_MISSING,
                )
        for name in bind_vars:
            if name not in declared:
                raise BindParameterError(
                    f"bind parameter '{name}' was not declared in the query",
                    ERROR_QUERY_BIND_PARAMETER_UNDECLARED,
                )
        for name, slot in query.bind_params.items():
            frame[slot] = _check_json(name, bind_vars[name])
        return frame

    def check_bind_vars(self, aql: str, bind_vars: Mapping[str, Any]) -> None:
        """Check ``bind_vars`` against ``aql`` as running it would (1551 missing, 1552 not
        declared, 1553 not JSON), without running it."""
        self._bind(self.prepare(aql), dict(bind_vars))

    def query(
        self,
        aql: str,
        bind_vars: dict[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        statistics: bool = False,
    ) -> QueryResult:
        """Run an AQL query and return its rows (a list with ``warnings`` and ``stats``).

        ``options``: ArangoDB's query options; ``memoryLimit`` (bytes) and
        ``maxRuntime`` (seconds) are honoured, other names are ignored. The rows
        count against the memory limit, as they are all held. ``statistics``: count
        what the scans read and the FILTERs drop too (ArangoDB's ``scannedFull``,
        ``scannedIndex``, ``filtered``, ... in ``stats``, see ``statistics.py``).
        """
        made, warnings, budget, _ = self._run(aql, bind_vars, options, statistics)
        rows = _collect(made, budget)
        rows.warnings = warnings
        rows.stats = budget.stats()
        return rows

    def cursor(
        self,
        aql: str,
        bind_vars: dict[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        *,
        statistics: bool = False,
    ) -> Cursor:
        """Run an AQL query whose rows are made as they are read (see :class:`Cursor`).

        Parse and bind errors are raised here; errors of execution while reading.
        A query that writes runs to its end here, so that it commits (all or
        nothing) whether or not its rows are read. ``options`` and ``statistics`` as
        for :meth:`query` (the statistics are the cursor's budget's);
        rows handed out are not held, so they do not count against the memory
        limit; the runtime is the cursor's, from the query's start to its last row
        (a reader that takes long with a large result needs a larger maxRuntime).
        """
        made, warnings, budget, writes = self._run(aql, bind_vars, options, statistics)
        if writes:  # run it to its end (and commit) now; its rows are held meanwhile
            held = _collect(made, budget)
            return Cursor((row for row in held), warnings, budget)
        return Cursor(made, warnings, budget)

    def _run(
        self,
        aql: str,
        bind_vars: dict[str, Any] | None,
        options: Mapping[str, Any] | None,
        statistics: bool = False,
    ) -> tuple[Generator[Any, None, None], list[dict[str, Any]], Budget, bool]:
        """The query's rows as they are made (parse and bind errors raised now), its
        warnings (complete once the rows are), its budget, and whether it writes."""
        if not isinstance(aql, str):
            raise QueryError("query must be a string", 1502)
        bind_vars = dict(bind_vars or {})
        if self.tracer is not None:
            self.tracer(aql, bind_vars)
        prepared = self.prepare(aql)
        template = self._bind(prepared, bind_vars)
        budget = Budget.from_options(options, statistics)
        runtime = Runtime(self.storage, self.name, budget, bounded=not prepared.writes)
        storage = self.storage

        def compile_plan() -> tuple[Plan, set[int]]:
            compiler = QueryCompiler(storage, bind_vars, prepared.usage)
            run = compiler.compile_query(prepared.query, template, prepared.modifications)
            return run, compiler.compile_time_slots

        def rows() -> Generator[Any, None, None]:
            try:
                with storage.atomic(write=prepared.writes):
                    template[0] = runtime
                    run = prepared.plan(storage, bind_vars, template, compile_plan)
                    yield from run(template)
            except RecursionError:
                raise QueryError("query is too deeply nested to execute", 1500) from None
            except MemoryError:  # the process ran out before the query's memoryLimit did
                raise QueryError(
                    "query would use more memory than is available; give it a memoryLimit",
                    ERROR_RESOURCE_LIMIT,
                ) from None
            self.last_warnings = runtime.warnings

        return rows(), runtime.warnings, budget, prepared.writes
