"""Binding a traversal's vertex variable: the whole document, a stub, or a few paths.

What a query reads of ``v`` decides what is fetched (see ``projections.py``):

- read only as ``v._id`` / ``v._key``: a stub ``{_key, _id}`` once the vertex
  is known to exist (a missing vertex binds null, as a fetch would);
- read through a few other attribute paths: a document holding just those;
- otherwise the whole document.

Each is one SQL expression over the vertex's row (:attr:`VertexLoader.select`),
so the edge lookup that finds a vertex can read it too (``GraphView``'s
probe): ``probed`` maps vertex ids to what it read (0: the vertex does not
exist). Vertices found no other way are fetched by the ``prefetch`` of a
:meth:`VertexLoader.session`, in one statement per collection (a
breadth-first walk hands it a whole level). Fetched vertices are cached for
the execution in the :class:`Runtime`, which also shares the whole-document
cache with path objects (``p.vertices``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .codec import decode
from .layout import VERTEX_DOCUMENT, vertex_document
from .projections import Path, vertex_reader

if TYPE_CHECKING:
    from .runtime import Runtime

_UNKNOWN = object()  # not in a cache (None is a vertex that does not exist)
# select -> the owner of what edge lookups read with it, in a Runtime (Runtime.cache_for)
_PROBED: dict[str, object] = {}


class VertexLoader:
    """Fetches vertices for one traversal; ``paths`` None means whole documents."""

    def __init__(self, paths: frozenset[Path] | None) -> None:
        self.paths = paths
        self.stub = paths is not None and paths <= {("_id",), ("_key",)}
        # build(vertex id, what ``select`` read of it): the value bound
        self.build: Callable[[str, Any], Any]
        if paths is None:
            self.select = VERTEX_DOCUMENT
            self.build = vertex_document
        elif self.stub:
            self.select = "1"
            self.build = lambda vertex_id, value: {
                "_key": vertex_id.partition("/")[2],
                "_id": vertex_id,
            }
        else:
            self.select, self.build = vertex_reader(paths)

    def probed(self, runtime: Runtime) -> dict[str, Any]:
        """Where edge lookups put what they read of vertices for this loader, this execution."""
        if self.stub:
            return runtime.vertex_exists  # shared with every traversal: existence is all it is
        # shared by every loader of the same select: edge lists are shared by execution
        owner = _PROBED.get(self.select)
        if owner is None:
            owner = _PROBED.setdefault(self.select, object())
        return runtime.cache_for(owner)

    def session(
        self, runtime: Runtime, known: dict[str, Any] | None = None
    ) -> tuple[Callable[[str], Any], Callable[[Sequence[str]], None]]:
        """``load(vertex_id)`` and ``prefetch(vertex_ids)`` for one execution (``known``:
        :meth:`probed`, when the caller has it).

        A vertex in :meth:`probed` needs no statement (see the module docstring).
        """
        cache = runtime.vertex_cache if self.paths is None else runtime.cache_for(self)
        if known is None:
            known = self.probed(runtime)
        build = self.build
        stub = self.stub

        def load(vertex_id: str) -> Any:
            found = cache.get(vertex_id, _UNKNOWN)
            if found is not _UNKNOWN:
                return found
            value = known.get(vertex_id)
            if value is None:
                prefetch((vertex_id,))
                return cache[vertex_id]
            found = build(vertex_id, value) if value else None
            if value and not stub:
                # the bounded cache keeps it now (``known`` would hold every vertex read)
                del known[vertex_id]
            runtime.make_room(cache)
            cache[vertex_id] = found
            return found

        def prefetch(vertex_ids: Sequence[str]) -> None:
            self._prefetch(runtime, cache, [v for v in vertex_ids if v not in known])

        return load, prefetch

    def positions(self, paths: Sequence[Path]) -> list[tuple[int, Path]] | None:
        """Where each of ``paths`` lies in a record (see :meth:`records`): the item and the
        path below it; None when a record cannot hold one of them.

        The layout is found by building a document from a value whose items are
        their positions (0, 1, ...).
        """
        if self.paths is None or self.stub or {("_key",), ("_rev",)} & self.paths:
            return None
        marks = "[" + ", ".join(str(i) for i in range(len(self.paths))) + "]"
        try:
            sample = self.build("c/k", marks)
        except (TypeError, ValueError, AttributeError):
            return None
        found: list[tuple[int, Path]] = []
        for path in paths:
            if path[0] == "_id":
                found.append((0, path[1:]))
                continue
            value: Any = sample
            for depth, name in enumerate(path):
                value = value.get(name) if type(value) is dict else None
                if type(value) is int:
                    found.append((1 + value, path[depth + 1 :]))
                    break
            else:
                return None
        return found

    def records(
        self, runtime: Runtime, known: dict[str, Any] | None = None
    ) -> tuple[Callable[[str], list[Any] | None], Callable[[Sequence[str]], None]]:
        """``record(vertex_id)`` and ``prefetch(vertex_ids)`` for one execution: a record
        is ``[vertex id, *what select read]``, None when the vertex does not exist (see
        :meth:`positions`); what is read goes where edge lookups put it (:meth:`probed`,
        ``known`` when the caller has it)."""
        if known is None:
            known = self.probed(runtime)
        loads = decode

        def record(vertex_id: str) -> list[Any] | None:
            value = known.get(vertex_id)
            if value is None:
                prefetch((vertex_id,))
                value = known[vertex_id]
            if not value:
                return None
            values: list[Any] = loads(value)
            values.insert(0, vertex_id)
            return values

        def prefetch(vertex_ids: Sequence[str]) -> None:
            wanted = [v for v in vertex_ids if v not in known]
            if wanted:
                self._fetch(runtime, wanted, known, lambda vertex_id, value: value, 0)

        return record, prefetch

    def _prefetch(self, runtime: Runtime, cache: dict[str, Any], vertex_ids: Sequence[str]) -> None:
        """Fetch the vertices not cached yet (one statement per collection)."""
        runtime.make_room(cache)
        self._fetch(runtime, [v for v in vertex_ids if v not in cache], cache, self.build, None)

    def _fetch(
        self,
        runtime: Runtime,
        vertex_ids: Sequence[str],
        into: dict[str, Any],
        make: Callable[[str, Any], Any],
        missing: Any,
    ) -> None:
        """``into[vertex id]``: ``make(vertex id, what select read)``, or ``missing`` (one
        statement per collection)."""
        wanted: dict[str, list[str]] = {}
        for vertex_id in vertex_ids:
            collection, _, key = vertex_id.partition("/")
            wanted.setdefault(collection, []).append(key)
        storage = runtime.storage
        select = self.select
        for collection, keys in wanted.items():
            info = runtime.info(collection)
            if info is None:
                for key in keys:
                    into[f"{collection}/{key}"] = missing
                continue
            if len(keys) == 1:
                row = storage.fetch(info, select, keys[0])
                found = {} if row is None else {keys[0]: row}
            else:
                found = storage.fetch_many(info, select, keys)
            for key in keys:
                vertex_id = f"{collection}/{key}"
                row = found.get(key)
                into[vertex_id] = missing if row is None else make(vertex_id, row[0])
