"""MetadataStore: artifacts, types, provenance links and lineage over any backend.

``open_store()`` picks the backend (see ``backends``), initialises it
idempotently — collections, indexes, the ``lineage`` graph, the type registry
seeded from ``schemas/``, the recorded store schema version — and returns a
:class:`MetadataStore`. Every read beyond a key lookup is AQL with bound
parameters, the same text on both backends; every write is validated against
its type's JSON Schema first, so a violation writes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from . import deletion, lineage
from .backends import Backend, Session, open_backend
from .deletion import DELETIONS, Deletion, record_key
from .environment import current_actor, utc_now_iso
from .errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_GRAPH_INVALID_EDGE,
    ArangoMLMetaError,
    BadParameterError,
    CollectionNotFoundError,
    DocumentError,
    DocumentNotFoundError,
    GraphError,
    SchemaViolationError,
    UniqueConstraintError,
)
from .filters import compile_filters
from .refs import Ref, artifact_key, is_valid_name, parse_ref
from .types import ArtifactType, arango_rule, builtin_types, validate

if TYPE_CHECKING:
    from .runs import Run

STORE_SCHEMA_VERSION = 1
REGISTRY = "artifact_types"
STORE_INFO = "store_info"
EDGES = ("inputs", "outputs", "derivations")
RUNS = "runs"
_VERSION_RETRIES = 50
# the newest version of a name among the live documents
_LATEST_LIVE_VERSION = (
    "FOR d IN @@c FILTER d.name == @name SORT d.version DESC LIMIT 1 RETURN d.version"
)
# only when the version after the newest live one was deleted (see deletion.py)
_LATEST_DELETED_VERSION = """
FOR t IN deletions FILTER t.type == @c AND t.name == @name SORT t.version DESC LIMIT 1
  RETURN t.version
"""
# the versions of a name, oldest first; runs, which have no version, in the order they were made
_HISTORY = "FOR d IN @@c FILTER d.name == @name SORT d.version, d.created_at, d._key RETURN d"
_LATEST = (
    "FOR d IN @@c FILTER d.name == @name "
    "SORT d.version DESC, d.created_at DESC, d._key DESC LIMIT 1 RETURN d"
)
# fields the store sets on every document it writes; callers cannot pass them
STORE_SET = ("created_at", "created_by")


class MetadataStore:
    """The domain layer over one backend (see the module docstring)."""

    def __init__(self, backend: Backend, actor: str | None = None) -> None:
        self.backend = backend
        self.actor = actor or current_actor()
        self._types: dict[str, ArtifactType] = {}
        self._write_set: list[str] | None = None

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> MetadataStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ initialisation

    def initialize(self) -> None:
        """Create what the store needs; safe to call again and from two processes at once."""
        backend = self.backend
        backend.create_collection(REGISTRY)
        backend.create_collection(STORE_INFO)
        for edge in EDGES:
            backend.create_collection(edge, edge=True)
        backend.create_collection(DELETIONS)
        backend.ensure_index(DELETIONS, ["type", "name", "version"])
        backend.ensure_index(DELETIONS, ["deleted_at"])
        for artifact_type in builtin_types():
            self._install_type(artifact_type)
            self._seed_registry(artifact_type)
        self._save_graph()
        if backend.get(STORE_INFO, "store") is None:
            info = {
                "_key": "store",
                "schema_version": STORE_SCHEMA_VERSION,
                "created_at": utc_now_iso(),
                "created_by": self.actor,
            }
            # another process may initialise the store at the same moment
            with contextlib.suppress(UniqueConstraintError):
                backend.insert(STORE_INFO, info)
        self._types.clear()

    def _install_type(self, artifact_type: ArtifactType) -> None:
        backend = self.backend
        backend.create_collection(artifact_type.name)
        backend.set_schema(artifact_type.name, arango_rule(artifact_type))
        # Versions are written under the key name-vN, so the primary index keeps (name, version)
        # unique by itself; this index also refuses a duplicate written another way (AQL),
        # except on a cluster, where a unique index must include the shard key (_key).
        backend.ensure_index(
            artifact_type.name, ["name", "version"], unique=not backend.sharded, sparse=True
        )
        # lookups by name (latest version, history) need an index that is not sparse
        backend.ensure_index(artifact_type.name, ["name"])
        backend.ensure_index(artifact_type.name, ["created_at"])
        if artifact_type.kind == "execution":
            backend.ensure_index(artifact_type.name, ["status"])

    def _seed_registry(self, artifact_type: ArtifactType) -> None:
        if self.backend.get(REGISTRY, artifact_type.name) is not None:
            return
        with contextlib.suppress(UniqueConstraintError):
            self.backend.insert(REGISTRY, _registry_doc(artifact_type, self.actor))

    def _save_graph(self) -> None:
        types = [t for t in self.types() if t.kind in ("artifact", "execution")]
        artifacts = sorted(t.name for t in types if t.kind == "artifact")
        runs = sorted(t.name for t in types if t.kind == "execution")
        self.backend.save_graph(
            lineage.GRAPH,
            [
                {"collection": "inputs", "from": artifacts, "to": runs},
                {"collection": "outputs", "from": runs, "to": artifacts},
                {"collection": "derivations", "from": artifacts, "to": artifacts},
            ],
        )

    def info(self) -> dict[str, Any]:
        """Backend, location, schema version and document counts per collection (types,
        edges, and the records of deleted documents)."""
        counts = {t.name: self.backend.count(t.name) for t in self.types()}
        counts.update({e: self.backend.count(e) for e in EDGES})
        counts[DELETIONS] = self.backend.count(DELETIONS)
        stored = self.backend.get(STORE_INFO, "store") or {}
        return {
            "backend": self.backend.name,
            "location": self.backend.location,
            "schema_version": stored.get("schema_version"),
            "counts": counts,
        }

    def transaction(self) -> AbstractContextManager[Any]:
        """Group the writes of one pipeline step into a single all-or-nothing transaction.

        ``with store.transaction(): ...`` — registrations, links and runs inside it
        commit together, or not at all when the block raises.
        """
        if self._write_set is None or self.backend.declares_write_collections:
            # on ArangoDB every time: another process may have registered a type since
            types = self.backend.query(f"FOR t IN {REGISTRY} RETURN t._key")
            self._write_set = [REGISTRY, DELETIONS, *EDGES, *types]
        return self.backend.transaction(write=self._write_set)

    # ------------------------------------------------------------------ types

    def types(self) -> list[ArtifactType]:
        """The registered artifact types."""
        rows = self.backend.query(f"FOR t IN {REGISTRY} SORT t.name RETURN t")
        return [_type_from_doc(row) for row in rows]

    def type(self, name: str) -> ArtifactType:
        cached = self._types.get(name)
        if cached is not None:
            return cached
        doc = self.backend.get(REGISTRY, name) if isinstance(name, str) and name else None
        if doc is None:
            known = ", ".join(t.name for t in self.types())
            raise CollectionNotFoundError(
                f"unknown artifact type {name!r} (registered: {known})",
                ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
            )
        artifact_type = _type_from_doc(doc)
        self._types[name] = artifact_type
        return artifact_type

    def register_type(self, artifact_type: ArtifactType) -> ArtifactType:
        """Add a new artifact type: its collection, indexes, schema and place in the graph."""
        if self.backend.get(REGISTRY, artifact_type.name) is not None:
            raise DocumentError(f"artifact type {artifact_type.name!r} is already registered", 1210)
        self._install_type(artifact_type)
        self.backend.insert(REGISTRY, _registry_doc(artifact_type, self.actor))
        self._save_graph()
        self._write_set = None
        return artifact_type

    # ------------------------------------------------------------------ artifacts

    def _envelope(
        self, name: str, project: str | None, description: str | None, tags: Iterable[str] | None
    ) -> dict[str, Any]:
        if not is_valid_name(name):
            raise SchemaViolationError(
                f"field 'name': {name!r} is not a valid name (letters, digits, '.', '_', '-'; "
                "starting with a letter or digit)"
            )
        doc: dict[str, Any] = {"name": name}
        if project is not None:
            doc["project"] = project
        if description is not None:
            doc["description"] = description
        # a lone string stays a string, so the schema refuses it instead of splitting it into letters
        doc["tags"] = tags if isinstance(tags, str) else list(tags or [])
        doc["created_at"] = utc_now_iso()
        doc["created_by"] = self.actor
        return doc

    def register(
        self,
        type_name: str,
        name: str,
        *,
        project: str | None = None,
        description: str | None = None,
        tags: Iterable[str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Register the next version of artifact ``name`` of type ``type_name``; returns it."""
        artifact_type = self.type(type_name)
        if artifact_type.kind == "execution":
            raise BadParameterError(f"{type_name} are recorded with start_run(), not register()")
        refuse_store_fields(fields, ("version", *STORE_SET))
        doc = {**self._envelope(name, project, description, tags), **fields}
        return self._insert_versioned(artifact_type, doc)

    def _insert_versioned(self, artifact_type: ArtifactType, doc: dict[str, Any]) -> dict[str, Any]:
        name = doc["name"]
        for _ in range(_VERSION_RETRIES):
            try:
                with self.backend.transaction(
                    write=[artifact_type.name], read=[artifact_type.name, DELETIONS]
                ) as session:
                    version = self._next_version(session, artifact_type.name, name)
                    candidate = {"_key": artifact_key(name, version), **doc, "version": version}
                    validate(artifact_type, {k: v for k, v in candidate.items() if k != "_key"})
                    return session.insert(artifact_type.name, candidate)
            except UniqueConstraintError:
                # Another process took this version. The failed attempt left its transaction
                # (aborted, or rolled back to its savepoint inside an open one): look again.
                continue
        raise UniqueConstraintError(
            f"could not allocate a version for {name!r} after {_VERSION_RETRIES} tries"
        )

    @staticmethod
    def _next_version(session: Session, collection: str, name: str) -> int:
        """One more than the highest version of ``name`` ever handed out, live or deleted,
        whose id was never used (see deletion.py).

        A deleted document's record is keyed by its id, so one lookup tells whether the
        version after the newest live one is spent; only then are the records searched.
        """

        def spent(version: int) -> bool:
            doc_id = f"{collection}/{artifact_key(name, version)}"
            return session.get(DELETIONS, record_key(doc_id)) is not None

        (live,) = session.query(_LATEST_LIVE_VERSION, {"@c": collection, "name": name}) or [0]
        version = int(live or 0) + 1
        if spent(version):
            deleted = session.query(_LATEST_DELETED_VERSION, {"c": collection, "name": name})
            version = max(version + 1, max(deleted, default=0) + 1)
            while spent(version):  # an id once used by a document of another name
                version += 1
        return version

    def get(self, ref: str) -> dict[str, Any]:
        """An artifact by id (``datasets/iris-v2``), ``type/name@N`` or ``type/name@latest``."""
        parsed = parse_ref(ref)
        artifact_type = self.type(parsed.type)
        doc = self._lookup(artifact_type, parsed)
        if doc is None:
            raise DocumentNotFoundError(
                f"artifact not found: {ref}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
            )
        return doc

    def _lookup(self, artifact_type: ArtifactType, ref: Ref) -> dict[str, Any] | None:
        if ref.key is not None:
            return self.backend.get(artifact_type.name, ref.key)
        if ref.version is not None:
            if artifact_type.kind == "execution":
                raise BadParameterError(
                    f"{artifact_type.name} have no versions: use {artifact_type.name}/"
                    f"{ref.name}@latest for the newest, or the id for one of them"
                )
            rows = self.backend.query(
                "FOR d IN @@c FILTER d.name == @name AND d.version == @version RETURN d",
                {"@c": artifact_type.name, "name": ref.name, "version": ref.version},
            )
        else:
            rows = self.backend.query(_LATEST, {"@c": artifact_type.name, "name": ref.name})
        return rows[0] if rows else None

    def resolve_id(self, ref: str | dict[str, Any]) -> str:
        """The ``_id`` of an artifact given as a reference or a document."""
        if isinstance(ref, dict):
            if "_id" not in ref:
                raise DocumentError("document has no _id: pass a stored artifact or a reference")
            return self.get(ref["_id"])["_id"]
        return self.get(ref)["_id"]

    def find(
        self,
        type_name: str,
        filters: dict[str, Any] | None = None,
        *,
        limit: int | None = None,
        sort: str = "created_at",
        descending: bool = False,
    ) -> list[dict[str, Any]]:
        """Artifacts of a type matching structured ``filters`` (see ``filters.py``)."""
        artifact_type = self.type(type_name)
        bind: dict[str, Any] = {"@c": artifact_type.name}
        filter_line = compile_filters(filters, bind)
        bind["sort"] = sort.split(".")
        bind["limit"] = limit if limit is not None else 2**31
        direction = "DESC" if descending else "ASC"
        aql = f"FOR d IN @@c {filter_line} SORT d.@sort {direction} LIMIT @limit RETURN d"
        return self.backend.query(aql, bind)

    def history(self, type_name: str, name: str) -> list[dict[str, Any]]:
        """Every version of an artifact (every run of a name), oldest first."""
        artifact_type = self.type(type_name)
        return self.backend.query(_HISTORY, {"@c": artifact_type.name, "name": name})

    # ------------------------------------------------------------------ provenance

    def _kind_of(self, doc_id: str) -> str:
        return self.type(doc_id.partition("/")[0]).kind

    def link(
        self,
        source: str | dict[str, Any],
        target: str | dict[str, Any],
        relation: str,
        **attributes: Any,
    ) -> dict[str, Any]:
        """A derivation between two artifacts (``relation``: deployed_as, monitors, subset_of, ...)."""
        refuse_store_fields(attributes, STORE_SET)
        source_id, target_id = self.resolve_id(source), self.resolve_id(target)
        return self._edge("derivations", source_id, target_id, {"relation": relation, **attributes})

    def _edge(
        self,
        collection: str,
        source_id: str,
        target_id: str,
        attributes: dict[str, Any],
        session: Any = None,
    ) -> dict[str, Any]:
        allowed = {
            "inputs": ("artifact", "execution"),
            "outputs": ("execution", "artifact"),
            "derivations": ("artifact", "artifact"),
        }[collection]
        kinds = (self._kind_of(source_id), self._kind_of(target_id))
        if kinds != allowed:
            raise GraphError(
                f"{collection} edges go from {allowed[0]} to {allowed[1]}, "
                f"not from {source_id} ({kinds[0]}) to {target_id} ({kinds[1]})",
                ERROR_GRAPH_INVALID_EDGE,
            )
        doc = {
            "_from": source_id,
            "_to": target_id,
            **attributes,
            "created_at": utc_now_iso(),
            "created_by": self.actor,
        }
        return (session or self.backend).insert(collection, doc)

    # ------------------------------------------------------------------ runs

    def start_run(
        self,
        name: str,
        *,
        inputs: dict[str, Any] | Sequence[Any] | None = None,
        params: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Run:
        """Open a run (see ``runs.py``); prefer ``with store.run(...) as run:``."""
        from .runs import Run

        return Run.start(self, name, inputs=inputs, params=params, **fields)

    run = start_run

    def unfinished_runs(self) -> list[dict[str, Any]]:
        """Runs still marked running, each with ``orphaned`` true when its process is gone."""
        from .environment import process_alive

        rows = self.backend.query(
            "FOR r IN @@c FILTER r.status == 'running' SORT r.started_at RETURN r", {"@c": RUNS}
        )
        for row in rows:
            env = row.get("environment") or {}
            alive = (
                process_alive(env.get("host", ""), int(env.get("pid") or 0))
                if env.get("pid")
                else None
            )
            row["orphaned"] = alive is False
        return rows

    # ------------------------------------------------------------------ deletion

    def delete(
        self, ref: str | dict[str, Any], *, cascade: bool = False, dry_run: bool = False
    ) -> Deletion:
        """Delete an artifact (or run) and every lineage edge touching it, in one transaction.

        Refused with :class:`ConflictError` (1200) when anything was derived from it, unless
        ``cascade``: then everything downstream of it goes too. ``dry_run`` only reports
        what would go. See ``deletion.py``.
        """
        return deletion.delete(self, ref, cascade=cascade, dry_run=dry_run)

    # ------------------------------------------------------------------ lineage

    def _start(self, ref: str | dict[str, Any]) -> str:
        return self.resolve_id(ref)

    def downstream(
        self, ref: str | dict[str, Any], *, types: Sequence[str] | None = None, depth: int = 10
    ) -> list[dict[str, Any]]:
        """Everything derived from an artifact, nearest first (``_depth`` and ``_via`` added)."""
        return self.backend.query(
            lineage.DOWNSTREAM, lineage.walk_bind(self._start(ref), depth, _types(types))
        )

    def upstream(
        self, ref: str | dict[str, Any], *, types: Sequence[str] | None = None, depth: int = 10
    ) -> list[dict[str, Any]]:
        """Everything an artifact was derived from, nearest first."""
        return self.backend.query(
            lineage.UPSTREAM, lineage.walk_bind(self._start(ref), depth, _types(types))
        )

    def impact(self, dataset: str | dict[str, Any], depth: int = 20) -> list[dict[str, Any]]:
        """Every model and deployment that depends on a dataset."""
        return self.downstream(dataset, types=["models", "deployments"], depth=depth)

    def path(
        self,
        source: str | dict[str, Any],
        target: str | dict[str, Any],
        any_direction: bool = False,
    ) -> list[dict[str, Any]]:
        """The shortest chain of links from ``source`` to ``target`` (empty when unconnected)."""
        return self.backend.query(
            lineage.path_query(any_direction),
            {"from": self._start(source), "to": self._start(target)},
        )

    def subgraph(self, ref: str | dict[str, Any], depth: int = 10) -> dict[str, Any]:
        """Vertices and edges around an artifact, for rendering."""
        rows = self.backend.query(lineage.SUBGRAPH, {"start": self._start(ref), "depth": depth})
        return rows[0] if rows else {"vertices": [], "edges": []}

    def query(self, aql: str, bind_vars: dict[str, Any] | None = None) -> list[Any]:
        """Run any AQL on the store."""
        return self.backend.query(aql, bind_vars)


def refuse_store_fields(fields: Iterable[str], store_set: Iterable[str]) -> None:
    """Refuse system attributes (``_key``, ``_from``, ...) and the fields in ``store_set``."""
    reserved = sorted(k for k in fields if k.startswith("_") or k in store_set)
    if reserved:
        raise BadParameterError(f"these fields are set by the store: {reserved}")


def _types(types: Sequence[str] | None) -> list[str] | None:
    return list(types) if types else None


def _registry_doc(artifact_type: ArtifactType, actor: str) -> dict[str, Any]:
    now = utc_now_iso()
    return {
        "_key": artifact_type.name,
        "name": artifact_type.name,
        "kind": artifact_type.kind,
        "description": artifact_type.description,
        "schema": artifact_type.schema,
        "schema_version": artifact_type.schema_version,
        "history": [
            {
                "schema_version": artifact_type.schema_version,
                "schema": artifact_type.schema,
                "registered_at": now,
                "registered_by": actor,
            }
        ],
        "created_at": now,
        "created_by": actor,
    }


def _type_from_doc(doc: dict[str, Any]) -> ArtifactType:
    return ArtifactType(
        name=doc["name"],
        kind=doc["kind"],
        description=doc.get("description") or "",
        schema=doc["schema"],
        schema_version=int(doc.get("schema_version") or 1),
    )


def open_store(location: str | None = None, *, actor: str | None = None) -> MetadataStore:
    """Open (and initialise if needed) the store at ``location`` / ``ARANGOML_META_STORE``."""
    store = MetadataStore(open_backend(location), actor)
    try:
        store.initialize()
    except ArangoMLMetaError:
        store.close()
        raise
    return store
