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
- 3 → 4: the ``project`` index of every type of kind execution becomes sparse
  (:data:`INDEXES_OF_KIND`): it no longer holds an entry for each run without a
  project, and a run without one is written without touching it.
- 4 → 5: the audit log (``audit/``): the ``audit_log`` collection and its
  indexes, and one ``adopt`` record per document already stored, so that the
  log covers the store from then on; ``store_info.audit`` says whether the
  store keeps the log (a store may be made without one: ``audit=False``).
- 5 → 6: the audit log stores one document per transaction, a block of its
  records, instead of one per record (``audit/records.py``): each record of a
  schema-5 log becomes a one-record block, its hash unchanged
  (``audit/upgrade.py``); the log keeps no index but its primary one (the head
  is its greatest key), the ``seq``, ``at`` and ``target`` ones dropped (a
  block's targets are in an array, which a persistent index does not hold; the
  readers scan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .audit.records import AUDIT_LOG
from .audit.upgrade import records_to_blocks
from .backends import Backend, insert_absent
from .backends.base import schema_snapshot
from .deletion import DELETIONS
from .environment import utc_now_iso
from .environments import ENVIRONMENTS, digest, environment_record, reference
from .errors import (
    ERROR_ARANGO_DATABASE_NOT_FOUND,
    ERROR_ARANGO_READ_ONLY,
    ERROR_INCOMPATIBLE_VERSION,
    CollectionNotFoundError,
    StoreError,
    UniqueConstraintError,
)
from .lineage.walk import EDGES, GRAPH
from .types import ArtifactType, arango_rule, builtin_types
from .write_races import retrying_races

STORE_SCHEMA_VERSION = 6
REGISTRY = "artifact_types"
STORE_INFO = "store_info"
RUNS = "runs"
MIGRATION_BATCH = 1_000  # runs rewritten per statement by the 1 -> 2 migration

# persistent indexes of every type, by kind (besides the (name, version) one of versioned
# kinds), each as (fields, sparse). Every index is a page more that each write's commit
# writes: only what the common filters use; a run's step, status and project are, an
# artifact's project less so. A run's project is sparse: runs often have none, and a
# filter asks for a project, never for the runs without one; such a run touches no page of it.
INDEXES_OF_KIND: dict[str, list[tuple[list[str], bool]]] = {
    "artifact": [(["created_at"], False)],
    "context": [(["created_at"], False)],
    "execution": [
        (["name", "created_at"], False),
        (["created_at"], False),
        (["status"], False),
        (["step"], False),
        (["project"], True),
    ],
}


def initialize(
    backend: Backend,
    actor: str,
    types: Callable[[], list[ArtifactType]],
    audit: bool = True,
    begin_log: Callable[[bool], object] = lambda new: None,
) -> dict[str, Any] | None:
    """Create or migrate the store (see the module docstring); nothing when it is current
    (one read). The schema is read once (``schema_snapshot``), and a race with another
    process setting the store up (1210, or 1200 on ArangoDB) is looked at again
    (``write_races.py``). ``audit``: whether a store made or migrated now keeps the audit
    log, begun by ``begin_log(new)`` (``audit.adopt``; ``new``: the store was empty) before
    the version is recorded. Returns the ``store_info`` read when the store was current
    (None when it was made or migrated now)."""
    info = _store_info(backend)
    version = (info or {}).get("schema_version")
    if version == STORE_SCHEMA_VERSION:
        return info
    if _is_newer(version):
        raise StoreError(
            f"the store {backend.location} has schema version {version}, newer than this "
            f"arangoml-meta writes ({STORE_SCHEMA_VERSION}): it was not opened for writing; "
            "upgrade arangoml-meta, or open it read-only (--read-only, read_only=True)",
            ERROR_INCOMPATIBLE_VERSION,
        )
    with schema_snapshot(backend):
        _create(backend, actor)
        if version == 1:
            migrate_environments(backend, actor)
        if version == 5:
            retrying_races(
                backend, lambda: records_to_blocks(backend), "converting the audit log to blocks"
            )
        save_graph(backend, types())
        if audit:
            begin_log(info is None)
        _record_version(backend, actor, audit)
    return None


def _store_info(backend: Backend) -> dict[str, Any] | None:
    """The ``store_info`` record; None when there is none, or not even its collection."""
    try:
        return backend.get(STORE_INFO, "store")
    except CollectionNotFoundError:
        return None


def audit_setting(backend: Backend, info: Mapping[str, Any] | None = None) -> bool:
    """Whether the store keeps the audit log (``store_info.audit``, read unless ``info``
    is the record already read; a store without the record yet will, by default)."""
    return bool((info if info is not None else _store_info(backend) or {}).get("audit", True))


def record_audit_setting(backend: Backend, audit: bool) -> None:
    backend.update(STORE_INFO, "store", {"audit": audit})


def require_store(backend: Backend) -> dict[str, Any]:
    """The store's ``store_info`` record; 1228 when the database holds no store (an empty
    ArangoDB database or SQLite file), for a caller that must not create one."""
    info = _store_info(backend)
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
    backend.create_collection(AUDIT_LOG)
    # no index but the primary one: every index is written by every commit. The head (the
    # last block) is the greatest key, read in order from the primary index; the readers
    # scan the blocks (schema 5 had indexes on seq, period and target, of one document per
    # record)
    for fields in (["seq"], ["at"], ["target"]):
        backend.drop_index(AUDIT_LOG, fields)
    builtins = {t.name: registry_doc(t, actor) for t in builtin_types()}
    # one lookup for all, then one insert of the missing; another process seeding them at
    # once makes this one look again
    retrying_races(
        backend, lambda: insert_absent(backend, REGISTRY, builtins), "seeding the type registry"
    )
    for row in backend.query(f"FOR t IN {REGISTRY} RETURN t"):
        install_type(backend, type_from_doc(row))


def install_type(backend: Backend, artifact_type: ArtifactType) -> None:
    """A type's collection, created with its server-side schema (where the backend has
    one) in one step, so that a schema the server refuses (1621) creates nothing; then
    its indexes."""
    backend.create_collection(artifact_type.name, schema=arango_rule(artifact_type))
    kind = artifact_type.kind
    if kind != "execution":
        _ensure_version_index(backend, artifact_type.name)
    for fields, sparse in INDEXES_OF_KIND[kind]:
        backend.ensure_index(artifact_type.name, fields, sparse=sparse)
        if sparse:  # version 3 and before had it not sparse
            backend.drop_index(artifact_type.name, fields)
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


def _record_version(backend: Backend, actor: str, audit: bool) -> None:
    """``store_info`` says the current schema version (a race with another process doing
    the same is looked at again: it may have done it)."""

    def record() -> None:
        info = _store_info(backend)
        if info is None:
            fresh = {
                "_key": "store",
                "schema_version": STORE_SCHEMA_VERSION,
                "created_at": utc_now_iso(),
                "created_by": actor,
                "audit": audit,
            }
            backend.insert(STORE_INFO, fresh)
            return
        if info.get("schema_version") == STORE_SCHEMA_VERSION:
            return  # another process migrated it a moment ago
        migrated = {"from": info.get("schema_version"), "at": utc_now_iso(), "by": actor}
        backend.update(
            STORE_INFO,
            "store",
            {
                "schema_version": STORE_SCHEMA_VERSION,
                "migrations": [*(info.get("migrations") or []), migrated],
                "audit": audit,
            },
        )

    retrying_races(backend, record, "recording the store's schema version")


# --------------------------------------------------------------------------- 1 -> 2

_RUNS_WITH_ENVIRONMENTS = """
FOR r IN runs
  FILTER IS_OBJECT(r.environment) AND !HAS(r.environment, 'id')
  LIMIT @count
  RETURN r
"""


def migrate_environments(backend: Backend, actor: str) -> None:
    """Store 1 → 2: move each run's environment into ``environments`` (see the docstring)."""
    retrying_races(backend, lambda: _evolve_runs_type(backend, actor), "evolving the runs type")
    while True:
        rows = retrying_races(backend, lambda: _migrate_batch(backend), "migrating runs")
        if len(rows) < MIGRATION_BATCH:
            return


def _migrate_batch(backend: Backend) -> list[Any]:
    """One batch of runs still holding their environment in full, migrated."""
    with backend.transaction(write=[RUNS, ENVIRONMENTS]) as session:
        rows = session.query(_RUNS_WITH_ENVIRONMENTS, {"count": MIGRATION_BATCH})
        records: dict[str, dict[str, Any]] = {}
        for run in rows:  # each with an environment in full (the query's filter)
            environment = run["environment"]
            key = digest(environment)
            records.setdefault(key, environment_record(environment, key))
            session.replace(RUNS, run["_key"], {**run, "environment": reference(environment, key)})
        if records:
            insert_absent(session, ENVIRONMENTS, records)
    return rows


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
