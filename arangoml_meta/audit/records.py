"""What an audit record is, how records are stored (blocks), and the hash that chains them.

A **record** says one write: its sequence number, time, actor, the document and
the digests of its content before and after::

    {seq: 42, at: "2026-12-07T11:02:32.123Z", actor: "alice", user: "ci" | null,
     op: "create", target: "datasets/iris-v2", type: "datasets", version: 2,
     before: null, after: "<sha256 hex>", detail: null | {...},
     prev: "<hash of record 41>", hash: "<sha256 hex>"}

- ``before`` / ``after`` are :func:`content_digest` of the document before and
  after the write (null where there is none): never the content itself, so the
  log holds no personal data and an erasure does not have to rewrite it (a
  document holding personal fields carries a random salt, in its digest, that
  erasure replaces: see ``personal_fields.py``).
- ``hash`` is SHA-256 over :func:`record_encoding`: the JSON array of the other
  fields in a fixed order (:data:`HASHED_FIELDS`), so that anyone can recompute
  it with a JSON encoder and a SHA-256; ``prev`` is the previous record's
  ``hash`` (:data:`GENESIS` for the first).

The records a transaction appends are stored as one **block**, one document of
the collection :data:`AUDIT_LOG` (one row, and one entry of each index, per
transaction rather than per write)::

    {_key: "000000000042", seq: 42, at, actor, user,
     records: [{op, target, type, version, before, after, detail}, ...],
     prev: "<hash of record 41>", hash: "<hash of the block's last record>"}

Record ``i`` of a block is record ``seq + i``, with the block's ``at``, ``actor``
and ``user``; an entry leaves out its null fields (a missing attribute reads as
null). Only the last record's hash is stored: :func:`expand` recomputes the
others, which are what they would be were each record stored on its own. The
key is the first sequence number, zero-padded, so that a key can be neither
reused nor forked: two writers that both read head N and both append N+1
collide on the primary key. Keys of one width sort as their numbers do, so the
last block is the greatest key, which both backends read from the primary index
in order (the log needs no index of its own; twelve digits last a trillion
records).

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
from collections.abc import Iterator, Mapping, Sequence
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
# the fields of a block's entry: what one record says of its write
ENTRY_FIELDS = HASHED_FIELDS[4:11]

_MAX_EXACT = 2**53  # integral floats beyond this are not integers in JSON's sense
# Python writes an integral float below 1e16 as "N.0": text without this has none to turn
# into an integer (a string holding it only costs the slower way, which gives the same).
# Led by the literal, not the digit before it, the search skips to each "." (ten times faster)
_INTEGRAL_FLOAT = re.compile(rb"\.0(?![0-9eE])")
_SORTED = orjson.OPT_SORT_KEYS
_LEAVES = frozenset({str, int, bool, type(None)})  # values a block stores as they are
_sha256 = hashlib.sha256


def record_key(seq: int) -> str:
    """The ``_key`` of the block whose first record is ``seq``."""
    return str(seq).zfill(KEY_DIGITS)


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON: sorted keys, no whitespace, UTF-8, integral floats as
    integers (see the module docstring)."""
    try:
        text = orjson.dumps(value, option=_SORTED)
    except orjson.JSONEncodeError:  # beyond 64-bit integers, deeper than 255 levels
        text = _standard(value)
    if _INTEGRAL_FLOAT.search(text):
        try:
            text = orjson.dumps(_numbers(value), option=_SORTED)
        except orjson.JSONEncodeError:
            text = _standard(_numbers(value))
    return text


def _standard(value: Any) -> bytes:
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
    if "_id" in doc or "_rev" in doc:
        content = dict(doc)  # a copy at C speed, then two pops: a fifth of a filtered copy
        content.pop("_id", None)
        content.pop("_rev", None)
        doc = content
    return _sha256(canonical_json(doc)).hexdigest()


def record_encoding(record: Mapping[str, Any]) -> bytes:
    """What a record's ``hash`` covers: its :data:`HASHED_FIELDS` as a JSON array."""
    return canonical_json([record.get(name) for name in HASHED_FIELDS])


def record_hash(record: Mapping[str, Any]) -> str:
    return _sha256(record_encoding(record)).hexdigest()


def _entry_hash(
    seq: int, at: Any, actor: Any, user: Any, entry: Mapping[str, Any], prev: str
) -> str:
    """:func:`record_hash` of record ``seq`` made of a block's fields and ``entry``."""
    get = entry.get
    detail = get("detail")
    fields = [seq, at, actor, user, get("op"), get("target"), get("type"), get("version")]
    fields += [get("before"), get("after"), detail, prev]
    if _LEAVES.issuperset(map(type, fields[:10])) and (
        detail is None or (type(detail) is dict and _LEAVES.issuperset(map(type, detail.values())))
    ):  # no float anywhere (the library's own entries): canonical as orjson writes it
        try:
            return _sha256(orjson.dumps(fields, option=_SORTED)).hexdigest()
        except orjson.JSONEncodeError:  # an integer beyond 64 bits
            pass
    return _sha256(canonical_json(fields)).hexdigest()


def entry(
    op: str,
    target: str,
    type: str | None = None,
    version: int | None = None,
    before: str | None = None,
    after: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block's entry for one write (see the module docstring), its null fields left out."""
    made: dict[str, Any] = {"op": op, "target": target}
    if type is not None:
        made["type"] = type
    if version is not None:
        made["version"] = version
    if before is not None:
        made["before"] = before
    if after is not None:
        made["after"] = after
    if detail is not None:
        made["detail"] = detail
    return made


def block(
    seq: int, at: str, actor: str, user: str | None, entries: list[dict[str, Any]], prev: str
) -> dict[str, Any]:
    """The block of ``entries`` as records ``seq``, ``seq + 1``, ... after the record whose
    hash is ``prev``."""
    last = prev
    for number, item in enumerate(entries, seq):
        last = _entry_hash(number, at, actor, user, item, last)
    return {
        "_key": record_key(seq),
        "seq": seq,
        "at": at,
        "actor": actor,
        "user": user,
        "records": entries,
        "prev": prev,
        "hash": last,
    }


def stored_text(written: Mapping[str, Any]) -> str | None:
    """The JSON text a block is stored as (without ``_key``), as the embedded store's codec
    writes it, when the block holds only strings, integers, booleans and nulls (a record's
    ``detail`` an object of them), as a block of the library's writes does; else None (the
    store encodes it: floats, and values it refuses, take its checks)."""
    leaves = _LEAVES.issuperset
    for item in written["records"]:
        if leaves(map(type, item.values())):
            continue  # (most entries: checked at C speed)
        for value in item.values():
            if type(value) is dict:
                if not leaves(map(type, value.values())):
                    return None
            elif type(value) not in _LEAVES:
                return None
    body = dict(written)
    del body["_key"]
    try:
        return orjson.dumps(body).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return None


def entries_of(stored: Mapping[str, Any]) -> Sequence[Any]:
    """A stored block's entries (none when it holds no list of them)."""
    entries = stored.get("records")
    return entries if isinstance(entries, list) else ()


def expand(stored: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The records of a stored block, each with its ``seq``, ``prev`` and ``hash``
    computed from the block (as they were when it was written, unless it was changed)."""
    seq, prev = stored.get("seq"), stored.get("prev")
    if not isinstance(seq, int) or isinstance(seq, bool):
        return
    at, actor, user = stored.get("at"), stored.get("actor"), stored.get("user")
    for number, item in enumerate(entries_of(stored), seq):
        fields = item if isinstance(item, Mapping) else {}
        record: dict[str, Any] = {"seq": number, "at": at, "actor": actor, "user": user}
        for name in ENTRY_FIELDS:
            record[name] = fields.get(name)
        record["prev"] = prev
        record["hash"] = prev = record_hash(record)
        yield record


def last_seq(stored: Mapping[str, Any]) -> int:
    """The sequence number of a block's last record."""
    return int(stored["seq"]) + len(entries_of(stored)) - 1
