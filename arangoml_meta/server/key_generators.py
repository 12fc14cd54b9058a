"""Key generators: ArangoDB's ``keyOptions`` of a collection, checked and applied.

The engine generates traditional keys itself (an increasing counter per
collection). The other generators ArangoDB offers are applied here, by
:class:`KeyOptionsPolicy`, which the server installs as the engine's
``key_policy`` of each connection, so that every insert — the document API, the
import, AQL's INSERT, a JavaScript transaction — keys documents alike:
``autoincrement`` (``offset`` + a multiple of ``increment``, above every key
handed out, taken from the engine's counter), ``padded`` (the counter as 16
hexadecimal digits, so that keys sort as they were made) and ``uuid``. With
``allowUserKeys: false`` a document that brings a key is refused (1222).

``GET /_api/key-generators`` lists ArangoDB's internal ``upgrade`` generator as
well, as ArangoDB does: ArangoDB takes it only from itself (while it upgrades
collections), never in a user's ``keyOptions``, and neither does serve (1232).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from ..document_rules import is_valid_key
from ..embedded import EmbeddedDatabase
from ..embedded.layout import CollectionInfo
from ..errors import (
    ERROR_ARANGO_DOCUMENT_KEY_BAD,
    ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED,
    ERROR_ARANGO_INVALID_KEY_GENERATOR,
    CollectionError,
    DocumentError,
)
from .collection_catalog import properties

GENERATORS = ("padded", "uuid", "autoincrement", "traditional")  # a collection may have
INTERNAL = "upgrade"  # listed, never accepted (see the module docstring)
LISTED = (INTERNAL, *GENERATORS)
MAX_INCREMENT = 1 << 16


def invalid(message: str) -> CollectionError:
    return CollectionError(f"invalid key generator: {message}", ERROR_ARANGO_INVALID_KEY_GENERATOR)


def _count(options: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = options.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise invalid(f"'{name}' must be an integer from {low} to {high - 1}")
    return value


def key_options(value: Any) -> dict[str, Any]:
    """The ``keyOptions`` a new collection keeps (ArangoDB's defaults filled in); 1232
    for a generator there is none of, or an ``increment`` / ``offset`` out of range."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise invalid("'keyOptions' must be an object")
    kind = value.get("type", "traditional")
    if kind == INTERNAL:
        raise invalid(f"the key generator {kind!r} is internal: ArangoDB uses it in upgrades")
    if kind not in GENERATORS:
        raise invalid(f"there is no key generator {kind!r} (there are {', '.join(GENERATORS)})")
    allow = value.get("allowUserKeys", True)
    if not isinstance(allow, bool):
        raise invalid("'allowUserKeys' must be a boolean")
    options: dict[str, Any] = {"allowUserKeys": allow, "type": kind}
    if kind == "autoincrement":
        options["offset"] = _count(value, "offset", 0, 0, 1 << 63)
        options["increment"] = _count(value, "increment", 1, 1, MAX_INCREMENT)
    return options


def assign_key(
    db: EmbeddedDatabase, info: CollectionInfo, options: dict[str, Any], doc: dict[str, Any]
) -> dict[str, Any]:
    """``doc`` with the key its collection's generator gives it (inside the write
    transaction that inserts it); a key it brings is checked against the options."""
    kind = options.get("type", "traditional")
    if "_key" in doc:
        if not options.get("allowUserKeys", True):
            raise DocumentError(
                "unexpected document key: the collection does not allow user-defined keys",
                ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED,
            )
        key = doc["_key"]
        if kind == "autoincrement" and is_valid_key(key):
            if not key.isdigit():
                raise DocumentError(
                    "illegal document key: an autoincrement collection takes numeric keys only",
                    ERROR_ARANGO_DOCUMENT_KEY_BAD,
                )
            db.storage.note_explicit_key(info, key)  # the next generated key is above it
        return doc
    if kind == "traditional":
        return doc  # the engine generates it
    if kind == "uuid":
        return {"_key": str(uuid.uuid4()), **doc}
    storage = db.storage
    counter = int(storage.generate_key(info))
    if kind == "padded":
        return {"_key": f"{counter:016x}", **doc}
    offset, increment = int(options["offset"]), int(options["increment"])
    value = max(counter, offset)
    value += -(value - offset) % increment  # the next offset + n * increment
    key = str(value)
    storage.note_explicit_key(info, key)
    return {"_key": key, **doc}


class KeyOptionsPolicy:
    """The engine's ``key_policy`` for one connection: each collection's ``keyOptions``
    (read once: they never change after the collection is made) applied to new documents."""

    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db
        self._options: dict[tuple[int, int, str], dict[str, Any]] = {}

    def __call__(
        self, info: CollectionInfo, docs: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        options = self._options_of(info)
        if options.get("type", "traditional") == "traditional" and options.get(
            "allowUserKeys", True
        ):
            return list(docs)
        return [assign_key(self.db, info, options, doc) for doc in docs]

    def _options_of(self, info: CollectionInfo) -> dict[str, Any]:
        cache_key = (self.db.storage.catalog_generation, info.id, info.name)
        found = self._options.get(cache_key)
        if found is None:
            if len(self._options) > 256:
                self._options.clear()
            found = self._options[cache_key] = dict(properties(self.db, info)["keyOptions"])
        return found
