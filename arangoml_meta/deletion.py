"""Deleting an artifact or a run, with every lineage edge that touches it.

Artifacts are immutable, but not undeletable: a version registered by mistake, or data
that must be erased, can go. What else goes is decided by one AQL query
(:data:`DELETION`) and written in one transaction:

- the document itself and every ``inputs`` / ``outputs`` / ``derivations`` edge touching
  it, so that no edge is left dangling;
- without ``cascade``, nothing else: if anything was derived from it (a run that read it,
  a model a run produced, a deployment of a model, ...), the deletion is refused with
  :class:`~arangoml_meta.errors.ConflictError` (1200) naming what depends on it, so that no
  provenance is cut silently;
- with ``cascade``, everything downstream of it too (everything derived from it, at any
  distance), with their edges.

Every deleted document leaves a record in ``deletions`` (its id, type, name, version and
project, when and by whom, and the id the deletion started from; none of its content),
for the audit trail, and so that a deleted version is never handed out again:
``datasets/iris-v2`` names one artifact forever, even after it is gone.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .backends import Session
from .document_rules import MAX_KEY_BYTES
from .environment import utc_now_iso
from .errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ConflictError,
    DocumentNotFoundError,
)
from .lineage.walk import COMPLETE_DEPTH, EDGES

if TYPE_CHECKING:
    from .store import MetadataStore

log = logging.getLogger(__name__)

DELETIONS = "deletions"  # the record of what was deleted (see the module docstring)
SHOWN_DEPENDENTS = 5  # named in the error of a refused deletion

# What deleting @start takes with it: the start (when it exists) and, when @cascade,
# everything downstream of it (nearest first, then by id), as {id, name, version, project}; every lineage edge
# touching one of them; without @cascade, the documents depending on the start directly
# (which make the deletion a conflict).
DELETION = """
LET start = DOCUMENT(@start)
LET downstream = start == null || !@cascade ? [] : (
  FOR v, e, p IN 1..@depth OUTBOUND @start GRAPH 'lineage'
    OPTIONS { uniqueVertices: 'global', order: 'bfs' }
    FILTER v != null
    SORT LENGTH(p.edges), v._id
    RETURN { id: v._id, name: v.name, version: v.version, project: v.project }
)
LET documents = start == null ? [] : APPEND(
  [{ id: start._id, name: start.name, version: start.version, project: start.project }],
  downstream
)
LET dependents = start == null || @cascade ? [] : (
  FOR v IN 1..1 OUTBOUND @start GRAPH 'lineage'
    FILTER v != null
    RETURN DISTINCT v._id
)
LET edges = (
  FOR doc IN documents
    FOR v, e IN 1..1 ANY doc.id GRAPH 'lineage'
      RETURN DISTINCT e._id
)
RETURN { documents, dependents, edges }
"""


@dataclass(frozen=True)
class Deletion:
    """What a deletion removed (or, for a dry run, would remove): ``_id`` lists."""

    documents: list[str]
    edges: list[str]
    dry_run: bool = False


def delete(
    store: MetadataStore, ref: str | dict[str, Any], *, cascade: bool, dry_run: bool
) -> Deletion:
    """See :meth:`MetadataStore.delete`: at once, or, inside a step, when it commits."""
    start = store.resolve_id(ref)  # a missing artifact is 1202, an unknown type 1203
    step = store.step
    if step is None or dry_run:
        with store.backend.transaction(write=writable(store)) as session:
            deletion = _plan_and_delete(store, session, start, cascade, dry_run)
        if not dry_run:
            _log(store, start, deletion)
        return deletion
    planned = _plan_and_delete(store, store.backend, start, cascade, dry_run=True)
    step.extra_collections.update(writable(store))

    def done_at_commit() -> None:
        # planned again: the graph may have changed since
        _log(store, start, _plan_and_delete(store, store.backend, start, cascade, False))

    step.deferred.append(done_at_commit)
    return Deletion(planned.documents, planned.edges, dry_run=False)


def writable(store: MetadataStore) -> list[str]:
    """What a deletion may write: the records, the edges and every type's collection."""
    return [DELETIONS, *EDGES, *(t.name for t in store.types())]


def _plan_and_delete(
    store: MetadataStore, session: Session, start: str, cascade: bool, dry_run: bool
) -> Deletion:
    (plan,) = session.query(DELETION, {"start": start, "cascade": cascade, "depth": COMPLETE_DEPTH})
    dependents: list[str] = plan["dependents"]
    if dependents:
        shown = ", ".join(dependents[:SHOWN_DEPENDENTS])
        more = len(dependents) - SHOWN_DEPENDENTS
        raise ConflictError(
            f"cannot delete {start}: {len(dependents)} "
            f"{'document depends' if len(dependents) == 1 else 'documents depend'} on it "
            f"({shown}{f' and {more} more' if more > 0 else ''}); "
            "delete with cascade to remove everything derived from it too",
            ERROR_ARANGO_CONFLICT,
            dependents=dependents,
        )
    documents: list[dict[str, Any]] = plan["documents"]
    if not documents:
        raise DocumentNotFoundError(f"artifact not found: {start}", ERROR_ARANGO_DOCUMENT_NOT_FOUND)
    deletion = Deletion([d["id"] for d in documents], sorted(plan["edges"]), dry_run)
    if not dry_run:
        # the records first: on ArangoDB a joined transaction has no savepoint, so a
        # failure must come before anything is removed
        session.insert_many(DELETIONS, _records(store, session, documents, start))
        for collection, keys in _by_collection(deletion.edges):
            session.delete_many(collection, keys)
        for collection, keys in _by_collection(deletion.documents):
            session.delete_many(collection, keys)
    return deletion


def _log(store: MetadataStore, start: str, deletion: Deletion) -> None:
    log.info(
        "%s deleted %s: %d documents, %d edges",
        store.actor,
        start,
        len(deletion.documents),
        len(deletion.edges),
    )


def record_key(doc_id: str) -> str:
    """The key of the record of a deleted document: its id with ``:`` for ``/``
    (``datasets:iris-v2``), so that whether a version was deleted is one lookup; a
    digest of the id when that would exceed ArangoDB's 254 bytes."""
    key = doc_id.replace("/", ":", 1)
    if len(key.encode()) <= MAX_KEY_BYTES:
        return key
    return "sha256:" + hashlib.sha256(doc_id.encode()).hexdigest()


def _records(
    store: MetadataStore, session: Session, documents: list[dict[str, Any]], start: str
) -> list[dict[str, Any]]:
    """A record per deleted document. An id deleted before (and written again around the
    store since) has its record already: the new one gets a generated key."""
    deleted_at = utc_now_iso()
    keys = [record_key(doc["id"]) for doc in documents]
    earlier = session.get_many(DELETIONS, keys)
    return [
        {
            **({} if before is not None else {"_key": key}),
            "document": doc["id"],
            "type": doc["id"].partition("/")[0],
            "name": doc["name"],
            "version": doc["version"],
            "project": doc["project"],
            "deleted_at": deleted_at,
            "deleted_by": store.actor,
            "cascade_from": None if doc["id"] == start else start,
        }
        for doc, key, before in zip(documents, keys, earlier, strict=True)
    ]


def _by_collection(ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for doc_id in ids:
        collection, _, key = doc_id.partition("/")
        grouped[collection].append(key)
    return sorted(grouped.items())
