"""What an audit record is: its fields, the digests it carries and the hash that chains it.

The audit log is the collection :data:`AUDIT_LOG`, one document per record,
keyed by its sequence number (zero-padded, so that a key can be neither reused
nor forked: two writers that both read head N and both append N+1 collide on
the primary key)::

    {_key: "000000000042", seq: 42, at: "2026-12-07T11:02:32.123Z",
     actor: "alice", user: "ci" | null, op: "create", target: "datasets/iris-v2",
     type: "datasets", version: 2, before: null, after: "<sha256 hex>",
     detail: null | {...}, prev: "<hash of record 41>", hash: "<sha256 hex>"}

- ``before`` / ``after`` are :func:`content_digest` of the document before and
  after the write (null where there is none): never the content itself, so the
  log holds no personal data and an erasure does not have to rewrite it.
- ``hash`` is SHA-256 over :func:`record_encoding`: the JSON array of the other
  fields in a fixed order, so that anyone can recompute it with a JSON encoder
  and a SHA-256; ``prev`` is the previous record's ``hash`` (:data:`GENESIS`
  for the first).

A document's digest is SHA-256 over its canonical JSON: keys sorted, no
whitespace, UTF-8, without ``_id`` and ``_rev`` (which the server derives and
assigns), numbers as JSON has them (an integral float is the integer: ArangoDB
returns ``1.0`` as ``1``, and a digest must not depend on which backend wrote),
other floats in their shortest round-trip form with ECMAScript's exponents
(``1e-7``, ``1e+21``). orjson writes it (a sixth of the standard library's time
for a document; every write digests one); the standard library takes what orjson
will not (integers beyond 64 bits, nesting past 255 levels).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import orjson

AUDIT_LOG = "audit_log"
GENESIS = "0" * 64  # the ``prev`` of the first record
KEY_DIGITS = 12

# the record's fields in the order the hash covers them
HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "user",
    "op",
    "target",
    "type",
    "version",
    "before",
    "after",
    "detail",
    "prev",
)

_SYSTEM = ("_id", "_rev")
_MAX_EXACT = 2**53  # integral floats beyond this are not integers in JSON's sense
# Python writes an integral float below 1e16 as "N.0": text without this has none to turn
# into an integer (a string holding it only costs the slower way, which gives the same)
_INTEGRAL_FLOAT = re.compile(rb"\d\.0(?![0-9eE])")


def record_key(seq: int) -> str:
    """The ``_key`` of record ``seq``."""
    return str(seq).zfill(KEY_DIGITS)


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON: sorted keys, no whitespace, UTF-8, integral floats as
    integers (see the module docstring)."""
    text = _dumps(value)
    if _INTEGRAL_FLOAT.search(text):
        text = _dumps(_numbers(value))
    return text


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # beyond 64-bit integers, deeper than 255 levels
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        return text.encode()


def _numbers(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _numbers(item) for key, item in value.items()}
    if kind is list:
        return [_numbers(item) for item in value]
    if kind is float and value.is_integer() and abs(value) < _MAX_EXACT:
        return int(value)
    return value


def content_digest(doc: Mapping[str, Any]) -> str:
    """The SHA-256 of a document's content (everything but ``_id`` and ``_rev``)."""
    body = {key: value for key, value in doc.items() if key not in _SYSTEM}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def record_encoding(record: Mapping[str, Any]) -> bytes:
    """What a record's ``hash`` covers: its :data:`HASHED_FIELDS` as a JSON array."""
    return canonical_json([record.get(name) for name in HASHED_FIELDS])


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(record_encoding(record)).hexdigest()


def seal(record: dict[str, Any], prev: str) -> dict[str, Any]:
    """``record`` chained after ``prev``: its key, ``prev`` and ``hash`` set."""
    record["_key"] = record_key(record["seq"])
    record["prev"] = prev
    record["hash"] = record_hash(record)
    return record
