"""Collections as the HTTP API names and describes them.

A request names a collection by name or by its id (the engine's catalog id,
which ArangoDB clients see as a string). The properties ArangoDB keeps that the
engine has no use for (``waitForSync``, ``keyOptions``, ``cacheEnabled``) are
kept by the server in a table of its own in the store file
(``_collection_properties``: catalog id, name and the properties as JSON), so
that they survive a restart; the name guards against a row left behind by a
collection dropped outside the server (AQL, the Python API) whose id SQLite
gave to a new one. Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from ..backends.database_names import SYSTEM_DATABASE
from ..embedded import EmbeddedDatabase
from ..embedded.layout import CollectionInfo
from ..errors import ERROR_ARANGO_DATA_SOURCE_NOT_FOUND, CollectionNotFoundError

PROPERTIES_TABLE = "_collection_properties"
DOCUMENT, EDGE = 2, 3
STATUS_LOADED = 3

# ArangoDB's objectId (the storage engine's id of the collection) differs from its id;
# here it is the catalog id above this base, so that it is never another collection's id
OBJECT_ID_BASE = 1 << 40
DEFAULT_KEY_OPTIONS: dict[str, Any] = {"allowUserKeys": True, "type": "traditional"}
DEFAULT_PROPERTIES: dict[str, Any] = {
    "waitForSync": False,
    "cacheEnabled": False,
    "keyOptions": DEFAULT_KEY_OPTIONS,
}


def not_found(name: str) -> CollectionNotFoundError:
    return CollectionNotFoundError(
        f"collection or view not found: {name}", ERROR_ARANGO_DATA_SOURCE_NOT_FOUND
    )


def find(db: EmbeddedDatabase, name_or_id: str) -> CollectionInfo:
    """The collection a request names (by name, else by its numeric id); 1203 when none."""
    storage = db.storage
    info = storage.find_collection(name_or_id)
    if info is None and name_or_id.isdigit():
        wanted = int(name_or_id)
        info = next((c for c in storage.collections() if c.id == wanted), None)
    if info is None:
        raise not_found(name_or_id)
    return info


def is_system(info: CollectionInfo) -> bool:
    return info.name.startswith("_")


def database_id(name: str) -> str:
    """A database's id: ``1`` for ``_system`` (as ArangoDB's), else a stable number of its name."""
    return "1" if name == SYSTEM_DATABASE else str(zlib.crc32(name.encode("utf-8")) + 1)


def _has_table(db: EmbeddedDatabase) -> bool:
    row = db.storage.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (PROPERTIES_TABLE,)
    ).fetchone()
    return row is not None


def properties(db: EmbeddedDatabase, info: CollectionInfo) -> dict[str, Any]:
    """The server-kept properties of a collection (defaults when it has none)."""
    found = dict(DEFAULT_PROPERTIES)
    if _has_table(db):
        row = db.storage.conn.execute(
            f"SELECT name, properties FROM {PROPERTIES_TABLE} WHERE collection_id = ?",
            (info.id,),
        ).fetchone()
        if row is not None and row[0] == info.name:
            found.update(json.loads(row[1]))
    return found


def save_properties(db: EmbeddedDatabase, info: CollectionInfo, values: dict[str, Any]) -> None:
    """Keep ``values`` (merged over what is kept) for a collection (inside a write transaction)."""
    conn = db.storage.conn
    kept = {k: v for k, v in properties(db, info).items() if v != DEFAULT_PROPERTIES.get(k)}
    kept.update(values)
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {PROPERTIES_TABLE} (collection_id INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, properties TEXT NOT NULL)"
    )
    conn.execute(
        f"INSERT OR REPLACE INTO {PROPERTIES_TABLE}(collection_id, name, properties) "
        "VALUES (?, ?, ?)",
        (info.id, info.name, json.dumps(kept, sort_keys=True)),
    )


def rename_properties(db: EmbeddedDatabase, info: CollectionInfo, new_name: str) -> None:
    """What is kept for a collection follows it to its new name."""
    if _has_table(db):
        db.storage.conn.execute(
            f"UPDATE {PROPERTIES_TABLE} SET name = ? WHERE collection_id = ? AND name = ?",
            (new_name, info.id, info.name),
        )


def forget_properties(db: EmbeddedDatabase, info: CollectionInfo) -> None:
    """Drop what is kept for a collection (it is being dropped)."""
    if _has_table(db):
        db.storage.conn.execute(
            f"DELETE FROM {PROPERTIES_TABLE} WHERE collection_id = ?", (info.id,)
        )


def key_counter(db: EmbeddedDatabase, info: CollectionInfo) -> int:
    """The collection's key generator state (ArangoDB's ``keyOptions.lastValue``)."""
    row = db.storage.conn.execute(
        "SELECT key_counter FROM _collections WHERE id = ?", (info.id,)
    ).fetchone()
    return int(row[0]) if row else 0


def summary(database: str, info: CollectionInfo) -> dict[str, Any]:
    """What ArangoDB lists of a collection (``GET /_api/collection``)."""
    return {
        "id": str(info.id),
        "name": info.name,
        "status": STATUS_LOADED,
        "type": EDGE if info.edge else DOCUMENT,
        "isSystem": is_system(info),
        "globallyUniqueId": global_id(database, info),
    }


def global_id(database: str, info: CollectionInfo) -> str:
    if is_system(info):
        return info.name
    return f"h{database_id(database)}/{info.id}"


def describe(db: EmbeddedDatabase, database: str, info: CollectionInfo) -> dict[str, Any]:
    """A collection's properties as ArangoDB 3.12 (single server) answers them."""
    kept = properties(db, info)
    key_options = dict(kept["keyOptions"])
    if key_options.get("type") != "uuid":
        key_options["lastValue"] = key_counter(db, info)
    return {
        "writeConcern": 1,
        "waitForSync": bool(kept["waitForSync"]),
        "usesRevisionsAsDocumentIds": True,
        "syncByRevision": True,
        "supportsRBAC": True,
        "statusString": "loaded",
        "id": str(info.id),
        "isSmartChild": False,
        "schema": schema_of(db, info),
        "name": info.name,
        "type": EDGE if info.edge else DOCUMENT,
        "status": STATUS_LOADED,
        "cacheEnabled": bool(kept["cacheEnabled"]),
        "isSystem": is_system(info),
        "internalValidatorType": 0,
        "globallyUniqueId": global_id(database, info),
        "keyOptions": key_options,
        "computedValues": None,
        "objectId": str(OBJECT_ID_BASE + info.id),
    }


def schema_of(db: EmbeddedDatabase, info: CollectionInfo) -> dict[str, Any] | None:
    """The ``schema`` property as ArangoDB 3.12 shows it (with ``type: json``)."""
    found = db.storage.schema_of(info)
    if found is None:
        return None
    return {**found.as_property(), "type": "json"}


__all__ = [
    "DOCUMENT",
    "EDGE",
    "describe",
    "find",
    "forget_properties",
    "properties",
    "save_properties",
    "summary",
]
