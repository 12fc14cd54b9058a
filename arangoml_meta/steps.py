"""A pipeline step's writes: collected on the client, committed in one short transaction.

``with store.transaction():`` (and a run's block) opens a :class:`Step`. While
the step runs — a training of minutes included — it holds nothing in the
database: registrations, links, runs and their closes, deletions go into the
step, and the step's end commits them all in one transaction that takes as
long as the writing itself:

- every document checked against a schema version older than its type's
  registered one is checked again against the current one (``current_types.py``);
- the versions of each name are confirmed against what is stored at that
  moment (``versions.py``); a version another process took meanwhile is given up
  for the next free one, and the step's documents, their ids and the edges naming
  them are renumbered in place;
- the ids the step's edges point to (other than its own new documents) are
  checked to exist: a missing one fails the step with 1202. What confirms the
  versions (deletion records, the version before) is asked in the same lookup,
  one query for the whole commit (on the embedded store, key lookups);
- new documents go in as one multi-row insert per collection (on ArangoDB one
  request per collection inside one stream transaction), then updates of
  documents written before (a run's close), then deletions.

A commit that fails leaves nothing behind; when it lost a race (a key another
writer took: 1210, or 1200 on ArangoDB) it is tried again in a fresh
transaction after a jittered wait — but not inside an enclosing transaction,
where every key is checked before writing instead (``write_races.py``). Reads
inside a step see committed data; the store's lookups by reference (``get``,
``resolve_id``) see the step's own new documents too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .backends import Session, insert_absent, missing_ids
from .current_types import check_current_types
from .cycles import refuse_cycles
from .errors import (
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ConflictError,
    DocumentNotFoundError,
    UniqueConstraintError,
)
from .refs import artifact_key, is_valid_name
from .versions import confirm_versions, next_versions, version_probes
from .write_races import nested_race_error, refuse_taken_keys, wait_before_retry

if TYPE_CHECKING:
    from .store import MetadataStore

log = logging.getLogger(__name__)

COMMIT_ATTEMPTS = 50  # a commit that lost a race for a key is tried again up to this often


@dataclass
class Step:
    """What one step writes, in the order it was asked (see the module docstring)."""

    # collection -> new documents (artifacts and runs first, edges after: see commit)
    documents: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (type, name) -> the step's new versions of that name, oldest first
    versions: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    # id -> new document of the step (what lookups by reference see)
    new: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ids of existing documents the step's edges point to
    required: dict[str, None] = field(default_factory=dict)
    # (collection, key, patch, the caller's copy of the document to refresh) for documents
    # written before the step
    updates: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    # collection -> records to insert unless one with that key exists (environments)
    if_absent: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # edges to check for closing a cycle once they are written (see cycles.py)
    acyclic: list[dict[str, Any]] = field(default_factory=list)
    # work done in the commit's transaction after the writes (deletions), and what it writes
    deferred: list[Callable[[], None]] = field(default_factory=list)
    extra_collections: set[str] = field(default_factory=set)
    # called once the commit succeeded; or when the step was given up (it raised, or its
    # commit failed)
    committed: list[Callable[[], None]] = field(default_factory=list)
    discarded: list[Callable[[], None]] = field(default_factory=list)

    def add(self, collection: str, doc: dict[str, Any], *, edge: bool = False) -> None:
        """A new document (with ``_key`` and ``_id`` when it has them) or edge."""
        self.documents.setdefault(collection, []).append(doc)
        if not edge:
            self.new[doc["_id"]] = doc

    def add_version(self, type_name: str, doc: dict[str, Any]) -> None:
        self.versions.setdefault((type_name, doc["name"]), []).append(doc)
        self.add(type_name, doc)

    def require(self, doc_id: str) -> None:
        """An id an edge of the step points to: new in the step, or checked at the commit."""
        if doc_id not in self.new:
            self.required[doc_id] = None

    def pending_versions(self, type_name: str, name: str) -> list[dict[str, Any]]:
        return self.versions.get((type_name, name), [])

    @property
    def empty(self) -> bool:
        return not (
            self.documents or self.updates or self.if_absent or self.deferred or self.committed
        )

    def write_collections(self) -> list[str]:
        """Every collection the commit may write (ArangoDB's stream transactions declare them)."""
        names = {
            *self.documents,
            *self.if_absent,
            *(update[0] for update in self.updates),
            *self.extra_collections,
        }
        return sorted(names)


def renumber(step: Step, type_name: str, name: str, first: int) -> dict[str, str]:
    """Give the step's new versions of ``name`` the versions ``first``, ``first + 1``, ...;
    the old id -> new id of each that moved."""
    moved: dict[str, str] = {}
    for offset, doc in enumerate(step.versions[(type_name, name)]):
        version = first + offset
        if doc["version"] == version:
            continue
        old = doc["_id"]
        doc["version"] = version
        doc["_key"] = artifact_key(name, version)
        doc["_id"] = f"{type_name}/{doc['_key']}"
        moved[old] = doc["_id"]
    return moved


def commit(store: MetadataStore, step: Step, edge_collections: Iterable[str]) -> None:
    """Write the step in one transaction (see the module docstring)."""
    if step.empty:
        return
    edges = set(edge_collections)
    # inside an enclosing transaction: one snapshot, no second attempt (write_races.py), so
    # every key is checked before anything is written
    nested = store.backend.transaction_open
    free_keys = nested
    moved: dict[str, str] = {}
    hints = None if nested else store.version_hints
    before = None  # the backend's write state inside the commit's transaction (for hints)
    # named only where the backend must declare them (ArangoDB): SQLite locks the file
    write = step.write_collections() if store.backend.declares_write_collections else ()
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            with store.backend.transaction(write=write) as session:
                check_current_types(store, session, step)
                written, refreshed = _write(session, step, edges, free_keys, moved, nested)
                # (not inside an enclosing transaction: it may still roll back)
                if hints is not None and step.versions:
                    before = hints.state()
            break
        except (UniqueConstraintError, ConflictError) as exc:
            if nested:
                raise nested_race_error(exc) from exc
            if isinstance(exc, UniqueConstraintError) and free_keys and not moved:
                # the versions' keys were free and nothing moved: the conflict is another
                # unique index's (a type's own), which trying again cannot resolve
                raise
            if "dependents" in exc.details:  # a deletion refused: trying again cannot help
                raise
            # a key taken meanwhile (1210; on ArangoDB 1200 when the winner committed after
            # this transaction began): allocate again, past taken keys too, in a fresh
            # transaction, after a random wait so that racing writers fall out of step
            log.info("step commit attempt %d lost a race: %s", attempt + 1, exc)
            free_keys = True
            moved = {}
            wait_before_retry(attempt)
    else:
        names = ", ".join(sorted({name for _, name in step.versions})) or "the step"
        raise UniqueConstraintError(
            f"could not commit the step ({names}) after {COMMIT_ATTEMPTS} tries: "
            "other writers kept taking its keys"
        )
    for doc, stored in written:  # only now: a failed attempt must not leave keys behind
        doc["_key"], doc["_id"], doc["_rev"] = stored["_key"], stored["_id"], stored["_rev"]
    for doc, stored in refreshed:
        doc.clear()
        doc.update(stored)
    if hints is not None and before is not None:
        newest = ((key, docs[-1]["version"]) for key, docs in step.versions.items())
        hints.committed(newest, before)
    for done in step.committed:
        done()


Written = list[tuple[dict[str, Any], dict[str, Any]]]


def _write(
    session: Session,
    step: Step,
    edges: set[str],
    free_keys: bool,
    moved: dict[str, str],
    check_keys: bool = False,
) -> tuple[Written, Written]:
    """The step's writes in ``session``: each new document with what the database stored,
    and each updated one with its new version; ``moved`` gets the ids renumbered;
    ``check_keys``: refuse a taken key before anything is written."""
    by_type: dict[str, dict[str, tuple[int, int]]] = {}
    for (type_name, name), docs in step.versions.items():
        by_type.setdefault(type_name, {})[name] = (docs[0]["version"], len(docs))
    # one lookup for what the versions are confirmed by and for the ids the edges point to
    required = list(step.required)
    probes = [] if free_keys else [p for t, v in by_type.items() for p in version_probes(t, v)]
    absent = set(missing_ids(session, [*required, *probes])) if required or probes else set()
    existing = {probe for probe in probes if probe not in absent}
    for type_name, planned in by_type.items():
        if free_keys:  # a key was taken: allocate again, past taken keys
            counts = {name: count for name, (_, count) in planned.items()}
            firsts = next_versions(session, type_name, counts, free_keys=True)
        else:
            firsts = confirm_versions(session, type_name, planned, existing)
        for name, first in firsts.items():
            if first != planned[name][0]:  # else every version stays as it was given
                moved.update(renumber(step, type_name, name, first))
    if moved:
        log.info("versions taken meanwhile by another writer: %s", moved)
        step.new = {doc["_id"]: doc for doc in step.new.values()}
        for collection in edges & set(step.documents):
            for edge in step.documents[collection]:
                edge["_from"] = moved.get(edge["_from"], edge["_from"])
                edge["_to"] = moved.get(edge["_to"], edge["_to"])
    missing = [doc_id for doc_id in required if doc_id in absent]
    if missing:
        raise DocumentNotFoundError(
            f"the step links to what does not exist: {', '.join(_with_hints(session, missing))}; "
            "nothing was written",
            ERROR_ARANGO_DOCUMENT_NOT_FOUND,
        )
    if check_keys:
        refuse_taken_keys(session, step.documents)
    for collection, records in step.if_absent.items():
        insert_absent(session, collection, records)
    written: Written = []
    # artifacts and runs first, then edges, each by name (a stable sort, without a call each)
    for collection in sorted(sorted(step.documents), key=edges.__contains__):
        docs = step.documents[collection]
        stored = session.insert_many(collection, [_body(doc) for doc in docs])
        written.extend(zip(docs, stored, strict=True))
    if step.acyclic:
        refuse_cycles(session, step.acyclic, step.new)
    refreshed: Written = []
    for collection, key, patch, doc in step.updates:
        refreshed.append((doc, session.update(collection, key, patch)))
    for work in step.deferred:
        work()
    return written, refreshed


def _with_hints(session: Session, missing: list[str]) -> list[str]:
    """Each missing id, with ``(did you mean T/N@latest?)`` when its key is a name in use."""
    described = []
    for doc_id in missing:
        collection, _, key = doc_id.partition("/")
        named = is_valid_name(key) and session.query(
            "FOR d IN @@c FILTER d.name == @name LIMIT 1 RETURN true",
            {"@c": collection, "name": key},
        )
        described.append(f"{doc_id} (did you mean {doc_id}@latest?)" if named else doc_id)
    return described


def _body(doc: dict[str, Any]) -> dict[str, Any]:
    """What is written of a new document: all but the system attributes the database sets
    (its key, when the step gave it one, stays)."""
    body = dict(doc)  # a copy and a few pops: a third of a comprehension's time
    body.pop("_id", None)
    body.pop("_rev", None)
    if body.get("_key") is None:
        body.pop("_key", None)
    return body
