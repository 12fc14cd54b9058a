"""The run-time context of one query execution.

Lives in slot 0 of every frame. It gives functions what they may ask of the
running query (warnings, DOCUMENT lookups, collection counts, the clock, the
query's deadline — the ``FunctionContext`` protocol), holds the execution's
resource :class:`~.limits.Budget`, and gives the executor cached access to the
storage: vertex documents fetched during traversals are decoded once per
query, and compiled parts of the plan keep per-execution caches here
(:meth:`Runtime.cache_for`, see ``vertices.py``).
"""

from __future__ import annotations

import getpass
import time
from typing import TYPE_CHECKING, Any

from ..errors import CollectionNotFoundError
from .documents import split_id
from .edge_lists import Kept, check_size, kept_lists
from .limits import Budget

if TYPE_CHECKING:
    from .storage import CollectionInfo, Storage

MAX_WARNINGS = 10
# whole documents a read-only execution keeps decoded (a traversal's vertices): past this
# many it starts afresh (a query that walks from every model would hold every run)
CACHED_DOCUMENTS = 10_000


class Runtime:
    """Per-execution state: warnings, caches and storage access."""

    def __init__(
        self,
        storage: Storage,
        database_name: str = "_system",
        budget: Budget | None = None,
        bounded: bool = True,
    ) -> None:
        self.storage = storage
        self.database_name = database_name
        self.budget = budget if budget is not None else Budget()
        self.warnings: list[dict[str, Any]] = []
        self.vertex_cache: dict[str, dict[str, Any] | None] = {}  # whole vertex documents
        self._caches: dict[int, dict[str, Any]] = {}  # see cache_for
        self._infos: dict[str, CollectionInfo | None] = {}
        self.edge_cache: dict[Any, Any] = {}  # traversal edge lists (see GraphView.bind)
        self.vertex_exists: dict[str, bool] = {}  # what edge lookups found out (GraphView)
        self._kept: Kept | None = None  # see kept()
        self._kept_at: tuple[int, int] | None = None
        # whether the document caches are bounded (see make_room): not when the query
        # writes, whose reads keep seeing the documents as they first read them
        self.bounded = bounded

    # ------------------------------------------------------------------ FunctionContext

    def warn(self, code: int, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append({"code": code, "message": message})

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def checkpoint(self) -> None:
        self.budget.check_time()  # functions call it in loops that take a while per turn

    def sleep(self, seconds: float) -> None:
        self.budget.sleep(seconds)

    def info(self, collection: str) -> CollectionInfo | None:
        """The collection's catalog entry (None when missing), cached for the execution."""
        try:
            return self._infos[collection]
        except KeyError:
            pass
        try:
            info: CollectionInfo | None = self.storage.collection(collection)
        except CollectionNotFoundError:
            info = None
        self._infos[collection] = info
        return info

    def document(self, collection: str | None, key_or_id: str) -> Any:
        if collection is None:
            parts = split_id(key_or_id)
            if parts is None:
                return None
            collection, key = parts
        else:
            # an id has a slash (split_id reads none in a key)
            parts = split_id(key_or_id) if "/" in key_or_id else None
            if parts is not None:
                if parts[0] != collection:
                    return None
                key = parts[1]
            else:
                key = key_or_id
        info = self.info(collection)
        if info is None:
            return None
        return self._stored(info, collection, key)

    def _stored(self, info: CollectionInfo, collection: str, key: str) -> Any:
        """The document, or None: a miss is known across queries while nothing is written
        (in the vertices traversals learnt of, see ``edge_lists.py``), read no more."""
        kept = self.kept()
        if kept is None:
            return self.storage.get(info, key)
        doc_id = collection + "/" + key
        if kept.exists.get(doc_id) is False:
            return None
        doc = self.storage.get(info, key)
        if doc is None:
            kept.missing(doc_id)
        return doc

    def kept(self) -> Kept | None:
        """What queries keep across executions (``edge_lists.kept_lists``) for this one's
        transaction, asked again only when this connection has written since, or its
        catalog changed (nothing else changes it during a transaction); each use counts
        towards its size checks (``edge_lists.check_size``)."""
        storage = self.storage
        at = (storage.conn.total_changes, storage.catalog_generation)
        if at != self._kept_at:
            self._kept = kept_lists(storage)
            self._kept_at = at
        elif self._kept is not None:
            check_size(self._kept)
        return self._kept

    def collection_count(self, name: str) -> int:
        return self.storage.count(name)

    def collection_schema(self, name: str) -> dict[str, Any] | None:
        schema = self.storage.schema_of(self.storage.collection(name))
        return None if schema is None else schema.as_property()

    def collection_names(self) -> list[str]:
        return [c.name for c in self.storage.collections()]

    def collections(self) -> list[tuple[str, str]]:
        return [(str(c.id), c.name) for c in self.storage.collections()]

    def current_user(self) -> str | None:
        try:
            return getpass.getuser()
        except Exception:  # pragma: no cover - no user database on some hosts
            return None

    def current_database(self) -> str:
        return self.database_name

    # ------------------------------------------------------------------ executor helpers

    def collection_documents(self, name: str) -> list[dict[str, Any]]:
        return list(self.storage.scan(self.storage.collection(name)))

    def vertex(self, vertex_id: str) -> dict[str, Any] | None:
        """The document behind a vertex id (None when missing), cached for the query."""
        if vertex_id in self.vertex_cache:
            return self.vertex_cache[vertex_id]
        parts = split_id(vertex_id)
        doc = None
        if parts is not None:
            info = self.info(parts[0])
            if info is not None:
                doc = self.storage.get(info, parts[1])
        self.make_room(self.vertex_cache)
        self.vertex_cache[vertex_id] = doc
        return doc

    def make_room(self, cache: dict[str, Any]) -> None:
        """Empty a document cache that holds :data:`CACHED_DOCUMENTS` (before it takes more:
        what a caller fetches next stays until the next call)."""
        if self.bounded and len(cache) >= CACHED_DOCUMENTS:
            cache.clear()

    def has_vertex(self, vertex_id: str, parts: tuple[str, str] | None = None) -> bool:
        """Whether the document behind a vertex id exists (read only when not yet known);
        ``parts``: its (collection, key) when the caller has them."""
        if vertex_id in self.vertex_cache:
            return self.vertex_cache[vertex_id] is not None
        known = self.vertex_exists.get(vertex_id)
        if known is not None:
            return known
        if parts is None:
            parts = split_id(vertex_id)
        info = self.info(parts[0]) if parts is not None else None
        exists = info is not None and parts is not None and self.storage.has(info, parts[1])
        self.vertex_exists[vertex_id] = exists
        return exists

    def cache_for(self, owner: object) -> dict[str, Any]:
        """A per-execution cache belonging to ``owner`` (a compiled part of the plan)."""
        cache = self._caches.get(id(owner))
        if cache is None:
            cache = self._caches[id(owner)] = {}
        return cache

    def forget_vertices(self) -> None:
        self.vertex_cache.clear()
        self._caches.clear()
        self.vertex_exists.clear()
