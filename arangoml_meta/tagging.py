"""Tags of a stored artifact or run: the one thing that changes after registration.

Artifacts are immutable (a change is a new version), but their labels are not
content: ``store.tag(ref, add=[...], remove=[...])`` changes the ``tags`` of one
version in place and appends what it did to the document's ``changes`` list
(``{"at", "by", "field": "tags", "added", "removed"}``), so who labelled what,
and when, stays on record. Adding a tag the document has, or removing one it
lacks, changes nothing; a call that changes nothing writes nothing.

The read and the write are one transaction; inside a step they happen when the
step commits (what the call returns is the change as the store stands now).
A type whose schema forbids undeclared fields (``additionalProperties: false``)
must declare ``changes`` (an array) for its documents to be tagged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .backends import Session
from .environment import utc_now_iso
from .errors import (
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    BadParameterError,
    DocumentNotFoundError,
    SchemaViolationError,
)
from .types import validate

if TYPE_CHECKING:
    from .store import MetadataStore

CHANGES = "changes"  # the field holding a document's record of changes


def tag(
    store: MetadataStore,
    ref: str | Mapping[str, Any],
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> dict[str, Any]:
    """See :meth:`MetadataStore.tag`; returns the document as tagged."""
    added, removed = _tags(add, "add"), _tags(remove, "remove")
    if not added and not removed:
        raise BadParameterError("name a tag to add or to remove")
    both = sorted(set(added) & set(removed))
    if both:
        raise BadParameterError(f"tags both added and removed: {both}")
    doc_id = store.resolve_id(ref)
    collection = doc_id.partition("/")[0]
    step = store.step
    if step is None:
        with store.backend.transaction(write=[collection]) as session:
            return _retag(store, session, doc_id, added, removed, write=True)
    pending = step.new.get(doc_id)
    if pending is not None:  # new in the step: tagged before it is written (and renumbered)
        pending.update(_change(store, pending, added, removed) or {})
        return pending
    step.extra_collections.add(collection)

    def at_commit() -> None:
        _retag(store, store.backend, doc_id, added, removed, write=True)

    step.deferred.append(at_commit)
    return _retag(store, store.backend, doc_id, added, removed, write=False)


def _tags(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):  # one tag given as a string: not its letters
        values = [values]
    tags = list(dict.fromkeys(values))
    for value in tags:
        if not isinstance(value, str) or not value.strip():
            raise BadParameterError(f"{what}: a tag is non-empty text, not {value!r}")
    return tags


def _retag(
    store: MetadataStore,
    session: Session,
    doc_id: str,
    add: list[str],
    remove: list[str],
    *,
    write: bool,
) -> dict[str, Any]:
    collection, _, key = doc_id.partition("/")
    doc = session.get(collection, key)
    if doc is None:
        raise DocumentNotFoundError(
            f"artifact not found: {doc_id}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
        )
    patch = _change(store, doc, add, remove)
    if patch is None:
        return doc
    return session.update(collection, key, patch) if write else {**doc, **patch}


def _change(
    store: MetadataStore, doc: dict[str, Any], add: list[str], remove: list[str]
) -> dict[str, Any] | None:
    """The patch of ``doc``'s tags and changes (checked against its type's schema), or None
    when nothing changes."""
    tags, history = doc.get("tags") or [], doc.get(CHANGES) or []
    if not isinstance(tags, list) or not isinstance(history, list):
        raise SchemaViolationError(
            f"{doc['_id']} was written around the store: its 'tags' or '{CHANGES}' is not a list"
        )
    added = [t for t in add if t not in tags]
    removed = [t for t in remove if t in tags]
    if not added and not removed:
        return None
    change = {
        "at": utc_now_iso(),
        "by": store.actor,
        "field": "tags",
        "added": added,
        "removed": removed,
    }
    patch = {"tags": [t for t in tags if t not in removed] + added, CHANGES: [*history, change]}
    validate(store.type(doc["_id"].partition("/")[0]), {**doc, **patch})
    return patch
