"""A step's documents checked against their types as they are when it commits.

A store caches the types it has read (``MetadataStore.type``), and a
long-lived process would otherwise validate against a schema another process
has evolved since. Every document the store writes records the schema version
it was checked against (``schema_version``, see ``types.stamp``); in the
commit's transaction :func:`check_current_types` reads the registered version
of each type the step writes (one query over the registry, a few rows) and
checks again, against the type as registered now, every new document stamped
with another version — so no document is written validated against a schema
older than the one registered when it lands — and restamps an updated one that
satisfies the new schema (one that does not is left to the collection's
``moderate`` level, as on ArangoDB). The store forgets the cached types that
changed, so its next look-up reads them as registered. On the embedded backend
the read is skipped while no other connection has committed since the last one
(SQLite's ``data_version``); ``type_admin.evolve_type`` forgets it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .backends import Session
from .migrations import REGISTRY, type_from_doc
from .types import SCHEMA_VERSION, ArtifactType, is_valid, stamp, validate

if TYPE_CHECKING:
    from .steps import Step
    from .store import MetadataStore

_REGISTERED_VERSIONS = """
FOR t IN @@registry
  FILTER t._key IN @names
  RETURN [t._key, t.schema_version]
"""


# backend -> (its foreign_commits() when read, the registered versions read then): an
# embedded store that no other connection has written since needs no read of the registry
_seen: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, int]]] = weakref.WeakKeyDictionary()


def forget_registered_versions(backend: Any) -> None:
    """Drop what :func:`check_current_types` read of the registry (a type changed)."""
    _seen.pop(backend, None)


def check_current_types(store: MetadataStore, session: Session, step: Step) -> None:
    """Check again, against the registered schema, each of the step's documents stamped
    with an older one; raises :class:`SchemaViolationError` (1620) when one fails it."""
    stamped = list(_stamped(step))
    if not stamped:
        return
    names = sorted({collection for collection, _, _ in stamped})
    registered = _registered_versions(store.raw_backend, session, names)
    current: dict[str, ArtifactType] = {}
    for collection, doc, patch in stamped:
        version = registered.get(collection)
        if version is None or doc.get(SCHEMA_VERSION) == version:
            continue
        artifact_type = current.get(collection)
        if artifact_type is None:
            record = session.get(REGISTRY, collection)
            if record is None:
                continue
            artifact_type = current[collection] = type_from_doc(record)
            store.forget_type(collection)  # the next look-up reads it as registered now
        if patch is None:
            validate(artifact_type, stamp(artifact_type, doc))
        elif is_valid(artifact_type, {**doc, SCHEMA_VERSION: version}):
            patch[SCHEMA_VERSION] = stamp(artifact_type, doc)[SCHEMA_VERSION]
        # else an update of a document the new schema refuses keeps the version it was
        # checked against, as the collection's level "moderate" lets it be changed when it
        # was invalid before (and refuses the change when it was valid: 1620)


def _registered_versions(backend: Any, session: Session, names: list[str]) -> dict[str, int]:
    """The registered schema version of each type named (read in the commit's transaction,
    unless no other connection has committed since the last read: see ``_seen``)."""
    commits = getattr(backend, "foreign_commits", None)
    token = commits() if commits is not None else None
    seen = _seen.get(backend) if token is not None else None
    if seen is not None and seen[0] == token and all(name in seen[1] for name in names):
        return seen[1]
    rows = session.query(_REGISTERED_VERSIONS, {"@registry": REGISTRY, "names": names})
    registered = {name: int(version or 1) for name, version in rows}
    if token is not None:
        known = seen[1] if seen is not None and seen[0] == token else {}
        _seen[backend] = (token, {**known, **registered})
    return registered


def _stamped(step: Step) -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """(collection, whole document, the patch that writes it or None) of every document
    of the step that records its schema version: new ones, and ones it updates."""
    for collection, docs in step.documents.items():
        for doc in docs:
            if SCHEMA_VERSION in doc:
                yield collection, doc, None
    for collection, _, patch, doc in step.updates:
        if SCHEMA_VERSION in doc:
            yield collection, doc, patch
