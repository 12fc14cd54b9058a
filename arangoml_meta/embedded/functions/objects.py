"""AQL's document and object functions (ArangoDB 3.12 "Document and object functions").

This module owns ATTRIBUTES (alias KEYS), ENTRIES, HAS, IS_SAME_COLLECTION,
KEEP, KEEP_RECURSIVE, MATCHES, MERGE, MERGE_RECURSIVE, PARSE_IDENTIFIER,
PARSE_COLLECTION, PARSE_KEY, TRANSLATE, UNSET, UNSET_RECURSIVE, VALUE, VALUES
and ZIP. LENGTH/COUNT belong to the array functions.

Semantics follow ArangoDB's C++ implementation: a wrong argument type gives
``null`` plus the invalid-argument warning (1542), except where the server
answers ``false`` (HAS, MATCHES). Object attributes keep their insertion order.

ATTRIBUTES without ``sort`` returns the names in the order of the
``std::unordered_set`` the server collects them in; :class:`_UnorderedSetOrder`
reproduces that order (libstdc++'s hash table fed in attribute order), so the
result matches ArangoDB's output, not just its documentation ("any order").
With ``sort`` the names are in code-point order (the server uses its ICU
collation, which differs only for mixed case and non-ASCII names).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..collation import collation_key
from ..values import equal, is_number, to_bool, to_string
from .arguments import guarded
from .registry import FunctionContext, aql_function, warn_invalid_argument

_Impl = Callable[..., Any]


# --------------------------------------------------------------------------- unordered_set order

_MASK64 = (1 << 64) - 1
_MURMUR_MUL = (0xC6A4A793 << 32) + 0x5BD1E995
_STD_HASH_SEED = 0xC70F6907
# libstdc++'s bucket counts as an unordered_set grows (first insert: 13 buckets).
_BUCKET_COUNTS = (
    13, 29, 59, 127, 257, 541, 1109, 2357, 5087, 10273, 20753, 42043, 85229, 172933,
    351061, 712697, 1447153, 2938679, 5967347, 12117689, 24607243, 49969847,
)  # fmt: skip


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def std_string_hash(text: str) -> int:
    """``std::hash<std::string_view>`` of libstdc++ (64-bit ``_Hash_bytes``) for UTF-8 text."""
    data = text.encode("utf-8", "surrogatepass")
    length = len(data)
    aligned = length & ~7
    value = (_STD_HASH_SEED ^ (length * _MURMUR_MUL)) & _MASK64
    for pos in range(0, aligned, 8):
        chunk = int.from_bytes(data[pos : pos + 8], "little")
        chunk = (_shift_mix((chunk * _MURMUR_MUL) & _MASK64) * _MURMUR_MUL) & _MASK64
        value = ((value ^ chunk) * _MURMUR_MUL) & _MASK64
    if length & 7:
        value = ((value ^ int.from_bytes(data[aligned:], "little")) * _MURMUR_MUL) & _MASK64
    value = (_shift_mix(value) * _MURMUR_MUL) & _MASK64
    return _shift_mix(value)


class _UnorderedSetOrder:
    """The iteration order of a libstdc++ ``std::unordered_set<std::string_view>``.

    Nodes form one singly linked list; each bucket remembers the node *before*
    its first node (``_HEAD`` for the list head). A node joins the front of its
    bucket's run, or the list head when its bucket is empty; a rehash relinks
    the nodes in list order the same way.
    """

    _HEAD = -1

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.codes: list[int] = []
        self.next: dict[int, int | None] = {self._HEAD: None}
        self.buckets: dict[int, int] = {}
        self.bucket_count = 1
        self.resize_at = 0

    def add(self, key: str) -> None:
        node = len(self.keys)
        self.keys.append(key)
        self.codes.append(std_string_hash(key))
        if node + 1 > self.resize_at:
            self._rehash(self._grown(node + 2))
        bucket = self.codes[node] % self.bucket_count
        before = self.buckets.get(bucket)
        if before is not None:
            self.next[node] = self.next[before]
            self.next[before] = node
            return
        first = self.next[self._HEAD]
        self.next[node] = first
        self.next[self._HEAD] = node
        if first is not None:
            self.buckets[self.codes[first] % self.bucket_count] = node
        self.buckets[bucket] = self._HEAD

    def _grown(self, wanted: int) -> int:
        for count in _BUCKET_COUNTS:
            if count >= max(wanted, 2 * self.bucket_count if self.resize_at else 12):
                return count
        return 2 * self.bucket_count + 1

    def _rehash(self, count: int) -> None:
        order = list(self)
        self.bucket_count = count
        self.resize_at = count
        self.buckets = {}
        self.next = {self._HEAD: None}
        head_bucket = 0
        for node in order:
            bucket = self.codes[node] % count
            before = self.buckets.get(bucket)
            if before is None:
                self.next[node] = self.next[self._HEAD]
                self.next[self._HEAD] = node
                self.buckets[bucket] = self._HEAD
                if self.next[node] is not None:
                    self.buckets[head_bucket] = node
                head_bucket = bucket
            else:
                self.next[node] = self.next[before]
                self.next[before] = node

    def __iter__(self) -> Iterator[int]:
        node = self.next[self._HEAD]
        while node is not None:
            yield node
            node = self.next[node]


def unordered_key_order(keys: Iterable[str]) -> list[str]:
    """``keys`` (distinct) in the order ArangoDB's ``std::unordered_set`` yields them."""
    table = _UnorderedSetOrder()
    for key in keys:
        table.add(key)
    return [table.keys[node] for node in table]


# --------------------------------------------------------------------------- helpers


def _attribute_names(ctx: FunctionContext, function_name: str, args: Iterable[Any]) -> set[str]:
    """The attribute names given to UNSET/KEEP: strings, numbers (printed), arrays of strings."""
    names: set[str] = set()
    for arg in args:
        if type(arg) is str:
            names.add(arg)
        elif is_number(arg):
            names.add(to_string(arg))
        elif type(arg) is list:
            for name in arg:
                if type(name) is str:
                    names.add(name)
                else:
                    warn_invalid_argument(ctx, function_name)
    return names


def _filter_attributes(
    doc: dict[str, Any], names: set[str], keep: bool, recursive: bool
) -> dict[str, Any]:
    """``doc`` with only (keep) or without (unset) the ``names``, optionally in sub-objects."""
    result: dict[str, Any] = {}
    for key, value in doc.items():
        if (key in names) != keep:
            continue
        if recursive and type(value) is dict:
            value = _filter_attributes(value, names, keep, recursive)
        result[key] = value
    return result


def _merge_two(left: dict[str, Any], right: dict[str, Any], recursive: bool) -> dict[str, Any]:
    """``right`` merged over ``left``; with ``recursive`` sub-objects merge too."""
    result = dict(left)
    for key, value in right.items():
        old = result.get(key)
        if recursive and type(old) is dict and type(value) is dict:
            value = _merge_two(old, value, recursive)
        result[key] = value
    return result


def _merge(ctx: FunctionContext, function_name: str, args: tuple[Any, ...], recursive: bool) -> Any:
    if len(args) == 1 and type(args[0]) is list:
        documents = args[0]
    else:
        documents = list(args)
    merged: dict[str, Any] = {}
    for doc in documents:
        if type(doc) is not dict:
            warn_invalid_argument(ctx, function_name)
            return None
        merged = _merge_two(merged, doc, recursive)
    return merged


def _collection_part(value: Any) -> str:
    """The collection name in an id string or an object's ``_id`` ('' when there is none)."""
    if type(value) is dict:
        value = value.get("_id")
    if type(value) is not str:
        return ""
    return value.split("/", 1)[0]


def _split_identifier(
    ctx: FunctionContext, function_name: str, value: Any
) -> tuple[str, str] | None:
    """``(collection, key)`` of an id string or an object's ``_id``; warns when malformed."""
    identifier = value.get("_id") if type(value) is dict else value
    if type(identifier) is str and identifier.count("/") == 1:
        collection, key = identifier.split("/")
        return collection, key
    warn_invalid_argument(ctx, function_name)
    return None


# --------------------------------------------------------------------------- functions


@aql_function("ATTRIBUTES", 1, 3, aliases=("KEYS",))
def attributes(
    ctx: FunctionContext, doc: Any, remove_system: Any = False, sort: Any = False
) -> list[str] | None:
    """ATTRIBUTES(doc, removeSystemAttrs, sort): the top-level attribute names."""
    if type(doc) is not dict:
        warn_invalid_argument(ctx, "ATTRIBUTES")
        return None
    if to_bool(sort):
        names = sorted(doc, key=collation_key)
    else:
        names = unordered_key_order(doc)
    if to_bool(remove_system):
        return [name for name in names if not name.startswith("_")]
    return names


@aql_function("VALUES", 1, 2)
def values(ctx: FunctionContext, doc: Any, remove_system: Any = False) -> list[Any] | None:
    """VALUES(doc, removeSystemAttrs): the attribute values in attribute order."""
    if type(doc) is not dict:
        warn_invalid_argument(ctx, "VALUES")
        return None
    skip_system = to_bool(remove_system)
    return [value for key, value in doc.items() if not (skip_system and key.startswith("_"))]


@aql_function("ENTRIES", 1)
def entries(ctx: FunctionContext, doc: Any) -> list[list[Any]] | None:
    """ENTRIES(doc): the attributes as [key, value] pairs."""
    if type(doc) is not dict:
        warn_invalid_argument(ctx, "ENTRIES")
        return None
    return [[key, value] for key, value in doc.items()]


@aql_function("HAS", 2)
@guarded("HAS")
def has(ctx: FunctionContext, doc: Any, name: Any) -> bool:
    """HAS(doc, name): whether doc has the attribute (even with a null value)."""
    if type(doc) is not dict:
        return False
    return to_string(name) in doc


@aql_function("VALUE", 2)
def value(ctx: FunctionContext, doc: Any, path: Any) -> Any:
    """VALUE(doc, path): the value at path, strings selecting attributes and numbers elements."""
    if type(doc) is not dict or type(path) is not list:
        warn_invalid_argument(ctx, "VALUE")
        return None
    current: Any = doc
    for step in path:
        if type(step) is str and type(current) is dict and step in current:
            current = current[step]
        elif is_number(step) and type(current) is list and 0 <= step < len(current):
            current = current[math.floor(step)]
        else:
            return None
    return current if path else None


@aql_function("MERGE", 1, None)
@guarded("MERGE")
def merge(ctx: FunctionContext, *docs: Any) -> dict[str, Any] | None:
    """MERGE(doc1, doc2, ...) or MERGE(docArray): later attributes win, top level only."""
    return _merge(ctx, "MERGE", docs, recursive=False)


@aql_function("MERGE_RECURSIVE", 1, None)
@guarded("MERGE_RECURSIVE")
def merge_recursive(ctx: FunctionContext, *docs: Any) -> dict[str, Any] | None:
    """MERGE_RECURSIVE(doc1, doc2, ...) or (docArray): like MERGE, sub-objects merged too."""
    return _merge(ctx, "MERGE_RECURSIVE", docs, recursive=True)


def _unset_or_keep(name: str, keep: bool, recursive: bool) -> _Impl:
    @guarded(name)
    def impl(ctx: FunctionContext, doc: Any, *names: Any) -> dict[str, Any] | None:
        if type(doc) is not dict:
            warn_invalid_argument(ctx, name)
            return None
        return _filter_attributes(doc, _attribute_names(ctx, name, names), keep, recursive)

    impl.__doc__ = f"{name}(doc, name1, ... | nameArray)."
    return impl


unset = aql_function("UNSET", 2, None)(_unset_or_keep("UNSET", keep=False, recursive=False))
unset_recursive = aql_function("UNSET_RECURSIVE", 2, None)(
    _unset_or_keep("UNSET_RECURSIVE", keep=False, recursive=True)
)
keep = aql_function("KEEP", 2, None)(_unset_or_keep("KEEP", keep=True, recursive=False))
keep_recursive = aql_function("KEEP_RECURSIVE", 2, None)(
    _unset_or_keep("KEEP_RECURSIVE", keep=True, recursive=True)
)


@aql_function("MATCHES", 2, 3)
@guarded("MATCHES")
def matches(ctx: FunctionContext, doc: Any, examples: Any, return_index: Any = False) -> Any:
    """MATCHES(doc, examples, returnIndex): whether (or where) an example matches doc.

    An example matches when each of its attributes equals doc's; a null example
    value also matches a missing attribute. Non-object examples warn and are skipped.
    """
    if type(doc) is not dict:
        return False
    want_index = to_bool(return_index)
    candidates = examples if type(examples) is list else [examples]
    for index, example in enumerate(candidates):
        if type(example) is not dict:
            warn_invalid_argument(ctx, "MATCHES")
            continue
        if all(
            (key in doc and equal(doc[key], wanted)) or (wanted is None and key not in doc)
            for key, wanted in example.items()
        ):
            return index if want_index else True
    return -1 if want_index else False


@aql_function("TRANSLATE", 2, 3)
@guarded("TRANSLATE")
def translate(ctx: FunctionContext, *args: Any) -> Any:
    """TRANSLATE(value, lookup, default): lookup[value], else default, else value."""
    key, lookup = args[0], args[1]
    if type(lookup) is not dict:
        warn_invalid_argument(ctx, "TRANSLATE")
        return None
    name = to_string(key)
    if name in lookup:
        return lookup[name]
    return args[2] if len(args) > 2 else key


@aql_function("ZIP", 2)
@guarded("ZIP")
def zip_(ctx: FunctionContext, keys: Any, values_: Any) -> dict[str, Any] | None:
    """ZIP(keys, values): an object from parallel arrays; the first of duplicate keys wins."""
    if type(keys) is not list or type(values_) is not list or len(keys) != len(values_):
        warn_invalid_argument(ctx, "ZIP")
        return None
    result: dict[str, Any] = {}
    for key, item in zip(keys, values_, strict=True):
        result.setdefault(to_string(key), item)
    return result


@aql_function("PARSE_IDENTIFIER", 1)
def parse_identifier(ctx: FunctionContext, value: Any) -> dict[str, str] | None:
    """PARSE_IDENTIFIER(id or doc): {collection, key} of a document id."""
    parts = _split_identifier(ctx, "PARSE_IDENTIFIER", value)
    return None if parts is None else {"collection": parts[0], "key": parts[1]}


@aql_function("PARSE_COLLECTION", 1)
def parse_collection(ctx: FunctionContext, value: Any) -> str | None:
    """PARSE_COLLECTION(id or doc): the collection name of a document id."""
    parts = _split_identifier(ctx, "PARSE_COLLECTION", value)
    return None if parts is None else parts[0]


@aql_function("PARSE_KEY", 1)
def parse_key(ctx: FunctionContext, value: Any) -> str | None:
    """PARSE_KEY(id or doc): the key of a document id."""
    parts = _split_identifier(ctx, "PARSE_KEY", value)
    return None if parts is None else parts[1]


@aql_function("IS_SAME_COLLECTION", 2)
def is_same_collection(ctx: FunctionContext, collection: Any, document: Any) -> bool | None:
    """IS_SAME_COLLECTION(collection, id or doc): whether the id belongs to the collection."""
    first = _collection_part(collection)
    second = _collection_part(document)
    if not first or not second:
        warn_invalid_argument(ctx, "IS_SAME_COLLECTION")
        return None
    return first == second
