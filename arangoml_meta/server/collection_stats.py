"""What ``/_api/collection/{name}/{figures,revision,checksum}`` report of a collection.

Figures are measured from the store (documents and their bytes, the indexes),
in ArangoDB's shape; its RocksDB cache figures are zero. The revision is the
``_rev`` of the document written last (``"0"`` for an empty collection). The
checksum is ArangoDB's construction over other hashes: one 64-bit hash per
document (its key, with ``withRevisions`` its ``_rev``, with ``withData`` its
attributes), combined with XOR so that it does not depend on the order the
documents are read in.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from ..embedded import EmbeddedDatabase
from ..embedded.layout import CollectionInfo

# the system attributes a checksum ``withData`` leaves to ``withRevisions`` and the key
_SYSTEM = ("_key", "_id", "_rev")


def count(db: EmbeddedDatabase, info: CollectionInfo) -> int:
    row = db.storage.conn.execute(f"SELECT count(*) FROM {info.table}").fetchone()
    return int(row[0])


def figures(db: EmbeddedDatabase, info: CollectionInfo, details: bool) -> dict[str, Any]:
    """ArangoDB's ``figures``: document bytes, index count and (``details``) per-index counts."""
    conn = db.storage.conn
    documents, size = conn.execute(
        f"SELECT count(*), coalesce(sum(length(key) + length(rev) + length(doc)), 0) "
        f"FROM {info.table}"
    ).fetchone()
    system = 2 if info.edge else 1  # primary, and the edge index
    out: dict[str, Any] = {
        "indexes": {
            "count": system
            + len(info.indexes)
            + len(info.geo_indexes)
            + len(info.inverted_indexes),
            "size": 0,
        },
        "documentsSize": int(size),
        "cacheInUse": False,
        "cacheSize": 0,
        "cacheUsage": 0,
    }
    if details:
        indexes = [{"type": "primary", "id": 0, "count": documents}]
        if info.edge:
            indexes.append({"type": "edge", "id": 1, "count": documents})
        out["engine"] = {"documents": documents, "indexes": indexes}
    return out


def revision(db: EmbeddedDatabase, info: CollectionInfo) -> str:
    row = db.storage.conn.execute(
        f"SELECT rev FROM {info.table} ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return str(row[0]) if row else "0"


def _hash(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def checksum(
    db: EmbeddedDatabase, info: CollectionInfo, with_revisions: bool, with_data: bool
) -> str:
    """The XOR of one hash per document (see the module docstring), as a decimal string."""
    total = 0
    for doc in db.storage.scan(info, order=""):
        part = doc["_key"]
        if with_revisions:
            part += "\x00" + doc["_rev"]
        value = _hash(part.encode("utf-8"))
        if with_data:
            body = {k: v for k, v in doc.items() if k not in _SYSTEM}
            value ^= _hash(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
        total ^= value
    return str(total)
