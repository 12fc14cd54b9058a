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
from collections.abc import Collection
from typing import Any

import orjson

from ..errors import ERROR_ARANGO_DOCUMENT_TYPE_INVALID, DocumentError
from .values import _MAX_SAFE_INT, INT64_MIN, normalize_number

_UINT64_MAX = 2**64 - 1
_NOTHING: frozenset[str] = frozenset()


def _not_json(what: str) -> DocumentError:
    return DocumentError(
        f"invalid document: {what} is not a JSON value", ERROR_ARANGO_DOCUMENT_TYPE_INVALID
    )


def normalize(value: Any, skip: Collection[str] = _NOTHING) -> Any:
    """The stored form of a value (see the module docstring); tuples become arrays.

    ``skip``: top-level attribute names left out (a document's system attributes).
    """
    if type(value) is dict:
        return _object(value, skip)
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    return _converted(value)


# An object or array is copied at C speed and only what differs is put back: documents
# are mostly leaves (strings, integers, booleans, null) that stay as they are, and this
# runs for every document written (about half the time of a copy made value by value).


def _object(value: dict[Any, Any], skip: Collection[str]) -> dict[str, Any]:
    out = dict(value)
    for k, v in value.items():
        if type(k) is not str:
            raise _not_json(f"the attribute name {k!r}")
        tv = type(v)
        if tv is str or tv is int or tv is bool or v is None:
            continue
        if tv is float:  # metrics and params: the float rule inline, without a call
            if v - v != 0.0 or v.is_integer():
                out[k] = _float(v)
        elif tv is dict:
            out[k] = _object(v, _NOTHING)
        elif tv is list:
            out[k] = _array(v)
        else:
            out[k] = _converted(v)
    for name in skip:
        out.pop(name, None)
    return out


def _float(value: float) -> float | int:
    """A double's stored form: 1227 unless finite; a whole one within 2**53 an integer."""
    if value - value != 0.0:  # inf - inf and nan - nan are nan
        raise _not_json(repr(value))
    if value.is_integer() and -_MAX_SAFE_INT <= value <= _MAX_SAFE_INT:
        return int(value)  # a whole double within 2**53 is an integer
    return value


def _converted(value: Any) -> Any:
    """The stored form of what is not a leaf that stays as it is."""
    t = type(value)
    if t is float:
        return _float(value)
    if t is dict:
        return _object(value, _NOTHING)
    if t is list or t is tuple:
        return _array(value)
    raise _not_json(f"a {t.__name__}")


def _array(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    """An array's stored form (a tuple's too), each item's."""
    out = list(value)
    for i, v in enumerate(value):
        tv = type(v)
        if tv is str or tv is int or tv is bool or v is None:
            continue
        out[i] = _object(v, _NOTHING) if tv is dict else _converted(v)  # records: objects
    return out


def encode(doc: dict[str, Any], skip: Collection[str] = _NOTHING) -> str:
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
