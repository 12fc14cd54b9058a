"""What a store is made of, and bringing an older store up to date when it is opened.

:func:`initialize` looks first and writes only when something is missing: an
up-to-date store (``store_info.schema_version`` equal to
:data:`STORE_SCHEMA_VERSION`) is opened without a write, so opening a store never
waits for, nor blocks, a writer. A new store gets its collections, indexes, the
``lineage`` graph, the type registry seeded from ``schemas/`` and its
``store_info``; an older one is migrated, step by step, each step written so
that running it twice (two processes opening the store at once) changes nothing
the second time:

- 1 → 2: every run's environment becomes a record of ``environments`` stored
  once by its digest (``environments.py``), the run keeping ``{id, host, user,
  pid}``; the ``runs`` type gets the schema of that reference; the indexes of
  version 2 (a non-sparse ``(name, version)`` index serving ``@latest`` and
  history in constant time; a run's ``(name, created_at)``, ``status``, ``step``
  and ``project``) replace the old ``name`` indexes.
- 2 → 3: every type's collection schema is installed again (the rule of
  ``types.arango_rule``): the embedded engine enforces collection schemas now,
  on every write path, and had none installed; on ArangoDB the rule of a closed
  type now allows the ``schema_version`` documents record.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .backends import Backend, insert_absent
from .deletion import DELETIONS
from .environment import utc_now_iso
from .environments import ENVIRONMENTS, digest, environment_record, reference
from .errors import (
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_READ_ONLY,
    ERROR_INCOMPATIBLE_VERSION,
    StoreError,
    UniqueConstraintError,
)
from .lineage.walk import EDGES, GRAPH
from .types import ArtifactType, arango_rule, builtin_types

STORE_SCHEMA_VERSION = 3
REGISTRY = "artifact_types"
STORE_INFO = "store_info"
RUNS = "runs"
MIGRATION_BATCH = 1_000  # runs rewritten per statement by the 1 -> 2 migration

# persistent indexes of every type, by kind (besides the (name, version) one of versioned kinds)
# (every index is a page more that each write's commit writes: only what the common
# filters use; a run's step, status and project are, an artifact's project less so)
INDEXES_OF_KIND: dict[str, list[list[str]]] = {
    "artifact": [["created_at"]],
    "context": [["created_at"]],
    "execution": [["name", "created_at"], ["created_at"], ["status"], ["step"], ["project"]],
}


def initialize(backend: Backend, actor: str, types: Callable[[], list[ArtifactType]]) -> None:
    """Create or migrate the store (see the module docstring); nothing when it is current."""
    info = backend.get(STORE_INFO, "store") if backend.has_collection(STORE_INFO) else None
    version = (info or {}).get("schema_version")
    if version == STORE_SCHEMA_VERSION:
        return
    if _is_newer(version):
        raise StoreError(
            f"the store {backend.location} has schema version {version}, newer than this "
            f"arangoml-meta writes ({STORE_SCHEMA_VERSION}): it was not opened for writing; "
            "upgrade arangoml-meta, or open it read-only (--read-only, read_only=True)",
            ERROR_INCOMPATIBLE_VERSION,
        )
    _create(backend, actor)
    if version == 1:
        migrate_environments(backend, actor)
    save_graph(backend, types())
    _record_version(backend, actor, info)


def require_store(backend: Backend) -> dict[str, Any]:
    """The store's ``store_info`` record; 1228 when the database holds no store (an empty
    ArangoDB database or SQLite file), for a caller that must not create one."""
    info = backend.get(STORE_INFO, "store") if backend.has_collection(STORE_INFO) else None
    if info is None:
        raise StoreError(
            f"no store at {backend.location}: create one with 'arangoml-meta store init' "
            "(or a command that writes)",
            ERROR_ARANGO_DATABASE_NOT_FOUND,
        )
    return info


def check_readable(backend: Backend) -> None:
    """For a store opened read-only, which nothing may migrate: its schema must be the
    current one or a newer one (read as far as this release understands it)."""
    version = require_store(backend).get("schema_version")
    if version == STORE_SCHEMA_VERSION or _is_newer(version):
        return
    raise StoreError(
        f"the store {backend.location} has schema version {version}, older than this "
        f"arangoml-meta's ({STORE_SCHEMA_VERSION}), and must be migrated once, which writes "
        "to it: open it once with write access (e.g. 'arangoml-meta store init')",
        ERROR_ARANGO_READ_ONLY,
    )


def _is_newer(version: Any) -> bool:
    return isinstance(version, int) and version > STORE_SCHEMA_VERSION


def _create(backend: Backend, actor: str) -> None:
    """Every collection, index and built-in type of the current schema (idempotent)."""
    backend.create_collection(REGISTRY)
    backend.create_collection(STORE_INFO)
    for edge in EDGES:
        backend.create_collection(edge, edge=True)
    backend.create_collection(DELETIONS)
    backend.ensure_index(DELETIONS, ["type", "name", "version"])
    backend.ensure_index(DELETIONS, ["deleted_at"])
    backend.create_collection(ENVIRONMENTS)
    for artifact_type in builtin_types():
        stored = backend.get(REGISTRY, artifact_type.name)
        if stored is None:
            with contextlib.suppress(UniqueConstraintError):  # another process seeded it
                backend.insert(REGISTRY, registry_doc(artifact_type, actor))
    for row in backend.query(f"FOR t IN {REGISTRY} RETURN t"):
        install_type(backend, type_from_doc(row))


def install_type(backend: Backend, artifact_type: ArtifactType) -> None:
    """A type's collection, server-side schema (where the backend has one) and indexes."""
    backend.create_collection(artifact_type.name)
    backend.set_schema(artifact_type.name, arango_rule(artifact_type))
    kind = artifact_type.kind
    if kind != "execution":
        _ensure_version_index(backend, artifact_type.name)
    for fields in INDEXES_OF_KIND[kind]:
        backend.ensure_index(artifact_type.name, fields)
    # version 1's indexes, served by the composite ones now
    backend.drop_index(artifact_type.name, ["name"])
    if kind != "execution":
        backend.drop_index(artifact_type.name, ["name", "version"], unique=True, sparse=True)


def _ensure_version_index(backend: Backend, collection: str) -> None:
    """``(name, version)``: versions are written under the key name-vN, so the primary
    index keeps them unique by itself; this index also refuses a duplicate written another
    way (AQL), except on a cluster, where a unique index must include the shard key
    (_key). Not sparse, so that it serves every lookup by name."""
    try:
        backend.ensure_index(collection, ["name", "version"], unique=not backend.sharded)
    except UniqueConstraintError:
        # documents written around the store share a (name, version), e.g. both missing:
        # the index still serves lookups, and the old sparse unique one stays
        backend.ensure_index(collection, ["name", "version"])
        backend.ensure_index(collection, ["name", "version"], unique=True, sparse=True)


def save_graph(backend: Backend, types: Iterable[ArtifactType]) -> None:
    """The ``lineage`` graph over the artifact and run types."""
    registered = [t for t in types if t.kind in ("artifact", "execution")]
    artifacts = sorted(t.name for t in registered if t.kind == "artifact")
    runs = sorted(t.name for t in registered if t.kind == "execution")
    backend.save_graph(
        GRAPH,
        [
            {"collection": "inputs", "from": artifacts, "to": runs},
            {"collection": "outputs", "from": runs, "to": artifacts},
            {"collection": "derivations", "from": artifacts, "to": artifacts},
        ],
    )


def registry_doc(artifact_type: ArtifactType, actor: str) -> dict[str, Any]:
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


def type_from_doc(doc: Mapping[str, Any]) -> ArtifactType:
    """The :class:`ArtifactType` a registry document describes."""
    return ArtifactType(
        name=doc["name"],
        kind=doc["kind"],
        description=doc.get("description") or "",
        schema=doc["schema"],
        schema_version=int(doc.get("schema_version") or 1),
    )


def _record_version(backend: Backend, actor: str, info: dict[str, Any] | None) -> None:
    if info is None:
        fresh = {
            "_key": "store",
            "schema_version": STORE_SCHEMA_VERSION,
            "created_at": utc_now_iso(),
            "created_by": actor,
        }
        with contextlib.suppress(UniqueConstraintError):  # another process made it first
            backend.insert(STORE_INFO, fresh)
        return
    migrated = {"from": info.get("schema_version"), "at": utc_now_iso(), "by": actor}
    backend.update(
        STORE_INFO,
        "store",
        {
            "schema_version": STORE_SCHEMA_VERSION,
            "migrations": [*(info.get("migrations") or []), migrated],
        },
    )


# --------------------------------------------------------------------------- 1 -> 2

_RUNS_WITH_ENVIRONMENTS = """
FOR r IN runs
  FILTER IS_OBJECT(r.environment) AND !HAS(r.environment, 'id')
  LIMIT @count
  RETURN r
"""


def migrate_environments(backend: Backend, actor: str) -> None:
    """Store 1 → 2: move each run's environment into ``environments`` (see the docstring)."""
    _evolve_runs_type(backend, actor)
    while True:
        with backend.transaction(write=[RUNS, ENVIRONMENTS]) as session:
            rows = session.query(_RUNS_WITH_ENVIRONMENTS, {"count": MIGRATION_BATCH})
            records: dict[str, dict[str, Any]] = {}
            for run in rows:  # each with an environment in full (the query's filter)
                environment = run["environment"]
                key = digest(environment)
                records.setdefault(key, environment_record(environment, key))
                session.replace(
                    RUNS, run["_key"], {**run, "environment": reference(environment, key)}
                )
            if records:
                insert_absent(session, ENVIRONMENTS, records)
        if len(rows) < MIGRATION_BATCH:
            return


def _evolve_runs_type(backend: Backend, actor: str) -> None:
    """The registered ``runs`` type takes the schema of release 2 (a new schema version)."""
    current = next(t for t in builtin_types() if t.name == RUNS)
    with backend.transaction(write=[REGISTRY]) as session:
        stored = session.get(REGISTRY, RUNS)
        if stored is None or stored.get("schema") == current.schema:
            return
        version = int(stored.get("schema_version") or 1) + 1
        change = {
            "schema_version": version,
            "schema": current.schema,
            "registered_at": utc_now_iso(),
            "registered_by": actor,
            "note": "store migration 1 -> 2: environments stored once, runs keep a reference",
        }
        evolved = {
            **stored,
            "schema": current.schema,
            "schema_version": version,
            "history": [*(stored.get("history") or []), change],
        }
        session.replace(REGISTRY, RUNS, evolved)
    backend.set_schema(RUNS, arango_rule(type_from_doc(evolved)))
