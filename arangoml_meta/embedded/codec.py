"""The JSON codec of stored documents: what may be stored, and its text.

A stored value is JSON only (anything else is error 1227); whole doubles
become integers, so that ``1`` and ``1.0`` are one value in every index;
integers beyond 64 bits become doubles, as ArangoDB reads them. orjson writes
and reads the text (about ten and three times faster than the standard
library: every write encodes a document, every read decodes one); the standard
library takes what orjson will not, such as nesting deeper than its limits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Container
from typing import Any

import orjson

from ..errors import ERROR_ARANGO_DOCUMENT_TYPE_INVALID, DocumentError
from .values import INT64_MIN, normalize_number

_UINT64_MAX = 2**64 - 1
_NOTHING: frozenset[str] = frozenset()


def _not_json(what: str) -> DocumentError:
    return DocumentError(
        f"invalid document: {what} is not a JSON value", ERROR_ARANGO_DOCUMENT_TYPE_INVALID
    )


def normalize(value: Any, skip: Container[str] = _NOTHING) -> Any:
    """The stored form of a value (see the module docstring); tuples become arrays.

    ``skip``: top-level attribute names left out (a document's system attributes).
    Leaves (strings, ints, booleans, null) are copied inline rather than by a call:
    documents are mostly leaves, and this runs for every document written.
    """
    t = type(value)
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise _not_json(f"the attribute name {k!r}")
            if k in skip:
                continue
            tv = type(v)
            out[k] = v if tv is str or tv is int or tv is bool or v is None else normalize(v)
        return out
    if t is list or t is tuple:
        return [
            v if (tv := type(v)) is str or tv is int or tv is bool or v is None else normalize(v)
            for v in value
        ]
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        if value != value or value in (math.inf, -math.inf):
            raise _not_json(repr(value))
        return normalize_number(value)
    raise _not_json(f"a {t.__name__}")


def encode(doc: dict[str, Any], skip: Container[str] = _NOTHING) -> str:
    """The stored JSON text of a document (compact, UTF-8, attribute order kept), without
    the top-level attributes named in ``skip``."""
    try:
        normalized = normalize(doc, skip)
        try:
            return orjson.dumps(normalized).decode()
        except orjson.JSONEncodeError:
            return _encode_unusual(normalized)
    except RecursionError:
        raise _not_json("a value nested this deeply") from None


def _encode_unusual(value: Any) -> str:
    """Integers beyond 64 bits become doubles, as ArangoDB reads them; a string that is
    not valid Unicode (a lone surrogate) cannot be stored (1227); nesting deeper than
    orjson's 255 levels is written by the standard library."""
    stored = beyond_orjson(value)
    try:
        return orjson.dumps(stored).decode()
    except orjson.JSONEncodeError:
        return json.dumps(stored, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def beyond_orjson(value: Any) -> Any:
    """``value`` with what orjson refuses made storable (see :func:`_encode_unusual`)."""
    t = type(value)
    if t is dict:
        return {beyond_orjson(k): beyond_orjson(v) for k, v in value.items()}
    if t is list:
        return [beyond_orjson(v) for v in value]
    if t is int and not INT64_MIN <= value <= _UINT64_MAX:
        try:
            return normalize_number(float(value))
        except OverflowError:
            raise _not_json(f"an integer of {len(str(abs(value)))} digits") from None
    if t is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _not_json(f"the string {value!r} (not valid Unicode)") from None
    return value


def decode(text: str | bytes) -> Any:
    """Stored JSON text back to a value (the standard library reads what orjson will not,
    nesting deeper than 1,024 levels)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def canonical(value: Any) -> str:
    """A JSON text equal for values AQL holds equal, in their stored form."""
    return json.dumps(beyond_orjson(normalize(value)), sort_keys=True, ensure_ascii=False)
