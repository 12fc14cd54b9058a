"""Document rules shared by the storage layer and the query executor.

ArangoDB's rules for collection names and document handles (keys and system
attributes are in ``arangoml_meta.document_rules``), and the pure transformations
behind UPDATE / REPLACE (merge with ``keepNull`` and ``mergeObjects``). Nothing here touches SQLite.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from binascii import b2a_base64
from typing import Any

from ..document_rules import KEY_CHARACTERS, MAX_KEY_BYTES, is_valid_key
from ..errors import (
    ERROR_ARANGO_DOCUMENT_KEY_BAD,
    ERROR_ARANGO_DOCUMENT_KEY_MISSING,
    ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    ERROR_ARANGO_ILLEGAL_NAME,
    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
    CollectionError,
    DocumentError,
)

_COLLECTION_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_\-]{0,255}")


def check_key(key: Any) -> str:
    if not is_valid_key(key):
        raise DocumentError(f"illegal document key: {key!r}", ERROR_ARANGO_DOCUMENT_KEY_BAD)
    return str(key)


def check_collection_name(name: Any) -> str:
    if not isinstance(name, str) or not _COLLECTION_RE.fullmatch(name):
        raise CollectionError(f"illegal collection name: {name!r}", ERROR_ARANGO_ILLEGAL_NAME)
    return name


# a document handle: a collection name, "/" and a key (ASCII only, so its length is its bytes)
_HANDLE_RE = re.compile(
    f"({_COLLECTION_RE.pattern})/([{re.escape(KEY_CHARACTERS)}]{{1,{MAX_KEY_BYTES}}})"
)


# valid handles split before (a walk splits its start, DOCUMENT() its argument, on every
# query: the match costs ~0.4 us); emptied when full
_SPLIT_IDS: dict[str, tuple[str, str]] = {}
_SPLIT_IDS_MAX = 4096


def split_id(handle: Any) -> tuple[str, str] | None:
    """``"coll/key"`` → ``("coll", "key")``, or None when it is not a valid handle."""
    exact = type(handle) is str
    if exact:
        found = _SPLIT_IDS.get(handle)
        if found is not None:
            return found
    match = _HANDLE_RE.fullmatch(handle) if isinstance(handle, str) else None
    if match is None:
        return None
    parts: tuple[str, str] = match.groups()  # type: ignore[assignment]
    if exact:
        if len(_SPLIT_IDS) >= _SPLIT_IDS_MAX:
            _SPLIT_IDS.clear()
        _SPLIT_IDS[handle] = parts
    return parts


def check_edge_handle(value: Any, attribute: str) -> str:
    if split_id(value) is None:
        raise DocumentError(
            f"invalid edge attribute: '{attribute}' must be a document handle 'collection/key', got {value!r}",
            ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
        )
    return str(value)


def key_of(value: Any, collection: str, allow_id: bool = True) -> str:
    """The key a REMOVE / UPDATE / REPLACE addresses: a key string, a document, or (REMOVE) an id.

    UPDATE and REPLACE take no document ids (``allow_id=False``), as in ArangoDB.
    """
    if isinstance(value, dict):
        if "_key" not in value:
            if "_id" in value and allow_id:
                return key_of(value["_id"], collection)
            raise DocumentError("document key missing", ERROR_ARANGO_DOCUMENT_KEY_MISSING)
        value = value["_key"]
        if not isinstance(value, str):
            raise DocumentError(f"illegal document key: {value!r}", ERROR_ARANGO_DOCUMENT_KEY_BAD)
    if isinstance(value, str):
        if "/" in value:
            parts = split_id(value) if allow_id else None
            if parts is None:
                raise DocumentError(
                    f"illegal document key: {value!r}", ERROR_ARANGO_DOCUMENT_KEY_BAD
                )
            return parts[1]
        return check_key(value)
    raise DocumentError(
        f"invalid document type: expecting a key or an object, got {type(value).__name__}",
        ERROR_ARANGO_DOCUMENT_TYPE_INVALID,
    )


def without_nulls(value: dict[str, Any]) -> dict[str, Any]:
    """Drop null attributes at any depth (the effect of ``keepNull: false``)."""
    return {
        k: (without_nulls(v) if isinstance(v, dict) else v)
        for k, v in value.items()
        if v is not None
    }


def merge_patch(
    old: dict[str, Any], patch: dict[str, Any], keep_null: bool, merge_objects: bool
) -> dict[str, Any]:
    """The UPDATE of ``old`` with ``patch`` (system attributes are left to the caller)."""
    result = dict(old)
    for name, value in patch.items():
        if value is None and not keep_null:
            result.pop(name, None)
        elif merge_objects and isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = merge_patch(result[name], value, keep_null, merge_objects)
        elif isinstance(value, dict) and not keep_null:
            result[name] = without_nulls(value)
        else:
            result[name] = value
    return result


class RevisionClock:
    """Generates increasing, unique ``_rev`` strings (a hybrid logical clock).

    A tick is printed in ArangoDB's base-64 digits (``-_A-Za-z0-9``), most significant
    first, without leading zeros: the standard base-64 encoding of the tick as a 72-bit
    big-endian number (twelve whole 6-bit digits) with the alphabet translated.
    """

    ALPHABET = "-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    _FROM_STANDARD = bytes.maketrans(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", ALPHABET.encode()
    )

    def __init__(self) -> None:
        self._last = 0
        self._pid = 0
        self._offset = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            if self._pid != (pid := os.getpid()):
                # Several processes write one store: each starts its counter at its own random
                # place, so that two writing in the same millisecond do not make the same _rev
                # (a forked child too, which inherits the parent's clock).
                self._pid, self._offset, self._last = pid, secrets.randbelow(1 << 19), 0
            # ArangoDB's hybrid logical clock: milliseconds since 1970 above a 20-bit counter
            tick = max((int(time.time() * 1000) << 20) + self._offset, self._last + 1)
            self._last = tick
        return self.digits(tick)  # e.g. _mfbJsze---: 11 digits, as ArangoDB's

    @classmethod
    def digits(cls, tick: int) -> str:
        """``tick`` (0 < tick < 2**72) in ArangoDB's base-64 digits."""
        encoded = b2a_base64(tick.to_bytes(9, "big"), newline=False)  # base64's, less a call
        return encoded.translate(cls._FROM_STANDARD).decode("ascii").lstrip("-")


REVISIONS = RevisionClock()
