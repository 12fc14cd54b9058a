"""Reading a collection in the order of a persistent index, for ``SORT ... LIMIT``.

``FOR d IN c FILTER d.name == @n SORT d.version DESC LIMIT 1`` need not decode
every version of the name. When the SORT's first key is an attribute path that
a persistent index holds right after fields the pushed-down FILTER pins with
equalities (or that an index leads with), the FOR stage reads the rows in
that index's order (:class:`IndexOrder`) and stops early: it yields the first
``offset + count`` rows of the sorted order that pass the FILTER — and, when
more SORT keys follow, the rest of the run of rows whose first key equals the
last one's — keeping insertion order among rows with equal first keys. The
SORT and LIMIT stages then run as always, over those few rows: the top rows of
the whole input are all among them, so the result is the one a full scan
gives (see :class:`SortHint`).

An index orders rows by the JSON type of a value, then by the value: not
AQL's order. So the rows are read one type class at a time, in AQL's order
(reversed for DESC): null, false, true, numbers (integers and reals read in
index order and merged by value), then strings, arrays and objects. SQLite
orders strings by code point, not as AQL does (see ``collation.py``): the rows
of those classes are all read, their sequence number and value only, sorted in
Python, and their documents fetched as needed.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .collation import collation_key
from .planner import EXACT_LIMIT, Pushed, safe_path
from .storage import CollectionInfo, IndexInfo, Storage, decode, json_path, typed_value_sql
from .values import SortKey, type_rank

Frame = list[Any]
Row = tuple[Any, ...]
# (SQL over the index's expressions, its parameters)
Condition = tuple[str, tuple[Any, ...]]

# A pinned field has one index prefix per value it may take: at most this many
# prefixes (every combination of the pinned fields) are read and merged.
_MAX_PREFIXES = 16

_ARROW = sqlite3.sqlite_version_info >= (3, 38, 0)  # `doc -> path` gives the value as JSON

# AQL's type order as the JSON types of the index, one read each (the last sorts in Python)
_STEPS: tuple[tuple[str, ...], ...] = (
    ("null",),
    ("false",),
    ("true",),
    ("integer", "real"),
    ("text", "array", "object"),
)
_SORTED_IN_PYTHON = frozenset({"text", "array", "object"})
_CONSTANT = {"null": None, "false": False, "true": True}


@dataclass
class SortHint:
    """The SORT and LIMIT right after a FOR's FILTERs, as far as the FOR stage uses them.

    The FOR stage may then yield, instead of every row, a prefix of the rows
    in the order of the first SORT key that holds the ``wanted`` first rows
    that pass the FILTERs and the whole run of rows whose first key equals
    the last of them (when ``more_keys``), in insertion order within such
    runs. Every row of the SORT's first ``wanted`` is in that prefix, and the
    stable SORT orders the prefix as it orders them in the whole input (even
    across the iterations of an enclosing loop).
    """

    path: list[str | Callable[[Frame], Any]]  # the first key: a path of the FOR's variable
    ascending: Callable[[Frame], bool]  # the first key's direction
    wanted: Callable[[Frame], int | None]  # LIMIT's offset + count (None: unknown)
    more_keys: bool


def _equal_to(path: list[str], value: Any) -> list[tuple[Condition, bool]] | None:
    """The index prefixes holding values equal to ``value``, each with whether it is null."""
    type_sql, value_sql = typed_value_sql(path)
    if value is None:
        return [((f"{type_sql} = 'null'", ()), True)]
    if type(value) is bool:
        return [((f"{type_sql} = '{'true' if value else 'false'}'", ()), False)]
    if type(value) is str:
        return [((f"{type_sql} = 'text' AND {value_sql} = ?", (value,)), False)]
    if type(value) in (int, float) and abs(value) < EXACT_LIMIT:
        # a whole number is stored as an integer, but a real equals it too
        types = ("integer", "real") if float(value).is_integer() else ("real",)
        return [((f"{type_sql} = '{t}' AND {value_sql} = ?", (value,)), False) for t in types]
    return None


def _pin(condition: Pushed) -> list[tuple[Condition, bool]] | None:
    """The index prefixes an ``==`` or ``IN`` condition allows (None: not a pin)."""
    if condition.op == "==":
        return _equal_to(condition.path, condition.value)
    if condition.op != "IN" or type(condition.value) is not list:
        return None
    prefixes: dict[Condition, bool] = {}
    for item in condition.value:
        equal = _equal_to(condition.path, item)
        if equal is None:
            return None
        prefixes.update(equal)  # equal items (1 and 1.0 too) give one prefix
    return list(prefixes.items())


def _excludes_null(condition: Pushed) -> bool:
    """Whether no document with null (or nothing) at the path satisfies the condition."""
    if condition.op in ("==", ">", ">="):
        return condition.value is not None
    return condition.op == "IN" and type(condition.value) is list and None not in condition.value


@dataclass
class IndexOrder:
    """How to read the rows of one scan in the order of the first SORT key."""

    info: CollectionInfo
    path: list[str]  # the first SORT key
    prefixes: list[Condition]  # the pinned fields' prefixes to read and merge
    partial: list[str]  # a sparse index's own conditions (SQLite needs them to use it)
    skip_null: bool  # the FILTER excludes null at the path

    def rows(
        self,
        storage: Storage,
        where: str,
        params: list[Any],
        columns: str,
        ascending: bool,
        wanted: int,
    ) -> OrderedRows:
        """The scan's rows (``columns`` of them) in sort order, equal first keys by seq.

        ``where`` / ``params`` are the scan's own SQL; ``wanted`` sizes the first reads.
        """
        reader = _ClassReader(self, storage, where, params, ascending, wanted)
        table = self.info.table
        fetch = f"SELECT {columns}, seq FROM {table} WHERE seq IN (SELECT value FROM json_each(?))"

        def rows_of(seqs: list[int]) -> dict[int, Row]:
            return {row[-1]: row for row in storage.rows(fetch, [json.dumps(seqs)])}

        return OrderedRows(reader.keys(), rows_of, wanted)


class OrderedRows:
    """(first key value, seq) of the rows in sort order, and each row on demand.

    A row is fetched with those of the next candidates (``wanted`` of them,
    then twice as many each time), so that a few statements read them all and
    candidates looked at only to see where a run of equal keys ends cost no
    document.
    """

    def __init__(
        self,
        keys: Iterator[tuple[Any, int]],
        rows_of: Callable[[list[int]], dict[int, Row]],
        wanted: int,
    ) -> None:
        self._keys = keys
        self._ahead: deque[tuple[Any, int]] = deque()
        self._rows: dict[int, Row] = {}
        self._rows_of = rows_of
        self._batch = wanted

    def __iter__(self) -> Iterator[tuple[Any, int]]:
        while True:
            if self._ahead:
                yield self._ahead.popleft()
                continue
            item = next(self._keys, None)
            if item is None:
                return
            yield item

    def row(self, seq: int) -> Row:
        """The row of ``seq``, a candidate just yielded."""
        row = self._rows.pop(seq, None)
        if row is not None:
            return row
        self._ahead.extend(itertools.islice(self._keys, self._batch - 1 - len(self._ahead)))
        self._rows = self._rows_of([seq, *(s for _, s in self._ahead)])
        self._batch *= 2
        return self._rows.pop(seq)


def index_order(info: CollectionInfo, path: list[str], pushed: list[Pushed]) -> IndexOrder | None:
    """The index that reads the scan in the order of ``path``, with most fields pinned."""
    if not safe_path(path):
        return None
    pins: dict[tuple[str, ...], list[tuple[Condition, bool]]] = {}
    not_null: set[tuple[str, ...]] = set()
    for condition in pushed:
        field = tuple(condition.path)
        if _excludes_null(condition):
            not_null.add(field)
        if field not in pins and (allowed := _pin(condition)) is not None:
            pins[field] = allowed
    best: tuple[int, IndexInfo] | None = None
    for index in info.indexes:
        fields = [tuple(f.split(".")) for f in index.fields]
        if tuple(path) not in fields:
            continue
        at = fields.index(tuple(path))
        if not all(f in pins for f in fields[:at]):
            continue
        if math.prod(len(pins[f]) for f in fields[:at]) > _MAX_PREFIXES:
            continue
        # a sparse index holds no document with null in any of its fields: the
        # sort path's nulls are read without it, every other field must exclude them
        if index.sparse and (
            any(null for f in fields[:at] for _, null in pins[f])
            or not all(f in not_null for f in fields[at + 1 :])
        ):
            continue
        if best is None or at > best[0]:
            best = (at, index)
    if best is None:
        return None
    at, index = best
    pinned = [[condition for condition, _ in pins[tuple(f.split("."))]] for f in index.fields[:at]]
    prefixes: list[Condition] = [
        (" AND ".join(sql for sql, _ in combination), tuple(p for _, ps in combination for p in ps))
        for combination in itertools.product(*pinned)
    ]
    partial = [f"{typed_value_sql(f.split('.'))[0]} <> 'null'" for f in index.fields]
    return IndexOrder(
        info, path, prefixes, partial if index.sparse else [], tuple(path) in not_null
    )


class _ClassReader:
    """The statements reading an :class:`IndexOrder`'s (value, seq) pairs, class by class."""

    def __init__(
        self,
        order: IndexOrder,
        storage: Storage,
        where: str,
        params: list[Any],
        ascending: bool,
        wanted: int,
    ) -> None:
        self.order = order
        self.storage = storage
        self.where = where
        self.params = params
        self.ascending = ascending
        # two more: one shows where the last run of equal keys ends, one is read ahead
        self.first_batch = wanted + 2
        self.type_sql, self.value_sql = typed_value_sql(order.path)

    def keys(self) -> Iterator[tuple[Any, int]]:
        """(value, seq) of every row in sort order, type class by type class."""
        for types in _STEPS if self.ascending else reversed(_STEPS):
            if types[0] in _SORTED_IN_PYTHON:
                yield from self.sorted_in_python(types)
            elif types != ("null",) or not self.order.skip_null:
                yield from self.merged(types)

    def _where(self, prefix: Condition, types: tuple[str, ...]) -> tuple[str, list[Any]]:
        terms = [self.where] if self.where else []
        if prefix[0]:
            terms.append(prefix[0])
        quoted = [f"'{t}'" for t in types]
        if len(quoted) == 1:
            terms.append(f"{self.type_sql} = {quoted[0]}")
        else:
            terms.append(f"{self.type_sql} IN ({', '.join(quoted)})")
        if "null" not in types:  # the sort path's nulls are not in a sparse index
            terms += self.order.partial
        return " AND ".join(terms), [*self.params, *prefix[1]]

    def _batches(self, sql: str, params: list[Any]) -> Iterator[Row]:
        """The rows of ``sql``, read in growing batches (LIMIT / OFFSET) as they are consumed."""
        size, offset = self.first_batch, 0
        while True:
            rows = self.storage.rows(f"{sql} LIMIT ? OFFSET ?", [*params, size, offset])
            yield from rows
            if len(rows) < size:
                return
            offset += size
            size *= 2

    def merged(self, types: tuple[str, ...]) -> Iterator[tuple[Any, int]]:
        """A class the index orders (null, false, true, numbers): one read per prefix and type."""
        table = self.order.info.table
        streams: list[Iterator[tuple[Any, int, Any]]] = []
        for prefix, json_type in itertools.product(self.order.prefixes, types):
            where, params = self._where(prefix, (json_type,))
            if json_type in _CONSTANT:
                # one value: the index holds these rows in seq order, whatever the direction
                sql = f"SELECT seq FROM {table} WHERE {where} ORDER BY {self.value_sql}, seq"
                streams.append(_one_value(self._batches(sql, params), _CONSTANT[json_type]))
                continue
            direction = "" if self.ascending else " DESC"
            sql = (
                f"SELECT seq, {self.value_sql}, {_exact_sql(self.order.path, self.value_sql)} "
                f"FROM {table} WHERE {where} ORDER BY {self.value_sql}{direction}, seq"
            )
            streams.append(_exact_numbers(self._batches(sql, params), self.ascending))
        for _, seq, value in heapq.merge(*streams):
            yield value, seq

    def sorted_in_python(self, types: tuple[str, ...]) -> Iterator[tuple[Any, int]]:
        """Classes SQLite does not order as AQL: every (seq, value) of them, sorted here."""
        table = self.order.info.table
        found: list[tuple[int, Any]] = []
        for prefix in self.order.prefixes:
            where, params = self._where(prefix, types)
            sql = (
                f"SELECT seq, {self.type_sql} = 'text', {self.value_sql} FROM {table} WHERE {where}"
            )
            found += (
                (seq, text if is_text else decode(text))
                for seq, is_text, text in self.storage.rows(sql, params)
            )
        found.sort(key=_first)  # insertion order among equal values (a stable sort keeps it)
        found.sort(key=_python_sort_key, reverse=not self.ascending)
        for seq, value in found:
            yield value, seq


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _python_sort_key(item: tuple[int, Any]) -> Any:
    value = item[1]
    if type(value) is str:
        return (3, collation_key(value))
    return (type_rank(value), SortKey(value))


def _exact_sql(path: list[str], value_sql: str) -> str:
    """SQL for the JSON text of a number SQLite may not read exactly (else null)."""
    p = json_path(path).replace("'", "''")
    text = f"doc -> '{p}'" if _ARROW else f"json_extract(doc, '{p}', '{p}')"
    return f"CASE WHEN typeof({value_sql}) = 'integer' THEN NULL ELSE {text} END"


def _read_exact(text: str) -> Any:
    value = decode(text)
    return value if _ARROW else value[0]


def _one_value(rows: Iterable[Row], value: Any) -> Iterator[tuple[Any, int, Any]]:
    """The stream of a class holding one value (null, false, true): in seq order."""
    for (seq,) in rows:
        yield 0, seq, value


def _exact_numbers(rows: Iterable[Row], ascending: bool) -> Iterator[tuple[Any, int, Any]]:
    """One number stream's rows ``(seq, SQLite's value, JSON text)`` in AQL's order.

    Yields (merge key, seq, value). SQLite reads an integer as itself when it
    fits in 64 bits, other numbers as doubles: those of them it holds equal may
    differ, so each run of them is sorted by the exact value read from the
    JSON text. Between runs SQLite's order is the exact one (reading a number
    is monotonic).
    """
    run: list[tuple[Any, int, Any]] = []
    run_value: Any = None
    for seq, sql_value, text in rows:
        if run and sql_value != run_value:
            run.sort(key=_merge_key)
            yield from run
            run = []
        if type(sql_value) is int:
            yield (sql_value if ascending else -sql_value), seq, sql_value
            continue
        run_value = sql_value
        value = _read_exact(text)
        run.append((value if ascending else -value, seq, value))
    run.sort(key=_merge_key)
    yield from run


def _merge_key(item: tuple[Any, int, Any]) -> tuple[Any, int]:
    return item[0], item[1]
