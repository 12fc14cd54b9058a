"""Binding a traversal's vertex variable: the whole document, a stub, or a few paths.

What a query reads of ``v`` decides what is fetched (see ``projections.py``):

- read only as ``v._id`` / ``v._key``: a stub ``{_key, _id}`` once the vertex
  is known to exist (a missing vertex binds null, as a fetch would);
- read through a few other attribute paths: a document holding just those;
- otherwise the whole document.

Fetched vertices are cached for the execution in the :class:`Runtime`, which
also shares the whole-document cache with path objects (``p.vertices``).
The ``prefetch`` of a :meth:`VertexLoader.session` fetches many vertices in
one statement per collection (a breadth-first walk hands it a whole level);
``existing`` (what edge lookups already found out, see ``GraphView``) spares
the statement for a stub.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .projections import Path, Projection
from .storage import CollectionInfo, decode

if TYPE_CHECKING:
    from .runtime import Runtime

Row = tuple[Any, ...]
# from how many vertices of one collection a prefetch asks for them in one statement
# (json_each costs more than it saves for fewer)
_FETCH_MANY = 16
Reader = tuple[str, Callable[[str, str, Row], Any]]  # SQL columns; (collection, key, row) -> value


class VertexLoader:
    """Fetches vertices for one traversal; ``paths`` None means whole documents."""

    def __init__(self, paths: frozenset[Path] | None) -> None:
        self.paths = paths
        self.stub = paths is not None and paths <= {("_id",), ("_key",)}
        self._readers: dict[str, Reader] = {}

    def _cache(self, runtime: Runtime) -> dict[str, Any]:
        if self.paths is None:
            return runtime.vertex_cache
        return runtime.cache_for(self)

    def _reader(self, info: CollectionInfo) -> Reader:
        reader = self._readers.get(info.name)
        if reader is None:
            if self.paths is None:
                reader = ("doc", lambda collection, key, row: decode(row[0]))
            elif self.stub:
                reader = (
                    "1",
                    lambda collection, key, row: {"_key": key, "_id": f"{collection}/{key}"},
                )
            else:
                projection = Projection(info.name, info.edge, self.paths)
                build = projection.build
                reader = (projection.columns, lambda collection, key, row: build(row))
            self._readers[info.name] = reader
        return reader

    def session(
        self, runtime: Runtime, existing: dict[str, bool] | None = None
    ) -> tuple[Callable[[str], Any], Callable[[Sequence[str]], None]]:
        """``load(vertex_id)`` and ``prefetch(vertex_ids)`` for one execution.

        ``existing`` holds what edge lookups found out about vertices existing
        (see ``GraphView``): enough for a stub, without a statement.
        """
        cache = self._cache(runtime)
        stub = self.stub
        known = existing if existing is not None and stub else {}

        def load(vertex_id: str) -> Any:
            try:
                return cache[vertex_id]
            except KeyError:
                pass
            exists = known.get(vertex_id)
            if exists is None:
                prefetch((vertex_id,))
                return cache[vertex_id]
            found = {"_key": vertex_id.partition("/")[2], "_id": vertex_id} if exists else None
            cache[vertex_id] = found
            return found

        def prefetch(vertex_ids: Sequence[str]) -> None:
            self._prefetch(runtime, cache, [v for v in vertex_ids if v not in known])

        return load, prefetch

    def _prefetch(self, runtime: Runtime, cache: dict[str, Any], vertex_ids: Sequence[str]) -> None:
        """Fetch the vertices not cached yet (one statement per collection when there are many)."""
        wanted: dict[str, list[str]] = {}
        for vertex_id in vertex_ids:
            if vertex_id not in cache:
                collection, _, key = vertex_id.partition("/")
                wanted.setdefault(collection, []).append(key)
        storage = runtime.storage
        for collection, keys in wanted.items():
            info = runtime.info(collection)
            if info is None:
                for key in keys:
                    cache[f"{collection}/{key}"] = None
                continue
            columns, build = self._reader(info)
            if len(keys) < _FETCH_MANY:
                found = {}
                for key in keys:
                    row = storage.fetch(info, columns, key)
                    if row is not None:
                        found[key] = row
            else:
                found = storage.fetch_many(info, columns, keys)
            for key in keys:
                row = found.get(key)
                cache[f"{collection}/{key}"] = None if row is None else build(collection, key, row)
