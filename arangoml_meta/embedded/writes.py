"""The embedded engine's one document write path.

:class:`DocumentWriter` applies single-document writes to one collection with
ArangoDB's rules: keys checked (1221) and the key counter kept above explicit keys,
``_key`` / ``_id`` / ``_rev`` set by the database, an edge's ``_from`` / ``_to``
checked as document handles (1233), ``_rev`` compared unless ``ignoreRevs``
(1200), UPDATE's merge with ``keepNull`` and ``mergeObjects``, and, through the
storage, the collection's schema (1620) and unique indexes (1210). AQL's
modifications (``modify.py``) and the embedded backend's document API
(``backends/embedded.py``) both write through it, so the two cannot disagree.
The caller holds the write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..document_rules import SET_BY_DATABASE, require_object
from ..errors import (
    ERROR_ARANGO_CONFLICT,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND,
    ConflictError,
    DocumentNotFoundError,
)
from .documents import REVISIONS, check_edge_handle, check_key, merge_patch
from .storage import CollectionInfo, Storage
from .values import to_bool

Document = dict[str, Any]
# (OLD, NEW) of one write, as AQL binds them
Written = tuple[Document | None, Document | None]


def not_found(collection: str, key: str) -> DocumentNotFoundError:
    """1202 for ``collection/key``."""
    return DocumentNotFoundError(
        f"document not found: {collection}/{key}", ERROR_ARANGO_DOCUMENT_NOT_FOUND
    )


class DocumentWriter:
    """Applies single-document writes with ArangoDB's rules to one collection."""

    def __init__(
        self,
        storage: Storage,
        info: CollectionInfo,
        *,
        keep_null: bool = True,
        merge_objects: bool = True,
        ignore_revs: bool = True,
        overwrite_mode: str | None = None,
    ) -> None:
        self.storage = storage
        self.info = info
        self.keep_null = keep_null
        self.merge_objects = merge_objects
        self.ignore_revs = ignore_revs
        self.overwrite_mode = overwrite_mode

    @classmethod
    def with_options(
        cls, storage: Storage, info: CollectionInfo, options: dict[str, Any]
    ) -> DocumentWriter:
        """A writer for an AQL modification's ``OPTIONS`` (ArangoDB's defaults otherwise)."""
        mode = options.get("overwriteMode")
        if mode is None and to_bool(options.get("overwrite", False)):
            mode = "replace"
        return cls(
            storage,
            info,
            keep_null=to_bool(options.get("keepNull", True)),
            merge_objects=to_bool(options.get("mergeObjects", True)),
            ignore_revs=to_bool(options.get("ignoreRevs", True)),
            overwrite_mode=mode,
        )

    def _existing(self, key: str) -> Document:
        old = self.storage.get(self.info, key)
        if old is None:
            raise not_found(self.info.name, key)
        return old

    def _check_rev(self, old: Document, given: Any) -> None:
        if (
            not self.ignore_revs
            and isinstance(given, dict)
            and "_rev" in given
            and given["_rev"] != old.get("_rev")
        ):
            raise ConflictError("conflict, _rev values do not match", ERROR_ARANGO_CONFLICT)

    def insert(self, value: Any) -> Written:
        """INSERT one document; with an ``overwriteMode``, an existing key is ignored,
        replaced or updated instead (1210 without one)."""
        doc = require_object(value)
        if "_key" in doc and self.overwrite_mode in ("ignore", "replace", "update"):
            key = check_key(doc["_key"])
            if self.storage.has(self.info, key):
                if self.overwrite_mode == "ignore":
                    return None, None
                if self.overwrite_mode == "replace":
                    return self.replace(key, doc)
                return self.update(key, doc)
        return None, self.insert_many([doc])[0]

    def insert_many(self, docs: Sequence[Any]) -> list[Document]:
        """INSERT documents (keys generated where absent), all checked before any is written."""
        return self.storage.insert_many(self.info, docs)

    def _finish(self, key: str, body: Document, old: Document | None) -> Document:
        """Store ``body`` as the new version of ``key`` (``old``, when read, spares the
        schema a read): an edge's ends are those of ``body`` (a REPLACE must give both;
        UPDATE's merge keeps the old ones)."""
        new: Document = {"_key": key, "_id": f"{self.info.name}/{key}", "_rev": REVISIONS.next()}
        if self.info.edge:
            new["_from"] = check_edge_handle(body.get("_from"), "_from")
            new["_to"] = check_edge_handle(body.get("_to"), "_to")
        for name, value in body.items():
            if name not in new and name not in SET_BY_DATABASE:
                new[name] = value
        self.storage.replace_stored(self.info, new, old)
        return new

    def update(self, key: str, value: Any, selector: Any = None) -> tuple[Document, Document]:
        """UPDATE ``key`` with the patch ``value``; a ``_rev`` is checked in ``selector``
        (``UPDATE sel WITH ...``) when it is an object, else in the patch."""
        patch = require_object(value)
        old = self._existing(key)
        self._check_rev(old, selector if isinstance(selector, dict) else patch)
        merged = merge_patch(old, patch, self.keep_null, self.merge_objects)
        return old, self._finish(key, merged, old)

    def replace(
        self, key: str, value: Any, selector: Any = None, *, return_old: bool = True
    ) -> tuple[Document | None, Document]:
        """REPLACE the body of ``key`` with ``value`` (``_rev`` checked as in :meth:`update`);
        the old document is read only when it is returned or its ``_rev`` checked."""
        body = require_object(value)
        old = None
        if return_old or not self.ignore_revs:
            old = self._existing(key)
            self._check_rev(old, selector if isinstance(selector, dict) else body)
        elif not self.storage.has(self.info, key):
            raise not_found(self.info.name, key)
        return old, self._finish(key, body, old)

    def remove(
        self, key: str, given: Any = None, *, return_old: bool = True
    ) -> tuple[Document | None, None]:
        """REMOVE ``key``; ``given`` (the key or document the caller named) may hold a
        ``_rev``. The old document is read only when it is returned or its ``_rev`` checked."""
        old = None
        if return_old or not self.ignore_revs:
            old = self._existing(key)
            self._check_rev(old, given)
        try:
            self.storage.delete(self.info, key)
        except DocumentNotFoundError:
            raise not_found(self.info.name, key) from None
        return old, None
