"""The document API's operations, one item at a time, with ArangoDB's rules.

Each operation (insert, replace, update, remove, read) takes the items of a
request (one for the single-document routes) and gives one outcome per item:
the result object ArangoDB answers with, or an :class:`ItemFailure` (its error
number and message, and for a ``_rev`` conflict the document's identity). A
write request runs in one write transaction (or inside the stream transaction
it joins) and every item in a savepoint of its own, so that a failed item
leaves nothing behind and the others stand, as ArangoDB's array operations do.
The writes go through the engine's one write path (``embedded/writes.py``):
keys, edge handles, the collection's schema and unique indexes are checked
there; ``_rev`` preconditions (``If-Match``, ``ignoreRevs: false``) are
checked here, where the document's current revision is at hand for the reply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..document_rules import require_object
from ..embedded import EmbeddedDatabase
from ..embedded.documents import check_key
from ..embedded.layout import CollectionInfo
from ..embedded.writes import DocumentWriter
from ..errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DOCUMENT_HANDLE_BAD,
    ERROR_ARANGO_DOCUMENT_KEY_BAD,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    ERROR_INTERNAL,
    ArangoMLMetaError,
    UniqueConstraintError,
)
from . import collection_catalog as catalog

Document = dict[str, Any]

# ArangoDB's messages for the per-document errors it reports without detail
_MESSAGES = {
    ERROR_ARANGO_DOCUMENT_NOT_FOUND: "document not found",
    ERROR_ARANGO_DOCUMENT_KEY_BAD: "illegal document key",
    ERROR_ARANGO_CONFLICT: "conflict, _rev values do not match",
    ERROR_ARANGO_DOCUMENT_HANDLE_BAD: "illegal document handle",
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID: "invalid document type",
    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE: "invalid edge attribute",
}


class ItemFailure(Exception):
    """One item's error: its number, ArangoDB's message, and for a ``_rev`` conflict
    the identity (``_id``, ``_key``, ``_rev``) of the document as it is."""

    def __init__(self, error_num: int, message: str, existing: Document | None = None) -> None:
        super().__init__(message)
        self.error_num = error_num
        self.message = message
        self.existing = existing

    @classmethod
    def of(cls, exc: ArangoMLMetaError) -> ItemFailure:
        num = exc.error_num if exc.error_num is not None else ERROR_INTERNAL
        return cls(num, _MESSAGES.get(num, exc.message))

    def body(self) -> Document:
        """The item's entry in an array reply."""
        return {"error": True, "errorNum": self.error_num, "errorMessage": self.message}


def not_found() -> ItemFailure:
    return ItemFailure(ERROR_ARANGO_DOCUMENT_NOT_FOUND, _MESSAGES[ERROR_ARANGO_DOCUMENT_NOT_FOUND])


@dataclass(frozen=True)
class Options:
    """The query parameters of a document request (ArangoDB's defaults)."""

    return_new: bool = False
    return_old: bool = False
    silent: bool = False
    wait_for_sync: bool = False
    overwrite_mode: str | None = None
    keep_null: bool = True
    merge_objects: bool = True
    ignore_revs: bool = True


@dataclass
class Outcomes:
    """What a request did: its collection's name, one outcome per item, and whether the
    reply says the writes were synced (``waitForSync``, the request's or the collection's)."""

    collection: str
    items: list[Document | ItemFailure] = field(default_factory=list)
    synced: bool = False

    @property
    def failures(self) -> list[ItemFailure]:
        return [item for item in self.items if isinstance(item, ItemFailure)]


def identity(doc: Document) -> Document:
    return {"_id": doc["_id"], "_key": doc["_key"], "_rev": doc["_rev"]}


def conflict(existing: Document) -> ItemFailure:
    return ItemFailure(ERROR_ARANGO_CONFLICT, _MESSAGES[ERROR_ARANGO_CONFLICT], identity(existing))


def key_of(item: Any) -> str:
    """The key an item of a read / remove names: a key, a document id or an object's
    ``_key``; 1205 for anything else."""
    if isinstance(item, dict):
        item = item.get("_key", item.get("_id"))
    if isinstance(item, str) and item:
        return item.rpartition("/")[2]
    raise ItemFailure(ERROR_ARANGO_DOCUMENT_HANDLE_BAD, _MESSAGES[ERROR_ARANGO_DOCUMENT_HANDLE_BAD])


def _body_key(item: Document) -> str:
    key = item.get("_key")
    if not isinstance(key, str) or not key:
        raise ItemFailure(
            ERROR_ARANGO_DOCUMENT_HANDLE_BAD, _MESSAGES[ERROR_ARANGO_DOCUMENT_HANDLE_BAD]
        )
    return key


class Session:
    """The state one write request shares between its items."""

    def __init__(self, db: EmbeddedDatabase, info: CollectionInfo, options: Options) -> None:
        self.db = db
        self.storage = db.storage
        self.info = info
        self.options = options
        self.properties = catalog.properties(db, info)
        self.writer = DocumentWriter(
            db.storage,
            info,
            keep_null=options.keep_null,
            merge_objects=options.merge_objects,
            ignore_revs=True,  # preconditions are checked here (see current)
        )

    def current(self, key: str, expected_rev: Any = None) -> Document:
        """The stored document (1202), its ``_rev`` checked against ``expected_rev`` (1200)."""
        old = self.storage.get(self.info, key)
        if old is None:
            raise not_found()
        if expected_rev is not None and expected_rev != old["_rev"]:
            raise conflict(old)
        return old

    def expected(self, item: Any, header_rev: str | None) -> Any:
        if header_rev is not None:
            return header_rev
        if not self.options.ignore_revs and isinstance(item, dict):
            return item.get("_rev")
        return None

    def result(
        self, new: Document | None, old: Document | None, *, old_rev: bool, keep: Document
    ) -> Document:
        out = identity(keep)
        if old_rev and old is not None:
            out["_oldRev"] = old["_rev"]
        if self.options.return_old and old is not None:
            out["old"] = old
        if self.options.return_new and new is not None:
            out["new"] = new
        return out

    # ------------------------------------------------------------------ operations

    def insert(self, item: Any, _key: str | None, _rev: str | None) -> Document:
        doc = require_object(item)
        mode = self.options.overwrite_mode
        if mode in ("ignore", "replace", "update") and "_key" in doc:
            key = check_key(doc["_key"])
            old = self.storage.get(self.info, key)
            if old is not None:
                if mode == "ignore":
                    return identity(old)
                if mode == "replace":
                    _, new = self.writer.replace(key, doc)
                else:
                    _, new = self.writer.update(key, doc)
                return self.result(new, old, old_rev=True, keep=new)
        try:  # keyed by the collection's keyOptions in the engine (key_generators.py)
            new = self.writer.insert_many([doc])[0]
        except UniqueConstraintError as exc:
            if "index primary" not in exc.message or "_key" not in doc:
                raise
            raise ItemFailure(  # ArangoDB's message names the key
                ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
                "unique constraint violated - in index primary of type primary over '_key'; "
                f"conflicting key: {doc['_key']}",
            ) from None
        return self.result(new, None, old_rev=False, keep=new)

    def insert_all(self, items: list[Any]) -> list[Document]:
        """New documents inserted at once (the engine's batch write, about half the time of
        one savepoint per item), or none when any of them fails: then each item is written
        on its own and reports its own error."""
        if self.options.overwrite_mode not in (None, "conflict") or not all(
            isinstance(item, dict) for item in items
        ):
            return []
        try:
            with self.storage.atomic(write=True):
                stored = self.writer.insert_many(items)
        except ArangoMLMetaError:
            return []
        return [self.result(new, None, old_rev=False, keep=new) for new in stored]

    def replace(self, item: Any, key: str | None, header_rev: str | None) -> Document:
        body = require_object(item)
        old = self.current(key or _body_key(body), self.expected(body, header_rev))
        _, new = self.writer.replace(old["_key"], body)
        return self.result(new, old, old_rev=True, keep=new)

    def update(self, item: Any, key: str | None, header_rev: str | None) -> Document:
        patch = require_object(item)
        old = self.current(key or _body_key(patch), self.expected(patch, header_rev))
        _, new = self.writer.update(old["_key"], patch)
        return self.result(new, old, old_rev=True, keep=new)

    def remove(self, item: Any, key: str | None, header_rev: str | None) -> Document:
        old = self.current(key or key_of(item), self.expected(item, header_rev))
        self.storage.delete(self.info, old["_key"])
        return self.result(None, old, old_rev=False, keep=old)


Operation = Callable[[Session, Any, str | None, str | None], Document]
OPERATIONS: dict[str, Operation] = {
    "insert": Session.insert,
    "replace": Session.replace,
    "update": Session.update,
    "remove": Session.remove,
}


def write(
    db: EmbeddedDatabase,
    collection: str,
    operation: str,
    items: list[Any],
    options: Options,
    *,
    key: str | None = None,
    header_rev: str | None = None,
) -> Outcomes:
    """Apply ``operation`` to each item (``key`` / ``header_rev``: the single-document
    route's key and ``If-Match``), each item on its own, all in one transaction."""
    storage = db.storage
    apply = OPERATIONS[operation]
    with storage.atomic(write=True):
        info = catalog.find(db, collection)
        session = Session(db, info, options)
        outcomes = Outcomes(info.name)
        if operation == "insert" and len(items) > 1:
            outcomes.items.extend(session.insert_all(items))
        for item in items[len(outcomes.items) :]:
            try:
                with storage.atomic(write=True):  # a savepoint: a failed item leaves nothing
                    outcomes.items.append(apply(session, item, key, header_rev))
            except ItemFailure as failure:
                outcomes.items.append(failure)
            except ArangoMLMetaError as exc:
                outcomes.items.append(ItemFailure.of(exc))
        wrote = len(outcomes.failures) < len(outcomes.items)
        outcomes.synced = options.wait_for_sync or (
            wrote and bool(session.properties["waitForSync"])
        )
    return outcomes


def read(
    db: EmbeddedDatabase,
    collection: str,
    items: list[Any],
    *,
    ignore_revs: bool = True,
    if_match: str | None = None,
) -> Outcomes:
    """Read each item's document (one snapshot): 1202 when there is none, 1200 when
    its ``_rev`` differs from the one asked for (``If-Match``, or the item's own
    with ``ignoreRevs: false``)."""
    storage = db.storage
    with storage.atomic():
        info = catalog.find(db, collection)
        outcomes = Outcomes(info.name)
        for item in items:
            try:
                doc = storage.get(info, key_of(item))
                if doc is None:
                    raise not_found()
                expected = if_match
                if expected is None and not ignore_revs and isinstance(item, dict):
                    expected = item.get("_rev")
                if expected is not None and expected != doc["_rev"]:
                    raise conflict(doc)
                outcomes.items.append(doc)
            except ItemFailure as failure:
                outcomes.items.append(failure)
    return outcomes
