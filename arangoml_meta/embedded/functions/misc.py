"""AQL's miscellaneous functions (ArangoDB 3.12 "Miscellaneous functions").

This module owns the control-flow helpers (NOT_NULL, FIRST_LIST,
FIRST_DOCUMENT), the database functions (DOCUMENT, CHECK_DOCUMENT,
COLLECTION_COUNT, COLLECTIONS, CURRENT_USER, CURRENT_DATABASE, DECODE_REV,
SHARD_ID), the hashes (HASH, MINHASH, MINHASH_COUNT, MINHASH_ERROR), dynamic
calls (CALL, APPLY) and the internal ones (ASSERT, WARN, FAIL, NOOPT, NOEVAL,
PASSTHRU, SLEEP, VERSION).

HASH and MINHASH reproduce ArangoDB's numbers: a value is hashed like
VelocyPack's ``Slice::normalizedHash`` (XXH64 with seed ``0xdeadbeef``; numbers
as doubles, arrays chained, objects independent of attribute order), HASH keeps
the low 52 bits, MINHASH keeps the ``numHashes`` smallest distinct hashes in
IResearch's max-heap order and prints each as unpadded base64 of its 8
little-endian bytes.
"""

from __future__ import annotations

import base64
import datetime
import math
import struct
from typing import Any

from ...errors import (
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_FAIL_CALLED,
    ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    ERROR_QUERY_FUNCTION_NAME_UNKNOWN,
    ERROR_QUERY_FUNCTION_NOT_FOUND,
    ERROR_QUERY_USER_ASSERT,
    ERROR_QUERY_USER_WARN,
    BadParameterError,
    CollectionError,
    CollectionNotFoundError,
    QueryError,
)
from ..documents import RevisionClock
from ..values import is_number, normalize_number, to_bool, to_string
from .arguments import INT64_MAX, guarded
from .registry import FunctionContext, aql_function, lookup, warn_invalid_argument

SERVER_VERSION = "3.12.0"
SLEEP_LIMIT_SECONDS = 10.0

_MASK64 = (1 << 64) - 1
_HASH_SEED = 0xDEADBEEF
_HASH_MASK = 0x0007FFFFFFFFFFFF

# --------------------------------------------------------------------------- XXH64

_P1 = 0x9E3779B185EBCA87
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_P4 = 0x85EBCA77C2B2AE63
_P5 = 0x27D4EB2F165667C5


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK64


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _MASK64, 31) * _P1) & _MASK64


def xxh64(data: bytes, seed: int = 0) -> int:
    """The 64-bit xxHash (XXH64) of ``data``."""
    length = len(data)
    pos = 0
    if length >= 32:
        v1 = (seed + _P1 + _P2) & _MASK64
        v2 = (seed + _P2) & _MASK64
        v3 = seed & _MASK64
        v4 = (seed - _P1) & _MASK64
        while pos + 32 <= length:
            v1, v2, v3, v4 = (
                _round(v, int.from_bytes(data[pos + 8 * i : pos + 8 * i + 8], "little"))
                for i, v in enumerate((v1, v2, v3, v4))
            )
            pos += 32
        acc = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _MASK64
        for v in (v1, v2, v3, v4):
            acc = (((acc ^ _round(0, v)) * _P1) + _P4) & _MASK64
    else:
        acc = (seed + _P5) & _MASK64
    acc = (acc + length) & _MASK64
    while pos + 8 <= length:
        acc ^= _round(0, int.from_bytes(data[pos : pos + 8], "little"))
        acc = (_rotl(acc, 27) * _P1 + _P4) & _MASK64
        pos += 8
    if pos + 4 <= length:
        acc ^= (int.from_bytes(data[pos : pos + 4], "little") * _P1) & _MASK64
        acc = (_rotl(acc, 23) * _P2 + _P3) & _MASK64
        pos += 4
    while pos < length:
        acc ^= (data[pos] * _P5) & _MASK64
        acc = (_rotl(acc, 11) * _P1) & _MASK64
        pos += 1
    acc ^= acc >> 33
    acc = (acc * _P2) & _MASK64
    acc ^= acc >> 29
    acc = (acc * _P3) & _MASK64
    return acc ^ (acc >> 32)


def _scalar_bytes(value: Any) -> bytes:
    """The VelocyPack encoding of null, a boolean or a string."""
    if value is None:
        return b"\x18"
    if value is True:
        return b"\x1a"
    if value is False:
        return b"\x19"
    data = value.encode("utf-8", "surrogatepass")
    if len(data) <= 126:
        return bytes((0x40 + len(data),)) + data
    return b"\xbf" + struct.pack("<Q", len(data)) + data


def normalized_hash(value: Any, seed: int = _HASH_SEED) -> int:
    """VelocyPack's ``Slice::normalizedHash`` of an AQL value (64 bits)."""
    t = type(value)
    if t is int or t is float:
        return xxh64(struct.pack("<d", float(value)), seed)
    if t is list:
        result = xxh64(struct.pack("<Q", len(value) ^ 0xBA5BEDF00D), seed)
        for item in value:
            result ^= normalized_hash(item, result)
        return result
    if t is dict:
        object_seed = xxh64(struct.pack("<Q", len(value) ^ 0xF00BA44BA5), seed)
        result = object_seed
        for key, item in value.items():
            key_hash = normalized_hash(key, object_seed)
            result ^= key_hash ^ normalized_hash(item, key_hash)
        return result
    return xxh64(_scalar_bytes(value), seed)


# --------------------------------------------------------------------------- MinHash


def _sift_down(heap: list[int], hole: int, length: int, value: int) -> None:
    """libstdc++'s ``__adjust_heap`` for a max-heap."""
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if heap[child] < heap[child - 1]:
            child -= 1
        heap[hole] = heap[child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        heap[hole] = heap[child - 1]
        hole = child - 1
    _sift_up(heap, hole, top, value)


def _sift_up(heap: list[int], hole: int, top: int, value: int) -> None:
    """libstdc++'s ``__push_heap`` for a max-heap."""
    parent = (hole - 1) // 2
    while hole > top and heap[parent] < value:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = value


def minhash_signature(hashes: list[int], size: int) -> list[int]:
    """The ``size`` smallest distinct hashes, in the order IResearch's MinHash holds them."""
    heap: list[int] = []
    seen: set[int] = set()
    for value in hashes:
        if (len(heap) == size and value >= heap[0]) or value in seen:
            continue
        seen.add(value)
        if len(heap) < size:
            heap.append(value)
            if len(heap) == size:
                for parent in range((size - 2) // 2, -1, -1):
                    _sift_down(heap, parent, size, heap[parent])
            continue
        largest = heap[0]
        _sift_down(heap, 0, size - 1, heap[-1])
        heap[-1] = value
        seen.discard(largest)
        _sift_up(heap, size - 1, 0, value)
    return heap


def _minhash_token(value: int) -> str:
    return base64.b64encode(value.to_bytes(8, "little")).decode("ascii").rstrip("=")


# --------------------------------------------------------------------------- helpers


def _lookup_document(ctx: FunctionContext, collection: str, identifier: str) -> Any:
    """DOCUMENT()'s lookup of a key or id in ``collection``; None when it cannot be found."""
    slash = identifier.find("/")
    if slash >= 0:
        if collection and identifier[:slash] != collection:
            return None
        collection, identifier = identifier[:slash], identifier[slash + 1 :]
    if not collection:
        return None
    try:
        return ctx.document(collection, identifier)
    except CollectionError:
        return None


def _lookup_many(ctx: FunctionContext, collection: str, identifiers: list[Any]) -> list[Any]:
    found = []
    for identifier in identifiers:
        if type(identifier) is str:
            doc = _lookup_document(ctx, collection, identifier)
            if doc is not None:
                found.append(doc)
    return found


# --------------------------------------------------------------------------- control flow


@aql_function("NOT_NULL", 1, None)
def not_null(ctx: FunctionContext, *alternatives: Any) -> Any:
    """NOT_NULL(a, b, ...): the first argument that is not null."""
    return next((value for value in alternatives if value is not None), None)


@aql_function("FIRST_LIST", 1, None)
def first_list(ctx: FunctionContext, *alternatives: Any) -> Any:
    """FIRST_LIST(a, b, ...): the first argument that is an array."""
    return next((value for value in alternatives if type(value) is list), None)


@aql_function("FIRST_DOCUMENT", 1, None)
def first_document(ctx: FunctionContext, *alternatives: Any) -> Any:
    """FIRST_DOCUMENT(a, b, ...): the first argument that is an object."""
    return next((value for value in alternatives if type(value) is dict), None)


@aql_function("PASSTHRU", 1)
def passthru(ctx: FunctionContext, value: Any) -> Any:
    """PASSTHRU(value): value unchanged."""
    return value


@aql_function("NOOPT", 1, deterministic=False)
def noopt(ctx: FunctionContext, value: Any) -> Any:
    """NOOPT(value): value unchanged, never evaluated at compile time."""
    return value


@aql_function("NOEVAL", 1)
def noeval(ctx: FunctionContext, value: Any) -> Any:
    """NOEVAL(value): value unchanged (deterministic NOOPT)."""
    return value


# --------------------------------------------------------------------------- internal


@aql_function("FAIL", 0, 1, deterministic=False)
def fail(ctx: FunctionContext, *reason: Any) -> Any:
    """FAIL(reason): abort the query with error 1569 and the reason as message."""
    if reason and type(reason[0]) is str:
        raise QueryError(reason[0], ERROR_QUERY_FAIL_CALLED)
    raise QueryError("FAIL() called", ERROR_QUERY_FAIL_CALLED)


@aql_function("ASSERT", 2, deterministic=False)
def assert_(ctx: FunctionContext, condition: Any, message: Any) -> bool | None:
    """ASSERT(expr, message): true, or abort the query with error 1593 and message."""
    if type(message) is not str:
        warn_invalid_argument(ctx, "ASSERT")
        return None
    if not to_bool(condition):
        raise QueryError(message, ERROR_QUERY_USER_ASSERT)
    return True


@aql_function("WARN", 2, deterministic=False)
def warn(ctx: FunctionContext, condition: Any, message: Any) -> bool | None:
    """WARN(expr, message): true, or false plus warning 1594 with message."""
    if type(message) is not str:
        warn_invalid_argument(ctx, "WARN")
        return None
    if not to_bool(condition):
        ctx.warn(ERROR_QUERY_USER_WARN, message)
        return False
    return True


@aql_function("SLEEP", 1, deterministic=False)
def sleep(ctx: FunctionContext, seconds: Any) -> None:
    """SLEEP(seconds): wait (at most SLEEP_LIMIT_SECONDS, and not past the query's
    maxRuntime), then return null."""
    if not is_number(seconds) or seconds < 0:
        warn_invalid_argument(ctx, "SLEEP")
        return None
    ctx.sleep(min(float(seconds), SLEEP_LIMIT_SECONDS))
    return None


@aql_function("VERSION", 0)
def version(ctx: FunctionContext) -> str:
    """VERSION(): the server version this engine emulates."""
    return SERVER_VERSION


# --------------------------------------------------------------------------- database


@aql_function("DOCUMENT", 1, 2, deterministic=False)
def document(ctx: FunctionContext, *args: Any) -> Any:
    """DOCUMENT(id | ids) or DOCUMENT(collection, key | id | keys): stored documents.

    A missing document (or one in another collection) is null, or left out of
    the array forms; a non-string collection name warns.
    """
    if len(args) == 1:
        collection, ids = "", args[0]
    else:
        collection, ids = args[0], args[1]
        if type(collection) is not str:
            warn_invalid_argument(ctx, "DOCUMENT")
            return None
    if type(ids) is str:
        return _lookup_document(ctx, collection, ids)
    if type(ids) is list:
        return _lookup_many(ctx, collection, ids)
    return None


@aql_function("CHECK_DOCUMENT", 1, deterministic=False)
def check_document(ctx: FunctionContext, value: Any) -> bool:
    """CHECK_DOCUMENT(doc): whether doc is an object without duplicate attribute names."""
    return type(value) is dict


@aql_function("COLLECTION_COUNT", 1, deterministic=False)
def collection_count(ctx: FunctionContext, name: Any) -> int:
    """COLLECTION_COUNT(collection): the number of documents (error 1203 if it is missing)."""
    if type(name) is not str:
        raise QueryError(
            "invalid argument type in call to function 'COLLECTION_COUNT()'",
            ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
        )
    return ctx.collection_count(name)


@aql_function("COLLECTIONS", 0, deterministic=False)
def collections(ctx: FunctionContext) -> list[dict[str, str]]:
    """COLLECTIONS(): [{_id, name}] of every collection, sorted by name."""
    ordered = sorted(ctx.collections(), key=lambda pair: pair[1].lower())
    return [{"_id": cid, "name": name} for cid, name in ordered]


@aql_function("CURRENT_USER", 0)
def current_user(ctx: FunctionContext) -> str | None:
    """CURRENT_USER(): the authenticated user, or null."""
    return ctx.current_user()


@aql_function("CURRENT_DATABASE", 0)
def current_database(ctx: FunctionContext) -> str:
    """CURRENT_DATABASE(): the name of the current database."""
    return ctx.current_database()


@aql_function("SHARD_ID", 2, deterministic=False)
def shard_id(ctx: FunctionContext, collection: Any, shard_keys: Any) -> str:
    """SHARD_ID(collection, shardKeys): the collection name itself (single server)."""
    if type(collection) is not str:
        raise BadParameterError("first parameter to SHARD_ID must be a string", ERROR_BAD_PARAMETER)
    if type(shard_keys) is not dict:
        raise BadParameterError(
            "second parameter to SHARD_ID must be an object", ERROR_BAD_PARAMETER
        )
    if collection not in {name for _, name in ctx.collections()}:
        raise CollectionNotFoundError(
            f"could not find collection: {collection} in database {ctx.current_database()}"
        )
    return collection


_REV_DIGITS = {ch: i for i, ch in enumerate(RevisionClock.ALPHABET)}


@aql_function("DECODE_REV", 1)
def decode_rev(ctx: FunctionContext, rev: Any) -> dict[str, Any] | None:
    """DECODE_REV(rev): {date, count} of a ``_rev`` (hybrid logical clock) string."""
    stamp = 0
    valid = type(rev) is str and 0 < len(rev) <= 11
    for ch in rev if valid else "":
        digit = _REV_DIGITS.get(ch)
        if digit is None:
            valid = False
            break
        stamp = (stamp << 6) | digit
    millis = stamp >> 20
    if not valid or stamp == 0 or millis >= 253402300800000:
        warn_invalid_argument(ctx, "DECODE_REV")
        return None
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=millis)
    date = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return {"date": date, "count": stamp & 0xFFFFF}


# --------------------------------------------------------------------------- hashes


@aql_function("HASH", 1)
@guarded("HASH")
def hash_(ctx: FunctionContext, value: Any) -> int | None:
    """HASH(value): ArangoDB's 52-bit hash (types matter, attribute order does not)."""
    return normalized_hash(value) & _HASH_MASK


@aql_function("MINHASH", 2)
@guarded("MINHASH")
def minhash(ctx: FunctionContext, values: Any, num_hashes: Any) -> list[str] | None:
    """MINHASH(values, numHashes): the MinHash signature as base64 strings."""
    if type(values) is not list or not is_number(num_hashes) or num_hashes < 1:
        warn_invalid_argument(ctx, "MINHASH")
        return None
    size = int(min(num_hashes, len(values) + 1))
    hashes = [normalized_hash(item) for item in values]
    return [_minhash_token(h) for h in minhash_signature(hashes, size)]


@aql_function("MINHASH_COUNT", 1)
def minhash_count(ctx: FunctionContext, error: Any) -> int | None:
    """MINHASH_COUNT(error): the signature size that keeps the error below ``error``.

    An error so small that the size is past int64 (or the double overflows) warns and
    gives null, like an error outside (0, 1).
    """
    if not is_number(error) or not 0 < error < 1:
        warn_invalid_argument(ctx, "MINHASH_COUNT")
        return None
    size = 1.0 / (error * error) if error * error > 0 else math.inf
    if size >= INT64_MAX:
        warn_invalid_argument(ctx, "MINHASH_COUNT")
        return None
    return math.ceil(size)


@aql_function("MINHASH_ERROR", 1)
def minhash_error(ctx: FunctionContext, num_hashes: Any) -> int | float | None:
    """MINHASH_ERROR(numHashes): the expected error, 1 / sqrt(numHashes)."""
    if not is_number(num_hashes) or num_hashes < 1:
        warn_invalid_argument(ctx, "MINHASH_ERROR")
        return None
    return normalize_number(1.0 / math.sqrt(math.floor(num_hashes)))


# --------------------------------------------------------------------------- dynamic calls


def _call_by_name(ctx: FunctionContext, caller: str, name: Any, args: list[Any]) -> Any:
    """Call built-in function ``name`` with ``args`` as CALL()/APPLY() do."""
    if type(name) is not str:
        raise QueryError(
            f"invalid argument type in call to function '{caller}()'",
            ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
        )
    upper = to_string(name).upper()
    if "::" in upper:
        raise QueryError(f"user function '{upper}()' not found", ERROR_QUERY_FUNCTION_NOT_FOUND)
    spec = lookup(upper)
    if spec is None:
        raise QueryError(
            f"usage of unknown function '{upper}()'", ERROR_QUERY_FUNCTION_NAME_UNKNOWN
        )
    maximum = spec.max_args if spec.max_args is not None else 65536
    if not spec.min_args <= len(args) <= maximum:
        raise QueryError(
            f"invalid number of arguments for function '{upper}()', "
            f"expected number of arguments: minimum: {spec.min_args}, maximum: {maximum}",
            ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
        )
    return spec.impl(ctx, *args)


@aql_function("CALL", 1, None, deterministic=False)
def call(ctx: FunctionContext, name: Any, *args: Any) -> Any:
    """CALL(name, arg1, ...): call a built-in function by name."""
    return _call_by_name(ctx, "CALL", name, list(args))


@aql_function("APPLY", 1, 2, deterministic=False)
def apply(ctx: FunctionContext, name: Any, *arguments: Any) -> Any:
    """APPLY(name, argArray): call a built-in function with the array's elements."""
    if type(name) is not str:
        return _call_by_name(ctx, "APPLY", name, [])
    if arguments and type(arguments[0]) is not list:
        warn_invalid_argument(ctx, "APPLY")
        return None
    return _call_by_name(ctx, "APPLY", name, list(arguments[0]) if arguments else [])
